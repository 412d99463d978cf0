"""Buttons as plain data, so services can build keyboards without importing Telegram.

The handlers turn a Keyboard into Telegram's InlineKeyboardMarkup (bot/keyboards.py); the
outbox stores it as the same JSON Telegram expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Button:
    label: str
    data: str
    # A link button (a deep link into the private chat) instead of callback data.
    url: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Screen:
    """A message: its text and its buttons. `remember` names the dialog whose buttons these
    are (the handler has its message id stored once it is sent)."""

    text: str
    keyboard: Keyboard | None = None
    remember: str | None = None


def keyboard(*rows: list[Button] | tuple[Button, ...]) -> Keyboard:
    return tuple(tuple(row) for row in rows if row)


def to_json(rows: Keyboard | None) -> dict[str, Any] | None:
    """The Bot API's inline_keyboard JSON, as stored in the outbox."""
    if rows is None:
        return None
    return {
        "inline_keyboard": [
            [
                {"text": button.label, "url": button.url}
                if button.url
                else {"text": button.label, "callback_data": button.data}
                for button in row
            ]
            for row in rows
        ]
    }
