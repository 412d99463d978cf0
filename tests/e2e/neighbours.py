"""Helpers for scenarios that start from residents already in the database (made with
tests/storage/neighbourhood.py) instead of going through onboarding and posting."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import BotContext
from bot.harness import RunningBot
from bot.keyboards import button
from bot.runner import perform
from bot.sender import deliver
from bot.services.buttons import block_post_author, report_post
from bot.services.unit import Unit
from botapi_emulator.scenario import Person
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus, Resident, Wijk
from tests.storage.neighbourhood import add_resident

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Amsterdam


class Clock:
    """A clock the test moves by hand; the bot reads it through Services.clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def has_started(running: RunningBot, person: Person) -> None:
    """The person opened the bot before (as every resident in the database did), so the bot
    may write to them first."""
    running.emulator.chat(person.user.id).started = True


def resident_for(
    running: RunningBot, person: Person, wijk: Wijk | None, now: datetime, **fields: object
) -> int:
    """An onboarded resident in `wijk` for a simulated person; returns the resident id."""
    has_started(running, person)
    with session_scope(running.engine) as session:
        resident = add_resident(
            session,
            telegram_user_id=person.user.id,
            first_name=person.name,
            wijk=wijk,
            now=now,
            language=person.user.language_code or "nl",
            **fields,
        )
        assert resident.id is not None
        return resident.id


def resident(running: RunningBot, resident_id: int) -> Resident:
    with session_scope(running.engine) as session:
        found = session.get(Resident, resident_id)
        assert found is not None
        return found


async def bot_sends(
    running: RunningBot, person: Person, text: str, *buttons: InlineKeyboardButton
) -> None:
    """Make the bot send `person` a message with these buttons, as another flow would (a post
    in a list, an invitation); a button with made-up data stands in for a forged one."""
    markup = InlineKeyboardMarkup([list(buttons)]) if buttons else None
    await running.application.bot.send_message(person.chat_id, text, reply_markup=markup)
    await person.sees(text)


async def shows_post(running: RunningBot, person: Person, post_id: int, text: str) -> None:
    """A post as the posting flows show it: its text with Block and Report buttons."""
    language = person.user.language_code or "nl"
    await bot_sends(
        running,
        person,
        text,
        button(block_post_author(language, post_id)),
        button(report_post(language, post_id)),
    )


def bot_context(running: RunningBot) -> BotContext:
    """A handler context outside any update, like a scheduled job has."""
    return BotContext(running.application)


async def send_unprompted(running: RunningBot, resident_id: int, text: str) -> bool:
    """A message nobody asked for (like an invitation), through the one delivery path: queued
    in a unit of work, then delivered if it may go out now. False when it will never be sent
    (the person paused or left); True when it was sent or waits for their quiet hours."""
    context = bot_context(running)

    def queue(unit: Unit) -> int:
        resident = unit.session.get(Resident, resident_id)
        assert resident is not None
        message = unit.enqueue(to=resident, text=text)
        assert message.id is not None
        return message.id

    message_id = await perform(context, None, queue)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
    with session_scope(running.engine) as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        return message.status != OutboxStatus.FAILED.value


async def sees_times(running: RunningBot, person: Person, contains: str, times: int) -> None:
    """Wait until `times` bot messages for the person contain `contains` (`sees` is satisfied
    by an older one; this waits for the new answer to a repeated action)."""

    def counted() -> bool:
        messages = running.emulator.messages(person.chat_id)
        return sum(contains in message.content for message in messages) >= times

    await running.emulator.wait_for(
        counted, 5.0, what=f"{person.name} seeing {contains!r} {times}x", chat=person.chat_id
    )
