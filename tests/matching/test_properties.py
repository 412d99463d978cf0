"""Properties that hold for any text a person can send and any moment it arrives."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.categories import CATEGORY_KEYS, search_categories, suggest_category
from matching.timewindow import TimeWindow, parse_time_window

TELEGRAM_MAX_MESSAGE = 4096

ZONES = [
    ZoneInfo("Europe/Amsterdam"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
    UTC,
]

# Pieces of time phrases and of the words around them, so that generated texts hit the
# parsers' corners (ranges, compounds, numbers next to units) far more often than random text.
_FRAGMENT_LIST = """
    morgen vandaag overmorgen vanavond vanmiddag vanochtend ochtend middag avond 's avonds
    zaterdag zatedag zondagochtend maandagmorgen vrijdags volgende week deze dit weekend next
    this tonight tomorrow morning afternoon evening om at rond tussen en van tot na voor vanaf
    before after half kwart over in uur minuten hours minutes dagen weken days weeks pm am
    1 3 7 12 13 23 24 0 99 9999 00 15:30 14.00 10-12 2/12 1-12 25-12-2026 1e december dec mei
    een twee drie twaalf anderhalf kwartier o'clock noon boodschappen ladder te leen hond
    koffie computr grocerys - / : . ! ? , 🙂 👍🏽 مرحبا עברית ﷽ ß Ω
"""
# Plus a right-to-left override, written as an escape so the source reads as it runs.
FRAGMENTS = [*_FRAGMENT_LIST.split(), "\u202e"]

phrases = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=12).map(" ".join)
texts = st.text(max_size=300) | phrases
moments = st.datetimes(
    min_value=datetime(2001, 1, 1),  # noqa: DTZ001 - bounds are naive by hypothesis' design
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from(ZONES),
    allow_imaginary=False,
)


def assert_well_formed(window: TimeWindow, now: datetime) -> None:
    # Compared as instants: within one zone Python compares wall clocks, which repeat an hour
    # when the clocks go back.
    assert window.start.timestamp() < window.end.timestamp()
    assert window.start.timestamp() >= now.timestamp()
    assert window.start.tzinfo is now.tzinfo
    assert window.end.tzinfo is now.tzinfo


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_category_guessing_never_fails(text: str) -> None:
    guess = suggest_category(text)
    if guess is not None:
        assert guess.key in CATEGORY_KEYS
        assert 0.0 <= guess.score <= 100.0
    for found in search_categories(text):
        assert found.key in CATEGORY_KEYS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, now=moments)
def test_time_windows_are_well_formed_or_absent(text: str, now: datetime) -> None:
    window = parse_time_window(text, now)
    if window is not None:
        assert_well_formed(window, now)


LONG_TEXTS = [
    "🙂" * TELEGRAM_MAX_MESSAGE,
    ("مرحبا يا جار، هل يمكنك مساعدتي؟ " * 200)[:TELEGRAM_MAX_MESSAGE],
    ("\u202eזה טקסט מימין לשמאל 12:00 " * 200)[:TELEGRAM_MAX_MESSAGE],
    ("Wie kan zaterdag om 3 uur mijn boodschappen doen? 1 december 2/12 " * 80)[
        :TELEGRAM_MAX_MESSAGE
    ],
    ("9" * TELEGRAM_MAX_MESSAGE),
    ("1-" * (TELEGRAM_MAX_MESSAGE // 2)),
]


@pytest.mark.parametrize("text", LONG_TEXTS, ids=range(len(LONG_TEXTS)))
def test_the_longest_messages_are_read_without_failing(text: str) -> None:
    now = datetime(2026, 11, 25, 10, 0, tzinfo=ZONES[0])
    assert len(text) <= TELEGRAM_MAX_MESSAGE
    window = parse_time_window(text, now)
    if window is not None:
        assert_well_formed(window, now)
    guess = suggest_category(text)
    assert guess is None or guess.key in CATEGORY_KEYS
