"""The one delivery path for messages nobody just asked for: the outbox, sent after commit.

A unit of work queues outbox rows and claims those that may go out now (bot/services/delivery.py
re-checks that each is still wanted); right after the update's handler has answered, the claimed
rows are sent (`deliver_queued`, handler group DELIVERY_GROUP), and the outcomes are recorded in
one short transaction. Everything else that is due (messages that waited for quiet hours,
retries, rows a crash left behind, a morning's backlog) is drained by `send_due_messages`, a
job that runs every SEND_DUE_EVERY and keeps going while there is work, each row claimed just
before it is sent. Both go through one SendLimiter (bot/ratelimit.py): the configured rate
overall (25/s), per private chat (1/s) and per group (20/min), one message in flight per chat.

What Telegram's answer means (docs/delivery.md has the per-kind semantics):
  ok            sent
  429           not sent: the chat waits retry_after, the row is due again then
  403           they blocked the bot: never retried, the resident is unreachable until they
                write again (a group: dead letter)
  400           dead letter, never retried
  timed out     unknown: maybe it arrived; one retry after a long pause, then never again
  no connection not sent: back off and retry
Nothing holds the database while a message is on its way to Telegram.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session
from telegram import InlineKeyboardMarkup, InputFile, Message, Update
from telegram._utils.types import JSONDict
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

from bot.context import BotApplication, BotContext
from bot.outage import is_database_down, outage_of
from bot.ratelimit import Priority, SendLimiter, Slot
from bot.runner import in_thread
from bot.services import delivery
from bot.services.delivery import Outcome, Result
from bot.services.unit import Outgoing
from bot.settings import Settings
from storage import outbox
from storage.db import session_scope

log = logging.getLogger(__name__)

SEND_DUE_EVERY = timedelta(seconds=2)
# After the commands and buttons (group 0) and anything else that answers an update.
DELIVERY_GROUP = 100
# The rows this process holds a lease on, handed back at shutdown (bot/app.py).
LEASES = "outbox-leases"
# Telegram answers in well under a second; a slow API (seconds per call) must not turn a
# delivered message into a "timed out, send again". Far below the outbox lease.
SEND_TIMEOUT = 30.0
# How many due rows one drain keeps in flight (waiting for their turn or on their way).
IN_FLIGHT = 400
# A drain ends after this long; the next job run goes on (so a stop never waits long).
DRAIN_AT_MOST = 60.0

LIMITER_KEY = "send_limiter"
DRAIN_LOCK_KEY = "send_drain_lock"
UNRECORDED_KEY = "unrecorded-outcomes"


# rate_limit_args for an outbox send: counted by python-telegram-bot's limiter like every call,
# but a 429 comes back to us at once (the row is postponed) instead of being slept on.
NO_RETRIES = -1


# Calls that send a message into a chat: Telegram allows about one a second per chat.
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendLocation",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendAudio",
        "sendSticker",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)


class TelegramRateLimiter(AIORateLimiter):
    """AIORateLimiter (Telegram's overall and per-group limits for every call, retries after
    a 429 for handlers' replies) that lets the outbox answer its own 429s.

    AIORateLimiter knows no limit per private chat, so a handler's replies to someone who taps
    quickly (or who just got an outbox message) used to run into Telegram's one message a
    second per chat and be sent again after the 429. Replies into a private chat now wait for
    that chat's spacing in the outbox's limiter first (`send_limiter`, set by `install`),
    shared with the outbox's sends to the same chat."""

    send_limiter: SendLimiter | None = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if rate_limit_args != NO_RETRIES:
            chat_id = data.get("chat_id")
            if (
                self.send_limiter is not None
                and endpoint in SENDING_METHODS
                and isinstance(chat_id, int)
                and chat_id > 0
            ):
                await self.send_limiter.space(chat_id)
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        chat_id = data.get("chat_id")
        group = chat_id if isinstance(chat_id, int) and chat_id < 0 else False
        return await self._run_request(
            chat=chat_id is not None,
            group=group,
            allow_paid_broadcast=False,
            callback=callback,
            args=args,
            kwargs=kwargs,
        )


def make_limiter(settings: Settings, *, chat_spacing: bool = True) -> SendLimiter:
    """The configured rates; `chat_spacing=False` drops the one per second per private chat
    (not a setting: only for an emulator without that limit, see `build_application`)."""
    return SendLimiter(
        overall_per_second=settings.send_rate,
        per_chat_per_second=settings.send_rate_per_chat if chat_spacing else None,
        per_group_per_minute=settings.send_rate_per_group_per_minute,
    )


def install(application: BotApplication, settings: Settings, *, chat_spacing: bool = True) -> None:
    limiter = make_limiter(settings, chat_spacing=chat_spacing)
    application.bot_data[LIMITER_KEY] = limiter
    replies = application.bot.rate_limiter
    if isinstance(replies, TelegramRateLimiter):
        replies.send_limiter = limiter
    application.bot_data[DRAIN_LOCK_KEY] = asyncio.Lock()


def space_chats(application: BotApplication) -> None:
    """From now on keep the configured spacing per private chat, after a start with
    `chat_spacing=False` (`buurtbot demo --chat` sets up its neighbours that way)."""
    limiter: SendLimiter = application.bot_data[LIMITER_KEY]
    limiter.space_chats(application.bot_data["services"].settings.send_rate_per_chat)


def _unrecorded(context: BotContext) -> list[Outcome]:
    """Outcomes of sends whose recording failed because the database was away. Kept in memory
    and recorded first thing on the next drain: otherwise the rows' leases run out and each
    message that did arrive counts as an unknown send and goes out once more."""
    kept: list[Outcome] = context.application.bot_data.setdefault(UNRECORDED_KEY, [])
    return kept


def _keep_unrecorded(context: BotContext, outcomes: Sequence[Outcome], error: Exception) -> None:
    outage_of(context.application.bot_data).failed(error)
    _unrecorded(context).extend(outcomes)


async def _record_unrecorded(context: BotContext) -> None:
    kept = _unrecorded(context)
    if not kept:
        return
    outcomes, services = list(kept), context.services

    def record() -> None:
        with session_scope(services.engine) as session:
            delivery.record(session, outcomes, services.clock())

    await in_thread(services, record)  # still away: raises, and they stay kept
    del kept[: len(outcomes)]
    log.warning("recorded %d sends that happened while the database was away", len(outcomes))


def _limiter(context: BotContext) -> SendLimiter:
    limiter: SendLimiter = context.application.bot_data[LIMITER_KEY]
    return limiter


async def deliver(
    context: BotContext,
    outgoing: list[Outgoing],
    after: Sequence[Callable[[Session], None]] = (),
) -> list[Outcome]:
    """Send claimed outbox rows (each chat's in order, different chats side by side), then
    record what came of each in one transaction (together with `after`: what the handler
    learnt from Telegram, like the id of a dialog's message). Returns the outcomes, for a
    handler that tells the sender when a message could not go."""
    if not outgoing and not after:
        return []
    held: set[int] = context.application.bot_data.setdefault(LEASES, set())
    held.update(message.id for message in outgoing)
    limiter = _limiter(context)

    async def one(message: Outgoing) -> Outcome:
        async with limiter.slot(message.chat_id) as slot:
            return await attempt(context, message, slot)

    outcomes = list(await asyncio.gather(*(one(message) for message in outgoing)))
    services = context.services

    def record() -> None:
        with session_scope(services.engine) as session:
            delivery.record(session, outcomes, services.clock())
            for step in after:
                step(session)

    try:
        await in_thread(services, record)
    except Exception as error:
        if not is_database_down(error):
            raise
        # What the handler learnt (`after`) is lost; what was sent is not sent again.
        _keep_unrecorded(context, outcomes, error)
    held.difference_update(message.id for message in outgoing)
    return outcomes


async def attempt(context: BotContext, message: Outgoing, slot: Slot) -> Outcome:
    """One send, and what Telegram's answer means for the row. Never raises."""
    try:
        sent, media_message_id = await _send(context, message, slot)
    except RetryAfter as error:
        wait = _seconds(error.retry_after)
        _limiter(context).wait_for_chat(message.chat_id, wait)
        log.warning("outbox message %s: flood control, again in %.0f s", message.id, wait)
        return Outcome(message.id, error=str(error), result=Result.RETRY_AFTER, retry_after=wait)
    except Forbidden as error:
        log.info("outbox message %s not delivered: %s", message.id, error)
        return Outcome(message.id, error=str(error), result=Result.FORBIDDEN)
    except BadRequest as error:
        log.warning("outbox message %s refused, kept as a dead letter: %s", message.id, error)
        return Outcome(message.id, error=str(error), result=Result.DEAD)
    except NetworkError as error:
        if _surely_not_sent(error):
            log.warning("outbox message %s not sent, trying again later: %s", message.id, error)
            return Outcome(message.id, error=str(error), result=Result.NOT_SENT)
        log.warning("outbox message %s: outcome unknown (%s)", message.id, error)
        return Outcome(message.id, error=str(error), result=Result.UNKNOWN)
    except Exception as error:  # a bug must not stop the other messages
        log.exception("outbox message %s could not be sent", message.id)
        return Outcome(message.id, error=repr(error), result=Result.NOT_SENT)
    return Outcome(message.id, message_id=sent.message_id, media_message_id=media_message_id)


def _seconds(retry_after: timedelta | int | float) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


def _surely_not_sent(error: NetworkError) -> bool:
    """No connection was made (or none was free): the request never reached Telegram."""
    if isinstance(error, TimedOut):
        return "Pool timeout" in str(error) or isinstance(error.__cause__, httpx.ConnectTimeout)
    return isinstance(error.__cause__, httpx.ConnectError)


def _options(context: BotContext) -> dict[str, Any]:
    options: dict[str, Any] = {"read_timeout": SEND_TIMEOUT, "write_timeout": SEND_TIMEOUT}
    if context.bot.rate_limiter is not None:
        # Our own limiter paces these, and a 429 is answered by postponing the row.
        options["rate_limit_args"] = NO_RETRIES
    return options


async def _send(context: BotContext, message: Outgoing, slot: Slot) -> tuple[Message, int | None]:
    """Send one outbox row: its Telegram message, and the id of a second one (a location's
    map) when the row became two."""
    bot, media, options = context.bot, message.media or {}, _options(context)
    if "photo" in media:
        photo = await bot.send_photo(
            message.chat_id, str(media["photo"]), caption=message.text, **options
        )
        return photo, None
    markup = (
        None
        if message.reply_markup is None
        else InlineKeyboardMarkup.de_json(message.reply_markup, bot)
    )
    sent = await bot.send_message(message.chat_id, message.text, reply_markup=markup, **options)
    if "document" in media:
        # An .ics file after the text (a reminder): the text is what matters most.
        try:
            await slot.take()
            document = InputFile(
                str(media["document"]).encode(), filename=str(media.get("filename", "file"))
            )
            await bot.send_document(message.chat_id, document, **options)
        except Exception as error:
            log.warning("document of outbox message %s not delivered: %s", message.id, error)
    if "location" in media:
        latitude, longitude = media["location"]
        try:
            await slot.take()
            place = await bot.send_location(
                message.chat_id, latitude=latitude, longitude=longitude, **options
            )
        except Exception as error:
            # The text ("Anna stuurde een locatie") is out: retrying would send it again.
            log.warning("location of outbox message %s not delivered: %s", message.id, error)
        else:
            return sent, place.message_id
    return sent, None


async def deliver_queued(update: Update, context: BotContext) -> None:
    """Send what this update's units of work queued (handler group DELIVERY_GROUP)."""
    outgoing, context.outgoing = context.outgoing, []
    after, context.after_send = context.after_send, []
    await deliver(context, outgoing, after)


async def send_due_job(context: BotContext) -> None:
    """The repeating job: drain the outbox, unless a drain is already going on."""
    if context.application.bot_data[DRAIN_LOCK_KEY].locked():
        return
    await send_due_messages(context)


async def send_due_messages(context: BotContext) -> None:
    """Deliver every due outbox message that is still wanted, at the configured rate, until
    none is left (or DRAIN_AT_MOST has passed). One drain at a time per process."""
    lock: asyncio.Lock = context.application.bot_data[DRAIN_LOCK_KEY]
    async with lock:
        try:
            await _drain(context)
        except Exception as error:  # the job runs again in a moment; never let it die
            if is_database_down(error):
                outage_of(context.application.bot_data).failed(error)  # once, not per run
            else:
                log.exception("the outbox drain stopped")


async def _drain(context: BotContext) -> None:
    services = context.services
    loop = asyncio.get_running_loop()

    def recover() -> int:
        with session_scope(services.engine) as session:
            return outbox.recover_expired(session, now=services.clock())

    await _record_unrecorded(context)  # before the leases of those rows count as run out

    if recovered := await in_thread(services, recover):
        log.warning("%d outbox messages were cut off mid-send (a stop or crash)", recovered)
    cursor: tuple[Any, int] | None = None
    tasks: set[asyncio.Task[None]] = set()
    read_empty_at: float | None = None
    ends_at = loop.time() + DRAIN_AT_MOST
    try:
        while True:
            may_read = read_empty_at is None or not tasks or loop.time() - read_empty_at >= 1
            if len(tasks) < IN_FLIGHT // 2 and may_read and loop.time() < ends_at:
                after, room = cursor, IN_FLIGHT - len(tasks)

                def read(after: tuple[Any, int] | None = after, room: int = room) -> list[Any]:
                    with session_scope(services.engine) as session:
                        return outbox.due(session, now=services.clock(), after=after, limit=room)

                rows = await in_thread(services, read)
                read_empty_at = None if rows else loop.time()
                for row_id, chat_id, due_at in rows:
                    priority = (due_at.timestamp(), row_id)  # oldest first, after urgent ones
                    tasks.add(asyncio.create_task(_send_one(context, row_id, chat_id, priority)))
                    cursor = (due_at, row_id)
            if not tasks:
                return
            _, tasks = await asyncio.wait(tasks, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Stopping: what is under way finishes (or its lease runs out and it is recovered).
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


async def _send_one(context: BotContext, row_id: int, chat_id: int, priority: Priority) -> None:
    """Claim one row right before sending it, send it, record the outcome."""
    services = context.services

    def claim() -> list[Outgoing]:
        with session_scope(services.engine) as session:
            return delivery.claim(session, services.settings, services.clock(), ids=[row_id])

    outcome: Outcome | None = None
    try:
        async with _limiter(context).slot(chat_id, priority) as slot:
            claimed = await in_thread(services, claim)
            if not claimed:  # not wanted any more, later (quiet hours), or taken by another
                slot.unused()
                return
            outcome = await attempt(context, claimed[0], slot)

        def record(outcome: Outcome = outcome) -> None:
            with session_scope(services.engine) as session:
                delivery.record(session, [outcome], services.clock())

        await in_thread(services, record)
    except Exception as error:
        if is_database_down(error) and outcome is not None:
            _keep_unrecorded(context, [outcome], error)
        elif is_database_down(error):
            outage_of(context.application.bot_data).failed(error)
        else:
            log.exception("outbox message %s: sending failed", row_id)
