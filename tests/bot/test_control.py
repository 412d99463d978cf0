"""The small pure parts of /blokkeer and /meld: reading a message's buttons, and the tables."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from bot import callbacks
from bot.handlers.control import button_press
from bot.services.control import OTHER_REASON, REASON_BUTTONS
from storage.moderation import REPORT_REASONS

BOT = User(id=42, first_name="Buurtbot", is_bot=True)
ANNA = User(id=7, first_name="Anna", is_bot=False)


def test_every_reason_button_is_a_stored_reason_or_other() -> None:
    assert tuple(r for r, _ in REASON_BUTTONS if r != OTHER_REASON) == REPORT_REASONS


def message_from(sender: User, *buttons: InlineKeyboardButton) -> Message:
    markup = InlineKeyboardMarkup([list(buttons)]) if buttons else None
    return Message(
        message_id=1,
        date=datetime(2026, 11, 25, tzinfo=UTC),
        chat=Chat(id=7, type="private"),
        from_user=sender,
        text="Wie gaat er mee wandelen?",
        reply_markup=markup,
    )


def test_the_block_button_is_found_on_the_bots_message() -> None:
    message = message_from(
        BOT,
        InlineKeyboardButton("Ik help", callback_data="post:help:5"),
        InlineKeyboardButton("Blokkeer", callback_data="blk:p:5"),
    )
    press = button_press(message, BOT.id, callbacks.BLOCK_POST_AUTHOR, callbacks.BLOCK_RESPONDER)
    assert press == callbacks.Press(callbacks.BLOCK_POST_AUTHOR, (5,))
    assert button_press(message, BOT.id, callbacks.REPORT_POST) is None


def test_no_button_data_from_a_message_the_bot_did_not_send() -> None:
    forwarded = message_from(ANNA, InlineKeyboardButton("Blokkeer", callback_data="blk:p:5"))
    assert button_press(forwarded, BOT.id, callbacks.BLOCK_POST_AUTHOR) is None
    assert button_press(message_from(BOT), BOT.id, callbacks.BLOCK_POST_AUTHOR) is None
    assert button_press(None, BOT.id, callbacks.BLOCK_POST_AUTHOR) is None


def test_a_forged_block_button_on_the_bots_message_is_not_read() -> None:
    message = message_from(BOT, InlineKeyboardButton("Blokkeer", callback_data="blk:p:-5"))
    assert button_press(message, BOT.id, callbacks.BLOCK_POST_AUTHOR) is None
