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

from matching.text import words as text_words

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


# Words that say something is asked or offered, in Dutch and English: one of these and the
# text is a real post, even when no category fits ("Wie wil er schaken?").
_CONTENT_WORDS: Final = frozenset(
    [
        "wie",
        "kan",
        "kun",
        "iemand",
        "mij",
        "mijn",
        "me",
        "ik",
        "wil",
        "zoek",
        "zoekt",
        "gezocht",
        "nodig",
        "hulp",
        "help",
        "helpen",
        "graag",
        "lenen",
        "leen",
        "bied",
        "aan",
        "heb",
        "hebben",
        "doen",
        "maken",
        "samen",
        "bij",
        "met",
        "voor",
        "naar",
        "who",
        "can",
        "could",
        "anyone",
        "someone",
        "my",
        "need",
        "needed",
        "help",
        "please",
        "offer",
        "lend",
        "borrow",
        "have",
        "with",
        "for",
    ]
)
# On their own these are a greeting or a test, not a request.
_NOT_CONTENT: Final = frozenset(
    [
        "hallo",
        "hoi",
        "hey",
        "hi",
        "hello",
        "test",
        "testen",
        "testing",
        "ok",
        "oke",
        "okay",
        "ja",
        "nee",
        "yes",
        "no",
        "bla",
        "blabla",
        "hmm",
    ]
)
_KEYBOARD_ROWS: Final = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS: Final = frozenset("aeiouy")
# Texts of this many words are a sentence, whatever they say.
_SENTENCE_WORDS: Final = 3


def _is_mash(word: str) -> bool:
    """A word that is keys rather than language: no vowel, one keyboard row, one letter
    repeated, or one or two letters."""
    if not word.isascii() or not word.isalpha():
        return not any(char.isalpha() for char in word)  # digits only; other scripts are kept
    if len(word) < 3 or len(set(word)) == 1 or not _VOWELS & set(word):
        return True
    return any(set(word) <= set(row) for row in _KEYBOARD_ROWS)


def has_content(text: str, *, category_found: bool, time_found: bool) -> bool:
    """Whether typed words say something a neighbour could act on. False for keyboard mash
    ("asdf"), a greeting or a test on its own; kept simple and generous: a category or a time
    read from the words, a word like "wie", "lenen" or "help", or a short sentence is enough."""
    found = text_words(text)
    if not found:
        return False
    if category_found or time_found or len(found) >= _SENTENCE_WORDS:
        return True
    if any(word in _CONTENT_WORDS for word in found):
        return True
    return not all(word in _NOT_CONTENT or _is_mash(word) for word in found)


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
