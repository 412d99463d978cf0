"""Telegram inline keyboards from the plain-data ones services build (bot/services/buttons.py).

Callback data comes from one codec (bot/callbacks.py) and is never trusted: handlers re-check
everything it names against the database.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import buttons
from bot.services.markup import Button, Keyboard


def button(plain: Button) -> InlineKeyboardButton:
    if plain.url:
        return InlineKeyboardButton(plain.label, url=plain.url)
    return InlineKeyboardButton(plain.label, callback_data=plain.data)


def markup(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    if rows is None:
        return None
    return InlineKeyboardMarkup([[button(b) for b in row] for row in rows])


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    """The language buttons of /taal."""
    result = markup(buttons.language_rows(current))
    assert result is not None
    return result


def main_menu_keyboard(language: str) -> InlineKeyboardMarkup:
    result = markup(buttons.main_menu(language))
    assert result is not None
    return result
