"""Calendar dates in free text ("1 december", "2/12", "over 2 weken"), read with dateparser.

The one module that calls dateparser. It is good at what is hard to write by hand: month names
and abbreviations in both languages, numeric dates, ordinals, years, counted offsets. Searching
free text it also finds dates in words that are none (Dutch "zo", "we", "ma"; English "do";
"80 jaar" read as the year 2106; "2 uur" read as "in two hours"), so every match it returns is
checked against the few shapes we accept before it is used. Weekdays, "morgen", parts of the
day and clock times are read by :mod:`matching.time_phrases` instead, which also removes them
from the text before it gets here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from dateparser.search import search_dates

DEFAULT_LANGUAGES: Final = ("nl", "en")
# Further ahead than this a "date" is far more likely a misread number than a plan.
MAX_DAYS_AHEAD: Final = 366
# dateparser only sees a few words around each number, and only around the first few numbers:
# every shape we accept fits in such a snippet, and a 4096-character message full of numbers
# would otherwise take it a third of a second.
SNIPPET_WORDS_AROUND: Final = 2
MAX_SNIPPETS: Final = 4

_BASE_SETTINGS: Final[dict[str, Any]] = {
    "PREFER_DATES_FROM": "future",
    "RETURN_AS_TIMEZONE_AWARE": False,
    # Dutch and British readers write 2/12 for the 2nd of December.
    "DATE_ORDER": "DMY",
    "PREFER_LOCALE_DATE_ORDER": False,
    # Without "timestamp" and "no-spaces-time", a house number or 1230 is not a moment in time.
    "PARSERS": ["relative-time", "absolute-time"],
}

_MONTHS: Final = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october|"
    "jan|feb|mrt|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec"
)
_MONTH_RE: Final = re.compile(rf"\b(?:{_MONTHS})\b")
_DAY_NUMBER_RE: Final = re.compile(r"\b(?:0?[1-9]|[12]\d|3[01])\b")
_NUMERIC_DATE_RE: Final = re.compile(r"\d{1,2}\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*(?:\d{4}|\d{2}))?")
_COUNTED_RE: Final = re.compile(
    r"(?:(?:in|over)\s+)?\d{1,3}\s+(?P<unit>dag|dagen|days?|weken|weeks?)", re.IGNORECASE
)
_COUNTED_WEEK_UNITS: Final = frozenset({"weken", "week", "weeks"})
_OFFSET_WORD_BEFORE_RE: Final = re.compile(r"\b(?:in|over)\s*$")
_SNIPPET_RE: Final = re.compile(
    rf"(?:\S+\s+){{0,{SNIPPET_WORDS_AROUND}}}\S*\d\S*(?:\s+\S+){{0,{SNIPPET_WORDS_AROUND}}}"
)


class DateUnit(StrEnum):
    """How much time a mention covers: one day, or the week it falls in ("over 2 weken")."""

    DAY = "day"
    WEEK = "week"


@dataclass(frozen=True, slots=True)
class DateMention:
    """A calendar date found in text, with the words it was read from."""

    day: date
    unit: DateUnit
    text: str


def _settings(base: datetime) -> dict[str, Any]:
    return {**_BASE_SETTINGS, "RELATIVE_BASE": base}


def _accepted_unit(matched: str, text_before: str) -> DateUnit | None:
    """The unit of a dateparser match if it has a shape we trust, else None."""
    phrase = matched.strip().casefold()
    if _NUMERIC_DATE_RE.fullmatch(phrase):
        return DateUnit.DAY
    if _MONTH_RE.search(phrase) and _DAY_NUMBER_RE.search(phrase):
        return DateUnit.DAY
    counted = _COUNTED_RE.fullmatch(phrase)
    # "2 dagen" is only a date after "over"/"in": "ik ben 2 dagen weg" is a duration.
    if counted and (phrase[0].isalpha() or _OFFSET_WORD_BEFORE_RE.search(text_before)):
        unit = counted.group("unit")
        return DateUnit.WEEK if unit in _COUNTED_WEEK_UNITS else DateUnit.DAY
    return None


def find_calendar_dates(
    text: str, base: datetime, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> tuple[DateMention, ...]:
    """Return the calendar dates in `text`, reading relative ones from `base` (naive, local).

    Only dates from `base`'s day up to MAX_DAYS_AHEAD later are returned: a request is about
    the future, and anything else is more likely a misread number.
    """
    # Every shape we accept has a digit, so only the words around digits are searched.
    snippets = [match.group(0) for match in _SNIPPET_RE.finditer(text)][:MAX_SNIPPETS]
    return tuple(mention for snippet in snippets for mention in _search(snippet, base, languages))


def _search(snippet: str, base: datetime, languages: Sequence[str]) -> list[DateMention]:
    found = search_dates(snippet, languages=list(languages), settings=_settings(base))
    mentions: list[DateMention] = []
    cursor = 0
    for matched, moment in found or ():
        position = snippet.find(matched, cursor)
        if position < 0:
            position = cursor
        cursor = position + len(matched)
        unit = _accepted_unit(matched, snippet[:position])
        if unit is None:
            continue
        if base.date() <= moment.date() <= base.date() + timedelta(days=MAX_DAYS_AHEAD):
            mentions.append(DateMention(moment.date(), unit, matched.strip()))
    return mentions


def warm_up(languages: Sequence[str] = DEFAULT_LANGUAGES) -> None:
    """Load dateparser's language data now rather than on the first real message (~0.25 s)."""
    base = datetime(2000, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    search_dates("1 december", languages=list(languages), settings=_settings(base))
