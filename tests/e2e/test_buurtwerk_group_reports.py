"""/meld in the wijk's group, through the emulator: a member replies /meld to a message in the
linked group, the buurtwerkers get it as a report quoting it, "Uit de groep verwijderen" asks
for a reason, deletes the message through the Bot API, is logged and tells the reporter; when
Telegram refuses (the bot is no admin, the message is older than 48 hours) the report opens
again; forged presses by a resident or a buurtwerker of another wijk are refused; the group's
answers name nobody."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import col, select
from telegram import InlineKeyboardButton

from bot import callbacks
from bot.harness import RunningBot
from botapi_emulator import SimChat
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.scenario import Person, Scene
from storage import buurtwerk
from storage.buurtwerk import ChatKind
from storage.db import session_scope
from storage.models import AuditEntry, Report, Role, RoleKind, Wijk
from tests.e2e.neighbours import NOW, bot_sends, resident_for
from tests.storage.neighbourhood import add_wijk

BAD = "Koop nu mijn zonnepanelen, 50% korting! <b>Bel snel</b>"
THANKS = "Dank je. Ik geef het door aan de buurtwerkers van de wijk."


@dataclass
class Group:
    anna: Person  # resident of Oost, reports
    ben: Person  # resident of Oost, wrote the message
    olga: Person  # in the group, never used the bot
    willem: Person  # buurtwerker of Oost
    wendy: Person  # buurtwerker of West
    chat: SimChat
    oost_id: int


def make_group(running: RunningBot, scene: Scene, *, bot_admin: bool) -> Group:
    anna, ben, olga, willem, wendy = (
        scene.resident(name) for name in ("Anna", "Ben", "Olga", "Willem", "Wendy")
    )
    chat = running.emulator.add_group(
        "Buren Oost",
        members=[anna.user, ben.user, olga.user],
        admins=[willem.user],
        bot_admin=bot_admin,
        supergroup=True,
    )
    with session_scope(running.engine) as session:
        oost, west = add_wijk(session, "Oost", NOW), add_wijk(session, "West", NOW)
        assert oost.id is not None
        assert west.id is not None
        assert (
            buurtwerk.link_chat(session, wijk=oost, chat_id=chat.id, kind=ChatKind.GROUP) is None
        )
        oost_id, west_id = oost.id, west.id
    resident_for(running, anna, oost, NOW)
    resident_for(running, ben, oost, NOW)
    for person, wijk_id in ((willem, oost_id), (wendy, west_id)):
        resident_for(running, person, None, NOW)  # they opened the bot once
        with session_scope(running.engine) as session:
            session.add(
                Role(telegram_user_id=person.user.id, wijk_id=wijk_id, kind=RoleKind.BUURTWERKER)
            )
    return Group(anna, ben, olga, willem, wendy, chat, oost_id)


@pytest.fixture
def group(running: RunningBot, scene: Scene) -> Group:
    return make_group(running, scene, bot_admin=True)


async def in_group(
    running: RunningBot, group: Group, person: Person, text: str, reply_to: JSONDict | None = None
) -> JSONDict:
    return await running.emulator.send_text(
        person.user,
        text,
        group.chat,
        reply_to=None if reply_to is None else reply_to["message_id"],
    )


async def group_answer(running: RunningBot, group: Group, text: str, after: JSONDict) -> None:
    await running.emulator.wait_for_message(group.chat, text, after=after["message_id"])


async def reported(running: RunningBot, group: Group, author: Person) -> JSONDict:
    """`author` writes BAD in the group and Anna replies /meld reclame to it."""
    bad = await in_group(running, group, author, BAD)
    meld = await in_group(running, group, group.anna, "/meld reclame", reply_to=bad)
    await group_answer(running, group, THANKS, meld)
    return bad


def audit(running: RunningBot) -> list[AuditEntry]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def reports(running: RunningBot) -> list[Report]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(Report)).all())


def deleted(running: RunningBot, group: Group, message: JSONDict) -> bool:
    stored = running.emulator.world.chats[group.chat.id].messages[message["message_id"]]
    return stored.deleted


async def test_a_group_message_is_reported_deleted_and_logged(
    running: RunningBot, group: Group
) -> None:
    bad = await reported(running, group, group.ben)
    willem = group.willem
    card = await willem.sees("Melding uit de groep van Oost, een bericht van Ben:")
    # Quoted as plain text (escaped), with the reason; the reporter is not named.
    assert "“Koop nu mijn zonnepanelen, 50% korting! <b>Bel snel</b>”" in card.content
    assert "Reden: reclame" in card.content
    assert "Anna" not in card.content
    assert card.buttons == [
        ["Uit de groep verwijderen", "Vriendelijk bericht sturen"],
        ["Schorsen 1 week", "1 maand", "Tot opheffen"],
        ["Niets aan de hand"],
    ]
    [report] = reports(running)
    assert (report.group_chat_id, report.group_message_id) == (group.chat.id, bad["message_id"])
    assert report.reason == "reclame"

    await willem.presses("Uit de groep verwijderen")
    await willem.sees("Waarom? Typ een korte uitleg")
    assert not deleted(running, group, bad)
    await willem.sends("Reclame voor een bedrijf")
    done = await willem.sees("Gedaan: ik haal het bericht uit de groep.")
    assert done.buttons == []  # a deleted message cannot come back
    assert deleted(running, group, bad)
    # The card says what was done (once Telegram did delete it), without its buttons.
    closed = await willem.sees("Willem: bericht uit de groep verwijderd.")
    assert (closed.message_id, closed.buttons) == (card.message_id, [])
    await group.anna.sees("Er is naar je melding gekeken.")
    [entry] = audit(running)
    assert (entry.action, entry.actor_telegram_id, entry.reason, entry.report_id) == (
        "del",
        willem.user.id,
        "Reclame voor een bedrijf",
        report.id,
    )
    assert entry.data == {"chat_id": group.chat.id, "message_id": bad["message_id"]}
    [report] = reports(running)
    assert (report.status, report.outcome) == ("handled", "del")
    await willem.sends("/logboek Oost")
    log = await willem.sees("Logboek van Oost")
    assert "bericht uit de groep verwijderd (Reclame voor een bedrijf)" in log.content
    # Ben heard nothing, and the group only the thank-you.
    assert running.emulator.messages(group.ben.user) == []
    bot_lines = [m.content for m in running.emulator.messages(group.chat)]
    assert bot_lines == [THANKS]
    assert running.emulator.errors == []


async def test_a_second_report_of_the_same_message_adds_nothing(
    running: RunningBot, group: Group
) -> None:
    bad = await reported(running, group, group.ben)
    await group.willem.sees("Melding uit de groep van Oost")
    again = await in_group(running, group, group.olga, "/meld", reply_to=bad)
    await group_answer(running, group, THANKS, again)
    assert len(reports(running)) == 1
    cards = [
        m
        for m in running.emulator.messages(group.willem.user)
        if "Melding uit de groep" in m.content
    ]
    assert len(cards) == 1


async def test_when_telegram_refuses_the_report_opens_again(
    running: RunningBot, scene: Scene
) -> None:
    group = make_group(running, scene, bot_admin=False)  # the bot is a plain member
    bad = await reported(running, group, group.ben)
    willem = group.willem
    await willem.sees("Melding uit de groep van Oost")
    await willem.presses("Uit de groep verwijderen")
    await willem.sees("Waarom?")
    await willem.sends("Reclame")
    refused = await willem.sees("Het bericht kon ik niet uit de groep halen.")
    assert not deleted(running, group, bad)
    card = running.emulator.messages(willem.user)[0]
    assert card.content.startswith("Melding uit de groep")
    assert "verwijderd" not in card.content
    assert refused.buttons[0] == ["Uit de groep verwijderen", "Vriendelijk bericht sturen"]
    [report] = reports(running)
    assert report.status == "open"
    deletion, failed = audit(running)
    assert (deletion.action, failed.action, failed.actor_telegram_id) == (
        "del",
        "delete_failed",
        0,
    )
    assert deletion.undone_at is not None
    # Another action on the reopened report works as usual, with its undo.
    await willem.presses("Niets aan de hand")
    await willem.sees("Waarom?")
    await willem.sends("Valt mee")
    done = await willem.sees("Gedaan: niets aan de hand.")
    assert done.buttons == [["Ongedaan maken"]]
    await group.anna.sees("Er is naar je melding gekeken.")
    # (Willem's chat gets several answers in a second: a flood wait is Telegram's usual.)
    errors = [(e.method, e.error_code) for e in running.emulator.errors if e.error_code != 429]
    assert errors == [("deleteMessage", 400)]


async def test_a_message_older_than_48_hours_cannot_be_deleted(
    running: RunningBot, group: Group
) -> None:
    bad = await reported(running, group, group.ben)
    running.emulator.world.chats[group.chat.id].messages[bad["message_id"]].date -= 48 * 3600
    await group.willem.sees("Melding uit de groep van Oost")
    await group.willem.presses("Uit de groep verwijderen")
    await group.willem.sees("Waarom?")
    await group.willem.sends("Reclame")
    await group.willem.sees("Berichten ouder dan 48 uur kan ik ook niet verwijderen.")
    assert not deleted(running, group, bad)
    assert reports(running)[0].status == "open"


async def test_a_message_of_someone_without_the_bot_can_only_be_deleted_or_dismissed(
    running: RunningBot, group: Group
) -> None:
    await reported(running, group, group.olga)
    card = await group.willem.sees("een bericht van Olga:")
    assert card.buttons == [["Uit de groep verwijderen"], ["Niets aan de hand"]]
    report_id = reports(running)[0].id
    assert report_id is not None
    # A forged "suspend" for a message whose author is no resident: refused.
    forged = InlineKeyboardButton("Schorsen", callback_data=callbacks.MODERATE(report_id, "sw"))
    await bot_sends(running, group.willem, "Een knop", forged)
    answer = await group.willem.presses("Schorsen")
    assert answer.text == "Deze knop werkt niet meer. Probeer het opnieuw."
    assert audit(running) == []


async def test_forged_presses_are_refused(running: RunningBot, group: Group) -> None:
    bad = await reported(running, group, group.ben)
    await group.willem.sees("Melding uit de groep van Oost")
    report_id = reports(running)[0].id
    assert report_id is not None
    forged = InlineKeyboardButton("Weg", callback_data=callbacks.MODERATE(report_id, "del"))
    for person in (group.anna, group.wendy):  # a resident; a buurtwerker of another wijk
        await bot_sends(running, person, "Een knop", forged)
        answer = await person.presses("Weg")
        assert answer.text == "Dit kunnen de buurtwerkers van deze wijk."
    assert not deleted(running, group, bad)
    assert audit(running) == []


async def test_what_meld_in_a_group_says_otherwise(running: RunningBot, group: Group) -> None:
    anna = group.anna
    plain = await in_group(running, group, anna, "/meld")
    await group_answer(running, group, "Antwoord op dat bericht met /meld.", plain)
    own = await in_group(running, group, anna, "Mijn eigen bericht")
    meld = await in_group(running, group, anna, "/meld", reply_to=own)
    await group_answer(running, group, "Dat is je eigen bericht.", meld)
    thanks = running.emulator.messages(group.chat)[0]
    meld = await in_group(
        running, group, anna, "/meld", reply_to={"message_id": thanks.message_id}
    )
    await group_answer(running, group, "Dat bericht is van mij.", meld)
    # A group that belongs to no wijk: nobody would see a report, and it says so.
    with session_scope(running.engine) as session:
        buurtwerk.unlink_chat(session, chat_id=group.chat.id)
    bad = await in_group(running, group, group.ben, BAD)
    meld = await in_group(running, group, anna, "/meld", reply_to=bad)
    await group_answer(running, group, "Deze groep hoort nog niet bij een wijk", meld)
    assert reports(running) == []


async def test_a_wijk_without_a_buurtwerker_promises_nothing(
    running: RunningBot, group: Group
) -> None:
    with session_scope(running.engine) as session:
        for role in session.exec(select(Role).where(Role.wijk_id == group.oost_id)).all():
            session.delete(role)
        wijk = session.get(Wijk, group.oost_id)
        assert wijk is not None
        assert wijk.team_chat_id is None
    bad = await in_group(running, group, group.ben, BAD)
    meld = await in_group(running, group, group.anna, "/meld", reply_to=bad)
    await group_answer(running, group, "Deze wijk heeft nog geen buurtwerker", meld)
    assert reports(running) == []


async def test_an_author_who_never_started_the_bot_can_erase_the_quote(
    running: RunningBot, group: Group
) -> None:
    """Olga never started the bot: her /verwijder still clears the quote of her reported group
    message (and the reason, which may describe it); the report stays for the buurtwerkers."""
    await reported(running, group, group.olga)
    await group.willem.sees("een bericht van Olga:")
    assert [r.quote for r in reports(running)] == [" ".join(BAD.split())]
    await group.olga.sends("/verwijder")
    await group.olga.sees("Wil je dat ik alles over jou wis?")
    await group.olga.presses("Ja, wis alles")
    await group.olga.sees("Alles over jou is gewist.")
    [report] = reports(running)
    assert (report.quote, report.reason, report.quote_author_telegram_id) == ("", "", None)
    assert report.group_message_id is not None
