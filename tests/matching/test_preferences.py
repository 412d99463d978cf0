"""Quiet-hours choices and toggling liked activities."""

from __future__ import annotations

import pytest

from matching.categories import CATEGORY_KEYS
from matching.preferences import (
    DEFAULT_QUIET_HOURS,
    QUIET_HOURS_CHOICES,
    QuietHours,
    clean_likes,
    quiet_hours_from_code,
    toggle_like,
)


def test_the_default_quiet_hours_are_the_first_choice() -> None:
    assert QuietHours("21:00", "08:00") == DEFAULT_QUIET_HOURS
    assert QUIET_HOURS_CHOICES[0] == DEFAULT_QUIET_HOURS
    assert len(set(QUIET_HOURS_CHOICES)) == len(QUIET_HOURS_CHOICES)


def test_quiet_hours_travel_as_short_codes_and_back() -> None:
    assert DEFAULT_QUIET_HOURS.code == "2100-0800"
    for choice in QUIET_HOURS_CHOICES:
        assert quiet_hours_from_code(choice.code) == choice
        assert len(choice.code) == 9


@pytest.mark.parametrize("code", ["", "0000-2359", "2100", "21:00-08:00", "2100-0800-x"])
def test_quiet_hours_that_were_not_offered_are_refused(code: str) -> None:
    assert quiet_hours_from_code(code) is None


def test_toggling_adds_then_removes_and_keeps_catalogue_order() -> None:
    likes = toggle_like([], "pets")
    likes = toggle_like(likes, "groceries")
    assert likes == ["groceries", "pets"]
    assert toggle_like(likes, "pets") == ["groceries"]
    assert toggle_like(["groceries"], "groceries") == []


def test_toggling_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValueError, match="not a category"):
        toggle_like(["pets"], "skydiving")


def test_clean_likes_drops_unknown_and_doubled_keys() -> None:
    assert clean_likes(["pets", "skydiving", "groceries", "pets"]) == ["groceries", "pets"]
    assert clean_likes(CATEGORY_KEYS[::-1]) == list(CATEGORY_KEYS)
