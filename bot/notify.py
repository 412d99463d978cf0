"""Unprompted messages to residents: the only way to start a conversation with someone.

Replies to a person's own command go straight back; anything else (an invitation, someone's
interest in your post, a reminder) goes through `notify`, which honours pausing, /stop and
quiet hours. A message that arrives in someone's quiet hours, or that Telegram could not take
just now, waits in the outbox; `send_due_messages` (a repeating job) delivers it later, after
checking again that the person still wants messages.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext, Services
from matching.availability import is_reachable
from matching.quiet_hours import is_quiet, quiet_ends_at
from storage import outbox, repo
from storage.db import session_scope
from storage.models import OutboxMessage, Resident

log = logging.getLogger(__name__)

SEND_DUE_EVERY = timedelta(seconds=30)


def reachable(resident: Resident, now: datetime) -> bool:
    """Whether the resident wants messages now: not paused (or the pause ended), not left."""
    return is_reachable(
        paused=resident.paused,
        paused_until=resident.paused_until,
        stopped=resident.stopped,
        now=now,
    )


def _quiet_until(resident: Resident, services: Services, now: datetime) -> datetime | None:
    """When the resident's quiet hours end, if they are in them now."""
    zone = services.settings.timezone
    if not is_quiet(resident.quiet_start, resident.quiet_end, zone, now):
        return None
    return quiet_ends_at(resident.quiet_start, resident.quiet_end, zone, now)


async def notify(
    context: BotContext,
    *,
    resident_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Send `text` to a resident now, or after their quiet hours; False when they paused or left
    (then nothing is sent, now or later)."""
    services = context.services
    now = services.clock()
    markup = None if reply_markup is None else reply_markup.to_dict()
    with session_scope(services.engine) as session:
        resident = session.get(Resident, resident_id)
        if resident is None or not reachable(resident, now):
            return False
        chat_id = resident.telegram_user_id
        quiet_until = _quiet_until(resident, services, now)
        if quiet_until is not None:
            outbox.enqueue(
                session, chat_id=chat_id, text=text, reply_markup=markup, due_at=quiet_until
            )
            return True
    try:
        await context.bot.send_message(chat_id, text, reply_markup=reply_markup)
    except Forbidden:
        log.info("resident %s blocked the bot; message not delivered", resident_id)
        return False
    except TelegramError as error:
        # Flood control or a network hiccup: keep the message and try again soon.
        log.warning("message to resident %s postponed: %s", resident_id, error)
        with session_scope(services.engine) as session:
            message = outbox.enqueue(
                session, chat_id=chat_id, text=text, reply_markup=markup, due_at=now
            )
            outbox.retry_later(session, message=message, error=str(error), now=now)
    return True


async def send_due_messages(context: BotContext) -> None:
    """Deliver outbox messages that are due, re-checking pause, /stop and quiet hours first.

    Claiming, checking and recording each happen in short transactions of their own; nothing
    holds the database while a message is on its way to Telegram.
    """
    services = context.services
    now = services.clock()
    with session_scope(services.engine) as session:
        claimed = [message.id for message in outbox.claim_due(session, now=now)]
    for message_id in claimed:
        assert message_id is not None
        await _deliver(context, message_id, now)


async def _deliver(context: BotContext, message_id: int, now: datetime) -> None:
    with session_scope(context.services.engine) as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            return  # deleted meanwhile (/verwijder)
        resident = repo.find_resident(session, telegram_user_id=message.chat_id)
        if resident is None or not reachable(resident, now):
            outbox.drop(session, message=message, reason="paused, stopped or gone")
            return
        quiet_until = _quiet_until(resident, context.services, now)
        if quiet_until is not None:
            outbox.postpone(session, message=message, until=quiet_until)
            return
        chat_id, text = message.chat_id, message.text
        markup = (
            None
            if message.reply_markup is None
            else InlineKeyboardMarkup.de_json(message.reply_markup, context.bot)
        )
    error: TelegramError | None = None
    sent_id = None
    try:
        sent = await context.bot.send_message(chat_id, text, reply_markup=markup)
        sent_id = sent.message_id
    except TelegramError as failure:
        error = failure
    with session_scope(context.services.engine) as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            return
        if isinstance(error, Forbidden):
            outbox.drop(session, message=message, reason=str(error))
        elif error is not None:
            outbox.retry_later(session, message=message, error=str(error), now=now)
        else:
            outbox.mark_sent(session, message=message, now=now, message_id=sent_id)
