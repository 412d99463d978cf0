"""How posts are worded: category names for every category, times, distances, names."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import t
from bot.post_views import (
    CATEGORY_NAMES,
    category_name,
    describe_window,
    distance_text,
    first_name,
    known_category,
    shortened,
)
from bot.settings import LANGUAGES
from matching.categories import CATEGORY_KEYS
from matching.distance import NEARBY, RoughDistance
from tests.bot.test_i18n import catalogue_entries

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=AMSTERDAM)  # a Wednesday


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def test_every_category_has_a_name_in_every_language() -> None:
    assert set(CATEGORY_NAMES) == set(CATEGORY_KEYS)
    for language in LANGUAGES:
        known = catalogue_entries(language)
        for key in CATEGORY_KEYS:
            assert f"category.{key}" in known, (language, key)
            assert CATEGORY_NAMES[key] == f"category.{key}"
    names = [category_name("nl", key) for key in CATEGORY_KEYS]
    assert len(set(names)) == len(names), "two categories with one name cannot be told apart"


def test_unknown_categories_read_as_something_else() -> None:
    assert known_category("groceries") == "groceries"
    assert known_category("nonsense") == known_category(None) == "other"
    assert category_name("en", "nonsense") == t("en", "category.other")


@pytest.mark.parametrize(
    ("start", "end", "nl", "en"),
    [
        (None, None, "geen vaste tijd", "no particular time"),
        ("2026-11-28 00:00", "2026-11-29 00:00", "zaterdag 28 november", "Saturday 28 November"),
        ("2026-11-25 10:00", "2026-11-26 00:00", "vandaag", "today"),
        ("2026-11-26 00:00", "2026-11-27 00:00", "morgen", "tomorrow"),
        ("2026-11-26 08:00", "2026-11-26 12:00", "morgen, 08:00–12:00", "tomorrow, 08:00–12:00"),
        (
            "2026-11-28 00:00",
            "2026-11-30 00:00",
            "zaterdag 28 november tot en met zondag 29 november",
            "Saturday 28 November to Sunday 29 November",
        ),
        (
            "2026-11-25 10:00",
            "2026-12-03 00:00",
            "vandaag tot en met woensdag 2 december",
            "today to Wednesday 2 December",
        ),
    ],
)
def test_describe_window(start: str | None, end: str | None, nl: str, en: str) -> None:
    window = (None, None) if start is None or end is None else (local(start), local(end))
    assert describe_window("nl", *window, now=NOW, zone=AMSTERDAM) == nl
    assert describe_window("en", *window, now=NOW, zone=AMSTERDAM) == en


def test_windows_stored_in_utc_are_shown_on_the_local_clock() -> None:
    start = local("2026-11-26 08:00").astimezone(ZoneInfo("UTC"))
    end = local("2026-11-26 12:00").astimezone(ZoneInfo("UTC"))
    assert describe_window("nl", start, end, now=NOW, zone=AMSTERDAM) == "morgen, 08:00–12:00"


def test_distances() -> None:
    assert distance_text("nl", NEARBY) == "in je buurt"
    assert distance_text("nl", RoughDistance(False, 3)) == "~3 km"
    assert distance_text("en", None) is None


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Anna Maria de Vries", "Anna"), ("  Ben ", "Ben"), ("", "Een buur"), ("x" * 80, "x" * 32)],
)
def test_only_a_first_name_is_shown(name: str, shown: str) -> None:
    assert first_name("nl", name) == shown


def test_shortened_texts_end_at_a_word() -> None:
    assert shortened("kort") == "kort"
    assert shortened("een\nregel   met ruimte") == "een regel met ruimte"
    long = "woord " * 30
    cut = shortened(long, 20)
    assert cut == "woord woord woord…"
    assert shortened("x" * 30, 10) == "x" * 10 + "…"
