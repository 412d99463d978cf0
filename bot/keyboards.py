"""Telegram inline keyboards from the plain-data ones services build (bot/services/buttons.py).

Callback data comes from one codec (bot/callbacks.py) and is never trusted: handlers re-check
everything it names against the database.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import buttons
from bot.services.markup import Keyboard


def markup(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    if rows is None:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )


def language_keyboard(current: str, prefix: str | None = None) -> InlineKeyboardMarkup:
    """The language buttons; `prefix` (transitional) for dialogs that read "<prefix><code>"."""
    rows = buttons.language_rows(current)
    if prefix is not None:
        rows = tuple(
            tuple(type(b)(b.label, prefix + b.data.rpartition(":")[2]) for b in row)
            for row in rows
        )
    result = markup(rows)
    assert result is not None
    return result


def main_menu_keyboard(language: str) -> InlineKeyboardMarkup:
    result = markup(buttons.main_menu(language))
    assert result is not None
    return result


# --- transitional: the old prefixes, until every handler dispatches through bot/dialog.py ----
LANGUAGE_PREFIX = "lang:"
MENU_PREFIX = "menu:"
BLOCK_PREFIX = "blk:"
REPORT_PREFIX = "rep:"


def block_post_author_button(language: str, post_id: int) -> InlineKeyboardButton:
    button = buttons.block_post_author(language, post_id)
    return InlineKeyboardButton(button.label, callback_data=button.data)


def block_responder_button(language: str, invitation_id: int) -> InlineKeyboardButton:
    button = buttons.block_responder(language, invitation_id)
    return InlineKeyboardButton(button.label, callback_data=button.data)


def report_post_button(language: str, post_id: int) -> InlineKeyboardButton:
    button = buttons.report_post(language, post_id)
    return InlineKeyboardButton(button.label, callback_data=button.data)
