"""The one delivery path for messages nobody just asked for: the outbox, sent after commit.

A unit of work queues outbox rows and claims those that may go out now (bot/services/delivery.py
re-checks that each is still wanted); right after the update's handler has answered, the claimed
rows are sent (`deliver_queued`, handler group DELIVERY_GROUP), and the outcomes are recorded in
one short transaction. The repeating job `send_due_messages` delivers everything else that is
due: messages that waited for quiet hours, retries, and rows a crash left behind. Nothing holds
the database while a message is on its way to Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.runner import in_thread
from bot.services import delivery
from bot.services.unit import Outgoing
from storage.db import session_scope

log = logging.getLogger(__name__)

SEND_DUE_EVERY = timedelta(seconds=30)
# After the commands and buttons (group 0) and anything else that answers an update.
DELIVERY_GROUP = 100
LEASES = "outbox-leases"


async def deliver(
    context: BotContext,
    outgoing: list[Outgoing],
    after: Sequence[Callable[[Session], None]] = (),
) -> list[delivery.Outcome]:
    """Send claimed outbox rows, then record what came of each in one transaction (together
    with `after`: what the handler learnt from Telegram, like the id of a dialog's message).
    Returns the outcomes, for a handler that tells the sender when a message could not go."""
    if not outgoing and not after:
        return []
    # The rows this process holds a lease on, handed back at shutdown (bot/app.py).
    held: set[int] = context.application.bot_data.setdefault(LEASES, set())
    held.update(message.id for message in outgoing)
    outcomes = []
    for message in outgoing:
        markup = (
            None
            if message.reply_markup is None
            else InlineKeyboardMarkup.de_json(message.reply_markup, context.bot)
        )
        try:
            sent = await _send(context, message, markup)
        except Forbidden as error:
            log.info("outbox message %s not delivered: %s", message.id, error)
            outcomes.append(delivery.Outcome(message.id, error=str(error), final=True))
        except TelegramError as error:
            # Flood control or a network hiccup: keep the message and try again soon.
            log.warning("outbox message %s postponed: %s", message.id, error)
            outcomes.append(delivery.Outcome(message.id, error=str(error)))
        else:
            outcomes.append(delivery.Outcome(message.id, message_id=sent.message_id))
    services = context.services

    def record() -> None:
        with session_scope(services.engine) as session:
            delivery.record(session, outcomes, services.clock())
            for step in after:
                step(session)

    await in_thread(services, record)
    held.difference_update(message.id for message in outgoing)
    return outcomes


async def _send(
    context: BotContext, message: Outgoing, markup: InlineKeyboardMarkup | None
) -> Message:
    bot, media = context.bot, message.media or {}
    if "photo" in media:
        return await bot.send_photo(message.chat_id, str(media["photo"]), caption=message.text)
    sent = await bot.send_message(message.chat_id, message.text, reply_markup=markup)
    if "location" in media:
        latitude, longitude = media["location"]
        try:
            await bot.send_location(message.chat_id, latitude=latitude, longitude=longitude)
        except TelegramError as error:
            # The text ("Anna stuurde een locatie") is out: retrying would send it again.
            log.warning("location of outbox message %s not delivered: %s", message.id, error)
    return sent


async def deliver_queued(update: Update, context: BotContext) -> None:
    """Send what this update's units of work queued (handler group DELIVERY_GROUP)."""
    outgoing, context.outgoing = context.outgoing, []
    after, context.after_send = context.after_send, []
    await deliver(context, outgoing, after)


async def send_due_messages(context: BotContext) -> None:
    """The repeating job: deliver every due outbox message that is still wanted."""
    services = context.services

    def claim() -> list[Outgoing]:
        with session_scope(services.engine) as session:
            return delivery.claim(session, services.settings, services.clock())

    await deliver(context, await in_thread(services, claim))
