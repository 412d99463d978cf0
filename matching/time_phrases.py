"""Find the time words in a request: the parts dateparser misses or misreads.

dateparser reads calendar dates well, but in this kind of text it misses Dutch parts of the day
("morgenochtend", "vanmiddag", "'s avonds"), weeks and weekends ("dit weekend"), Dutch clock
times ("om half 4"; "morgen om 3 uur" comes back as 13:00, three hours from now), and
"overmorgen" in English ("the day after tomorrow" comes back as tomorrow). This module finds
those with small patterns, removes each from the text as it is read, and hands what is left to
:mod:`matching.calendar_dates` for the dates proper.

It only finds phrases; turning them into one window of time is :mod:`matching.timewindow`'s job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Final, TypeVar

from matching.calendar_dates import DEFAULT_LANGUAGES, DateMention, find_calendar_dates
from matching.text import best_word_match


class PartOfDay(StrEnum):
    """A part of the day as people name it ("ochtend", "this afternoon")."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


# What each part of the day means on the clock, for asking a neighbour: nobody means 03:00 by
# "'s ochtends", and "avond" ends when most people stop opening the door.
PART_OF_DAY_HOURS: Final[dict[PartOfDay, tuple[time, time]]] = {
    PartOfDay.MORNING: (time(8), time(12)),
    PartOfDay.AFTERNOON: (time(12), time(17)),
    PartOfDay.EVENING: (time(17), time(22)),
}


class Scope(StrEnum):
    """A stretch of days named as a whole."""

    THIS_WEEK = "this_week"
    NEXT_WEEK = "next_week"
    THIS_WEEKEND = "this_weekend"
    NEXT_WEEKEND = "next_weekend"


class Meridiem(StrEnum):
    """Before or after noon, when written ("3pm")."""

    AM = "am"
    PM = "pm"


@dataclass(frozen=True, slots=True)
class ClockTime:
    """A time on the clock as written: "3" may still mean 15:00, decided with the context."""

    hour: int
    minute: int = 0
    meridiem: Meridiem | None = None


@dataclass(slots=True)
class TimePhrases:
    """Everything about time found in one text."""

    offset: timedelta | None = None
    clock: ClockTime | None = None
    # An open end is None: "na 3 uur" has only a start, "voor 12 uur" only an end.
    clock_range: tuple[ClockTime | None, ClockTime | None] | None = None
    days_from_today: set[int] = field(default_factory=set)
    weekdays: set[int] = field(default_factory=set)
    scopes: set[Scope] = field(default_factory=set)
    parts: set[PartOfDay] = field(default_factory=set)
    dates: tuple[DateMention, ...] = ()


# Offsets beyond this are not "over een uur"-style requests but misreadings.
MAX_OFFSET: Final = timedelta(days=7)
# A misspelt weekday ("zatedag", "wensday") must be at least this similar to the real one.
WEEKDAY_TYPO_CUTOFF: Final = 85.0
WEEKDAY_TYPO_MIN_LENGTH: Final = 6

WEEKDAYS_NL: Final = (
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
)
WEEKDAYS_EN: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_INDEX: Final = {
    name: index for names in (WEEKDAYS_NL, WEEKDAYS_EN) for index, name in enumerate(names)
}
_WEEKDAY: Final = "|".join(_WEEKDAY_INDEX)

_NUMBER_WORDS: Final = {
    "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
    "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "vijftien": 15, "twintig": 20,
    "dertig": 30, "veertig": 40, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
}  # fmt: skip
# "een", "a" and "an" are mostly articles: "ik heb een uur tijd" is no clock time.
_ARTICLE_NUMBERS: Final = frozenset({"een", "a", "an", "one"})
_NUMBER_WORD: Final = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_UNITS: Final = (
    r"uur|uurtje|uren|minuten|minuut|min|mins|dag|dagen|week|weken|hours?|minutes?|days?|weeks?"
    r"|o'?clock|am|pm"
)

_FLAGS: Final = re.ASCII | re.VERBOSE


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _FLAGS)


# --- Preparing the text --------------------------------------------------------------------------

_GREETING_RE: Final = _compile(
    r"\b(?: goede?\s*(?:morgen|middag|avond|nacht)|goedenavond|goedenacht"
    r"| good\s+(?:morning|afternoon|evening|night) )\b"
)
# "zaterdagochtend" -> "zaterdag ochtend"; after a weekday "morgen" is the morning.
_COMPOUND_RE: Final = _compile(
    rf"\b(?P<day>{_WEEKDAY}|overmorgen|morgen|vandaag)(?P<part>ochtend|morgen|middag|avond|vroeg)\b"
)
_WEEKDAY_MORGEN_RE: Final = _compile(rf"\b(?P<day>{_WEEKDAY})[ \t]+(?:morgen|vroeg)\b")
_MORGEN_VROEG_RE: Final = _compile(r"\bmorgen[ \t]+vroeg\b")
# "'s avonds", "s avonds", "savonds" -> "avonds" (and the same for weekdays: "'s zaterdags").
_GENITIVE_RE: Final = _compile(
    rf"(?<![\w'])'?s\s*(?=(?:ochtend|morgen|middag|avond|nacht|{_WEEKDAY})s\b)"
)
_PUNCTUATION_RE: Final = re.compile(r"[^\w:./'\-]+|_")
_ORDINAL_RE: Final = _compile(r"\b(?P<n>[0-9]{1,2})(?:e|ste|de|st|nd|rd|th)\b")
_FRACTIONS: Final = (
    (_compile(r"\b anderhalf\s+uur(?:tje)? \b | \b an\s+hour\s+and\s+a\s+half \b"),
     " 90 minuten "),
    (_compile(r"\b (?:een\s+)?half\s+uur(?:tje)? \b | \b half\s+an\s+hour \b"), " 30 minuten "),
    (_compile(r"\b (?:een\s+)?kwartier(?:tje)? \b | \b (?:a\s+)?quarter\s+of\s+an\s+hour \b"),
     " 15 minuten "),
)  # fmt: skip
_NUMBER_BEFORE_UNIT_RE: Final = _compile(
    rf"(?P<before>\b\w+\s+)?\b(?P<word>{_NUMBER_WORD})(?=\s+(?:{_UNITS})\b)"
)
_NUMBER_IN_CLOCK_RE: Final = _compile(
    rf"\b(?P<lead>half|kwart\s+over|kwart\s+voor|half\s+past|quarter\s+past|quarter\s+to"
    rf"|om|rond|tegen|at|around)\s+(?P<word>{_NUMBER_WORD})\b"
)
# After these an article is a number when a unit follows ("over een uur", "om een uur"), and
# "om een" without a unit stays an article ("om een boodschap te doen").
_AT_WORDS: Final = frozenset({"om", "rond", "tegen", "at", "around"})
_ARTICLE_AS_NUMBER_AFTER: Final = _AT_WORDS | {"over", "in"}


def _number_before_unit(match: re.Match[str]) -> str:
    word, before = match.group("word"), match.group("before") or ""
    if word in _ARTICLE_NUMBERS and before.strip() not in _ARTICLE_AS_NUMBER_AFTER:
        return match.group(0)
    return f"{before}{_NUMBER_WORDS[word]}"


def _number_in_clock(match: re.Match[str]) -> str:
    word, lead = match.group("word"), match.group("lead")
    if word in _ARTICLE_NUMBERS and lead in _AT_WORDS:
        return match.group(0)
    return f"{lead} {_NUMBER_WORDS[word]}"


def _split_compound(match: re.Match[str]) -> str:
    day, part = match.group("day"), match.group("part")
    if part in {"morgen", "vroeg"}:
        part = "ochtend"
    return f"{day} {part}"


def prepare(text: str) -> str:
    """Lowercase `text`, drop accents and punctuation, and spell time words one way."""
    lowered = text.casefold()
    for quote in "’‘`´":
        lowered = lowered.replace(quote, "'")
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = _GREETING_RE.sub(" ", plain)
    plain = _COMPOUND_RE.sub(_split_compound, plain)
    plain = _WEEKDAY_MORGEN_RE.sub(r"\g<day> ochtend", plain)
    plain = _MORGEN_VROEG_RE.sub("morgen ochtend", plain)
    plain = _GENITIVE_RE.sub("", plain)
    plain = _PUNCTUATION_RE.sub(" ", plain)
    plain = _ORDINAL_RE.sub(r"\g<n>", plain)
    for pattern, replacement in _FRACTIONS:
        plain = pattern.sub(replacement, plain)
    plain = _NUMBER_BEFORE_UNIT_RE.sub(_number_before_unit, plain)
    plain = _NUMBER_IN_CLOCK_RE.sub(_number_in_clock, plain)
    return " ".join(plain.split())


# --- Clock times ---------------------------------------------------------------------------------

_HOUR: Final = r"(?:[01]?[0-9]|2[0-3])"
_CLOCK: Final = rf"""
    (?: (?:half|kwart\s+over|kwart\s+voor|half\s+past|quarter\s+past|quarter\s+to)\s+{_HOUR}
      | {_HOUR}(?:[:.][0-5][0-9])? )
    (?: \s*(?:uur|o'?clock) | (?:u|h)\b )?
    (?: \s*(?:am|pm|a\.m\.|p\.m\.) )?
"""
_CLOCK_PARTS_RE: Final = _compile(rf"""
    (?: (?P<lead>half|kwart\s+over|kwart\s+voor|half\s+past|quarter\s+past|quarter\s+to)\s+
        (?P<lead_hour>{_HOUR})
      | (?P<hour>{_HOUR})(?:(?P<sep>[:.])(?P<minute>[0-5][0-9]))? )
    (?P<unit> \s*(?:uur|o'?clock) | (?:u|h)\b )?
    (?: \s*(?P<meridiem>am|pm|a\.m\.|p\.m\.) )?
""")
# Minutes past the named hour for each lead word, with the hour the lead refers back to:
# Dutch "half 4" is 3:30, English "half past 4" is 4:30.
_CLOCK_LEADS: Final = {
    "half": (-1, 30), "kwart over": (0, 15), "kwart voor": (-1, 45),
    "half past": (0, 30), "quarter past": (0, 15), "quarter to": (-1, 45),
}  # fmt: skip
_START: Final = r"(?<![\w:./-])"
_END: Final = r"(?![\w:/]|[.-][0-9])"
# A number followed by one of these is a count, a duration or a date, not a clock time:
# "na 3 dagen", "ik heb 2 uur tijd", "om 1 december".
_NOT_A_CLOCK: Final = (
    r"(?!\s*(?:dag|dagen|days?|weken|weeks?|maand|maanden|months?|jaar|jaren|years?|minuten"
    r"|minutes?|mins?|jan|feb|mrt|mar|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec"
    r"|tijd|nodig|lang|bezig|time|long)\w*)"
)
_RANGE_RES: Final = (
    _compile(rf"\b(?:tussen|between)\s+(?P<a>{_CLOCK})\s+(?:en|and)\s+(?P<b>{_CLOCK}){_END}"),
    _compile(
        rf"\b(?:van|vanaf|from)\s+(?P<a>{_CLOCK})\s*(?:tot(?:\s+en\s+met)?|-|to|till|until|til)"
        rf"\s*(?P<b>{_CLOCK}){_END}"
    ),
    # "10-12 uur", "14:00-16:00": one side must look like a time, else "1-12" is a date.
    _compile(rf"{_START}(?P<a>{_CLOCK})\s*-\s*(?P<b>{_CLOCK}){_END}(?P<strict>)"),
)
_AFTER_RE: Final = _compile(rf"\b(?:na|vanaf|after|from)\s+(?P<a>{_CLOCK}){_END}{_NOT_A_CLOCK}")
_BEFORE_RE: Final = _compile(
    rf"\b(?:voor|before|tot|until|till|uiterlijk)\s+(?P<b>{_CLOCK}){_END}(?P<strict>)"
)
_AT_RE: Final = _compile(
    rf"\b(?:om|rond|omstreeks|tegen|at|around)\s+(?:(?:ongeveer|about|circa)\s+)?"
    rf"(?P<a>{_CLOCK}){_END}{_NOT_A_CLOCK}"
)
_BARE_CLOCK_RE: Final = _compile(rf"{_START}(?P<a>{_CLOCK}){_END}{_NOT_A_CLOCK}(?P<strict>)")
_NOON_RE: Final = _compile(
    r"\b(?:(?:at|om|rond|around)\s+(?:het\s+)?)?(?:noon|midday|middaguur)\b"
)


def _parse_clock(fragment: str) -> tuple[ClockTime, bool] | None:
    """Read one clock time; also say whether it is unmistakably a time ("3 uur", not "3")."""
    match = _CLOCK_PARTS_RE.fullmatch(fragment.strip())
    if match is None:
        return None
    meridiem_text = match.group("meridiem")
    meridiem = None
    if meridiem_text:
        meridiem = Meridiem.AM if meridiem_text.startswith("a") else Meridiem.PM
    if match.group("lead"):
        lead = " ".join(match.group("lead").split())
        hour_shift, minute = _CLOCK_LEADS[lead]
        hour = (int(match.group("lead_hour")) + hour_shift) % 24
        if hour == 0 and meridiem is None:
            hour = 12  # "half een" is half past twelve, in the day
        return ClockTime(hour, minute, meridiem), True
    hour = int(match.group("hour"))
    minute = int(match.group("minute") or 0)
    if meridiem is not None and not 1 <= hour <= 12:
        return None
    unmistakable = bool(match.group("unit") or meridiem or match.group("sep") == ":")
    return ClockTime(hour, minute, meridiem), unmistakable


# --- Days, weeks and parts of the day ------------------------------------------------------------

_PAST_RE: Final = _compile(
    rf"\b(?:vorige|vorig|afgelopen|last|past|previous)\s+(?:week|weekend|{_WEEKDAY})s?\b"
)
_TODAY_PART_RES: Final = (
    (_compile(r"\b(?:vanochtend|vanmorgen|this\s+morning)\b"), PartOfDay.MORNING),
    (_compile(r"\b(?:vanmiddag|this\s+afternoon)\b"), PartOfDay.AFTERNOON),
    (_compile(r"\b(?:vanavond|tonight|this\s+evening)\b"), PartOfDay.EVENING),
)
_SCOPE_RES: Final = (
    (_compile(r"\b(?:volgende|komende|next|coming)\s+week\b"), Scope.NEXT_WEEK),
    (_compile(r"\b(?:later\s+)?(?:deze|this|van\s+de)\s+week\b"), Scope.THIS_WEEK),
    (_compile(r"\b(?:volgend|volgende|next)\s+weekend\b"), Scope.NEXT_WEEKEND),
    (_compile(r"\bweekend\b"), Scope.THIS_WEEKEND),
)
_RELATIVE_DAY_RES: Final = (
    (_compile(r"\b(?:overmorgen|(?:the\s+)?day\s+after\s+tomorrow)\b"), 2),
    (_compile(r"\b(?:vandaag|today)\b"), 0),
    (_compile(r"\b(?:morgen|tomorrow)\b"), 1),
)
_WEEKDAY_RE: Final = _compile(rf"\b(?P<day>{_WEEKDAY})s?\b")
_PART_RES: Final = (
    (_compile(r"\b(?:ochtend|ochtends|morgens|voormiddag|mornings?)\b"), PartOfDay.MORNING),
    (_compile(r"\b(?:middag|middags|namiddag|afternoons?)\b"), PartOfDay.AFTERNOON),
    (_compile(r"\b(?:avond|avonds|evenings?|night)\b"), PartOfDay.EVENING),
)
_LEFTOVER_WORD_RE: Final = _compile(rf"\b[a-z]{{{WEEKDAY_TYPO_MIN_LENGTH},}}\b")
_COMPOUND_PARTS: Final = {
    "ochtend": PartOfDay.MORNING,
    "morgen": PartOfDay.MORNING,
    "middag": PartOfDay.AFTERNOON,
    "avond": PartOfDay.EVENING,
}
_TYPO_COMPOUND_RE: Final = _compile(
    rf"(?P<day>[a-z]{{{WEEKDAY_TYPO_MIN_LENGTH},}})(?P<part>{'|'.join(_COMPOUND_PARTS)})"
)


class _Scanner:
    """Text from which each phrase is blanked out once it has been read."""

    def __init__(self, text: str) -> None:
        self.text = text

    def take(self, pattern: re.Pattern[str], read: Callable[[re.Match[str]], bool]) -> None:
        """Offer each match to `read`; blank out the ones it accepts (returns True for)."""
        for match in list(pattern.finditer(self.text)):
            if read(match):
                start, end = match.span()
                self.text = self.text[:start] + " " * (end - start) + self.text[end:]


def _read_clocks(scanner: _Scanner, found: TimePhrases) -> None:
    def read_range(match: re.Match[str]) -> bool:
        groups = match.groupdict()
        first = _parse_clock(groups["a"]) if groups.get("a") else None
        last = _parse_clock(groups["b"]) if groups.get("b") else None
        if (groups.get("a") and first is None) or (groups.get("b") and last is None):
            return False
        # Some shapes only count when a side is unmistakably a time ("10-12 uur", not "1-12").
        if "strict" in groups and not any(clock and clock[1] for clock in (first, last)):
            return False
        if found.clock_range is None:
            found.clock_range = (first[0] if first else None, last[0] if last else None)
        return True

    def read_point(match: re.Match[str]) -> bool:
        clock = _parse_clock(match.group("a"))
        if clock is None or ("strict" in match.groupdict() and not clock[1]):
            return False
        if found.clock is None:
            found.clock = clock[0]
        return True

    def read_noon(_match: re.Match[str]) -> bool:
        if found.clock is None:
            found.clock = ClockTime(12)
        return True

    for pattern in (*_RANGE_RES, _AFTER_RE, _BEFORE_RE):
        scanner.take(pattern, read_range)
    scanner.take(_AT_RE, read_point)
    scanner.take(_BARE_CLOCK_RE, read_point)
    scanner.take(_NOON_RE, read_noon)


_OFFSET_RE: Final = _compile(
    r"\b(?:over|in)\s+(?P<n>[0-9]{1,4})\s*"
    r"(?:(?P<hours>uur|uurtje|uren|u|hours?|hrs?|h)|(?P<minutes>minuten|minuut|min|mins|minutes?))\b"
)


def _read_offset(scanner: _Scanner, found: TimePhrases) -> None:
    def read(match: re.Match[str]) -> bool:
        amount = int(match.group("n"))
        offset = timedelta(hours=amount) if match.group("hours") else timedelta(minutes=amount)
        if offset > MAX_OFFSET:
            return False
        if found.offset is None:
            found.offset = offset
        return True

    scanner.take(_OFFSET_RE, read)


_Reader = Callable[[re.Match[str]], bool]
_T = TypeVar("_T")


def _adding(target: set[_T], *values: _T) -> _Reader:
    """A reader that records `values` in `target` for every match it is offered."""

    def read(_match: re.Match[str]) -> bool:
        target.update(values)
        return True

    return read


def _today_at(part: PartOfDay, found: TimePhrases) -> _Reader:
    """A reader for "vanavond" and the like: today, at that part of the day."""

    def read(_match: re.Match[str]) -> bool:
        found.parts.add(part)
        found.days_from_today.add(0)
        return True

    return read


def _read_days(scanner: _Scanner, found: TimePhrases) -> None:
    scanner.take(_PAST_RE, lambda _match: True)  # "vorige week" is no plan: just skip it
    for pattern, part in _TODAY_PART_RES:
        scanner.take(pattern, _today_at(part, found))
    for pattern, scope in _SCOPE_RES:
        scanner.take(pattern, _adding(found.scopes, scope))
    for pattern, days in _RELATIVE_DAY_RES:
        scanner.take(pattern, _adding(found.days_from_today, days))
    scanner.take(_WEEKDAY_RE, lambda match: _add_weekday(match.group("day"), found))
    for pattern, part in _PART_RES:
        scanner.take(pattern, _adding(found.parts, part))
    scanner.take(_LEFTOVER_WORD_RE, lambda match: _read_weekday_typo(match.group(0), found))


def _add_weekday(name: str, found: TimePhrases) -> bool:
    found.weekdays.add(_WEEKDAY_INDEX[name])
    return True


def _weekday_typo(word: str) -> int | None:
    """The weekday `word` is a misspelling of ("zatedag", "wensday"), if any."""
    candidates = [name for name in _WEEKDAY_INDEX if name[0] == word[0]]
    match = best_word_match(word, candidates, WEEKDAY_TYPO_CUTOFF)
    return _WEEKDAY_INDEX[match[0]] if match is not None else None


def _read_weekday_typo(word: str, found: TimePhrases) -> bool:
    """Read a misspelt weekday, also in a compound with a part of the day ("zatedagochtend")."""
    part = None
    compound = _TYPO_COMPOUND_RE.fullmatch(word)
    if compound is not None:
        word, part = compound.group("day"), _COMPOUND_PARTS[compound.group("part")]
    weekday = _weekday_typo(word)
    if weekday is None:
        return False
    found.weekdays.add(weekday)
    if part is not None:
        found.parts.add(part)
    return True


def read_time_phrases(
    text: str, now: datetime, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> TimePhrases:
    """Find every time phrase in `text`; relative dates are read from `now` (its wall clock)."""
    scanner = _Scanner(prepare(text))
    found = TimePhrases()
    _read_offset(scanner, found)
    _read_clocks(scanner, found)
    _read_days(scanner, found)
    found.dates = find_calendar_dates(
        " ".join(scanner.text.split()), now.replace(tzinfo=None), languages
    )
    return found
