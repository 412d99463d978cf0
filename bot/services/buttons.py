"""Keyboards several conversations share, as plain data built with the callback codec.

Services use these for outbox messages; handlers turn them into Telegram markup with
bot.keyboards.markup. Feature-specific keyboards live with their feature.
"""

from __future__ import annotations

from bot import callbacks
from bot.i18n import t
from bot.services.markup import Button, Keyboard, keyboard
from bot.settings import LANGUAGES


def language_rows(current: str, action: callbacks.Action = callbacks.LANGUAGE) -> Keyboard:
    """One button per language, each named in its own language (✓ on the current one)."""
    return keyboard(
        [
            Button(("✓ " if code == current else "") + t(code, "language.name"), action(code))
            for code in LANGUAGES
        ]
    )


def main_menu(language: str) -> Keyboard:
    """The everyday actions, shown after onboarding and wherever a person may want to go on."""
    return keyboard(
        [
            Button(t(language, "menu.ask"), callbacks.MENU_ASK()),
            Button(t(language, "menu.offer"), callbacks.MENU_OFFER()),
        ],
        [
            Button(t(language, "menu.look"), callbacks.MENU_LOOK()),
            Button(t(language, "menu.mine"), callbacks.MENU_MINE()),
        ],
    )


def ask_or_offer(language: str) -> Keyboard:
    """For an empty list: maybe the person has something to ask or offer themselves."""
    return keyboard(
        [
            Button(t(language, "menu.ask"), callbacks.MENU_ASK()),
            Button(t(language, "menu.offer"), callbacks.MENU_OFFER()),
        ]
    )


def block_post_author(language: str, post_id: int) -> Button:
    return Button(t(language, "button.block"), callbacks.BLOCK_POST_AUTHOR(post_id))


def block_responder(language: str, invitation_id: int) -> Button:
    return Button(t(language, "button.block"), callbacks.BLOCK_RESPONDER(invitation_id))


def report_post(language: str, post_id: int) -> Button:
    return Button(t(language, "button.report"), callbacks.REPORT_POST(post_id))
