"""Quiet hours: the part of the day, on a person's own clock, when the bot does not start a chat.

Quiet hours are written "HH:MM"-"HH:MM" in the person's local time (an IANA zone name, by
default Europe/Amsterdam), start included and end excluded:

- 09:00-17:00 is quiet from 09:00 up to 16:59:59;
- 21:00-08:00 crosses midnight: quiet from 21:00 in the evening until 08:00 the next morning;
- equal start and end (08:00-08:00) means no quiet hours at all.

Comparisons use the wall clock in the person's zone, so summer time moves nothing for them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE: Final = "Europe/Amsterdam"
DEFAULT_QUIET_START: Final = "21:00"
DEFAULT_QUIET_END: Final = "08:00"

_CLOCK_RE: Final = re.compile(r"(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)")


@lru_cache(maxsize=2048)
def parse_clock(text: str) -> time:
    """Read "HH:MM" (or "H:MM"), 00:00 to 23:59; raises ValueError for anything else."""
    match = _CLOCK_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"expected a time of day as HH:MM, got {text!r}")
    return time(int(match.group("hour")), int(match.group("minute")))


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The time zone called `name`; raises ValueError for unknown names."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def local_clock(now: datetime, zone_name: str) -> time:
    """The wall-clock time at instant `now` in the zone `zone_name`."""
    return now.astimezone(zone(zone_name)).time()


def clock_is_quiet(clock: time, start: time, end: time) -> bool:
    """Whether a wall-clock time lies in the quiet hours start-end (see the module docstring)."""
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def is_quiet(start: str, end: str, zone_name: str, now: datetime) -> bool:
    """Whether instant `now` falls in the quiet hours `start`-`end` of someone in `zone_name`."""
    return clock_is_quiet(local_clock(now, zone_name), parse_clock(start), parse_clock(end))


def quiet_ends_at(start: str, end: str, zone_name: str, now: datetime) -> datetime:
    """The first instant from `now` on that is outside the quiet hours (`now` if it is already).

    Returned in UTC, and always later than `now` while `now` is quiet. If a clock change skips
    the end time, it is read with the offset from before the change: up to an hour late, never
    early. If the end time happens twice (the clocks go back), the first one still to come is
    taken; whoever checks again then sees whether the repeated hour is quiet too.
    """
    start_clock, end_clock = parse_clock(start), parse_clock(end)
    here = zone(zone_name)
    local = now.astimezone(here)
    if not clock_is_quiet(local.time(), start_clock, end_clock):
        return now.astimezone(UTC)
    day = local.date()
    if local.time() >= end_clock:
        day += timedelta(days=1)
    wall = datetime.combine(day, end_clock, tzinfo=here)
    for reading in (wall, wall.replace(fold=1)):
        instant = reading.astimezone(UTC)
        if instant > now:
            return instant
    return (wall + timedelta(days=1)).astimezone(UTC)
