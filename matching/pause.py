"""How long a pause lasts: the presets /pauze offers, as plain date arithmetic.

A pause is either open-ended (until the person resumes) or ends at a moment; whether someone
is paused right now is the same rule notify() uses (matching.availability), so the two never
disagree.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from enum import StrEnum

from matching.availability import is_reachable


class PauseLength(StrEnum):
    UNTIL_RESUMED = "open"
    WEEK = "week"
    MONTH = "month"


def pause_end(length: PauseLength, now: datetime) -> datetime | None:
    """When a pause of `length` started at `now` ends; None for "until I resume"."""
    if length is PauseLength.WEEK:
        return now + timedelta(weeks=1)
    if length is PauseLength.MONTH:
        return add_month(now)
    return None


def add_month(moment: datetime) -> datetime:
    """The same day next month, or the month's last day (31 January -> 28/29 February)."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def is_paused(*, paused: bool, paused_until: datetime | None, now: datetime) -> bool:
    """True while a pause holds; a pause whose end date has passed is over by itself."""
    return not is_reachable(paused=paused, paused_until=paused_until, stopped=False, now=now)
