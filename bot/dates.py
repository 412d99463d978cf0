"""Dates as residents read them: in their language, on the bot's local calendar."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Final

from babel.dates import format_date

DAY_FORMAT: Final = "EEEE d MMMM"  # "woensdag 2 december", "Wednesday 2 December"


def day_name(language: str, moment: datetime, zone: tzinfo) -> str:
    """The local day of a UTC moment, e.g. the last day of a pause."""
    return format_date(moment.astimezone(zone).date(), DAY_FORMAT, locale=language)


def moment_name(language: str, moment: datetime, zone: tzinfo) -> str:
    """The local day and time of a UTC moment, e.g. when a suspension ends: "woensdag 2
    december, 10:00" (a day alone would say too much or too little about that day)."""
    local = moment.astimezone(zone)
    return f"{day_name(language, moment, zone)}, {local.strftime('%H:%M')}"
