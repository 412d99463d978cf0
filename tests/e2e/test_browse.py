"""/buurt through the emulator: open requests and offers nearby, nearest first then newest, by
first name and rough distance only; "Ik kan helpen" / "Interesse" tells the author once (unless
they paused); own posts, blocked pairs, people who left and people who paused (while the pause
lasts) never show; forged presses change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import h3
import pytest
from sqlmodel import select

from bot import demo
from bot.app import matching_steps
from bot.harness import RunningBot
from bot.i18n import t
from bot.sender import send_due_messages
from botapi_emulator import MessageView
from botapi_emulator.scenario import Person, Scene
from matching.area import area_cell
from storage.db import session_scope
from storage.models import Block, Match, Post, PostKind, Resident, Wijk
from tests.e2e.neighbours import Clock, bot_context, resident_for
from tests.e2e.posting_helpers import (
    NOW,
    all_invitations,
    bot_messages,
    forge_press,
    show_main_menu,
)
from tests.storage.neighbourhood import OOST, add_post, add_wijk

HOME = area_cell(*OOST)
NEXT_DOOR = str(h3.grid_ring(HOME, 1)[0])
TWO_KM = str(h3.grid_ring(HOME, 2)[0])
FOUR_KM = str(h3.grid_ring(HOME, 5)[0])
GONE = "Dit bericht staat er niet meer."
STALE = "Deze knop werkt niet meer"


@dataclass
class Neighbourhood:
    """Anna looks around. Ben lives next door, Carla 2 km away, Femke 4 km, Geert somewhere
    unknown; Hans paused; Eva left; Anna blocked Fred and Gina blocked Anna; Wim lives in
    another wijk."""

    wijk: Wijk
    people: dict[str, Person]
    ids: dict[str, int]
    posts: dict[str, int]

    def __getattr__(self, name: str) -> Person:
        return self.people[name]


@pytest.fixture
def buurt(running: RunningBot, scene: Scene) -> Neighbourhood:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
        west = add_wijk(session, "Westerpark", NOW)
    where = {
        "anna": (HOME, {}),
        "ben": (NEXT_DOOR, {}),
        "carla": (TWO_KM, {}),
        "dirk": (HOME, {}),
        "hans": (HOME, {"paused": True}),
        "eva": (HOME, {"stopped": True}),
        "femke": (FOUR_KM, {}),
        "fred": (HOME, {}),
        "geert": (None, {}),
        "gina": (HOME, {}),
        "wim": (HOME, {}),
    }
    people: dict[str, Person] = {}
    ids: dict[str, int] = {}
    for name, (_cell, fields) in where.items():
        if name == "anna":
            person = scene.resident("Anna Maria", username="annamaria_private")
        else:
            person = scene.resident(name.capitalize())
        people[name] = person
        home_wijk = west if name == "wim" else wijk
        ids[name] = resident_for(running, person, home_wijk, NOW, **fields)
    posts: dict[str, int] = {}
    with session_scope(running.engine) as session:
        # (add_resident always puts people in Oost; set each one's own area.)
        for name, (cell, _fields) in where.items():
            resident = session.get(Resident, ids[name])
            assert resident is not None
            resident.area_cell = cell
            session.add(resident)

    def post(name: str, key: str, text: str, age: timedelta, **fields: Any) -> None:
        author = session.get(Resident, ids[name])
        assert author is not None
        made = add_post(session, author, text, NOW - age, **fields)
        assert made.id is not None
        posts[key] = made.id

    hour = timedelta(hours=1)
    with session_scope(running.engine) as session:
        post("ben", "shopping", "Wie kan zaterdag mijn boodschappen doen?", 3 * hour)
        post(
            "carla",
            "ladder",
            "Ik heb een ladder te leen",
            hour,
            kind=PostKind.OFFER,
            category="lending",
        )
        post(
            "dirk", "computer", "Wie helpt met mijn nieuwe telefoon?", 5 * hour, category="digital"
        )
        post("ben", "coffee", "Wie wil samen koffie drinken?", hour / 2, category="company")
        post("femke", "cat", "Kan iemand mijn kat voeren?", hour / 6, category="pets")
        post("geert", "form", "Hulp bij een formulier", timedelta(minutes=2), category="paperwork")
        post("anna", "own", "Anna's eigen vraag", timedelta(minutes=1))
        post("eva", "left", "Eva is gestopt", hour)
        post("hans", "paused", "Hans heeft pauze", hour)
        post("fred", "blocked", "Fred is geblokkeerd", hour)
        post("gina", "blocker", "Gina blokkeerde Anna", hour)
        post("wim", "elsewhere", "Wim woont in West", hour)
        post("ben", "done", "Al geregeld", hour, status="done")
        post(
            "ben",
            "passed",
            "Gisteren nodig",
            30 * hour,
            window_start=NOW - 26 * hour,
            window_end=NOW - 20 * hour,
        )
        session.add(Block(blocker_id=ids["anna"], blocked_id=ids["fred"], created_at=NOW))
        session.add(Block(blocker_id=ids["gina"], blocked_id=ids["anna"], created_at=NOW))
    return Neighbourhood(wijk, people, ids, posts)


def positions(message: MessageView, *texts: str) -> list[int]:
    return [message.content.index(text) for text in texts]


async def test_nearest_first_then_newest_in_pages_with_rough_distances(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    anna = buurt.anna
    await anna.sends("/buurt")
    page = await anna.sees("Open in je buurt (1–5 van 6)")
    found = positions(
        page,
        "1. 🙋 Vraag · Koffie en een praatje\nWie wil samen koffie drinken?\n👤 Ben · in je buurt",
        "2. 🙋 Vraag · Boodschappen\nWie kan zaterdag mijn boodschappen doen?\n"
        "👤 Ben · in je buurt",
        "3. 🙋 Vraag · Computer en telefoon\nWie helpt met mijn nieuwe telefoon?\n"
        "👤 Dirk · in je buurt",
        "4. 🤝 Aanbod · Spullen lenen\nIk heb een ladder te leen\n👤 Carla · ~2 km",
        "5. 🙋 Vraag · Huisdieren\nKan iemand mijn kat voeren?\n👤 Femke · ~4 km",
    )
    assert found == sorted(found)
    assert page.buttons == [
        ["1. Koffie en een praatje"],
        ["2. Boodschappen"],
        ["3. Computer en telefoon"],
        ["4. Spullen lenen"],
        ["5. Huisdieren"],
        ["Meer ▶"],
    ]
    hidden_posts = ["Anna's eigen", "Eva", "Fred", "Gina", "Hans", "Wim", "Al geregeld"]
    hidden_posts.append("Gisteren")
    for hidden in hidden_posts:
        assert hidden not in page.content

    await anna.presses("Meer ▶")
    second = await anna.sees("Open in je buurt (6–6 van 6)")
    assert "6. 🙋 Vraag · Formulieren en brieven\nHulp bij een formulier\n👤 Geert" in (
        second.content
    )
    assert "Koffie" not in second.content
    assert second.buttons == [["6. Formulieren en brieven"], ["◀ Vorige"]]
    await anna.presses("◀ Vorige")
    again = await anna.sees("Open in je buurt (1–5 van 6)")
    assert again.message_id == page.message_id, "pages turn in place, not as new messages"
    assert len(bot_messages(running, anna)) == 1
    assert running.emulator.errors == []


async def test_the_chat_demo_numbers_a_second_page_once(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    """`buurtbot demo --chat` shows page 2 as "6. Formulieren en brieven" (not "1. 6. ...")
    and typing a shown number presses that button."""
    anna = buurt.anna
    await anna.sends("/buurt")
    await anna.sees("Open in je buurt (1–5 van 6)")
    await anna.presses("Meer ▶")
    second = await anna.sees("Open in je buurt (6–6 van 6)")
    shown = demo.chat_view(running, second, edited=True)
    assert "\n   6. Formulieren en brieven\n   7. ◀ Vorige" in shown
    assert "1. 6." not in shown
    assert await demo.press_numbered(anna, 7)
    await anna.sees("Open in je buurt (1–5 van 6)")
    first = anna.last_message()
    assert "\n   5. Huisdieren\n   6. Meer ▶" in demo.chat_view(running, first, edited=True)
    assert await demo.press_numbered(anna, 6)
    await anna.sees("Open in je buurt (6–6 van 6)")
    assert not await demo.press_numbered(anna, 1)  # page 2 has no button 1
    assert running.emulator.errors == []


async def test_a_double_tap_on_a_page_button_edits_once(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    anna = buurt.anna
    await anna.sends("/buurt")
    first = await anna.sees("Open in je buurt (1–5 van 6)")
    # The same page again (a second tap that arrives after the first was handled): Telegram
    # would refuse an edit that changes nothing, so none is made.
    answer = await forge_press(running, anna, first, "nb:page:1")
    assert not answer.text
    # Updates are handled one by one: once /mijn is answered, the press is fully handled.
    await anna.sends("/mijn")
    await anna.sees("Jouw open berichten")
    assert running.emulator.messages(anna.chat_id)[0].edit_count == first.edit_count
    assert running.emulator.errors == []


async def test_never_more_than_a_first_name_and_a_rough_distance(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    ben = buurt.ben
    await ben.sends("/buurt")
    page = await ben.sees("Open in je buurt")
    assert "Anna's eigen vraag\n👤 Anna · in je buurt" in page.content
    for secret in ("Maria", "annamaria_private", HOME, NEXT_DOOR, str(buurt.anna.user.id)):
        assert secret not in page.content
    assert running.emulator.errors == []


async def test_i_can_help_tells_the_author_once_with_only_a_first_name(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    anna, ben = buurt.anna, buurt.ben
    await anna.sends("/buurt")
    await anna.sees("Open in je buurt")
    await anna.presses("2. Boodschappen")
    detail = await anna.sees_button("🙋 Ik kan helpen")
    assert detail.content.endswith("👤 Ben · in je buurt")
    assert "🙋 Vraag · Boodschappen\nWie kan zaterdag mijn boodschappen doen?" in detail.content
    report, block = t("nl", "button.report"), t("nl", "button.block")
    assert detail.buttons == [["🙋 Ik kan helpen"], [report, block], ["◀ Terug naar de lijst"]]
    shopping = buurt.posts["shopping"]
    assert detail.button(report) == {"text": report, "callback_data": f"rep:p:{shopping}"}
    assert detail.button(block) == {"text": block, "callback_data": f"blk:p:{shopping}"}

    answer = await anna.presses("🙋 Ik kan helpen")
    assert not answer.text
    await anna.sees("Fijn, dank je! Ik vraag Ben of het goed is. Je hoort het van mij.")
    told = await ben.sees("Goed nieuws! Anna wil graag helpen met:")
    assert "Wie kan zaterdag mijn boodschappen doen?" in told.content
    for secret in ("Maria", "annamaria_private", "@"):
        assert secret not in told.content
    [invitation] = all_invitations(running)
    assert (invitation.post_id, invitation.resident_id, invitation.status) == (
        shopping,
        buurt.ids["anna"],
        "accepted",
    )
    assert told.button(block) == {"text": block, "callback_data": f"blk:i:{invitation.id}"}
    assert told.button("Ja, graag") is not None
    assert told.button("Liever niet") is not None

    again = await anna.presses("🙋 Ik kan helpen")
    assert again.text == "Dat had je al laten weten. Dank je!"
    # Updates are handled in order: once this answer is there, the second press is done.
    await anna.sends("/buurt")
    await running.emulator.wait_for(lambda: len(bot_messages(running, anna)) == 3)
    assert len(bot_messages(running, ben)) == 1
    assert len(all_invitations(running)) == 1

    # Ben's request waits for his choice now, so it has left the list.
    await anna.presses("◀ Terug naar de lijst")
    await anna.sees("Open in je buurt (1–5 van 5)")
    assert running.emulator.errors == []


async def test_interest_in_an_offer(buurt: Neighbourhood, running: RunningBot) -> None:
    anna, carla = buurt.anna, buurt.carla
    await anna.sends("/buurt")
    await anna.sees("Open in je buurt")
    await anna.presses("4. Spullen lenen")
    await anna.sees_button("🤝 Interesse")
    await anna.presses("🤝 Interesse")
    await anna.sees("Leuk! Ik laat Carla weten dat je interesse hebt.")
    told = await carla.sees("Anna uit de buurt heeft interesse in je aanbod:")
    assert "Ik heb een ladder te leen" in told.content
    assert "📍" in told.content  # the rough distance, like a request's offer card
    assert told.buttons[:2] == [["Graag, breng ons in contact"], ["Nu even niet"]]
    assert running.emulator.errors == []


async def test_interest_in_an_offer_leads_to_a_conversation_and_a_thank_you(
    buurt: Neighbourhood, running: RunningBot, clock: Clock
) -> None:
    anna, ben, carla = buurt.anna, buurt.ben, buurt.carla
    await anna.sends("/buurt")
    await anna.sees("Open in je buurt")
    await anna.presses("4. Spullen lenen")
    await anna.sees_button("🤝 Interesse")
    await anna.presses("🤝 Interesse")
    await carla.sees("Anna uit de buurt heeft interesse in je aanbod:")
    await carla.presses("Graag, breng ons in contact")
    await carla.sees("Fijn! Wat je mij nu stuurt, geef ik door aan Anna")
    await anna.sees("Carla zegt ja, graag!")
    await anna.sends("Wanneer kan ik de ladder ophalen?")
    heard = await carla.sees("Wanneer kan ik de ladder ophalen?")
    assert "Anna" in heard.content
    # The offer can be taken again: it is still open, and Ben can show interest too.
    with session_scope(running.engine) as session:
        offer = session.get(Post, buurt.posts["ladder"])
        assert offer is not None
        assert offer.status == "open"
    await ben.sends("/buurt")
    listing = await ben.sees("Open in je buurt")
    (label,) = [b for row in listing.buttons for b in row if b.endswith("Spullen lenen")]
    await ben.presses(label)
    await ben.sees_button("🤝 Interesse")
    await ben.presses("🤝 Interesse")
    await carla.sees("Ben uit de buurt heeft interesse in je aanbod:")
    await carla.presses("Nu even niet")
    await carla.sees("ik laat Ben vriendelijk weten")
    await ben.sees("Het komt Carla nu even niet uit")
    # The follow-up and the thank-you work as for a request; the offer stays open.
    with session_scope(running.engine) as session:
        (match,) = session.exec(select(Match).where(Match.status == "active")).all()
        assert match.follow_up_at is not None
        clock.now = match.follow_up_at + timedelta(hours=1)  # daytime, outside quiet hours
    await matching_steps(bot_context(running))
    await anna.sees("Is het gelukt met Carla?")
    await carla.sees("Is het gelukt met Anna?")
    assert not any("Opnieuw" in label for row in anna.last_message().buttons for label in row)
    await anna.presses("Ja! Bedank Carla")
    await carla.sees("Anna zegt: dank je wel!")
    with session_scope(running.engine) as session:
        offer = session.get(Post, buurt.posts["ladder"])
        assert offer is not None
        assert offer.status == "open"
    assert running.emulator.errors == []


async def test_an_interest_the_author_leaves_waiting_is_recalled_once_after_a_day(
    buurt: Neighbourhood, running: RunningBot, clock: Clock
) -> None:
    """Like a yes that waits for an asker: one kind reminder to the offer's author after 24
    hours, with the same two buttons, through the outbox; never a second one."""
    anna, carla = buurt.anna, buurt.carla
    await anna.sends("/buurt")
    await anna.sees("Open in je buurt")
    await anna.presses("4. Spullen lenen")
    await anna.sees_button("🤝 Interesse")
    await anna.presses("🤝 Interesse")
    await carla.sees("Anna uit de buurt heeft interesse in je aanbod:")
    before = len(bot_messages(running, carla))
    clock.now = NOW + timedelta(hours=23)
    await send_due_messages(bot_context(running))
    assert len(bot_messages(running, carla)) == before, "not before a day has passed"
    clock.now = NOW + timedelta(hours=25)  # Thursday 11:00 in Amsterdam
    await send_due_messages(bot_context(running))
    reminder = await carla.sees("Anna heeft nog steeds interesse in je aanbod")
    assert "Ik heb een ladder te leen" in reminder.content
    assert reminder.buttons == [["Graag, breng ons in contact"], ["Nu even niet"]]
    clock.now = NOW + timedelta(hours=30)
    await send_due_messages(bot_context(running))
    assert len(bot_messages(running, carla)) == before + 1, "once"
    await carla.presses("Graag, breng ons in contact")
    await anna.sees("Carla zegt ja, graag!")
    assert running.emulator.errors == []


async def test_no_reminder_once_the_author_chose(
    buurt: Neighbourhood, running: RunningBot, clock: Clock
) -> None:
    anna, carla = buurt.anna, buurt.carla
    await anna.sends("/buurt")
    await anna.sees("Open in je buurt")
    await anna.presses("4. Spullen lenen")
    await anna.sees_button("🤝 Interesse")
    await anna.presses("🤝 Interesse")
    await carla.sees("Anna uit de buurt heeft interesse in je aanbod:")
    await carla.presses("Nu even niet")
    await carla.sees("ik laat Anna vriendelijk weten")
    before = len(bot_messages(running, carla))
    clock.now = NOW + timedelta(hours=25)
    await send_due_messages(bot_context(running))
    assert len(bot_messages(running, carla)) == before
    assert running.emulator.errors == []


def _pause(running: RunningBot, resident_id: int, until: datetime | None) -> None:
    with session_scope(running.engine) as session:
        resident = session.get(Resident, resident_id)
        assert resident is not None
        resident.paused, resident.paused_until = True, until
        session.add(resident)


async def test_a_paused_authors_posts_are_hidden_while_the_pause_lasts(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    anna, dirk = buurt.anna, buurt.dirk
    await anna.sends("/buurt")
    await anna.sees("Open in je buurt (1–5 van 6)")
    await anna.presses("3. Computer en telefoon")
    await anna.sees_button("🙋 Ik kan helpen")
    _pause(running, buurt.ids["dirk"], None)  # Dirk pauses while Anna reads his request
    answer = await anna.presses("🙋 Ik kan helpen")
    # Said honestly, instead of a yes that would wait unseen until Dirk is back.
    assert answer.text == "Dirk krijgt nu even geen berichten. Probeer het later nog eens."
    await anna.sends("/buurt")
    listing = await anna.sees("Open in je buurt (1–5 van 5)")
    assert "Dirk" not in listing.content
    assert "Wie helpt met mijn nieuwe telefoon?" not in listing.content
    # An old button to his post shows nothing of it either.
    answer = await forge_press(running, anna, listing, f"nb:show:{buurt.posts['computer']}:1")
    assert answer.text == GONE

    # A pause with an end that has passed is over: his request is back.
    _pause(running, buurt.ids["dirk"], NOW - timedelta(minutes=1))
    await anna.sends("/buurt")
    back = await anna.sees("Open in je buurt (1–5 van 6)")
    assert "Wie helpt met mijn nieuwe telefoon?\n👤 Dirk · in je buurt" in back.content
    assert bot_messages(running, dirk) == []
    assert all_invitations(running) == []
    assert running.emulator.errors == []


async def test_interest_in_a_paused_authors_offer_is_not_sent(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    anna, carla = buurt.anna, buurt.carla
    await anna.sends("/buurt")
    await anna.sees("Open in je buurt")
    await anna.presses("4. Spullen lenen")
    await anna.sees_button("🤝 Interesse")
    _pause(running, buurt.ids["carla"], NOW + timedelta(days=3))
    answer = await anna.presses("🤝 Interesse")
    assert answer.text == "Carla krijgt nu even geen berichten. Probeer het later nog eens."
    assert bot_messages(running, carla) == []
    assert all_invitations(running) == []
    assert running.emulator.errors == []


async def test_a_post_closed_meanwhile_cannot_be_opened_or_answered(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    anna = buurt.anna
    await anna.sends("/buurt")
    listing = await anna.sees("Open in je buurt")
    await anna.presses("2. Boodschappen")
    detail = await anna.sees_button("🙋 Ik kan helpen")
    with session_scope(running.engine) as session:
        post = session.get(Post, buurt.posts["shopping"])
        assert post is not None
        post.status = "done"
        session.add(post)
    answer = await anna.presses("🙋 Ik kan helpen")
    assert answer.text == GONE
    answer = await forge_press(running, anna, listing, f"nb:show:{buurt.posts['shopping']}:1")
    assert answer.text == GONE
    assert anna.last_message().content == detail.content
    assert all_invitations(running) == []
    assert bot_messages(running, buurt.ben) == []
    assert running.emulator.errors == []


async def test_forged_presses_change_nothing(buurt: Neighbourhood, running: RunningBot) -> None:
    anna = buurt.anna
    await anna.sends("/buurt")
    listing = await anna.sees("Open in je buurt")
    hidden = ("own", "left", "blocked", "blocker", "elsewhere", "done", "passed")
    for key in hidden:
        for data in (f"nb:help:{buurt.posts[key]}", f"nb:show:{buurt.posts[key]}:1"):
            answer = await forge_press(running, anna, listing, data)
            assert answer.text == GONE, data
    for data in (
        "nb:help:abc",
        "nb:help:-1",
        "nb:help:999999",
        "nb:page:0",
        "nb:page:-1",
        "nb:page:99999",
        "nb:page:1:2",
        "nb:show:1",
        "nb:xyz",
        "nb:",
        "menu:nothing",
    ):
        answer = await forge_press(running, anna, listing, data)
        assert answer.text in (STALE + ". Probeer het opnieuw.", GONE), data
    assert anna.last_message().content == listing.content
    assert all_invitations(running) == []
    for name, person in buurt.people.items():
        if name != "anna":
            assert bot_messages(running, person) == [], name
    assert running.emulator.errors == []


async def test_someone_without_a_wijk_cannot_use_old_buttons(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    anna = buurt.anna
    await anna.sends("/buurt")
    listing = await anna.sees("Open in je buurt")
    with session_scope(running.engine) as session:
        resident = session.get(Resident, buurt.ids["anna"])
        assert resident is not None
        resident.wijk_id = None
        session.add(resident)
    answer = await forge_press(running, anna, listing, f"nb:help:{buurt.posts['coffee']}")
    assert answer.text is not None
    assert STALE in answer.text
    await anna.sends("/buurt")
    await anna.sees("kies je eerst je wijk. Dat kan bij /instellingen")
    assert all_invitations(running) == []
    assert running.emulator.errors == []


async def test_an_empty_neighbourhood_invites_to_ask_or_offer(
    running: RunningBot, scene: Scene
) -> None:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Stille buurt", NOW)
    lone = scene.resident("Lone")
    resident_for(running, lone, wijk, NOW)
    await show_main_menu(running, lone)
    await lone.presses("👀 Kijk in de buurt")
    empty = await lone.sees("Er staat nu niets open bij jou in de buurt.")
    assert empty.buttons == [["🙋 Iets vragen", "🤝 Iets aanbieden"]]
    await lone.presses("🙋 Iets vragen")
    await lone.sees("Wat kan een buur voor je doen?")
    assert running.emulator.errors == []


async def test_blocks_apply_both_ways(buurt: Neighbourhood, running: RunningBot) -> None:
    """Fred (blocked by Anna) and Gina (who blocked Anna) do not see Anna's post either."""
    for name in ("fred", "gina"):
        person = buurt.people[name]
        await person.sends("/buurt")
        page = await person.sees("Open in je buurt")
        assert "👤 Anna" not in page.content
        assert "Anna's eigen vraag" not in page.content
    with session_scope(running.engine) as session:
        assert len(session.exec(select(Block)).all()) == 2
    assert running.emulator.errors == []


async def place_offer(person: Person, text: str) -> None:
    """/aanbod with the category the bot reads and no fixed time, placed."""
    await person.sends("/aanbod")
    await person.sees("Wat wil je aanbieden?")
    await person.sends(text)
    await person.sees("Klopt dat?")
    await person.presses("✓ Ja, klopt")
    await person.sees("Wanneer past het?")
    await person.presses("Maakt niet uit")
    await person.sees("Zo komt het in de buurt te staan")
    await person.presses("✅ Plaatsen")
    await person.sees("Je aanbod is geplaatst, dank je!")


async def test_an_offer_shows_the_open_requests_it_fits_to_open_as_in_buurt(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    """Only what /buurt would show: not the requests of people who left, paused, blocked or
    were blocked, live in another wijk, are done or whose time passed; not a request the offer
    does not fit (the phone, the cat, the form)."""
    anna, ben = buurt.anna, buurt.ben
    await place_offer(anna, "Ik doe graag boodschappen voor een buur")
    fits = await anna.sees("Deze vragen in je buurt passen misschien bij je aanbod.")
    assert fits.content.endswith("1. Boodschappen: “Wie kan zaterdag mijn boodschappen doen?”")
    assert fits.buttons == [["1. Boodschappen"]]
    await anna.presses("1. Boodschappen")
    detail = await anna.sees_button("🙋 Ik kan helpen")
    assert "Wie kan zaterdag mijn boodschappen doen?" in detail.content
    await anna.presses("🙋 Ik kan helpen")
    await ben.sees("Goed nieuws! Anna wil graag helpen met:")
    assert running.emulator.errors == []


async def test_requests_hidden_from_buurt_do_not_crowd_out_a_visible_one(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    """Hans (paused) asks six times for groceries right at Anna's place: each fits her offer
    better than Ben's request next door, and none may be shown."""
    with session_scope(running.engine) as session:
        hans = session.get(Resident, buurt.ids["hans"])
        assert hans is not None
        for number in range(6):
            add_post(session, hans, f"Wie doet graag boodschappen voor een buur? ({number})", NOW)
    anna = buurt.anna
    await place_offer(anna, "Ik doe graag boodschappen voor een buur")
    fits = await anna.sees("Deze vragen in je buurt passen misschien bij je aanbod.")
    assert "Wie kan zaterdag mijn boodschappen doen?" in fits.content
    assert "voor een buur?" not in fits.content


async def test_an_offer_that_fits_no_open_request_shows_nothing_more(
    buurt: Neighbourhood, running: RunningBot
) -> None:
    anna = buurt.anna
    await place_offer(anna, "Ik heb een boormachine te leen")
    await anna.sends("/mijn")  # its answer comes after anything the placing sent
    await anna.sees("Ik heb een boormachine te leen")
    assert all("passen misschien" not in m.content for m in bot_messages(running, anna))
