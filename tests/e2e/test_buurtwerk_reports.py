"""Reports that reach someone, through the emulator: a report reaches the buurtwerker (or the
team chat), an action with its reason is logged and can be undone, the reporter hears "er is
naar gekeken"; forged presses are refused; of two buurtwerkers at once one wins; a suspension
hides and stops posting, lifting restores only what it hid; /logboek."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import col, select
from telegram import InlineKeyboardButton

from bot import callbacks
from bot.harness import RunningBot
from bot.keyboards import markup
from bot.sender import send_due_messages
from bot.services.request_steps import invitation_keyboard
from botapi_emulator.scenario import Person, Scene
from storage.db import session_scope
from storage.models import (
    AuditEntry,
    OutboxMessage,
    OutboxStatus,
    Post,
    Report,
    Resident,
    Role,
    RoleKind,
    Wijk,
)
from tests.e2e.neighbours import (
    NOW,
    Clock,
    bot_context,
    bot_sends,
    resident,
    resident_for,
    shows_post,
)
from tests.storage.neighbourhood import add_post, add_wijk

BEN_POST = "Koop nu mijn zonnepanelen, 50% korting!"


@dataclass
class Street:
    anna: Person  # reports
    ben: Person  # wrote the post
    willem: Person  # buurtwerker of Oost
    xandra: Person  # another buurtwerker of Oost
    wendy: Person  # buurtwerker of West
    anna_id: int
    ben_id: int
    ben_post_id: int
    oost_id: int


@pytest.fixture
def street(scene: Scene, running: RunningBot) -> Street:
    anna, ben, willem, xandra, wendy = (
        scene.resident(name) for name in ("Anna", "Ben", "Willem", "Xandra", "Wendy")
    )
    with session_scope(running.engine) as session:
        oost, west = add_wijk(session, "Oost", NOW), add_wijk(session, "West", NOW)
        assert oost.id is not None
        assert west.id is not None
        oost_id, west_id = oost.id, west.id
    anna_id = resident_for(running, anna, oost, NOW)
    ben_id = resident_for(running, ben, oost, NOW)
    for person, wijk_id in ((willem, oost_id), (xandra, oost_id), (wendy, west_id)):
        resident_for(running, person, None, NOW)  # they opened the bot once
        with session_scope(running.engine) as session:
            session.add(
                Role(telegram_user_id=person.user.id, wijk_id=wijk_id, kind=RoleKind.BUURTWERKER)
            )
    with session_scope(running.engine) as session:
        post = add_post(session, resident(running, ben_id), BEN_POST, NOW)
        assert post.id is not None
        post_id = post.id
    return Street(anna, ben, willem, xandra, wendy, anna_id, ben_id, post_id, oost_id)


def post_status(running: RunningBot, post_id: int) -> str:
    with session_scope(running.engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post.status


def audit(running: RunningBot) -> list[AuditEntry]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def the_report(running: RunningBot) -> Report:
    with session_scope(running.engine) as session:
        [report] = session.exec(select(Report)).all()
        return report


async def anna_reports(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await anna.presses("Meld")
    await anna.presses("Reclame of spam")
    await anna.sees("De buurtwerker van je wijk kijkt ernaar")


async def test_a_report_is_hidden_logged_and_undone(running: RunningBot, street: Street) -> None:
    await anna_reports(running, street)
    willem = street.willem
    card = await willem.sees("Melding in Oost:")
    assert BEN_POST in card.content
    assert "Reclame of spam" in card.content
    assert "Anna" not in card.content  # the reporter is not named
    await street.xandra.sees("Melding in Oost:")  # each buurtwerker privately
    await willem.presses("Bericht verbergen")
    await willem.sees("Waarom? Typ een korte uitleg")
    await willem.sends("Reclame voor een bedrijf")
    done = await willem.sees("Gedaan: bericht verborgen.")
    assert post_status(running, street.ben_post_id) == "hidden"
    await street.anna.sees("Er is naar je melding gekeken.")
    [entry] = audit(running)
    assert (entry.action, entry.actor_telegram_id, entry.reason) == (
        "hide",
        willem.user.id,
        "Reclame voor een bedrijf",
    )
    assert entry.created_at == NOW
    assert the_report(running).status == "handled"
    assert done.buttons == [["Ongedaan maken"]]
    await willem.presses("Ongedaan maken")
    await willem.sees("Ongedaan gemaakt: bericht verborgen.")
    assert post_status(running, street.ben_post_id) == "open"
    first, undo = audit(running)
    assert first.undone_at is not None
    assert undo.action == "undo"
    assert the_report(running).status == "open"
    # Ben never heard about any of it.
    assert running.emulator.messages(street.ben.chat_id) == []
    await willem.sends("/logboek")
    log = await willem.sees("Logboek van Oost")
    assert "Willem: ongedaan gemaakt" in log.content
    assert "bericht verborgen (Reclame voor een bedrijf) [ongedaan]" in log.content


async def test_a_buurtwerker_who_erased_their_data_is_named_as_a_former_team_member(
    running: RunningBot, street: Street
) -> None:
    """What Willem did stays in the wijk's records, but not his name or Telegram id."""
    await anna_reports(running, street)
    willem, xandra = street.willem, street.xandra
    await willem.sees("Melding in Oost:")
    await willem.presses("Bericht verbergen")
    await willem.sees("Waarom?")
    await willem.sends("Reclame")
    await willem.sees("Gedaan: bericht verborgen.")
    await willem.sends("/verwijder")
    await willem.sees("Wil je dat ik alles over jou wis?")
    await willem.presses("Ja, wis alles")
    await willem.sees("Alles over jou is gewist.")
    # Xandra's card says what was done; a button pressed on an older copy names no one.
    await xandra.sees("Willem: bericht verborgen.")
    report_id = the_report(running).id
    assert report_id is not None
    older = InlineKeyboardButton(
        "Niets aan de hand", callback_data=callbacks.MODERATE(report_id, "dismiss")
    )
    await bot_sends(running, xandra, "Een oudere kaart", older)
    answer = await xandra.presses("Niets aan de hand")
    assert answer.text == "Een oud-teamlid was je voor: bericht verborgen."
    await xandra.sends("/logboek")
    log = await xandra.sees("Logboek van Oost")
    assert "Een oud-teamlid: bericht verborgen" in log.content
    assert str(willem.user.id) not in log.content
    [entry] = audit(running)
    assert entry.actor_telegram_id != willem.user.id


async def test_forged_presses_are_refused(running: RunningBot, street: Street) -> None:
    await anna_reports(running, street)
    report_id = the_report(running).id
    assert report_id is not None
    forged = InlineKeyboardButton("Verbergen", callback_data=callbacks.MODERATE(report_id, "hide"))
    for person in (street.anna, street.wendy):
        await bot_sends(running, person, "Een knop", forged)
        answer = await person.presses("Verbergen")
        assert answer.text == "Dit kunnen de buurtwerkers van deze wijk."
    assert post_status(running, street.ben_post_id) == "open"
    assert audit(running) == []


async def test_two_buurtwerkers_at_once_one_wins(running: RunningBot, street: Street) -> None:
    await anna_reports(running, street)
    willem, xandra = street.willem, street.xandra
    await willem.sees("Melding in Oost:")
    await xandra.sees("Melding in Oost:")
    await willem.presses("Bericht verbergen")
    await xandra.presses("Niets aan de hand")
    await willem.sees("Waarom?")
    await xandra.sees("Waarom?")
    await asyncio.gather(willem.sends("Reclame"), xandra.sends("Valt mee"))

    def answered(person: Person) -> str:
        texts = [m.content for m in running.emulator.messages(person.chat_id)]
        return next((x for x in texts if x.startswith(("Gedaan", "Willem was", "Xandra was"))), "")

    await running.emulator.wait_for(lambda: bool(answered(willem) and answered(xandra)))
    outcomes = sorted([answered(willem), answered(xandra)])
    assert sum(text.startswith("Gedaan") for text in outcomes) == 1
    report = the_report(running)
    winner = "Willem" if report.handled_by == willem.user.id else "Xandra"
    what = "bericht verborgen" if winner == "Willem" else "niets aan de hand"
    assert f"{winner} was je voor: {what}." in outcomes
    assert len(audit(running)) == 1


async def test_a_suspension_hides_stops_posting_and_lifting_restores(
    running: RunningBot, street: Street
) -> None:
    with session_scope(running.engine) as session:
        ben = resident(running, street.ben_id)
        other = add_post(session, ben, "Wie wil schaken?", NOW)
        hidden_before = add_post(session, ben, "Oud bericht", NOW)
        hidden_before.status = "hidden"
        session.add(hidden_before)
        session.flush()
        other_id, hidden_id = other.id, hidden_before.id
    assert other_id is not None
    assert hidden_id is not None
    await anna_reports(running, street)
    willem = street.willem
    await willem.sees("Melding in Oost:")
    await willem.presses("Schorsen 1 week")
    await willem.sends("Herhaald reclame")
    await willem.sees("Gedaan: 1 week geschorst.")
    ben_person = street.ben
    # A week from now (Wednesday 10:00): the moment it ends, as the lift job lifts it.
    told = await ben_person.sees("heeft je geschorst tot woensdag 2 december, 10:00.")
    assert told.content.startswith("De buurtwerker van Oost")
    assert post_status(running, street.ben_post_id) == "hidden"
    assert post_status(running, other_id) == "hidden"
    await ben_person.sends("/vraag")
    await ben_person.sees("Je kunt tot woensdag 2 december, 10:00 even geen vraag of aanbod")
    await willem.presses("Ongedaan maken")
    await willem.sees("Ongedaan gemaakt: 1 week geschorst.")
    await ben_person.sees("Je kunt weer vragen en aanbieden")
    assert post_status(running, street.ben_post_id) == "open"
    assert post_status(running, other_id) == "open"
    assert post_status(running, hidden_id) == "hidden"  # not hidden by the suspension
    sent = await running.emulator.send_text(ben_person.user, "/vraag")
    answer = await running.emulator.wait_for_message(ben_person.chat_id, after=sent["message_id"])
    assert "geen vraag of aanbod" not in answer.content


async def test_with_a_team_chat_the_report_goes_there(running: RunningBot, street: Street) -> None:
    emulator = running.emulator
    team = emulator.add_group("Team Oost", members=[street.willem.user, street.xandra.user])
    with session_scope(running.engine) as session:
        oost = session.get(Wijk, street.oost_id)
        assert oost is not None
        oost.team_chat_id = team.id
        session.add(oost)
    await anna_reports(running, street)
    card = await emulator.wait_for_message(team, "Melding in Oost:")
    assert emulator.messages(street.willem.chat_id) == []
    query = await emulator.press_button(street.xandra.user, card, "Niets aan de hand")
    await emulator.wait_for_callback_answer(query)
    await street.xandra.sees("Waarom?")
    await street.xandra.sends("Gewoon een aanbieding")
    await street.xandra.sees("Gedaan: niets aan de hand.")
    await emulator.wait_for_message(team, "Xandra heeft een melding afgehandeld: niets aan")
    assert post_status(running, street.ben_post_id) == "open"
    # The card itself says so too, without its buttons: nobody presses it in vain.
    edited = await emulator.wait_for_message(team, "Xandra: niets aan de hand.")
    assert edited.message_id == card.message_id
    assert edited.buttons == []
    # Xandra erases her data: the team note that named her goes from the outbox with it.

    def notes_naming_xandra() -> list[str]:
        with session_scope(running.engine) as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == team.id))
            return [m.text for m in rows if m.text.startswith("Xandra heeft")]

    assert len(notes_naming_xandra()) == 1
    await street.xandra.sends("/verwijder")
    await street.xandra.sees("Wil je dat ik alles over jou wis?")
    await street.xandra.presses("Ja, wis alles")
    await street.xandra.sees("Alles over jou is gewist.")
    assert notes_naming_xandra() == []


async def test_the_other_cards_show_who_picked_it_up_and_what_was_done(
    running: RunningBot, street: Street
) -> None:
    willem, xandra = street.willem, street.xandra
    await anna_reports(running, street)
    card = await willem.sees("Melding in Oost:")
    await xandra.sees("Melding in Oost:")
    # Willem picks it up in /signalen: Xandra's card says so and keeps its buttons.
    await willem.sends("/signalen")
    await willem.sees("Signalen in Oost:")
    await willem.presses("Ik pak 1 op")
    picked = await xandra.sees("Willem pakt dit op.")
    assert picked.content.startswith("Melding in Oost:")
    assert ["Niets aan de hand"] in picked.buttons
    # Xandra hides the post from her card: Willem's card shows it, and its buttons are gone.
    await xandra.presses("Bericht verbergen")
    await xandra.sees("Waarom?")
    await xandra.sends("Reclame")
    await xandra.sees("Gedaan: bericht verborgen.")
    handled = await willem.sees("Xandra: bericht verborgen.")
    assert handled.message_id == card.message_id
    assert "Willem pakt dit op." not in handled.content  # kept short: only the latest
    assert handled.buttons == []
    # Undone: the report is open again, and so are the cards.
    await xandra.presses("Ongedaan maken")
    await xandra.sees("Ongedaan gemaakt: bericht verborgen.")
    reopened = await willem.sees("Xandra heeft dit ongedaan gemaakt. De melding is weer open.")
    assert reopened.message_id == card.message_id
    assert ["Niets aan de hand"] in reopened.buttons


async def test_a_card_waiting_for_quiet_hours_is_not_sent_once_the_report_is_handled(
    running: RunningBot, street: Street, clock: Clock
) -> None:
    with session_scope(running.engine) as session:
        xandra = session.exec(
            select(Resident).where(Resident.telegram_user_id == street.xandra.user.id)
        ).one()
        xandra.quiet_start, xandra.quiet_end = "09:30", "12:00"  # it is 10:00
        session.add(xandra)
    await anna_reports(running, street)
    await street.willem.sees("Melding in Oost:")
    await street.willem.presses("Niets aan de hand")
    await street.willem.sees("Waarom?")
    await street.willem.sends("Gewoon een aanbieding")
    await street.willem.sees("Gedaan: niets aan de hand.")
    clock.now = NOW + timedelta(hours=3)
    await send_due_messages(bot_context(running))
    assert running.emulator.messages(street.xandra.chat_id) == []
    with session_scope(running.engine) as session:
        [card] = session.exec(
            select(OutboxMessage).where(OutboxMessage.chat_id == street.xandra.user.id)
        ).all()
        assert card.status == OutboxStatus.FAILED.value


async def test_without_a_buurtwerker_no_promise_is_made(running: RunningBot, scene: Scene) -> None:
    cor, dirk = scene.resident("Cor"), scene.resident("Dirk")
    with session_scope(running.engine) as session:
        zuid = add_wijk(session, "Zuid", NOW)
    resident_for(running, cor, zuid, NOW)
    dirk_id = resident_for(running, dirk, zuid, NOW)
    with session_scope(running.engine) as session:
        post = add_post(session, resident(running, dirk_id), "Iets", NOW)
        assert post.id is not None
        post_id = post.id
    await shows_post(running, cor, post_id, "Iets")
    await cor.presses("Meld")
    await cor.presses("Klopt niet")
    thanks = await cor.sees("Dank je voor je melding.")
    assert "buurtwerker" not in thanks.content


async def test_the_reporter_is_named_only_after_choosing_so(
    running: RunningBot, street: Street
) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await anna.presses("Meld")
    await anna.sees("De buurtwerker ziet niet wie dit meldt")
    await anna.presses("Mijn naam mag erbij")
    await anna.sees("De buurtwerker ziet je voornaam bij de melding.")
    await anna.presses("Reclame of spam")
    await anna.sees("De buurtwerker van je wijk kijkt ernaar")
    card = await street.willem.sees("Melding in Oost:")
    assert "Gemeld door Anna." in card.content
    assert the_report(running).reporter_named is True


async def test_meld_as_a_reply_to_an_invitation_reports_its_request(
    running: RunningBot, street: Street
) -> None:
    anna = street.anna
    buttons = invitation_keyboard("nl", 1, street.ben_post_id)
    await running.application.bot.send_message(
        anna.chat_id, f"Zin om te helpen? {BEN_POST}", reply_markup=markup(buttons)
    )
    invitation = await anna.sees("Zin om te helpen?")
    await running.emulator.send_text(anna.user, "/meld", reply_to=invitation)
    await anna.sees("Wat is er mis met dit bericht?")
    await anna.presses("Reclame of spam")
    await anna.sees("De buurtwerker van je wijk kijkt ernaar")
    card = await street.willem.sees("Melding in Oost:")
    assert BEN_POST in card.content
    assert "Anna" not in card.content  # anonymous unless she chose otherwise
    assert the_report(running).post_id == street.ben_post_id


async def test_a_resident_trying_a_buurtwerkers_command_hears_it_is_not_theirs(
    running: RunningBot, street: Street
) -> None:
    """Not first "which wijk?" and only then no; a buurtwerker of one wijk just gets it."""
    anna = street.anna
    for command in ("/signalen", "/cijfers", "/logboek", "/rollen"):
        await anna.sends(command)
        answer = await anna.sees("Dit is voor de buurtwerkers van een wijk.")
        assert "Typ bijvoorbeeld" not in answer.content
    await street.willem.sends("/logboek")
    await street.willem.sees("Het logboek van Oost is nog leeg.")
    assert running.emulator.errors == []
