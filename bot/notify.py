"""Unprompted messages to residents: the only way to start a conversation with someone.

Replies to a person's own command go straight back; anything else (an invitation, someone's
interest in your post, a reminder) goes through `notify`, which honours pausing and /stop.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden

from bot.context import BotContext
from matching.availability import is_reachable
from storage.db import session_scope
from storage.models import Resident

log = logging.getLogger(__name__)


async def notify(
    context: BotContext,
    *,
    resident_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Send `text` to a resident unless they paused or left; True when it was sent."""
    services = context.services
    with session_scope(services.engine) as session:
        resident = session.get(Resident, resident_id)
        if resident is None or not is_reachable(
            paused=resident.paused,
            paused_until=resident.paused_until,
            stopped=resident.stopped,
            now=services.clock(),
        ):
            return False
        chat_id = resident.telegram_user_id
    try:
        await context.bot.send_message(chat_id, text, reply_markup=reply_markup)
    except Forbidden:
        log.info("resident %s blocked the bot; message not delivered", resident_id)
        return False
    return True
