"""Inline keyboards. Callback data is short ("prefix:value", well under 64 bytes) and is never
trusted: handlers re-check everything it names against the database."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.settings import LANGUAGES

LANGUAGE_PREFIX = "lang:"


def language_keyboard(current: str, prefix: str = LANGUAGE_PREFIX) -> InlineKeyboardMarkup:
    """One button per language, each named in its own language; `prefix` picks the handler
    (onboarding and /instellingen use their own, to re-check the step the press belongs to)."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + t(code, "language.name"),
            callback_data=f"{prefix}{code}",
        )
        for code in LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons])


# --- shared buttons (their handlers live in the feature modules named) -----------------------

MENU_PREFIX = (
    "menu:"  # menu:vraag / menu:aanbod / menu:buurt / menu:mijn  -> bot/handlers/posting.py
)
BLOCK_PREFIX = "blk:"  # blk:p:<post id> (its author) / blk:i:<invitation id> -> control.py
REPORT_PREFIX = "rep:"  # rep:p:<post id>  -> bot/handlers/control.py


def main_menu_keyboard(language: str) -> InlineKeyboardMarkup:
    """The everyday actions, shown after onboarding and wherever a person may want to go on."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(language, "menu.ask"), callback_data=f"{MENU_PREFIX}vraag"),
                InlineKeyboardButton(
                    t(language, "menu.offer"), callback_data=f"{MENU_PREFIX}aanbod"
                ),
            ],
            [
                InlineKeyboardButton(
                    t(language, "menu.look"), callback_data=f"{MENU_PREFIX}buurt"
                ),
                InlineKeyboardButton(t(language, "menu.mine"), callback_data=f"{MENU_PREFIX}mijn"),
            ],
        ]
    )


def block_post_author_button(language: str, post_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(language, "button.block"), callback_data=f"{BLOCK_PREFIX}p:{post_id}"
    )


def block_responder_button(language: str, invitation_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(language, "button.block"), callback_data=f"{BLOCK_PREFIX}i:{invitation_id}"
    )


def report_post_button(language: str, post_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(language, "button.report"), callback_data=f"{REPORT_PREFIX}p:{post_id}"
    )
