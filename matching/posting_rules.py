"""The few limits on posting a request or offer, and how a typed text is tidied before saving.

The limits protect the neighbourhood from floods and mistakes, not from people: they are high
enough that ordinary asking never meets them, and the bot words them calmly.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

# Long enough for "what, when, anything to know"; short enough to read on a phone.
MAX_TEXT_LENGTH: Final = 500
# Open requests and offers one person may have at a time.
MAX_OPEN_POSTS: Final = 5
# At most FLOOD_MAX_POSTS new posts within FLOOD_WINDOW (withdrawn ones count too).
FLOOD_MAX_POSTS: Final = 3
FLOOD_WINDOW: Final = timedelta(minutes=10)

_KEPT_CONTROLS: Final = frozenset("\n\t")
_BLANK_LINES: Final = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


class Hold(StrEnum):
    """Why a new post cannot be placed right now."""

    TOO_MANY_OPEN = "too_many_open"
    TOO_FAST = "too_fast"


def clean_text(text: str) -> str:
    """`text` without invisible control characters and surrounding space, with at most one
    empty line in a row. Control characters (a NUL, say) have no place in a post and some
    databases refuse them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        char
        for char in text
        if char in _KEPT_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs")
    )
    return _BLANK_LINES.sub("\n\n", kept).strip()


def is_too_long(text: str) -> bool:
    return len(text) > MAX_TEXT_LENGTH


def flood_window_start(now: datetime) -> datetime:
    """Posts created from this moment on count towards the flood limit."""
    return now - FLOOD_WINDOW


def posting_hold(*, open_posts: int, recent_posts: int) -> Hold | None:
    """Whether a new post must wait: too many open ones, or too many just now; else None."""
    if open_posts >= MAX_OPEN_POSTS:
        return Hold.TOO_MANY_OPEN
    if recent_posts >= FLOOD_MAX_POSTS:
        return Hold.TOO_FAST
    return None
