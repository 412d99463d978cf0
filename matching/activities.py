"""Activities' rules, without a database: when the dates are, how long an offered place is
kept, how many places are left, and reading the organiser's roles.

A repeating activity keeps its local clock time: "elke donderdag 18:00" is 18:00 in
Europe/Amsterdam on every date, also after the clock changes in March and October, so the UTC
moment of its dates moves by an hour then. Every moment passed in or returned is
timezone-aware; local days and clock times are read in the zone given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from matching.timewindow import WindowKind, parse_time_window


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


STEP: Final[dict[Repeat, int]] = {Repeat.WEEKLY: 7, Repeat.BIWEEKLY: 14}
# Dates of a repeating activity exist this far ahead (sign-up opens for them).
HORIZON: Final = timedelta(weeks=4)
# An offered place is kept for at most this long, and never later than this before the start.
OFFER_AT_MOST: Final = timedelta(hours=24)
OFFER_BEFORE_START: Final = timedelta(hours=12)
# Close to the start an offer still gets at least this long (but never past the start).
OFFER_AT_LEAST: Final = timedelta(hours=1)
# The reminder goes out on the day before, at this local hour (a friendly one).
REMINDER_HOUR: Final = time(10, 0)
MAX_ROLES: Final = 5
MAX_CAPACITY: Final = 500


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    ends_at: datetime


def local_moment(day: date, clock: time, zone: tzinfo) -> datetime:
    """The moment a local clock time on a local day is (the zone's offset on that day).

    A time that does not exist (in the hour skipped in March) moves forward with the clock."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    # Round trip through UTC: a non-existent local time comes back normalised.
    return moment.astimezone(zone)


def occurrence(day: date, clock: time, duration: timedelta, zone: tzinfo) -> Occurrence:
    start = local_moment(day, clock, zone)
    end = (start + duration).astimezone(zone)
    return Occurrence(start, end)


def occurrence_days(
    first_day: date, repeat: Repeat, until: date | None, *, from_day: date, to_day: date
) -> list[date]:
    """The local days of an activity from `from_day` to `to_day` (both included)."""
    if repeat is Repeat.NONE:
        return [first_day] if from_day <= first_day <= to_day else []
    step = STEP[repeat]
    last = to_day if until is None else min(until, to_day)
    day = first_day
    if from_day > day:
        skipped = (from_day - day).days // step
        day = day + timedelta(days=skipped * step)
        if day < from_day:
            day += timedelta(days=step)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=step)
    return days


def upcoming(
    first_day: date,
    clock: time,
    duration: timedelta,
    repeat: Repeat,
    until: date | None,
    zone: tzinfo,
    now: datetime,
    horizon: timedelta = HORIZON,
) -> list[Occurrence]:
    """The occurrences that start after `now` and within the horizon (a one-off's single one,
    however far ahead)."""
    today = now.astimezone(zone).date()
    to_day = first_day if repeat is Repeat.NONE else (now + horizon).astimezone(zone).date()
    days = occurrence_days(first_day, repeat, until, from_day=today, to_day=to_day)
    found = [occurrence(day, clock, duration, zone) for day in days]
    return [one for one in found if one.starts_at > now]


def offer_deadline(now: datetime, starts_at: datetime) -> datetime | None:
    """Until when a place offered now is kept: 12 hours before the start, at most 24 hours;
    close to the start at least an hour (never past the start). None: it has started."""
    if starts_at <= now:
        return None
    deadline = min(now + OFFER_AT_MOST, starts_at - OFFER_BEFORE_START)
    if deadline < now + OFFER_AT_LEAST:
        deadline = min(now + OFFER_AT_LEAST, starts_at)
    return deadline


def places_left(capacity: int | None, taken: int) -> int | None:
    """Places still free (never below 0); None when the role has no limit."""
    if capacity is None:
        return None
    return max(capacity - taken, 0)


def has_room(capacity: int | None, taken: int) -> bool:
    left = places_left(capacity, taken)
    return left is None or left > 0


def reminder_at(starts_at: datetime, zone: tzinfo) -> datetime:
    """The day before the start, at the friendly hour, local time."""
    day = starts_at.astimezone(zone).date() - timedelta(days=1)
    return local_moment(day, REMINDER_HOUR, zone)


@dataclass(frozen=True)
class RoleSpec:
    name: str
    capacity: int | None  # None: as many as like


UNLIMITED_WORDS: Final = frozenset(
    {"onbeperkt", "onbeperkt.", "iedereen", "unlimited", "any", "everyone", "∞"}
)


def parse_roles(text: str) -> list[RoleSpec] | None:
    """Roles from lines "naam aantal" ("koks 3", "gasten 8", "gasten onbeperkt"); a line with
    only a name is unlimited. None when a line cannot be read or there are too many."""
    roles: list[RoleSpec] = []
    seen: set[str] = set()
    for raw in re.split(r"[\n;]+", text):
        line = raw.strip()
        if not line:
            continue
        words = line.replace(":", " ").split()
        capacity: int | None = None
        last = words[-1].casefold()
        if last.isdigit():
            capacity = int(last)
            words = words[:-1]
        elif last in UNLIMITED_WORDS:
            words = words[:-1]
        elif words[0].isdigit() and len(words) > 1:  # "8 gasten"
            capacity = int(words[0])
            words = words[1:]
        name = " ".join(words).strip(" -,.")
        if not name or len(name) > 40 or any(ch.isdigit() for ch in name):
            return None
        if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
            return None
        if name.casefold() in seen:
            return None
        seen.add(name.casefold())
        roles.append(RoleSpec(name, capacity))
    if not roles or len(roles) > MAX_ROLES:
        return None
    return roles


_EVERY_OTHER = re.compile(
    r"\b(om de (andere )?week|(elke|iedere) (twee|2) weken|om de twee weken|"
    r"every (other|two|2)\b|fortnightly|biweekly)\b",
    re.IGNORECASE,
)
_EVERY = re.compile(r"\b(elke|iedere|wekelijks|every|weekly)\b", re.IGNORECASE)


def repeat_in_words(text: str) -> Repeat:
    """Whether the words ask for a weekly ("elke donderdag") or fortnightly repeat."""
    if _EVERY_OTHER.search(text):
        return Repeat.BIWEEKLY
    if _EVERY.search(text):
        return Repeat.WEEKLY
    return Repeat.NONE


# --- when, in the organiser's words ------------------------------------------------------------

DEFAULT_DURATION: Final = timedelta(hours=2)
_UNTIL = re.compile(r"\s+(?:tot|until|till|to)\s+(?P<end>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class ActivityTime:
    """A first date with its clock time (local), how long it lasts, and the repeat the words
    asked for."""

    starts: datetime
    ends: datetime
    repeat: Repeat


def read_activity_time(
    text: str, now: datetime, language: str | None = None
) -> ActivityTime | None:
    """Read "donderdag 18:00" or "elke donderdag om 18:00 tot half 9": the first date, with
    the same date understanding as requests (matching.timewindow); None without a day and a
    clock time. `now` is local (aware). An end before the start is read as the evening's
    ("tot half 9" after 18:00 is 20:30); without an end it lasts DEFAULT_DURATION."""
    until = _UNTIL.search(text)
    main = text[: until.start()] if until else text
    window = parse_time_window(main, now, language)
    if window is None or window.kind not in (WindowKind.POINT, WindowKind.TIME_RANGE):
        return None
    starts = window.start
    if starts.time() == time(0, 0) and window.kind is not WindowKind.POINT:
        return None
    ends = window.end if window.kind is WindowKind.TIME_RANGE else starts + DEFAULT_DURATION
    if until:
        end_window = parse_time_window(f"om {until.group('end')}", now, language)
        if end_window is None or end_window.kind is not WindowKind.POINT:
            return None
        zone = starts.tzinfo
        assert zone is not None
        ends = local_moment(starts.date(), end_window.start.time(), zone)
        if ends <= starts:
            ends += timedelta(hours=12)
        if ends <= starts or ends - starts > timedelta(hours=12):
            return None
    return ActivityTime(starts, ends, repeat_in_words(text))


def read_day(text: str, now: datetime, language: str | None = None) -> date | None:
    """A local day in words ("31 januari", "eind maart" is not one): for "tot wanneer"."""
    window = parse_time_window(text, now, language)
    return None if window is None else window.start.date()
