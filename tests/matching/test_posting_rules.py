"""The limits on posting, and how typed text is tidied before it is saved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matching.categories import suggest_category
from matching.posting_rules import (
    FLOOD_MAX_POSTS,
    FLOOD_WINDOW,
    MAX_OPEN_POSTS,
    MAX_TEXT_LENGTH,
    Hold,
    clean_text,
    flood_window_start,
    has_content,
    is_too_long,
    posting_hold,
)
from matching.timewindow import parse_time_window


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Wie kan helpen?  ", "Wie kan helpen?"),
        ("a\x00b\x07c", "abc"),
        ("regel 1\r\nregel 2", "regel 1\nregel 2"),
        ("één\n\n\n\n\ntwee", "één\n\ntwee"),
        ("tab\there", "tab\there"),
        ("<b>&</b> 🪜 مرحبا", "<b>&</b> 🪜 مرحبا"),
        ("\u200f\u202eRTL marks stay", "\u200f\u202eRTL marks stay"),
        ("\x00\x01 \n", ""),
    ],
)
def test_clean_text(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


def test_length_limit_is_inclusive() -> None:
    assert not is_too_long("x" * MAX_TEXT_LENGTH)
    assert is_too_long("x" * (MAX_TEXT_LENGTH + 1))


@pytest.mark.parametrize(
    ("open_posts", "recent_posts", "hold"),
    [
        (0, 0, None),
        (MAX_OPEN_POSTS - 1, FLOOD_MAX_POSTS - 1, None),
        (MAX_OPEN_POSTS, 0, Hold.TOO_MANY_OPEN),
        (0, FLOOD_MAX_POSTS, Hold.TOO_FAST),
        (MAX_OPEN_POSTS, FLOOD_MAX_POSTS, Hold.TOO_MANY_OPEN),
    ],
)
def test_posting_hold(open_posts: int, recent_posts: int, hold: Hold | None) -> None:
    assert posting_hold(open_posts=open_posts, recent_posts=recent_posts) == hold


def test_flood_window_reaches_back_from_now() -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert flood_window_start(now) == now - FLOOD_WINDOW


def _content(text: str, language: str = "nl") -> bool:
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    return has_content(
        text,
        category_found=suggest_category(text) is not None,
        time_found=parse_time_window(text, now, language) is not None,
    )


@pytest.mark.parametrize(
    "typed",
    [
        "Wie kan zaterdag mijn boodschappen doen?",
        "Ladder lenen",
        "Boormachine",
        "Hond uitlaten",
        "Kat voeren",
        "Taalmaatje",
        "Oppas",
        "Schaken?",
        "Koffie drinken",
        "Fiets maken",
        "Formulier invullen",
        "Lift naar het ziekenhuis",
        "Hulp met de computer",
        "Iemand voor de tuin",
        "Morgen boodschappen",
        "Need a drill",
        "Dog walking",
        "Help moving a couch",
        "Borrow a ladder",
        "Lift to the station",
        "Cat sitter",
        "Groceries",
        "مساعدة في التسوق",
    ],
)
def test_real_short_requests_have_content(typed: str) -> None:
    assert _content(typed), typed


@pytest.mark.parametrize(
    "typed",
    [
        "asdf",
        "ASDF!!",
        "qwerty",
        "jkl",
        "zxcv",
        "aaaa",
        "xxx",
        "hallo",
        "test",
        "ok",
        "?",
        "123",
        "sdfg hjkl",
        "🙂",
    ],
)
def test_keyboard_mash_greetings_and_tests_have_none(typed: str) -> None:
    assert not _content(typed), typed
