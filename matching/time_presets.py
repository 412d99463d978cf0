"""The few times a person can pick with one tap when the bot read the time wrong (or none).

Windows are in the time zone of the `now` given and never start in the past.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from matching.timewindow import TimeWindow, WindowKind

# "This week" is the coming seven days: on a Sunday evening "the rest of the week" would be
# a few hours, which is not what anyone means.
WEEK_DAYS: Final = 7


class TimePreset(StrEnum):
    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"
    ANY_TIME = "any"


def preset_window(preset: TimePreset, now: datetime) -> TimeWindow | None:
    """The window a preset stands for from `now` on; None for "no particular time"."""
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    today = now.date()
    if preset is TimePreset.TODAY:
        return TimeWindow(now, _midnight(today + timedelta(days=1), now), WindowKind.DAY)
    if preset is TimePreset.TOMORROW:
        tomorrow = today + timedelta(days=1)
        return TimeWindow(
            _midnight(tomorrow, now), _midnight(tomorrow + timedelta(days=1), now), WindowKind.DAY
        )
    if preset is TimePreset.WEEK:
        end = _midnight(today + timedelta(days=WEEK_DAYS + 1), now)
        return TimeWindow(now, end, WindowKind.WEEK)
    return None


def _midnight(day: date, now: datetime) -> datetime:
    return datetime.combine(day, time(0), tzinfo=now.tzinfo)
