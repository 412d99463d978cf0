"""What the post conversations (posting, looking around, one's own posts) and other handlers
share: reading ids from callback data (transitional), showing what a service returned, and
showing a screen in place."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.i18n import t
from bot.keyboards import markup
from bot.services import dialogs
from bot.services.markup import Screen
from bot.services.posting import Answer

log = logging.getLogger(__name__)


async def say(update: Update, context: BotContext, screen: Screen) -> None:
    """Send a screen as a new message to the chat an update came from (a command, a button
    press or a message); a dialog's screen gets its message id remembered."""
    chat = update.effective_chat
    if chat is None:
        return
    sent = await context.bot.send_message(
        chat.id, screen.text, reply_markup=markup(screen.keyboard)
    )
    flow = screen.remember
    if flow is not None:
        chat_id, message_id = chat.id, sent.message_id
        context.after_send.append(
            lambda session: dialogs.remember_message(session, chat_id, flow, message_id)
        )


async def answer(update: Update, context: BotContext, result: Answer) -> None:
    """Answer a press as a service decided: a notice, the pressed message changed, a new one."""
    query = update.callback_query
    assert query is not None
    await query.answer(result.notice, show_alert=result.alert)
    if result.screen is not None:
        await show_in_place(query, result.screen.text, markup(result.screen.keyboard))
    if result.message is not None:
        await say(update, context, result.message)


def message_id_of(query: CallbackQuery) -> int | None:
    """The id of the message whose button was pressed (None when Telegram no longer has it)."""
    return query.message.message_id if isinstance(query.message, Message) else None


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
