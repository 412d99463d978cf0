"""Inline keyboards. Callback data is short ("prefix:value", well under 64 bytes) and is never
trusted: handlers re-check everything it names against the database."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.settings import LANGUAGES

LANGUAGE_PREFIX = "lang:"


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + t(code, "language.name"),
            callback_data=f"{LANGUAGE_PREFIX}{code}",
        )
        for code in LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons])
