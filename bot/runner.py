"""Runs services: each one a unit of work in a database worker thread, committed once.

`perform(context, update, service, ...)` is how a handler calls a service. In one transaction,
in a worker thread (the event loop never waits on the database): claim the update id (a
redelivered update stops here, as it did in the gate before), load the caller's resident and
dialog state once, run the service, claim the outbox rows it queued that can go out now, commit.
Only then does anything reach Telegram: the handler renders the result, and the messages the
unit queued are delivered right after the handler (handler group DELIVERY_GROUP). The job
delivers whatever is left.

SQLite has a single writer, so its units run one at a time in one thread; PostgreSQL gets a
few threads, and different chats' updates are processed concurrently (bot/updates.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext, Services
from bot.i18n import t
from bot.outage import outage_of
from bot.services import delivery
from bot.services.unit import Caller, Unit
from storage import repo
from storage.db import is_sqlite, session_scope

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

POSTGRES_WORKERS = 8


def make_executor(engine: Engine) -> ThreadPoolExecutor:
    workers = 1 if is_sqlite(engine) else POSTGRES_WORKERS
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="db")


def caller_of(update: Update) -> Caller | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None:
        return None
    return Caller(
        user_id=user.id,
        chat_id=user.id if chat is None else chat.id,
        first_name=user.first_name,
        language_code=user.language_code,
    )


def _run_unit(
    services: Services,
    update_id: int | None,
    caller: Caller | None,
    service: Callable[Concatenate[Unit, P], R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> tuple[R, Unit] | None:
    """The unit of work itself (in a worker thread). None when the update was handled before."""
    now = services.clock()
    with session_scope(services.engine) as session:
        if update_id is not None and not repo.claim_update(session, update_id=update_id, now=now):
            return None
        unit = Unit(session=session, now=now, settings=services.settings, caller=caller)
        unit.load_caller()
        result = service(unit, *args, **kwargs)
        if unit.queued:
            unit.outgoing = delivery.claim(session, services.settings, now, ids=unit.queued)
    return result, unit


async def in_thread(services: Services, work: Callable[[], R]) -> R:
    """Run database work in the worker thread (inline only where a benchmark asked for it)."""
    if services.executor is None:
        return work()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(services.executor, work)


async def perform(
    context: BotContext,
    update: Update | None,
    service: Callable[Concatenate[Unit, P], R],
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    """Run one service for an update (or a job, with update None) and return its result.

    The first service of an update claims the update id; a redelivered update ends here
    (ApplicationHandlerStop, so nothing else handles it either).
    """
    services = context.services
    update_id = None
    caller = None
    if update is not None:
        caller = caller_of(update)
        if not context.update_claimed:
            update_id = update.update_id
    done = await in_thread(
        services, lambda: _run_unit(services, update_id, caller, service, *args, **kwargs)
    )
    outage = outage_of(context.application.bot_data)
    outage.working()
    if update is not None:
        outage.done(update.update_id)
    if done is None:
        log.info("skipping redelivered update %s", update_id)
        raise ApplicationHandlerStop
    first = not context.update_claimed
    context.update_claimed = True
    result, unit = done
    context.outgoing.extend(unit.outgoing)
    if first and update is not None:
        await _say_what_became_of_the_dialog(update, unit)
    return result


async def _say_what_became_of_the_dialog(update: Update, unit: Unit) -> None:
    """A command in the middle of a dialog (onboarding, a draft, a report) says first what
    happens to that dialog: left for the command, or still waiting. Only in private chats."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    if not (message.text or "").startswith("/"):
        return
    note = unit.dialog_note()
    if note is not None:
        await message.reply_text(t(unit.language, note))
