"""Activities' pure rules: dates in local time across the clock changes, offer deadlines,
places left, and reading the organiser's roles."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from matching.activities import (
    Repeat,
    RoleSpec,
    occurrence_days,
    offer_deadline,
    parse_roles,
    places_left,
    read_activity_time,
    reminder_at,
    repeat_in_words,
    upcoming,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TWO_HOURS = timedelta(hours=2)


def test_a_weekly_six_oclock_stays_at_six_across_the_october_change() -> None:
    # Thursday 22 October 2026 is summer time; the clocks go back on Sunday 25 October.
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    found = upcoming(
        date(2026, 10, 22), time(18, 0), TWO_HOURS, Repeat.WEEKLY, None, AMSTERDAM, now
    )
    assert [one.starts_at.astimezone(AMSTERDAM).strftime("%H:%M") for one in found] == [
        "18:00"
    ] * 4
    assert found[0].starts_at == datetime(2026, 10, 22, 16, 0, tzinfo=UTC)
    assert found[1].starts_at == datetime(2026, 10, 29, 17, 0, tzinfo=UTC)


def test_a_weekly_six_oclock_stays_at_six_across_the_march_change() -> None:
    # The clocks go forward on Sunday 28 March 2027.
    now = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
    found = upcoming(
        date(2027, 3, 25), time(18, 0), TWO_HOURS, Repeat.WEEKLY, None, AMSTERDAM, now
    )
    assert found[0].starts_at == datetime(2027, 3, 25, 17, 0, tzinfo=UTC)
    assert found[1].starts_at == datetime(2027, 4, 1, 16, 0, tzinfo=UTC)
    assert all(one.ends_at - one.starts_at == TWO_HOURS for one in found)


@given(
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(min_value=8, max_value=22),
    minute=st.sampled_from([0, 15, 30, 45]),
    repeat=st.sampled_from([Repeat.WEEKLY, Repeat.BIWEEKLY]),
    weeks=st.integers(min_value=0, max_value=60),
)
def test_every_date_keeps_the_local_clock_and_weekday(
    first: date, hour: int, minute: int, repeat: Repeat, weeks: int
) -> None:
    clock = time(hour, minute)
    now = (
        datetime.combine(first, time(0, 0), tzinfo=UTC)
        + timedelta(weeks=weeks)
        - timedelta(days=1)
    )
    found = upcoming(first, clock, TWO_HOURS, repeat, None, AMSTERDAM, now)
    assert found
    step = 7 if repeat is Repeat.WEEKLY else 14
    for one in found:
        local = one.starts_at.astimezone(AMSTERDAM)
        assert local.time() == clock
        assert local.weekday() == first.weekday()
        assert (local.date() - first).days % step == 0
        assert one.starts_at > now


def test_dates_stop_at_the_until_day_and_a_fortnight_skips_a_week() -> None:
    days = occurrence_days(
        date(2026, 12, 3),
        Repeat.BIWEEKLY,
        date(2027, 1, 14),
        from_day=date(2026, 12, 1),
        to_day=date(2027, 3, 1),
    )
    assert days == [date(2026, 12, 3), date(2026, 12, 17), date(2026, 12, 31), date(2027, 1, 14)]
    one_off = occurrence_days(
        date(2026, 12, 3), Repeat.NONE, None, from_day=date(2026, 12, 1), to_day=date(2026, 12, 2)
    )
    assert one_off == []


def test_an_offer_lasts_a_day_at_most_and_ends_twelve_hours_before() -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert offer_deadline(now, now + timedelta(days=5)) == now + timedelta(hours=24)
    assert offer_deadline(now, now + timedelta(hours=30)) == now + timedelta(hours=18)
    # Close to the start: still an hour, never past the start.
    assert offer_deadline(now, now + timedelta(hours=5)) == now + timedelta(hours=1)
    assert offer_deadline(now, now + timedelta(minutes=20)) == now + timedelta(minutes=20)
    assert offer_deadline(now, now) is None


def test_places_left() -> None:
    assert places_left(8, 3) == 5
    assert places_left(8, 9) == 0
    assert places_left(None, 100) is None


def test_the_reminder_is_the_day_before_at_ten_local() -> None:
    starts = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert reminder_at(starts, AMSTERDAM) == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_roles_from_lines() -> None:
    assert parse_roles("koks 3\ngasten 8") == [RoleSpec("koks", 3), RoleSpec("gasten", 8)]
    assert parse_roles("deelnemers 10") == [RoleSpec("deelnemers", 10)]
    assert parse_roles("8 gasten; helpers onbeperkt") == [
        RoleSpec("gasten", 8),
        RoleSpec("helpers", None),
    ]
    assert parse_roles("gasten") == [RoleSpec("gasten", None)]
    assert parse_roles("") is None
    assert parse_roles("koks 0") is None
    assert parse_roles("koks 3\nkoks 4") is None


def test_repeat_in_words() -> None:
    assert repeat_in_words("elke donderdag om 18:00 tot half 9") is Repeat.WEEKLY
    assert repeat_in_words("om de week op dinsdag") is Repeat.BIWEEKLY
    assert repeat_in_words("every other Friday 6pm") is Repeat.BIWEEKLY
    assert repeat_in_words("donderdag 18:00") is Repeat.NONE


LOCAL_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=AMSTERDAM)  # a Wednesday


def test_the_time_in_words_with_an_evening_end() -> None:
    read = read_activity_time("elke donderdag om 18:00 tot half 9", LOCAL_NOW, "nl")
    assert read is not None
    assert read.starts == datetime(2026, 11, 26, 18, 0, tzinfo=AMSTERDAM)
    assert read.ends == datetime(2026, 11, 26, 20, 30, tzinfo=AMSTERDAM)
    assert read.repeat is Repeat.WEEKLY


def test_the_time_in_words_without_an_end_lasts_two_hours() -> None:
    read = read_activity_time("donderdag 18:00", LOCAL_NOW, "nl")
    assert read is not None
    assert read.ends - read.starts == TWO_HOURS
    assert read.repeat is Repeat.NONE


def test_a_day_without_a_clock_time_is_not_enough() -> None:
    assert read_activity_time("zaterdag", LOCAL_NOW, "nl") is None
    assert read_activity_time("donderdagavond", LOCAL_NOW, "nl") is None
