"""Reading when a request is for: the time-window tables and the rules behind them.

"Now" is Wednesday 25 November 2026, 10:00 in Amsterdam (see conftest.py) unless a test says
otherwise. Expected windows are written as local wall-clock times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from matching.timewindow import (
    PART_OF_DAY_HOURS,
    PartOfDay,
    TimeWindow,
    WindowKind,
    parse_time_window,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
POINT = WindowKind.POINT
RANGE = WindowKind.TIME_RANGE
PART = WindowKind.PART_OF_DAY
DAY = WindowKind.DAY
DAYS = WindowKind.DAYS
WEEKEND = WindowKind.WEEKEND
WEEK = WindowKind.WEEK
MORNING, AFTERNOON, EVENING = PartOfDay.MORNING, PartOfDay.AFTERNOON, PartOfDay.EVENING


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


# (text, start, end, kind, part of day)
WINDOWS = [
    # days
    (
        "Wie kan zaterdag mijn boodschappen doen?",
        "2026-11-28 00:00",
        "2026-11-29 00:00",
        DAY,
        None,
    ),
    ("zaterdag", "2026-11-28 00:00", "2026-11-29 00:00", DAY, None),
    ("zatedag", "2026-11-28 00:00", "2026-11-29 00:00", DAY, None),
    ("Can someone help on saterday?", "2026-11-28 00:00", "2026-11-29 00:00", DAY, None),
    ("wensday", "2026-12-02 00:00", "2026-12-03 00:00", DAY, None),
    ("morgen", "2026-11-26 00:00", "2026-11-27 00:00", DAY, None),
    ("Kan iemand morgen mijn hond uitlaten?", "2026-11-26 00:00", "2026-11-27 00:00", DAY, None),
    ("tomorrow", "2026-11-26 00:00", "2026-11-27 00:00", DAY, None),
    ("overmorgen", "2026-11-27 00:00", "2026-11-28 00:00", DAY, None),
    ("the day after tomorrow", "2026-11-27 00:00", "2026-11-28 00:00", DAY, None),
    ("vandaag", "2026-11-25 10:00", "2026-11-26 00:00", DAY, None),
    ("Can anyone help today?", "2026-11-25 10:00", "2026-11-26 00:00", DAY, None),
    ("next Monday", "2026-11-30 00:00", "2026-12-01 00:00", DAY, None),
    ("aanstaande zaterdag", "2026-11-28 00:00", "2026-11-29 00:00", DAY, None),
    ("'s zaterdags", "2026-11-28 00:00", "2026-11-29 00:00", DAY, None),
    ("volgende week dinsdag", "2026-12-01 00:00", "2026-12-02 00:00", DAY, None),
    ("dinsdag volgende week", "2026-12-01 00:00", "2026-12-02 00:00", DAY, None),
    ("next week Friday", "2026-12-04 00:00", "2026-12-05 00:00", DAY, None),
    ("deze week vrijdag", "2026-11-27 00:00", "2026-11-28 00:00", DAY, None),
    # calendar dates, read by dateparser
    ("1 december", "2026-12-01 00:00", "2026-12-02 00:00", DAY, None),
    ("Wie helpt mij op 1e december?", "2026-12-01 00:00", "2026-12-02 00:00", DAY, None),
    ("december 1st", "2026-12-01 00:00", "2026-12-02 00:00", DAY, None),
    ("op 12 dec", "2026-12-12 00:00", "2026-12-13 00:00", DAY, None),
    ("2/12", "2026-12-02 00:00", "2026-12-03 00:00", DAY, None),
    ("25-12-2026", "2026-12-25 00:00", "2026-12-26 00:00", DAY, None),
    ("3 januari", "2027-01-03 00:00", "2027-01-04 00:00", DAY, None),
    # a written date wins over a weekday next to it (2 December 2026 is a Wednesday)
    ("dinsdag 2 december", "2026-12-02 00:00", "2026-12-03 00:00", DAY, None),
    ("over 2 dagen", "2026-11-27 00:00", "2026-11-28 00:00", DAY, None),
    ("in three days", "2026-11-28 00:00", "2026-11-29 00:00", DAY, None),
    # parts of the day
    ("morgenochtend", "2026-11-26 08:00", "2026-11-26 12:00", PART, MORNING),
    ("morgen ochtend", "2026-11-26 08:00", "2026-11-26 12:00", PART, MORNING),
    ("morgenvroeg", "2026-11-26 08:00", "2026-11-26 12:00", PART, MORNING),
    ("morgenmiddag", "2026-11-26 12:00", "2026-11-26 17:00", PART, AFTERNOON),
    ("morgenavond", "2026-11-26 17:00", "2026-11-26 22:00", PART, EVENING),
    ("overmorgenochtend", "2026-11-27 08:00", "2026-11-27 12:00", PART, MORNING),
    ("vanavond", "2026-11-25 17:00", "2026-11-25 22:00", PART, EVENING),
    ("vanmiddag", "2026-11-25 12:00", "2026-11-25 17:00", PART, AFTERNOON),
    ("vanochtend", "2026-11-25 10:00", "2026-11-25 12:00", PART, MORNING),
    ("'s avonds", "2026-11-25 17:00", "2026-11-25 22:00", PART, EVENING),
    ("in de middag", "2026-11-25 12:00", "2026-11-25 17:00", PART, AFTERNOON),
    ("zaterdagochtend", "2026-11-28 08:00", "2026-11-28 12:00", PART, MORNING),
    ("zaterdagmorgen", "2026-11-28 08:00", "2026-11-28 12:00", PART, MORNING),
    ("zaterdag morgen", "2026-11-28 08:00", "2026-11-28 12:00", PART, MORNING),
    ("zatedagochtend", "2026-11-28 08:00", "2026-11-28 12:00", PART, MORNING),
    ("zondagmiddag", "2026-11-29 12:00", "2026-11-29 17:00", PART, AFTERNOON),
    ("donderdag 's avonds", "2026-11-26 17:00", "2026-11-26 22:00", PART, EVENING),
    ("morning", "2026-11-25 10:00", "2026-11-25 12:00", PART, MORNING),
    ("this afternoon", "2026-11-25 12:00", "2026-11-25 17:00", PART, AFTERNOON),
    ("tonight", "2026-11-25 17:00", "2026-11-25 22:00", PART, EVENING),
    ("tomorrow morning", "2026-11-26 08:00", "2026-11-26 12:00", PART, MORNING),
    ("tomorrow night", "2026-11-26 17:00", "2026-11-26 22:00", PART, EVENING),
    ("next Saturday afternoon", "2026-11-28 12:00", "2026-11-28 17:00", PART, AFTERNOON),
    # weeks and weekends
    ("deze week", "2026-11-25 10:00", "2026-11-30 00:00", WEEK, None),
    ("later deze week", "2026-11-25 10:00", "2026-11-30 00:00", WEEK, None),
    ("this week", "2026-11-25 10:00", "2026-11-30 00:00", WEEK, None),
    ("volgende week", "2026-11-30 00:00", "2026-12-07 00:00", WEEK, None),
    ("komende week", "2026-11-30 00:00", "2026-12-07 00:00", WEEK, None),
    ("next week", "2026-11-30 00:00", "2026-12-07 00:00", WEEK, None),
    ("over twee weken", "2026-12-07 00:00", "2026-12-14 00:00", WEEK, None),
    ("in 2 weeks", "2026-12-07 00:00", "2026-12-14 00:00", WEEK, None),
    ("dit weekend", "2026-11-28 00:00", "2026-11-30 00:00", WEEKEND, None),
    ("in het weekend", "2026-11-28 00:00", "2026-11-30 00:00", WEEKEND, None),
    ("this weekend", "2026-11-28 00:00", "2026-11-30 00:00", WEEKEND, None),
    # "volgend weekend" on a Wednesday is ambiguous; we read it as the weekend of next week,
    # matching "volgende week". The person corrects it with a tap if they meant this one.
    ("volgend weekend", "2026-12-05 00:00", "2026-12-07 00:00", WEEKEND, None),
    ("next weekend", "2026-12-05 00:00", "2026-12-07 00:00", WEEKEND, None),
    ("zaterdag of zondag", "2026-11-28 00:00", "2026-11-30 00:00", DAYS, None),
    ("morgen of overmorgen", "2026-11-26 00:00", "2026-11-28 00:00", DAYS, None),
    # clock times: a point is a one-hour window
    ("morgen om 3 uur", "2026-11-26 15:00", "2026-11-26 16:00", POINT, None),
    ("om 3 uur", "2026-11-25 15:00", "2026-11-25 16:00", POINT, None),
    ("om drie uur", "2026-11-25 15:00", "2026-11-25 16:00", POINT, None),
    ("om half 4", "2026-11-25 15:30", "2026-11-25 16:30", POINT, None),
    ("om half vier", "2026-11-25 15:30", "2026-11-25 16:30", POINT, None),
    ("om kwart over 3", "2026-11-25 15:15", "2026-11-25 16:15", POINT, None),
    ("kwart voor 3", "2026-11-25 14:45", "2026-11-25 15:45", POINT, None),
    ("half past 3", "2026-11-25 15:30", "2026-11-25 16:30", POINT, None),
    ("om 15.30", "2026-11-25 15:30", "2026-11-25 16:30", POINT, None),
    ("15:30", "2026-11-25 15:30", "2026-11-25 16:30", POINT, None),
    ("at 3pm", "2026-11-25 15:00", "2026-11-25 16:00", POINT, None),
    ("at noon", "2026-11-25 12:00", "2026-11-25 13:00", POINT, None),
    ("om 12 uur", "2026-11-25 12:00", "2026-11-25 13:00", POINT, None),
    ("zondag om half 1", "2026-11-29 12:30", "2026-11-29 13:30", POINT, None),
    ("Kan iemand donderdag om 14:00 helpen?", "2026-11-26 14:00", "2026-11-26 15:00", POINT, None),
    ("on Sunday at 2", "2026-11-29 14:00", "2026-11-29 15:00", POINT, None),
    ("vrijdagavond om 8", "2026-11-27 20:00", "2026-11-27 21:00", POINT, EVENING),
    ("op 1 december om 10 uur", "2026-12-01 10:00", "2026-12-01 11:00", POINT, None),
    ("wie kan er vrijdag 27/11 rond 4 uur", "2026-11-27 16:00", "2026-11-27 17:00", POINT, None),
    # a clock time already passed today, with no day named, is tomorrow's
    ("om 9 uur", "2026-11-26 09:00", "2026-11-26 10:00", POINT, None),
    # offsets
    ("over een uur", "2026-11-25 11:00", "2026-11-25 12:00", POINT, None),
    ("over 2 uur", "2026-11-25 12:00", "2026-11-25 13:00", POINT, None),
    ("over een half uur", "2026-11-25 10:30", "2026-11-25 11:30", POINT, None),
    ("over een kwartier", "2026-11-25 10:15", "2026-11-25 11:15", POINT, None),
    ("in an hour", "2026-11-25 11:00", "2026-11-25 12:00", POINT, None),
    ("in 20 minutes", "2026-11-25 10:20", "2026-11-25 11:20", POINT, None),
    # clock ranges
    ("zaterdag tussen 10 en 12", "2026-11-28 10:00", "2026-11-28 12:00", RANGE, None),
    ("morgen tussen 1 en 3", "2026-11-26 13:00", "2026-11-26 15:00", RANGE, None),
    ("10-12 uur", "2026-11-25 10:00", "2026-11-25 12:00", RANGE, None),
    ("van 14:00 tot 16:00", "2026-11-25 14:00", "2026-11-25 16:00", RANGE, None),
    ("na 3 uur", "2026-11-25 15:00", "2026-11-25 22:00", RANGE, None),
    ("zondag vanaf 14:00", "2026-11-29 14:00", "2026-11-29 22:00", RANGE, None),
    ("voor 12 uur", "2026-11-25 10:00", "2026-11-25 12:00", RANGE, None),
    ("before 5pm", "2026-11-25 10:00", "2026-11-25 17:00", RANGE, None),
]


@pytest.mark.parametrize(("text", "start", "end", "kind", "part"), WINDOWS)
def test_reads_the_window_people_mean(
    text: str,
    start: str,
    end: str,
    kind: WindowKind,
    part: PartOfDay | None,
    wednesday_morning: datetime,
) -> None:
    window = parse_time_window(text, wednesday_morning)
    assert window == TimeWindow(local(start), local(end), kind, part), text


# Text with no time in it, including words and numbers that dateparser alone reads as dates:
# "zo" (Sunday), "we" (Wednesday), "ma"/"vr" (Monday/Friday), "do" (Thursday), "80 jaar" (the
# year 2106), "2 uur" as "in two hours", a phone number, a house number, a price.
NO_TIME = [
    "",
    "🙂🙂🙂",
    "mijn",
    "om",
    "3 boodschappen",
    "Ik heb 3 boodschappen voor je",
    "mijn fiets is kapot",
    "ik heb een ladder te leen",
    "hulp bij mijn belastingaangifte",
    "can you do it",
    "zo snel mogelijk",
    "we zijn met 4 personen",
    "ik ben 80 jaar",
    "ik heb een uur tijd",
    "ik heb 2 uur tijd",
    "goedemorgen, wie kan helpen?",
    "Good morning! Can anyone help?",
    "vorige week",
    "on the 3rd",
    "in december",
    "06-12345678",
    "postcode 1234 AB, huisnummer 12",
    "€2.50",
    "mijn kookavond",
]


@pytest.mark.parametrize("text", NO_TIME)
def test_finds_no_time_where_none_is_named(text: str, wednesday_morning: datetime) -> None:
    assert parse_time_window(text, wednesday_morning) is None


# Phrasings that do not work. They are pinned so that a change in behaviour is noticed: when
# one starts working, move it into WINDOWS.
KNOWN_GAPS = [
    # Weekday abbreviations are not read: "zo" and "do" are everyday words.
    ("ma t/m vr", None),
    ("za 28 nov", ("2026-11-28 00:00", "2026-11-29 00:00", DAY)),  # thanks to the date
    # Deadlines are not moments.
    ("binnen 2 dagen", None),
    ("within an hour", None),
    # Months and parts of weeks: only whole weeks are windows.
    ("eind van de maand", None),
    ("begin volgende week", ("2026-11-30 00:00", "2026-12-07 00:00", WEEK)),
    # A bare hour after "om" is a clock time, even when a count was meant.
    ("om 3 boodschappen te doen", ("2026-11-25 15:00", "2026-11-25 16:00", POINT)),
    # Dutch "3 uur" is a time and a duration; without "over" we read the time.
    ("het duurt 3 uur", ("2026-11-25 15:00", "2026-11-25 16:00", POINT)),
    # Repetition is not a window: the first occurrence is what we give.
    ("iedere dinsdag", ("2026-12-01 00:00", "2026-12-02 00:00", DAY)),
    ("elke week", None),
    # Times named by events or urgency.
    ("na het eten", None),
    ("lunchtijd", None),
    ("christmas eve", None),
    ("straks", None),
    ("asap", None),
    # "Morgen!" as a greeting (short for "goedemorgen") reads as tomorrow.
    ("Morgen! Wie kan helpen?", ("2026-11-26 00:00", "2026-11-27 00:00", DAY)),
]


@pytest.mark.parametrize(("text", "reading"), KNOWN_GAPS)
def test_known_gaps_read_as_documented(
    text: str, reading: tuple[str, str, WindowKind] | None, wednesday_morning: datetime
) -> None:
    window = parse_time_window(text, wednesday_morning)
    if reading is None:
        assert window is None
    else:
        start, end, kind = reading
        assert window == TimeWindow(local(start), local(end), kind)


def test_a_weekday_named_on_that_day_means_next_week(wednesday_morning: datetime) -> None:
    window = parse_time_window("woensdag", wednesday_morning)
    assert window is not None
    assert window.start == local("2026-12-02 00:00")


def test_today_is_only_today_when_said(wednesday_morning: datetime) -> None:
    window = parse_time_window("vandaag, woensdag", wednesday_morning)
    assert window == TimeWindow(local("2026-11-25 10:00"), local("2026-11-26 00:00"), DAY)


def test_a_window_for_today_starts_now(wednesday_morning: datetime) -> None:
    window = parse_time_window("vandaag om 9:30", wednesday_morning)
    assert window == TimeWindow(local("2026-11-25 10:00"), local("2026-11-25 10:30"), POINT)


def test_a_window_that_has_passed_is_none(wednesday_morning: datetime) -> None:
    evening = wednesday_morning.replace(hour=20)
    assert parse_time_window("vanochtend", evening) is None
    assert parse_time_window("vandaag om 9 uur", wednesday_morning) is None
    assert parse_time_window("1 december 2025", wednesday_morning) is None


def test_a_part_of_the_day_that_has_passed_is_tomorrows(wednesday_morning: datetime) -> None:
    window = parse_time_window("'s ochtends", wednesday_morning.replace(hour=13))
    assert window == TimeWindow(
        local("2026-11-26 08:00"), local("2026-11-26 12:00"), PART, MORNING
    )


def test_this_weekend_on_a_sunday_is_what_is_left_of_it(wednesday_morning: datetime) -> None:
    sunday = wednesday_morning + timedelta(days=4)
    window = parse_time_window("dit weekend", sunday)
    assert window == TimeWindow(sunday, local("2026-11-30 00:00"), WEEKEND)


def test_the_window_is_in_the_time_zone_of_now(wednesday_morning: datetime) -> None:
    new_york = wednesday_morning.astimezone(ZoneInfo("America/New_York"))
    window = parse_time_window("morgen om 3 uur", new_york)
    assert window is not None
    assert window.start.tzinfo is new_york.tzinfo
    assert (window.start.hour, window.start.day) == (15, 26)


def test_an_hour_from_now_counts_real_time_across_a_dst_change() -> None:
    # 25 October 2026, 02:30 CEST: an hour later the clocks have gone back to 02:30 CET.
    before_change = datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM)
    window = parse_time_window("over een uur", before_change)
    assert window is not None
    assert window.start.astimezone(UTC) - before_change.astimezone(UTC) == timedelta(hours=1)
    assert (window.start.hour, window.start.minute, window.start.fold) == (2, 30, 1)


def test_language_hint_does_not_narrow_understanding(wednesday_morning: datetime) -> None:
    for hint in ("nl", "en", "en-GB", "fr", None):
        window = parse_time_window("1 december", wednesday_morning, language_hint=hint)
        assert window is not None
        assert window.start == local("2026-12-01 00:00")


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_time_window("morgen", datetime(2026, 11, 25, 10, 0))  # noqa: DTZ001


def test_parts_of_the_day_are_the_documented_hours() -> None:
    assert {part: (start.hour, end.hour) for part, (start, end) in PART_OF_DAY_HOURS.items()} == {
        MORNING: (8, 12),
        AFTERNOON: (12, 17),
        EVENING: (17, 22),
    }
