"""Pause presets end when the person expects, and an ended pause is over by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matching.pause import PauseLength, add_month, is_paused, pause_end

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_until_resumed_has_no_end() -> None:
    assert pause_end(PauseLength.UNTIL_RESUMED, NOW) is None


def test_a_week_is_seven_days() -> None:
    assert pause_end(PauseLength.WEEK, NOW) == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_a_month_is_the_same_day_next_month() -> None:
    assert pause_end(PauseLength.MONTH, NOW) == datetime(2026, 12, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 12, 15, tzinfo=UTC), datetime(2027, 1, 15, tzinfo=UTC)),
        (datetime(2027, 1, 31, tzinfo=UTC), datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2028, 1, 30, tzinfo=UTC), datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 8, 31, 23, 30, tzinfo=UTC), datetime(2026, 9, 30, 23, 30, tzinfo=UTC)),
    ],
)
def test_months_of_different_lengths(start: datetime, end: datetime) -> None:
    assert add_month(start) == end


@pytest.mark.parametrize(
    ("paused", "paused_until", "expected"),
    [
        (False, None, False),
        (True, None, True),
        (True, NOW + timedelta(seconds=1), True),
        (True, NOW, False),
        (True, NOW - timedelta(days=1), False),
    ],
)
def test_is_paused(paused: bool, paused_until: datetime | None, expected: bool) -> None:
    assert is_paused(paused=paused, paused_until=paused_until, now=NOW) is expected
