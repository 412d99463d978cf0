"""When a request is for: one window of time read from free text.

`parse_time_window("Wie kan zaterdagochtend helpen?", now)` gives Saturday 08:00-12:00. The bot
shows the reading and the person confirms or changes it with buttons, so a wrong guess costs a
tap; a guess where the text names no time would cost more, so when in doubt this returns None.

Rules, in the words of the product brief:

- Windows never start in the past: a window for today starts at `now` when its start has
  passed, and a window that has entirely passed ("vanochtend" in the evening) is None.
- A weekday name means the next such day, never today: "woensdag" said on a Wednesday is next
  week's. Only "vandaag"/"today" means today.
- A clock time without a day is today if it is still to come, else tomorrow.
- "morgen" alone is tomorrow; "morgenochtend" is tomorrow morning, "zaterdagmorgen" Saturday
  morning.
- A time on the clock is a short window (POINT_DURATION) starting then.
- Clock hours 1 to 7 without am/pm or a part of the day are afternoon hours (see
  LATEST_AMBIGUOUS_PM_HOUR).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from matching.calendar_dates import DEFAULT_LANGUAGES, DateUnit
from matching.calendar_dates import warm_up as _warm_up_dateparser
from matching.time_phrases import (
    PART_OF_DAY_HOURS,
    ClockTime,
    Meridiem,
    PartOfDay,
    Scope,
    TimePhrases,
    read_time_phrases,
)

__all__ = [
    "DAY_END",
    "DAY_START",
    "LATEST_AMBIGUOUS_PM_HOUR",
    "PART_OF_DAY_HOURS",
    "POINT_DURATION",
    "PartOfDay",
    "TimeWindow",
    "WindowKind",
    "parse_time_window",
    "warm_up",
]


class WindowKind(StrEnum):
    """What kind of time the text named; the bot words its confirmation after it."""

    POINT = "point"  # "morgen om 3 uur", "over een uur"
    TIME_RANGE = "time_range"  # "zaterdag tussen 10 en 12", "na 3 uur"
    PART_OF_DAY = "part_of_day"  # "morgenochtend", "vanavond"
    DAY = "day"  # "zaterdag", "1 december"
    DAYS = "days"  # "zaterdag of zondag", "morgen of overmorgen"
    WEEKEND = "weekend"  # "dit weekend"
    WEEK = "week"  # "volgende week", "over 2 weken"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A stretch of time, start < end, both aware and in the time zone of the `now` given."""

    start: datetime
    end: datetime
    kind: WindowKind
    part_of_day: PartOfDay | None = None


POINT_DURATION: Final = timedelta(hours=1)
# Nobody asks a neighbour to come at 3 at night: "om 3 uur" is 15:00, "om 8 uur" is 08:00.
LATEST_AMBIGUOUS_PM_HOUR: Final = 7
# Open clock ranges ("na 3 uur", "voor 12 uur") begin or end where a neighbour's day does.
DAY_START: Final = PART_OF_DAY_HOURS[PartOfDay.MORNING][0]
DAY_END: Final = PART_OF_DAY_HOURS[PartOfDay.EVENING][1]
_ONE_DAY: Final = timedelta(days=1)
_ONE_WEEK: Final = timedelta(days=7)
_SATURDAY: Final = 5


def warm_up() -> None:
    """Load dateparser's data now, so the first message someone sends is not the slow one."""
    _warm_up_dateparser()


def parse_time_window(
    text: str, now: datetime, language_hint: str | None = None
) -> TimeWindow | None:
    """Read when `text` asks for, as a window from `now` on; None when it names no time.

    `now` must be timezone-aware; the window is in its time zone. `language_hint` ("nl", "en")
    is the person's language, tried first; both are always understood.
    """
    zone = now.tzinfo
    if zone is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    found = read_time_phrases(text, now, _languages(language_hint))
    window = _window(found, now, zone)
    return _from(now, window) if window is not None else None


def _languages(language_hint: str | None) -> tuple[str, ...]:
    hint = (language_hint or "")[:2].casefold()
    if hint not in DEFAULT_LANGUAGES:
        return DEFAULT_LANGUAGES
    return (hint, *(language for language in DEFAULT_LANGUAGES if language != hint))


def _window(found: TimePhrases, now: datetime, zone: tzinfo) -> TimeWindow | None:
    if found.offset is not None:
        # Elapsed time, not wall-clock time: "over een uur" is an hour away across DST too.
        start = (now.astimezone(UTC) + found.offset).astimezone(zone)
        return TimeWindow(start, start + POINT_DURATION, WindowKind.POINT)
    windows = [
        window
        for day in _named_days(found, now.date())
        if (window := _on_day(day, found, zone)) is not None
    ]
    windows.extend(_named_weeks(found, now.date(), zone))
    if windows:
        return _spanning(windows)
    if found.clock is None and found.clock_range is None and not found.parts:
        return None
    today = _on_day(now.date(), found, zone)
    if today is None:
        return None
    passed = (
        today.start.timestamp() < now.timestamp()
        if today.kind is WindowKind.POINT
        else today.end.timestamp() <= now.timestamp()
    )
    return _on_day(now.date() + _ONE_DAY, found, zone) if passed else today


def _spanning(windows: list[TimeWindow]) -> TimeWindow:
    if len(windows) == 1:
        return windows[0]
    return TimeWindow(
        min(window.start for window in windows),
        max(window.end for window in windows),
        WindowKind.DAYS,
    )


def _from(now: datetime, window: TimeWindow) -> TimeWindow | None:
    """`window` without the part before `now`; None if nothing of it is left.

    Compared as instants, not as wall-clock times (which is what Python does for datetimes in
    one time zone): in the hour the clocks go back, 02:15 can come after 02:30.
    """
    start = window.start if window.start.timestamp() >= now.timestamp() else now
    if window.end.timestamp() <= start.timestamp():
        return None
    return replace(window, start=start)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _scope_monday(scope: Scope, today: date) -> date:
    """The Monday of the week a scope lies in."""
    this_week = _monday(today)
    return this_week + _ONE_WEEK if scope in {Scope.NEXT_WEEK, Scope.NEXT_WEEKEND} else this_week


def _named_days(found: TimePhrases, today: date) -> list[date]:
    """The days the text names: dates, "morgen", weekdays (within a named week, if any)."""
    if found.dates:
        # A written date is the most precise thing people give; a weekday next to it
        # ("zaterdag 28 november") only repeats it.
        return sorted({mention.day for mention in found.dates if mention.unit is DateUnit.DAY})
    days = {today + timedelta(days=offset) for offset in found.days_from_today}
    for weekday in found.weekdays:
        if found.scopes:
            days.update(
                _scope_monday(scope, today) + timedelta(days=weekday) for scope in found.scopes
            )
        elif not (weekday == today.weekday() and 0 in found.days_from_today):
            days.add(today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1))
    return sorted(days)


def _named_weeks(found: TimePhrases, today: date, zone: tzinfo) -> list[TimeWindow]:
    """Windows for "deze week", "dit weekend", "over 2 weken" (unless a weekday narrowed them)."""
    weeks = [
        TimeWindow(_midnight(monday, zone), _midnight(monday + _ONE_WEEK, zone), WindowKind.WEEK)
        for monday in sorted(
            {_monday(mention.day) for mention in found.dates if mention.unit is DateUnit.WEEK}
        )
    ]
    if found.weekdays or found.dates:
        return weeks
    for scope in sorted(found.scopes):
        monday = _scope_monday(scope, today)
        if scope in {Scope.THIS_WEEKEND, Scope.NEXT_WEEKEND}:
            saturday = monday + timedelta(days=_SATURDAY)
            start, end, kind = saturday, saturday + 2 * _ONE_DAY, WindowKind.WEEKEND
        else:
            start, end, kind = monday, monday + _ONE_WEEK, WindowKind.WEEK
        weeks.append(TimeWindow(_midnight(start, zone), _midnight(end, zone), kind))
    return weeks


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _at(day: date, moment: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _hour_of(clock: ClockTime, part: PartOfDay | None) -> int:
    """The hour on a 24-hour clock that `clock` means, given the part of the day named."""
    hour = clock.hour
    if clock.meridiem is Meridiem.AM:
        return 0 if hour == 12 else hour
    if clock.meridiem is Meridiem.PM:
        return hour if hour == 12 else hour + 12
    if hour >= 12 or hour == 0 or part is PartOfDay.MORNING:
        return hour
    if part in {PartOfDay.AFTERNOON, PartOfDay.EVENING}:
        return hour + 12
    return hour + 12 if hour <= LATEST_AMBIGUOUS_PM_HOUR else hour


def _time_of(clock: ClockTime, part: PartOfDay | None) -> time:
    return time(_hour_of(clock, part), clock.minute)


def _on_day(day: date, found: TimePhrases, zone: tzinfo) -> TimeWindow | None:
    """The window on `day` that the clock time, range or part of the day names."""
    part = next(iter(found.parts)) if len(found.parts) == 1 else None
    if found.clock_range is not None:
        return _range_on(day, found.clock_range, part, zone)
    if found.clock is not None:
        start = _at(day, _time_of(found.clock, part), zone)
        return TimeWindow(start, start + POINT_DURATION, WindowKind.POINT, part)
    if found.parts:
        hours = [PART_OF_DAY_HOURS[named] for named in found.parts]
        start = _at(day, min(begin for begin, _end in hours), zone)
        end = _at(day, max(end for _begin, end in hours), zone)
        return TimeWindow(start, end, WindowKind.PART_OF_DAY, part)
    return TimeWindow(_midnight(day, zone), _midnight(day + _ONE_DAY, zone), WindowKind.DAY)


def _range_on(
    day: date,
    clock_range: tuple[ClockTime | None, ClockTime | None],
    part: PartOfDay | None,
    zone: tzinfo,
) -> TimeWindow | None:
    first, last = clock_range
    default_start, default_end = PART_OF_DAY_HOURS[part] if part else (DAY_START, DAY_END)
    start_time = _time_of(first, part) if first else default_start
    end_time = _time_of(last, part) if last else default_end
    # "8-10 pm": the pm of the end holds for the start as well.
    if first and last and first.meridiem is None and last.meridiem is Meridiem.PM:
        evening_start = start_time.hour + 12
        if start_time.hour < 12 and evening_start < end_time.hour:
            start_time = start_time.replace(hour=evening_start)
    start, end = _at(day, start_time, zone), _at(day, end_time, zone)
    if end <= start and last is None:
        end = start + POINT_DURATION  # "na 23 uur": later than a neighbour's day goes
    elif end <= start and last is not None and last.meridiem is None and end_time.hour < 12:
        end += timedelta(hours=12)  # "tussen 11 en 1"
    if end <= start:
        return None
    return TimeWindow(start, end, WindowKind.TIME_RANGE, part)
