"""The building blocks of eligibility: pace windows and quiet-hour clocks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Exclusion, why_not
from matching.pace import INVITATION_HISTORY, PACE_CAPS, Pace, pace_allows, pace_free_at
from matching.quiet_hours import is_quiet, parse_clock, quiet_ends_at
from tests.matching.engine_factories import AMSTERDAM, NOW, candidate, request

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def test_the_caps_are_the_documented_ones() -> None:
    assert {pace: (cap.limit, cap.window) for pace, cap in PACE_CAPS.items()} == {
        Pace.NEVER: (0, None),
        Pace.ONCE: (1, None),
        Pace.MONTHLY: (1, timedelta(days=30)),
        Pace.WEEKLY: (1, timedelta(days=7)),
        Pace.WHENEVER: (3, timedelta(hours=24)),
    }
    assert timedelta(days=30) == INVITATION_HISTORY


@pytest.mark.parametrize(
    ("pace", "ago", "free_in"),
    [
        (Pace.NEVER, (), None),
        (Pace.ONCE, (), timedelta(0)),
        (Pace.ONCE, (3 * DAY,), None),
        (Pace.WEEKLY, (), timedelta(0)),
        (Pace.WEEKLY, (2 * DAY,), 5 * DAY),
        (Pace.WEEKLY, (2 * DAY, 9 * DAY), 5 * DAY),
        (Pace.MONTHLY, (10 * DAY,), 20 * DAY),
        (Pace.WHENEVER, (HOUR, 2 * HOUR), timedelta(0)),
        (Pace.WHENEVER, (HOUR, 2 * HOUR, 3 * HOUR), 21 * HOUR),  # when the oldest leaves
        (Pace.WHENEVER, (HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR), 21 * HOUR),  # two must leave
    ],
)
def test_pace_free_at_is_when_the_window_has_room_again(
    pace: Pace, ago: tuple[timedelta, ...], free_in: timedelta | None
) -> None:
    received = [NOW - delta for delta in ago]
    free = pace_free_at(pace, received, ever_invited=bool(received), now=NOW)
    assert free == (None if free_in is None else NOW + free_in)
    if free is not None:
        assert pace_allows(pace, received, ever_invited=bool(received), now=free)
        if free > NOW:
            before = free - timedelta(microseconds=1)
            assert not pace_allows(pace, received, ever_invited=bool(received), now=before)


instants = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=200, deadline=None)
@given(
    pace=st.sampled_from(list(Pace)),
    received=st.lists(st.integers(0, 40 * 24 * 60), max_size=5),
    ever=st.booleans(),
)
def test_the_engine_applies_exactly_the_pace_rule(
    pace: Pace, received: list[int], ever: bool
) -> None:
    times = tuple(NOW - timedelta(minutes=minutes) for minutes in received)
    last = max(times, default=NOW - 100 * DAY if ever else None)
    person = candidate(pace=pace, invitations_received=times, last_invited_at=last)
    allowed = pace_allows(pace, times, ever_invited=person.ever_invited, now=NOW)
    reason = why_not(person, request(), now=NOW)
    assert (reason is None) is allowed
    if not allowed:
        assert reason in {Exclusion.PACE_NEVER, Exclusion.PACE_USED, Exclusion.PACE_CAP}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("21:00", time(21)), ("8:00", time(8)), ("00:00", time(0)), ("23:59", time(23, 59))],
)
def test_clock_times_are_read_as_hh_mm(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "noon", "", "12", "12:5", "-1:00"])
def test_anything_else_is_not_a_clock_time(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock(text)


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("start", "end", "local_now", "local_end"),
    [
        ("21:00", "08:00", local(2026, 11, 25, 23, 0), local(2026, 11, 26, 8, 0)),
        ("21:00", "08:00", local(2026, 11, 26, 7, 0), local(2026, 11, 26, 8, 0)),
        ("21:00", "08:00", local(2026, 11, 26, 12, 0), local(2026, 11, 26, 12, 0)),
        ("09:00", "17:00", local(2026, 11, 26, 12, 0), local(2026, 11, 26, 17, 0)),
        ("08:00", "08:00", local(2026, 11, 26, 3, 0), local(2026, 11, 26, 3, 0)),
        # The night summer time starts, 02:00 becomes 03:00: quiet hours still end at 09:00.
        ("22:00", "09:00", local(2026, 3, 29, 1, 0), local(2026, 3, 29, 9, 0)),
    ],
)
def test_quiet_hours_end_at_the_next_end_time_on_the_local_clock(
    start: str, end: str, local_now: datetime, local_end: datetime
) -> None:
    ends = quiet_ends_at(start, end, "Europe/Amsterdam", local_now)
    assert ends == local_end
    assert ends.tzinfo is UTC
    assert not is_quiet(start, end, "Europe/Amsterdam", ends)


def test_an_end_time_skipped_by_summer_time_ends_quiet_hours_late_never_early() -> None:
    # 02:30 does not exist on 29 March 2026 in Amsterdam.
    now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
    ends = quiet_ends_at("22:00", "02:30", "Europe/Amsterdam", now)
    jump = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert jump <= ends <= jump + HOUR
    assert not is_quiet("22:00", "02:30", "Europe/Amsterdam", ends)


def test_an_end_time_that_happens_twice_still_moves_forward() -> None:
    # On 25 October 2026 02:00-03:00 happens twice in Amsterdam. At the second 02:15 the
    # first 02:30 has passed already; the answer must still lie ahead.
    second_0215 = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)
    assert second_0215.astimezone(AMSTERDAM).hour == 2
    ends = quiet_ends_at("22:00", "02:30", "Europe/Amsterdam", second_0215)
    assert ends > second_0215
    assert ends == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(
    now=instants,
    start=st.sampled_from(["21:00", "22:30", "00:00", "09:00", "02:30", "08:00"]),
    end=st.sampled_from(["08:00", "07:00", "06:00", "17:00", "03:00", "08:00"]),
    zone=st.sampled_from(["Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "UTC"]),
)
def test_quiet_hours_always_end_ahead_and_within_a_day(
    now: datetime, start: str, end: str, zone: str
) -> None:
    ends = quiet_ends_at(start, end, zone, now)
    if is_quiet(start, end, zone, now):
        assert now < ends <= now + DAY + HOUR
        assert not is_quiet(start, end, zone, ends)
    else:
        assert ends == now
