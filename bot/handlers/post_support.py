"""What posting, looking around and one's own posts share: who is asking (and whether they
belong to a wijk yet), reading ids from callback data, and showing a screen in place."""

from __future__ import annotations

import logging
from typing import Final

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import BotContext, language_for
from bot.i18n import t
from bot.keyboards import MENU_PREFIX
from matching.posting_rules import MAX_TEXT_LENGTH, clean_text, is_too_long
from storage import repo
from storage.db import session_scope
from storage.models import Resident

log = logging.getLogger(__name__)

# Database ids in callback data are plain positive numbers of sensible length.
MAX_ID_DIGITS: Final = 18
MAX_ID: Final = 2**31 - 1


async def say(
    update: Update,
    context: BotContext,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send a new message to the chat an update came from (a command or a button press)."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await context.bot.send_message(chat.id, text, reply_markup=reply_markup)


async def settled_resident(update: Update, context: BotContext) -> Resident | None:
    """The resident behind an update if they belong to a wijk; otherwise point them kindly to
    where they can choose one (or back in, after /stop) and return None. A button press must
    have been answered already."""
    user = update.effective_user
    if user is None:
        return None
    services = context.services
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=user.id)
    if resident is not None and resident.wijk_id is not None and not resident.stopped:
        return resident
    language = language_for(services, user)
    if resident is not None and resident.stopped:
        text = t(language, "posting.stopped")
    else:
        text = t(language, "posting.no_wijk")
    await say(update, context, text)
    return None


def parse_id(text: str) -> int | None:
    """A database id from callback data, or None for anything else (callback data is forgeable)."""
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        return None
    number = int(text)
    # Ids are 32-bit integer columns: PostgreSQL refuses to compare with anything larger.
    return number if 0 < number <= MAX_ID else None


async def show_in_place(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Turn the pressed message into another screen (the next step, another page).

    A screen that already shows (a double tap on "Meer") is left alone: Telegram refuses an
    edit that changes nothing. Same buttons mean the same screen here, since every screen's
    buttons carry the ids of what it shows.
    """
    message = query.message
    if (
        isinstance(message, Message)
        and reply_markup is not None
        and message.reply_markup == reply_markup
    ):
        return
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as error:
        # Two taps that both arrived before the first edit: the second finds it done already.
        if "not modified" not in str(error).lower():
            raise
        log.debug("screen already shown: %s", error)


async def stale(query: CallbackQuery, language: str) -> None:
    """Answer a press that no longer (or never did) make sense; nothing changes."""
    await query.answer(t(language, "error.stale_button"))


def ask_or_offer_keyboard(language: str) -> InlineKeyboardMarkup:
    """For an empty list: maybe the person has something to ask or offer themselves."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(language, "menu.ask"), callback_data=f"{MENU_PREFIX}vraag"),
                InlineKeyboardButton(
                    t(language, "menu.offer"), callback_data=f"{MENU_PREFIX}aanbod"
                ),
            ]
        ]
    )


async def words_or_explain(message: Message, language: str) -> str | None:
    """The person's cleaned-up words for a post, or None after saying why they can't be used
    (empty, or too long; a draft stays as it was, so they can simply send a shorter version)."""
    text = clean_text(message.text or "")
    if not text:
        await message.reply_text(t(language, "posting.empty"))
        return None
    if is_too_long(text):
        await message.reply_text(
            t(language, "posting.too_long", length=len(text), limit=MAX_TEXT_LENGTH)
        )
        return None
    return text
