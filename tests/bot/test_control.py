"""The small pure parts of bot/handlers/control.py: reading button data, and its tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from bot.handlers.control import (
    OTHER_REASON,
    REASON_BUTTONS,
    Ref,
    button_data,
    parse_id,
    parse_ref,
)
from storage.moderation import REPORT_REASONS

BOT = User(id=42, first_name="Buurtbot", is_bot=True)
ANNA = User(id=7, first_name="Anna", is_bot=False)


def test_every_reason_button_is_a_stored_reason_or_other() -> None:
    assert tuple(r for r, _ in REASON_BUTTONS if r != OTHER_REASON) == REPORT_REASONS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("2147483647", 2**31 - 1),
        ("0", None),
        ("-1", None),
        ("2147483648", None),
        ("", None),
        ("1e3", None),
        ("12345678901", None),
        (" 1", None),
    ],
)
def test_ids_in_button_data(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected


def test_refs_name_a_post_or_an_invitation() -> None:
    assert parse_ref("p", "12") == Ref("p", 12)
    assert parse_ref("i", "3") == Ref("i", 3)
    assert parse_ref("x", "3") is None
    assert parse_ref("p", "x") is None


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
    assert button_data(message, "blk:", bot_id=BOT.id) == "blk:p:5"
    assert button_data(message, "rep:", bot_id=BOT.id) is None


def test_no_button_data_from_a_message_the_bot_did_not_send() -> None:
    forwarded = message_from(ANNA, InlineKeyboardButton("Blokkeer", callback_data="blk:p:5"))
    assert button_data(forwarded, "blk:", bot_id=BOT.id) is None
    assert button_data(message_from(BOT), "blk:", bot_id=BOT.id) is None
    assert button_data(None, "blk:", bot_id=BOT.id) is None
