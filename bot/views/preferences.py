"""Showing what the onboarding and /instellingen services decided (bot/services/preferences.py).

Both flows answer the same way: a press is answered (stale, with a notice, or quietly), the
pressed message changes, and replies follow; a reply whose buttons drive the dialog gets its
message id remembered after it is sent.
"""

from __future__ import annotations

import html
import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest

from bot.context import BotContext
from bot.dialog import Render
from bot.i18n import t
from bot.keyboards import markup
from bot.services import dialogs
from bot.services.preferences import CHECK, Outcome, Reply

log = logging.getLogger(__name__)


def pressed_message_id(query: CallbackQuery) -> int | None:
    """The id of the pressed message, when it is in the presser's own chat."""
    message = query.message
    if isinstance(message, Message) and message.chat.id == query.from_user.id:
        return message.message_id
    return None


def location_keyboard(language: str, other_label: str) -> ReplyKeyboardMarkup:
    """Telegram's own "share location" button (an inline button cannot ask for a location),
    and a second button whose text means skip or cancel."""
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(t(language, "pref.area.share_button"), request_location=True)],
            [KeyboardButton(other_label)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def send_replies(context: BotContext, chat_id: int, flow: str, outcome: Outcome) -> None:
    for reply in outcome.replies:
        await _send(context, chat_id, flow, outcome.language, reply)


async def _send(context: BotContext, chat_id: int, flow: str, language: str, reply: Reply) -> None:
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None
    if reply.location_prompt is not None:
        reply_markup = location_keyboard(language, reply.location_prompt)
    elif reply.remove_reply_keyboard:
        reply_markup = ReplyKeyboardRemove()
    else:
        reply_markup = markup(reply.keyboard)
    sent = await context.bot.send_message(chat_id, reply.text, reply_markup=reply_markup)
    if reply.drives_dialog:
        message_id = sent.message_id
        context.after_send.append(
            lambda session: dialogs.remember_message(session, chat_id, flow, message_id)
        )


async def render_press(update: Update, context: BotContext, flow: str, outcome: Outcome) -> None:
    """Answer the press, change the pressed message, then send the replies."""
    query = update.callback_query
    assert query is not None
    if outcome.stale:
        await query.answer(t(outcome.language, "error.stale_button"))
        return
    await query.answer(outcome.notice)
    try:
        if outcome.answered is not None:
            await _show_answer(query, outcome.answered)
        if outcome.edit is not None:
            await query.edit_message_text(
                outcome.edit.text, reply_markup=markup(outcome.edit.keyboard)
            )
        if outcome.new_buttons is not None or outcome.drop_buttons:
            await query.edit_message_reply_markup(markup(outcome.new_buttons))
    except BadRequest as error:
        # The answer is stored and the dialog moved on: an old or unchanged message that
        # cannot be edited must not keep the next question from being asked.
        log.info("could not change the pressed message: %s", error)
    await send_replies(context, query.from_user.id, flow, outcome)


async def _show_answer(query: CallbackQuery, answer: str) -> None:
    """Keep the question in the chat with the (plain text) answer under it, without buttons."""
    message = query.message
    question = message.text_html if isinstance(message, Message) and message.text else ""
    await query.edit_message_text(f"{question}\n\n{CHECK}{html.escape(answer, quote=False)}")


def replies_to_message(flow: str) -> Render:
    """How a dialog step's outcome is shown after a typed message or a shared location."""

    async def render(update: Update, context: BotContext, outcome: Outcome) -> None:
        chat = update.effective_chat
        if chat is not None:
            await send_replies(context, chat.id, flow, outcome)

    return render
