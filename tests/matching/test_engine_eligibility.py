"""Who may be invited for a request right now: every rule, one table each."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from matching.availability import is_reachable
from matching.engine import Candidate, Exclusion, plan_invitations, why_not
from matching.pace import Pace
from matching.reach import Reach
from tests.matching.engine_factories import (
    AMSTERDAM,
    ASKER,
    NOW,
    OTHER_WIJK,
    WIJK,
    candidate,
    cell_at,
    request,
)

DAY = timedelta(days=1)
MICRO = timedelta(microseconds=1)


def exclusion(person: Candidate, at: datetime = NOW, **kwargs: Any) -> Exclusion | None:
    kwargs.setdefault("request", request())
    return why_not(person, now=at, **kwargs)


def test_a_neighbour_next_door_with_room_in_their_pace_is_eligible() -> None:
    assert exclusion(candidate()) is None


def test_the_asker_is_never_invited_for_their_own_request() -> None:
    assert exclusion(candidate(ASKER)) is Exclusion.ASKER


def test_nobody_is_invited_twice_for_the_same_request() -> None:
    person = candidate(7)
    assert exclusion(person, already_invited={7}) is Exclusion.ALREADY_INVITED
    assert exclusion(person, already_invited={8}) is None


@pytest.mark.parametrize(
    ("blocked", "expected"),
    [
        (frozenset({(ASKER, 7)}), Exclusion.BLOCKED),  # the asker blocked them
        (frozenset({(7, ASKER)}), Exclusion.BLOCKED),  # they blocked the asker
        (frozenset({(7, 8), (9, ASKER)}), None),  # blocks between other people do not matter
        (frozenset(), None),
    ],
)
def test_blocking_works_in_both_directions(
    blocked: frozenset[tuple[int, int]], expected: Exclusion | None
) -> None:
    assert exclusion(candidate(7), blocked=blocked) is expected


@pytest.mark.parametrize(
    ("paused", "paused_until", "stopped", "expected"),
    [
        (False, None, False, None),
        (True, None, False, Exclusion.PAUSED),  # until they resume
        (True, NOW + 3 * DAY, False, Exclusion.PAUSED_UNTIL),
        (True, NOW + MICRO, False, Exclusion.PAUSED_UNTIL),
        (True, NOW, False, None),  # the pause ends at its end date
        (True, NOW - DAY, False, None),  # the end date has passed: the pause is over
        (False, NOW + DAY, False, Exclusion.PAUSED_UNTIL),  # an end date alone still holds
        (False, None, True, Exclusion.STOPPED),
        (True, NOW - DAY, True, Exclusion.STOPPED),  # stopping wins over an ended pause
        (True, None, True, Exclusion.STOPPED),
    ],
)
def test_pausing_and_stopping_are_absolute(
    paused: bool, paused_until: datetime | None, stopped: bool, expected: Exclusion | None
) -> None:
    person = candidate(paused=paused, paused_until=paused_until, stopped=stopped)
    assert exclusion(person) is expected
    # The engine and the outbox sender never disagree about whether someone is reachable.
    reachable = is_reachable(paused=paused, paused_until=paused_until, stopped=stopped, now=NOW)
    assert (expected is None) is reachable


def test_someone_who_blocked_the_bot_is_not_invited_until_they_write_again() -> None:
    assert exclusion(candidate(unreachable=True)) is Exclusion.UNREACHABLE
    assert exclusion(candidate(unreachable=True, stopped=True)) is Exclusion.STOPPED


@pytest.mark.parametrize(
    ("pace", "ago", "expected"),
    [
        (Pace.NEVER, (), Exclusion.PACE_NEVER),
        (Pace.ONCE, (), None),
        (Pace.ONCE, (20 * DAY,), Exclusion.PACE_USED),
        (Pace.MONTHLY, (), None),
        (Pace.MONTHLY, (29 * DAY,), Exclusion.PACE_CAP),
        (Pace.MONTHLY, (30 * DAY - MICRO,), Exclusion.PACE_CAP),  # the window is 30 days
        (Pace.MONTHLY, (30 * DAY,), None),  # and at exactly 30 days it has passed
        (Pace.MONTHLY, (31 * DAY,), None),
        (Pace.WEEKLY, (6 * DAY,), Exclusion.PACE_CAP),
        (Pace.WEEKLY, (7 * DAY - MICRO,), Exclusion.PACE_CAP),
        (Pace.WEEKLY, (7 * DAY,), None),
        (Pace.WEEKLY, (8 * DAY, 20 * DAY), None),
        (Pace.WHENEVER, (timedelta(hours=1), timedelta(hours=2)), None),
        (Pace.WHENEVER, (timedelta(hours=1), timedelta(hours=2), timedelta(hours=3)),
         Exclusion.PACE_CAP),  # three in a day is the most
        (Pace.WHENEVER, (timedelta(hours=1), timedelta(hours=2), DAY - MICRO),
         Exclusion.PACE_CAP),
        (Pace.WHENEVER, (timedelta(hours=1), timedelta(hours=2), DAY), None),
        (Pace.WEEKLY, (-timedelta(hours=1),), Exclusion.PACE_CAP),  # clock skew counts too
    ],
)  # fmt: skip
def test_pace_is_a_hard_cap_over_a_rolling_window(
    pace: Pace, ago: tuple[timedelta, ...], expected: Exclusion | None
) -> None:
    received = tuple(NOW - delta for delta in ago)
    person = candidate(
        pace=pace, invitations_received=received, last_invited_at=max(received, default=None)
    )
    assert exclusion(person) is expected


def test_pace_once_remembers_an_invitation_older_than_the_loaded_history() -> None:
    person = candidate(pace=Pace.ONCE, last_invited_at=NOW - 400 * DAY)
    assert exclusion(person) is Exclusion.PACE_USED


def test_saying_not_now_is_not_even_something_the_engine_could_count() -> None:
    # The engine sees invitations received and nothing about how anyone answered.
    names = [field.name for field in fields(Candidate)]
    words = ("declin", "answer", "refus", "reply", "said")
    assert not [name for name in names if any(word in name for word in words)]


@pytest.mark.parametrize(
    ("start", "end", "local_time", "quiet"),
    [
        ("21:00", "08:00", "20:59", False),
        ("21:00", "08:00", "21:00", True),  # start included
        ("21:00", "08:00", "23:59", True),
        ("21:00", "08:00", "00:00", True),  # across midnight
        ("21:00", "08:00", "07:59", True),
        ("21:00", "08:00", "08:00", False),  # end excluded
        ("21:00", "08:00", "12:00", False),
        ("09:00", "17:00", "08:59", False),  # quiet during the day, for night workers
        ("09:00", "17:00", "09:00", True),
        ("09:00", "17:00", "16:59", True),
        ("09:00", "17:00", "17:00", False),
        ("08:00", "08:00", "08:00", False),  # equal start and end: no quiet hours
        ("08:00", "08:00", "03:00", False),
        ("00:00", "06:00", "00:00", True),
        ("22:00", "00:00", "23:30", True),
        ("22:00", "00:00", "00:00", False),
    ],
)
def test_quiet_hours_on_the_persons_own_clock(
    start: str, end: str, local_time: str, quiet: bool
) -> None:
    hour, minute = (int(part) for part in local_time.split(":"))
    at = datetime(2026, 11, 25, hour, minute, tzinfo=AMSTERDAM)
    person = candidate(quiet_start=start, quiet_end=end)
    assert exclusion(person, at) is (Exclusion.QUIET_HOURS if quiet else None)


@pytest.mark.parametrize(
    ("zone", "amsterdam_time", "quiet"),
    [
        ("Europe/London", "21:30", False),  # 20:30 in London
        ("Europe/London", "22:30", True),  # 21:30 in London
        ("Europe/London", "08:30", True),  # 07:30 in London
        ("Europe/London", "09:00", False),
        ("America/New_York", "13:59", True),  # 07:59 in New York
        ("America/New_York", "14:00", False),  # 08:00 in New York
        ("America/New_York", "02:59", False),  # 20:59 the evening before
        ("America/New_York", "03:00", True),  # 21:00 the evening before
        ("Asia/Kolkata", "16:30", True),  # 21:00 in India
        ("Asia/Kolkata", "16:29", False),
    ],
)
def test_quiet_hours_follow_the_persons_time_zone(
    zone: str, amsterdam_time: str, quiet: bool
) -> None:
    hour, minute = (int(part) for part in amsterdam_time.split(":"))
    at = datetime(2026, 11, 25, hour, minute, tzinfo=AMSTERDAM)
    person = candidate(quiet_start="21:00", quiet_end="08:00", time_zone=zone)
    assert exclusion(person, at) is (Exclusion.QUIET_HOURS if quiet else None)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        # Summer time starts on 29 March 2026: 02:00 CET becomes 03:00 CEST.
        (datetime(2026, 3, 29, 6, 59, tzinfo=UTC), True),  # 08:59 CEST, quiet until 09:00
        (datetime(2026, 3, 29, 7, 0, tzinfo=UTC), False),  # 09:00 CEST
        # Winter time starts on 25 October 2026: 03:00 CEST becomes 02:00 CET.
        (datetime(2026, 10, 25, 7, 59, tzinfo=UTC), True),  # 08:59 CET
        (datetime(2026, 10, 25, 8, 0, tzinfo=UTC), False),  # 09:00 CET
    ],
)
def test_quiet_hours_keep_to_the_wall_clock_when_summer_time_changes(
    moment: datetime, quiet: bool
) -> None:
    person = candidate(quiet_start="22:00", quiet_end="09:00")
    assert exclusion(person, moment) is (Exclusion.QUIET_HOURS if quiet else None)


@pytest.mark.parametrize(
    ("distance", "wijk", "reach", "eligible"),
    [
        (0, WIJK, Reach.STRAAT, True),
        (1, WIJK, Reach.STRAAT, True),
        (1, OTHER_WIJK, Reach.STRAAT, True),  # a neighbour across the wijk border
        (2, WIJK, Reach.STRAAT, False),
        (2, WIJK, Reach.BUURT, True),
        (2, OTHER_WIJK, Reach.BUURT, True),
        (3, WIJK, Reach.BUURT, False),
        (3, OTHER_WIJK, Reach.WIJK, True),
        (4, OTHER_WIJK, Reach.WIJK, True),
        (5, OTHER_WIJK, Reach.WIJK, False),
        (5, WIJK, Reach.WIJK, True),  # the whole wijk, however far
        (5, WIJK, Reach.BUURT, False),
        (None, WIJK, Reach.STRAAT, False),  # unknown area: only the whole wijk finds them
        (None, WIJK, Reach.BUURT, False),
        (None, WIJK, Reach.WIJK, True),
        (None, OTHER_WIJK, Reach.WIJK, False),
        (None, None, Reach.WIJK, False),
    ],
)
def test_reach_is_rings_of_cells_and_the_whole_wijk_at_the_widest(
    distance: int | None, wijk: int | None, reach: Reach, eligible: bool
) -> None:
    area = None if distance is None else cell_at(distance, index=distance)
    person = candidate(area_cell=area, wijk_id=wijk)
    expected = None if eligible else Exclusion.OUT_OF_REACH
    assert exclusion(person, request=request(reach=reach)) is expected
    # And the plan agrees.
    plan = plan_invitations(request(reach=reach), [person], frozenset(), frozenset(), NOW)
    assert plan.invite == ((person.resident_id,) if eligible else ())


def test_a_request_without_an_area_reaches_only_its_wijk() -> None:
    nearby = candidate(2, area_cell=cell_at(1), wijk_id=OTHER_WIJK)
    same_wijk = candidate(3, area_cell=cell_at(3), wijk_id=WIJK)
    for reach in (Reach.STRAAT, Reach.BUURT):
        assert exclusion(same_wijk, request=request(area_cell=None, reach=reach)) is not None
    at_wijk = request(area_cell=None, reach=Reach.WIJK)
    assert exclusion(same_wijk, request=at_wijk) is None
    assert exclusion(nearby, request=at_wijk) is Exclusion.OUT_OF_REACH


def test_a_cell_that_is_not_an_h3_cell_is_simply_not_nearby() -> None:
    person = candidate(area_cell="not-a-cell", wijk_id=OTHER_WIJK)
    assert exclusion(person) is Exclusion.OUT_OF_REACH


def test_lasting_reasons_come_before_passing_ones() -> None:
    # Blocked and in quiet hours: the block is what matters for this request.
    at_night = datetime(2026, 11, 25, 23, 0, tzinfo=AMSTERDAM)
    person = candidate(7)
    assert exclusion(person, at_night) is Exclusion.QUIET_HOURS
    assert exclusion(person, at_night, blocked={(7, ASKER)}) is Exclusion.BLOCKED


@pytest.mark.parametrize(
    "bad",
    [
        {"quiet_start": "25:00"},
        {"quiet_end": "8 uur"},
        {"time_zone": "Europe/Buurtstad"},
        {"pace": "sometimes"},
    ],
)
def test_bad_data_is_refused_where_it_enters(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r".+"):
        candidate(**bad)


def test_the_clock_must_be_timezone_aware() -> None:
    naive = datetime(2026, 11, 25, 10, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="timezone-aware"):
        why_not(candidate(), request(), now=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_invitations(request(), [candidate()], frozenset(), frozenset(), naive)


def test_the_amsterdam_default_is_used_for_quiet_hours() -> None:
    person = candidate()
    assert person.time_zone == "Europe/Amsterdam"
    assert (person.quiet_start, person.quiet_end) == ("21:00", "08:00")
    at = datetime(2026, 11, 25, 20, 30, tzinfo=ZoneInfo("UTC"))  # 21:30 in Amsterdam
    assert exclusion(person, at) is Exclusion.QUIET_HOURS
