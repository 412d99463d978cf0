"""The limits on posting, and how typed text is tidied before it is saved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matching.posting_rules import (
    FLOOD_MAX_POSTS,
    FLOOD_WINDOW,
    MAX_OPEN_POSTS,
    MAX_TEXT_LENGTH,
    Hold,
    clean_text,
    flood_window_start,
    is_too_long,
    posting_hold,
)


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
