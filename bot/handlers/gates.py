"""Checks that run before any other handler (handler group GATE_GROUP).

Transitional: once every handler runs on a service (bot/runner.py claims the update id in the
service's own transaction), this gate goes away."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.runner import in_thread
from storage import repo
from storage.db import session_scope

GATE_GROUP = -100

log = logging.getLogger(__name__)


async def skip_redelivered(update: Update, context: BotContext) -> None:
    """Stop an update that was handled before: Telegram redelivers after a crash or timeout.

    The id is claimed before the handlers run, so a crash in a handler is not retried; a
    redelivered update never causes a second message or a second database change.
    """
    services = context.services

    def claim() -> bool:
        with session_scope(services.engine) as session:
            return repo.claim_update(session, update_id=update.update_id, now=services.clock())

    if not await in_thread(services, claim):
        log.info("skipping redelivered update %s", update.update_id)
        raise ApplicationHandlerStop
    context.update_claimed = True
