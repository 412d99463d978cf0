"""dateparser as we use it: what it reads well, what it misreads, and our guard against that.

The first tests pin dateparser's own behaviour (version 1.5) on the phrasings that made us
write matching.time_phrases and the guard in matching.calendar_dates. If an upgrade changes
one, the test says which assumption to revisit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from dateparser.search import search_dates

from matching.calendar_dates import DateMention, DateUnit, find_calendar_dates

# Wednesday 25 November 2026, 10:00, naive local time as dateparser wants it.
BASE = datetime.fromisoformat("2026-11-25 10:00")
SETTINGS: dict[str, Any] = {
    "PREFER_DATES_FROM": "future",
    "RELATIVE_BASE": BASE,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "DATE_ORDER": "DMY",
}


def at(text: str) -> datetime:
    """A naive local time, as dateparser returns them."""
    return datetime.fromisoformat(text)


def raw(text: str) -> list[tuple[str, datetime]] | None:
    return search_dates(text, languages=["nl", "en"], settings=SETTINGS)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("1 december", [("1 december", at("2026-12-01 00:00"))]),
        ("dinsdag 2 december", [("dinsdag 2 december", at("2026-12-02 00:00"))]),
        ("2/12", [("2/12", at("2026-12-02 00:00"))]),
        ("next Monday", [("next Monday", at("2026-11-30 00:00"))]),
        ("tomorrow at 3pm", [("tomorrow at 3pm", at("2026-11-26 15:00"))]),
    ],
)
def test_dateparser_reads_calendar_dates(text: str, found: list[tuple[str, datetime]]) -> None:
    assert raw(text) == found


@pytest.mark.parametrize(
    ("text", "misreading"),
    [
        # "3 uur" read as "in 3 hours" instead of 3 o'clock: why we read clock times ourselves.
        ("morgen om 3 uur", [("morgen om 3 uur", at("2026-11-26 13:00"))]),
        ("the day after tomorrow", [("the day after tomorrow", at("2026-11-26 10:00"))]),
        # Everyday words read as weekdays: why only digit-bearing matches are trusted.
        ("zo snel mogelijk", [("zo", at("2026-11-29 00:00"))]),
        ("can you do it", [("do", at("2026-11-26 00:00"))]),
        ("we zijn met 4 personen", [("we", at("2026-12-02 00:00"))]),
        ("ik ben 80 jaar", [("80 jaar", at("2106-11-25 10:00"))]),
        # A counted offset comes back without the "over" that makes it one.
        ("over 2 dagen", [("2 dagen", at("2026-11-27 10:00"))]),
        ("1e december", [("december", at("2026-12-25 00:00"))]),
    ],
)
def test_dateparser_misreads(text: str, misreading: list[tuple[str, datetime]]) -> None:
    assert raw(text) == misreading


@pytest.mark.parametrize(
    "text",
    ["morgenochtend", "vanavond", "vanmiddag", "dit weekend", "this weekend", "over een uur"],
)
def test_dateparser_misses(text: str) -> None:
    assert raw(text) is None


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("op 1 december", [DateMention(date(2026, 12, 1), DateUnit.DAY, "1 december")]),
        ("2/12", [DateMention(date(2026, 12, 2), DateUnit.DAY, "2/12")]),
        ("over 2 dagen", [DateMention(date(2026, 11, 27), DateUnit.DAY, "2 dagen")]),
        ("over 2 weken", [DateMention(date(2026, 12, 9), DateUnit.WEEK, "2 weken")]),
        ("in 2 weeks", [DateMention(date(2026, 12, 9), DateUnit.WEEK, "in 2 weeks")]),
        ("1 december en 3 december", [
            DateMention(date(2026, 12, 1), DateUnit.DAY, "1 december"),
            DateMention(date(2026, 12, 3), DateUnit.DAY, "3 december"),
        ]),
    ],
)  # fmt: skip
def test_accepts_dates_of_a_trusted_shape(text: str, mentions: list[DateMention]) -> None:
    assert list(find_calendar_dates(text, BASE)) == mentions


@pytest.mark.parametrize(
    "text",
    [
        "ik ben 2 dagen weg",  # a duration, no "over"
        "we zijn met 4 personen",
        "ik ben 80 jaar",
        "1 december 2025",  # in the past
        "1/13",  # dateparser: the year 2113
        "in mei",  # a month without a day
        "zo snel mogelijk",  # no digit: dateparser is not even asked
    ],
)
def test_rejects_everything_else(text: str) -> None:
    assert find_calendar_dates(text, BASE) == ()
