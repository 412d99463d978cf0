"""Reporting a line relayed between asker and helper: /meld as a reply to it (the relay has no
button per line; its opening message says how). The buurtwerkers get a card quoting the line
with warn, suspend and dismiss; the reporter is named only when they chose so, and hears "er
is naar gekeken" once it was handled. Nothing is taken from a button: the line is looked up
again in the reporter's own chat on every press."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select
from telegram import InlineKeyboardButton

from bot import callbacks
from bot.harness import RunningBot
from botapi_emulator.scenario import Person, Scene
from storage.db import session_scope
from storage.models import Report, Role, RoleKind
from tests.e2e.neighbours import NOW, bot_sends, resident_for
from tests.e2e.test_matching_flow import active_match
from tests.storage.neighbourhood import add_wijk

LINE = "Geef me eerst je pincode, dan doe ik de boodschappen"


@dataclass
class Conversation:
    anna: Person  # asked, gets Ben's line
    ben: Person  # helps, wrote the line
    carla: Person  # in the wijk, not in the conversation
    willem: Person  # buurtwerker of the wijk


@pytest.fixture
def talk(running: RunningBot, scene: Scene) -> Conversation:
    anna, ben, carla, willem = (scene.resident(n) for n in ("Anna", "Ben", "Carla", "Willem"))
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Oost", NOW)
        assert wijk.id is not None
        wijk_id = wijk.id
    anna_id, ben_id, _ = (resident_for(running, p, wijk, NOW) for p in (anna, ben, carla))
    resident_for(running, willem, None, NOW)
    with session_scope(running.engine) as session:
        session.add(
            Role(telegram_user_id=willem.user.id, wijk_id=wijk_id, kind=RoleKind.BUURTWERKER)
        )
    active_match(running, anna_id, ben_id, "Wie doet mijn boodschappen?", "groceries")
    return Conversation(anna, ben, carla, willem)


def reports(running: RunningBot) -> list[Report]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(Report)).all())


async def test_a_relayed_line_is_reported_warned_and_the_reporter_hears_it(
    running: RunningBot, talk: Conversation
) -> None:
    emulator = running.emulator
    await talk.ben.sends(LINE)
    line = await talk.anna.sees("pincode")
    await emulator.send_text(talk.anna.user, "/meld", reply_to=line.message_id)
    question = await talk.anna.sees("Wat is er mis met dit bericht van Ben?")
    assert LINE in question.content
    assert "Ben hoort niet dat het van jou komt." in question.content
    await talk.anna.presses("Mijn naam mag erbij")
    await talk.anna.sees_button("✓ Mijn naam mag erbij")
    await talk.anna.presses("Niet vriendelijk")
    await talk.anna.sees("Dank je voor je melding!")

    card = await talk.willem.sees("een bericht van Ben in een gesprek via de bot")
    assert LINE in card.content
    assert "Reden: Niet vriendelijk" in card.content
    assert "Gemeld door Anna." in card.content
    assert card.buttons == [
        ["Vriendelijk bericht sturen"],
        ["Schorsen 1 week", "1 maand", "Tot opheffen"],
        ["Niets aan de hand"],
    ]
    [report] = reports(running)
    assert report.relay_match_id is not None
    assert report.quote_author_telegram_id == talk.ben.user.id

    await talk.willem.presses("Vriendelijk bericht sturen")
    await talk.willem.sees("Typ het bericht voor de schrijver.")
    await talk.willem.sends("Vraag nooit om een pincode, alsjeblieft.")
    await talk.ben.sees("Vraag nooit om een pincode, alsjeblieft.")
    await talk.anna.sees("Er is naar je melding gekeken.")
    [report] = reports(running)
    assert (report.status, report.outcome) == ("handled", "warn")

    # Once is enough; and a reply to another message of the bot only explains.
    await emulator.send_text(talk.anna.user, "/meld", reply_to=line.message_id)
    await talk.anna.sees("Je hebt dit bericht al gemeld.")
    assert len(reports(running)) == 1


async def test_anonymous_by_default_and_only_lines_of_ones_own_conversation(
    running: RunningBot, talk: Conversation
) -> None:
    emulator = running.emulator
    await talk.ben.sends(LINE)
    line = await talk.anna.sees("pincode")
    # Carla forges Anna's button for that line: it is not in her chat, so nothing happens.
    forged = InlineKeyboardButton(
        "Melden", callback_data=callbacks.REPORT_LINE(line.message_id, "spam", "y")
    )
    await bot_sends(running, talk.carla, "Een knop", forged)
    answer = await talk.carla.presses("Melden")
    assert answer.text == "Dit bericht kan ik niet meer vinden."
    assert reports(running) == []

    await emulator.send_text(talk.anna.user, "/meld", reply_to=line.message_id)
    await talk.anna.sees("Wat is er mis met dit bericht van Ben?")
    await talk.anna.presses("Meld zonder uitleg")
    await talk.anna.sees("Dank je voor je melding!")
    card = await talk.willem.sees("een bericht van Ben in een gesprek via de bot")
    assert "Anna" not in card.content
    [report] = reports(running)
    assert (report.reporter_named, report.reason) == (False, "")

    # /meld as a reply to one of the bot's own messages (not a relayed line): how it works.
    await talk.ben.sends("/meld")
    await talk.ben.sees("Melden doe je met de knop Meld")
