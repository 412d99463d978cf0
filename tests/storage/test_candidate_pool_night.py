"""The pool's plan for later (fewer than a batch can be asked now): it reads one sleeping
neighbour per quiet-hours kind and reach level, except on a night with a clock change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import pytest

from matching.engine import Candidate, RequestInfo, plan_invitations
from matching.pace import Pace
from matching.reach import Reach
from storage.candidate_pool import CandidatePool
from storage.candidates import same_plan

CELL = h3.latlng_to_cell(52.37, 4.89, 8)
REQUEST = RequestInfo(
    post_id=1,
    asker_id=100,
    wijk_id=1,
    area_cell=CELL,
    category="groceries",
    text="Wie doet mijn boodschappen?",
    reach=Reach.STRAAT,
)


def _street(quiet: tuple[str, str], pause_ends: datetime) -> CandidatePool:
    """Ten sleeping neighbours of one kind; the tenth paused until `pause_ends`."""
    pool = CandidatePool()
    for number in range(1, 11):
        pool._file(
            Candidate(
                resident_id=number,
                wijk_id=1,
                area_cell=CELL,
                pace=Pace.WEEKLY,
                quiet_start=quiet[0],
                quiet_end=quiet[1],
                time_zone="Europe/Amsterdam",
                paused=number == 10,
                paused_until=pause_ends if number == 10 else None,
            )
        )
    return pool


def _plans(pool: CandidatePool, now: datetime) -> tuple[list[Candidate], bool]:
    read = pool._for_later(REQUEST, Reach.STRAAT, now, [], set(), None)
    everyone = pool._everyone(REQUEST, Reach.STRAAT, now)
    mine = plan_invitations(REQUEST, read, [], set(), now, 3, reach=Reach.STRAAT)
    full = plan_invitations(REQUEST, everyone, [], set(), now, 3, reach=Reach.STRAAT)
    return read, same_plan(mine, full)


def test_an_ordinary_night_reads_a_few_and_plans_what_everyone_gives() -> None:
    now = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)  # midnight in Amsterdam
    read, same = _plans(_street(("22:00", "07:00"), now + timedelta(hours=2)), now)
    assert same
    assert len(read) < 10, "one sleeping neighbour of the kind would have been enough"


@pytest.mark.parametrize(
    ("quiet", "now", "pause_ends"),
    [
        # Clocks go forward: 02:30 does not exist that night, so the quiet hours end at 03:00
        # summer time; someone whose pause ends at 03:10 could still be asked at 03:10.
        (
            ("21:00", "02:30"),
            datetime(2027, 3, 27, 23, 0, tzinfo=UTC),
            datetime(2027, 3, 28, 1, 10, tzinfo=UTC),
        ),
        # Clocks go back: 02:00-02:30 comes twice, and the second time it is not quiet yet.
        (
            ("02:30", "08:00"),
            datetime(2027, 10, 31, 0, 45, tzinfo=UTC),
            datetime(2027, 10, 31, 1, 10, tzinfo=UTC),
        ),
    ],
)
def test_a_night_with_a_clock_change_plans_what_everyone_gives(
    quiet: tuple[str, str], now: datetime, pause_ends: datetime
) -> None:
    _read, same = _plans(_street(quiet, pause_ends), now)
    assert same
