"""What the match buttons share: showing a service's answer to a press (bot/services/
match_support.py Pressed), closing a pressed message, and closing other people's invitations."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import TelegramError

from bot.context import BotContext
from bot.i18n import t
from bot.keyboards import markup
from bot.sender import deliver
from bot.services import delivery
from bot.services.match_support import Pressed
from bot.services.request_steps import SentMessage
from bot.views.screens import show_in_place

log = logging.getLogger(__name__)


async def deliver_now(context: BotContext) -> list[delivery.Outcome]:
    """Send what the units of work queued so far, before anything cosmetic (an edit) that
    might fail."""
    outgoing, context.outgoing = context.outgoing, []
    return await deliver(context, outgoing)


async def show(query: CallbackQuery, context: BotContext, pressed: Pressed) -> None:
    """Answer the press as the service said: the presser's own screen first, then the messages
    the press queued for others, then the cosmetic closing of other people's invitations."""
    if pressed.stale:
        await query.answer(t(pressed.language, "error.stale_button"))
        return
    if pressed.alert is not None:
        await query.answer(pressed.alert, show_alert=True)
        return
    await query.answer(pressed.toast)
    if pressed.close is not None:
        await close_message(query, pressed.close, markup(pressed.keyboard))
    elif pressed.buttons_only:
        await query.edit_message_reply_markup(markup(pressed.keyboard))
    if pressed.reply is not None:
        await context.bot.send_message(query.from_user.id, pressed.reply)
    await deliver_now(context)
    await close_invitations(context, pressed.edits, "invite.taken")


async def close_message(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message's buttons: the original text stays, the answer follows."""
    message = query.message
    original = message.text_html if isinstance(message, Message) and message.text else ""
    if not original:
        new_text = text
    elif original.endswith(text):  # closed before (say, when someone else said yes first)
        new_text = original
    else:
        new_text = f"{original}\n\n{text}"
    await show_in_place(query, new_text, reply_markup)


async def close_invitations(
    context: BotContext, messages: tuple[SentMessage, ...], note_key: str
) -> None:
    """Take the buttons off sent invitations that can no longer be answered, adding a short
    note ("al geregeld, dank je")."""
    for message in messages:
        try:
            await context.bot.edit_message_text(
                f"{message.text}\n\n{t(message.language, note_key)}",
                chat_id=message.chat_id,
                message_id=message.message_id,
            )
        except TelegramError as error:
            # Deleted by the person, or too old to edit: the button press is re-checked anyway.
            log.info("could not close invitation message %s: %s", message.message_id, error)
