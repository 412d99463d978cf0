"""/namens through the emulator: a buurtwerker asks for a neighbour who is not on Telegram,
the invitation says for whom, the helper is connected to the buurtwerker, the follow-up ends
in a thank-you and the step-back question; both say yes, and the helper gets the neighbour's
contact through the proxy. A resident asks only after confirming that the neighbour agreed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.app import matching_steps
from bot.harness import RunningBot
from bot.runner import perform
from bot.sender import deliver
from bot.services import digest
from botapi_emulator.scenario import Scene
from matching.area import area_cell
from storage.db import session_scope
from storage.models import (
    Invitation,
    Match,
    MatchStatus,
    Post,
    PostStatus,
    ProxyStepBack,
    Resident,
    Role,
    RoleKind,
    Wijk,
)
from tests.e2e.neighbours import NOW, Clock, bot_context
from tests.e2e.test_matching_flow import INVITED, Street, make_street
from tests.storage.neighbourhood import add_post, add_wijk

SHOPPING = "Wie kan zaterdag boodschappen doen?"


@pytest.fixture
def street(running: RunningBot, scene: Scene) -> Street:
    return make_street(running, scene)


def the_post(running: RunningBot) -> Post:
    with session_scope(running.engine) as session:
        [post] = session.exec(select(Post)).all()
        return post


def step_back(running: RunningBot) -> ProxyStepBack:
    with session_scope(running.engine) as session:
        [row] = session.exec(select(ProxyStepBack)).all()
        return row


async def place_for(street: Street, words: str, *, expect: str) -> None:
    anna = street.anna
    await anna.sends(words)
    await anna.sees("ongeveer? Stuur een plek op de kaart")
    await anna.presses("Mijn eigen plek")
    await anna.sees(expect)
    await anna.sends(SHOPPING)
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer")
    await anna.presses("✓ Ja, klopt")
    preview = await anna.sees("Zo komt het in de buurt te staan")
    assert "(niet op Telegram)" in preview.content
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")


async def test_a_buurtwerker_asks_for_a_neighbour_from_post_to_thanks_and_step_back(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    anna = street.anna
    assert street.wijk.id is not None
    with session_scope(running.engine) as session:
        session.add(
            Role(telegram_user_id=anna.user.id, wijk_id=street.wijk.id, kind=RoleKind.BUURTWERKER)
        )
    await place_for(street, "/namens Kees", expect="Wat heeft Kees nodig?")
    post = the_post(running)
    assert (post.proxy_for, post.text) == ("Kees", SHOPPING)

    await running.emulator.wait_for(
        lambda: any(
            any(INVITED in m.content for m in running.emulator.messages(p.chat_id))
            for p in street.neighbours.values()
        ),
        what="an invitation",
    )
    helper = next(
        p
        for p in street.neighbours.values()
        if any(INVITED in m.content for m in running.emulator.messages(p.chat_id))
    )
    invitation = await helper.sees(INVITED)
    assert "Anna vraagt dit voor Kees, die niet op Telegram zit." in invitation.content
    await helper.presses("🙋 Ik help graag")
    await anna.sees("wil graag helpen")
    await anna.presses("Ja, graag")
    await helper.sees("Anna zegt ja, graag!")
    # The helper is connected to the proxy: the normal relay, Anna as the asker.
    await helper.sends("Ik breng de boodschappen zaterdag om 11 uur")
    await anna.sees("zaterdag om 11 uur")

    with session_scope(running.engine) as session:
        [match] = session.exec(select(Match).order_by(col(Match.id))).all()
    assert match.follow_up_at is not None
    clock.now = match.follow_up_at + timedelta(hours=8)
    await matching_steps(bot_context(running))
    await anna.sees("Is het gelukt met")
    await anna.presses(f"Ja! Bedank {helper.name}")
    await helper.sees("Anna zegt: dank je wel!")
    assert the_post(running).status == PostStatus.DONE.value

    # The step-back question, to both.
    asked = await anna.sees("Wil je buur de volgende keer zelf iets afspreken")
    assert helper.name in asked.content
    helper_asked = await helper.sees("Wil je de volgende keer zelf iets afspreken met Kees")
    assert "zonder dat Anna ertussen zit" in helper_asked.content
    await anna.presses("Ja, dat wil mijn buur")
    await anna.sees("Dank je, ik heb het genoteerd.")
    row = step_back(running)
    assert (row.neighbour_yes, row.helper_yes, row.agreed_at) == (True, None, None)
    await helper.presses("Ja, graag")
    await helper.sees("de volgende keer spreek je zelf af met Kees, zonder Anna ertussen")
    told = await anna.sees("Jullie zeggen allebei ja")
    assert f"{helper.name} en Kees spreken de volgende keer zelf af" in told.content
    row = step_back(running)
    assert (row.neighbour_yes, row.helper_yes) == (True, True)
    assert row.agreed_at is not None

    await anna.presses(f"Laat {helper.name} weten hoe je buur te bereiken is")
    await anna.sees("Typ hieronder hoe")
    await anna.sends("Kees: 020 123 4567, liefst 's middags")
    await anna.sees(f"Doorgestuurd naar {helper.name}.")
    contact = await helper.sees("Van Anna, zo bereik je Kees:")
    assert "020 123 4567" in contact.content


async def test_a_resident_asks_only_after_the_neighbour_agreed(
    street: Street, running: RunningBot
) -> None:
    anna = street.anna
    # A buurtwerker of another wijk is a resident here: the consent question comes first.
    with session_scope(running.engine) as session:
        west = add_wijk(session, "West", NOW)
        assert west.id is not None
        session.add(
            Role(telegram_user_id=anna.user.id, wijk_id=west.id, kind=RoleKind.BUURTWERKER)
        )
    await anna.sends("/namens")
    await anna.sees("Met /namens vraag je iets voor iemand die niet op Telegram zit.")
    await anna.sends("/namens buurvrouw")
    await anna.sees("Doe dit alleen als je buur dat goed vindt.")
    await anna.sends("Zaterdag boodschappen")  # typed instead of pressing
    await anna.sees("Tik eerst op de knop")
    assert _posts(running) == []
    await anna.presses("Ja, mijn buur vindt het goed")
    await anna.sees("Waar woont een buurvrouw ongeveer?")
    await anna.presses("Mijn eigen plek")
    await anna.sees("Wat heeft een buurvrouw nodig?")
    await anna.sends(SHOPPING)
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer")
    await anna.presses("✓ Ja, klopt")
    preview = await anna.sees("Zo komt het in de buurt te staan")
    assert "Voor: een buurvrouw (niet op Telegram)" in preview.content
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")
    assert the_post(running).proxy_for == "buurvrouw"
    await running.emulator.wait_for(
        lambda: any(
            "Anna vraagt dit voor een buurvrouw" in m.content
            for p in street.neighbours.values()
            for m in running.emulator.messages(p.chat_id)
        ),
        what="an invitation that says for whom",
    )


def _posts(running: RunningBot) -> list[Post]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(Post)).all())


async def test_the_proxy_sees_for_whom_and_no_contact_choice(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    """The confirmation, /mijn and the wijk group's digest say for whom; the consent "een
    buurtwerker mag contact met me opnemen" is not offered for someone not on Telegram."""
    anna = street.anna
    assert street.wijk.id is not None
    group = running.emulator.add_group("Buren", members=[anna.user])
    with session_scope(running.engine) as session:
        session.add(
            Role(telegram_user_id=anna.user.id, wijk_id=street.wijk.id, kind=RoleKind.BUURTWERKER)
        )
        wijk = session.get(Wijk, street.wijk.id)
        assert wijk is not None
        wijk.group_chat_id = group.id
        session.add(wijk)
    await anna.sends("/namens Kees")
    await anna.sees("Waar woont Kees ongeveer?")
    await anna.presses("Mijn eigen plek")
    await anna.sees("Wat heeft Kees nodig?")
    await anna.sends(SHOPPING)
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer")
    await anna.presses("✓ Ja, klopt")
    preview = await anna.sees("Zo komt het in de buurt te staan")
    assert preview.button("☐ Een buurtwerker mag contact met me opnemen") is None
    await anna.presses("✅ Plaatsen")
    posted = await anna.sees("Je vraag is geplaatst!")
    assert "Voor: Kees (niet op Telegram)" in posted.content
    await anna.sends("/mijn")
    mine = await anna.sees("Jouw open berichten")
    assert "(voor Kees)" in mine.content

    clock.now = NOW + timedelta(minutes=30)
    context = bot_context(running)
    assert await perform(context, None, digest.send_due) == 1
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
    message = await running.emulator.wait_for_message(group, "Nieuw in")
    assert "van Anna, voor Kees:" in message.content


def agreed_earlier(running: RunningBot, street: Street, helper_id: int, proxy_for: str) -> None:
    """An earlier /namens request of Anna's for `proxy_for`, helped by `helper_id`, after which
    both said yes to arranging the next time themselves."""
    with session_scope(running.engine) as session:
        anna = session.exec(select(Resident).where(Resident.first_name == "Anna")).one()
        assert anna.id is not None
        earlier = NOW - timedelta(days=20)
        post = add_post(
            session, anna, "Wie haalt de post?", earlier, status="done", proxy_for=proxy_for
        )
        assert post.id is not None
        match = Match(
            post_id=post.id,
            asker_id=anna.id,
            helper_id=helper_id,
            status=MatchStatus.ENDED.value,
            created_at=earlier,
        )
        session.add(match)
        session.flush()
        assert match.id is not None
        session.add(
            ProxyStepBack(
                match_id=match.id,
                helper_yes=True,
                neighbour_yes=True,
                agreed_at=earlier,
                created_at=earlier,
            )
        )


def invited_ids(running: RunningBot) -> set[int]:
    with session_scope(running.engine) as session:
        return {i.resident_id for i in session.exec(select(Invitation)).all()}


async def test_after_a_step_back_the_pair_is_not_asked_through_the_proxy_again(
    street: Street, running: RunningBot
) -> None:
    """Kees and Ben agreed to arrange things themselves: Anna's next /namens for Kees tells her
    so, and Ben is not invited for it (the others are); for a different neighbour he is."""
    anna = street.anna
    assert street.wijk.id is not None
    with session_scope(running.engine) as session:
        session.add(
            Role(telegram_user_id=anna.user.id, wijk_id=street.wijk.id, kind=RoleKind.BUURTWERKER)
        )
    ben_id = next(i for i, p in street.neighbours.items() if p.name == "Ben")
    agreed_earlier(running, street, ben_id, "Kees")
    await anna.sends("/namens Kees")
    await anna.sees("Waar woont Kees ongeveer?")
    await anna.presses("Mijn eigen plek")
    prompt = await anna.sees("Wat heeft Kees nodig?")
    assert "Kees en Ben hadden afgesproken dat ze het voortaan zelf regelen" in prompt.content
    await anna.sends(SHOPPING)
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Zo komt het in de buurt te staan")
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")
    await running.emulator.wait_for(lambda: len(invited_ids(running)) == 3, what="invitations")
    invited = invited_ids(running)
    assert ben_id not in invited
    assert invited == set(street.neighbours) - {ben_id}

    # For someone else Ben is asked as usual, and the note is not there.
    await anna.sends("/namens Els")
    await anna.sees("Waar woont Els ongeveer?")
    await anna.presses("Mijn eigen plek")
    prompt = await anna.sees("Wat heeft Els nodig?")
    assert "afgesproken" not in prompt.content


async def test_the_proxy_chooses_the_neighbours_spot_on_the_map(
    street: Street, running: RunningBot
) -> None:
    """A location sent under the area question becomes the request's area (the same coarse
    cell a resident's area is); neighbours near that spot are invited."""
    anna = street.anna
    assert street.wijk.id is not None
    with session_scope(running.engine) as session:
        session.add(
            Role(telegram_user_id=anna.user.id, wijk_id=street.wijk.id, kind=RoleKind.BUURTWERKER)
        )
        own = session.exec(select(Resident).where(Resident.first_name == "Anna")).one().area_cell
    await anna.sends("/namens Kees")
    await anna.sees("Waar woont Kees ongeveer?")
    await anna.sends("Dapperstraat 12")  # typed, not sent from the map
    await anna.sees("Stuur een plek op de kaart (📎, dan Locatie)")
    spot = (52.3630, 4.9330)
    await anna.shares_location(*spot)
    asked = await anna.sees("Dank je, ik zoek buren dicht bij die plek.")
    assert "Wat heeft Kees nodig?" in asked.content
    await anna.sends(SHOPPING)
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Zo komt het in de buurt te staan")
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")
    post = the_post(running)
    assert post.area_cell == area_cell(*spot)
    assert post.area_cell != own
    await running.emulator.wait_for(lambda: len(invited_ids(running)) > 0, what="invitations")
