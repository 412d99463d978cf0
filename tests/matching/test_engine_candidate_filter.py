"""The storage layer's prefilter never leaves out anyone the engine would ask, now or soon."""

from __future__ import annotations

from datetime import UTC, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.candidate_filter import candidate_filter
from matching.engine import Candidate, plan_invitations
from matching.pace import Pace
from matching.reach import Reach
from tests.matching.engine_factories import (
    ASKER,
    NOW,
    OTHER_WIJK,
    WIJK,
    candidate,
    cell_at,
    request,
)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def test_the_filter_names_the_cells_wijk_and_cutoffs_of_the_rules() -> None:
    at_buurt = candidate_filter(request(reach=Reach.BUURT), Reach.BUURT, NOW)
    assert len(at_buurt.cells) == 19
    assert at_buurt.wijk_id is None
    at_wijk = candidate_filter(request(), Reach.WIJK, NOW)
    assert len(at_wijk.cells) == 61
    assert at_wijk.wijk_id == WIJK
    assert at_wijk.exclude_ids == {ASKER}
    assert Pace.NEVER not in at_wijk.paces
    now = NOW.astimezone(UTC)
    assert at_wijk.last_invited_cutoffs == {
        Pace.ONCE: None,
        Pace.MONTHLY: now - 29 * DAY,
        Pace.WEEKLY: now - 6 * DAY,
    }
    assert at_wijk.paused_until_at_most == now + DAY
    assert at_wijk.invitations_since == now - 30 * DAY
    no_area = candidate_filter(request(area_cell=None), Reach.STRAAT, NOW)
    assert no_area.cells == frozenset()


def test_the_filter_drops_what_the_engine_drops() -> None:
    rules = candidate_filter(request(), Reach.BUURT, NOW)
    assert not rules.drops(candidate())
    assert rules.drops(candidate(ASKER))
    assert rules.drops(candidate(stopped=True))
    assert rules.drops(candidate(unreachable=True))
    assert rules.drops(candidate(paused=True))
    assert not rules.drops(candidate(paused=True, paused_until=NOW + 2 * HOUR))
    assert rules.drops(candidate(paused=True, paused_until=NOW + 2 * DAY))
    assert rules.drops(candidate(pace=Pace.NEVER))
    assert rules.drops(candidate(pace=Pace.ONCE, last_invited_at=NOW - 300 * DAY))
    assert rules.drops(candidate(pace=Pace.WEEKLY, last_invited_at=NOW - 5 * DAY))
    assert not rules.drops(candidate(pace=Pace.WEEKLY, last_invited_at=NOW - 6 * DAY))
    assert not rules.drops(candidate(pace=Pace.WHENEVER, last_invited_at=NOW - HOUR))
    assert rules.drops(candidate(area_cell=None, wijk_id=WIJK))  # buurt needs a known area


@st.composite
def people(draw: st.DrawFn) -> Candidate:
    # Often right around the edges of the weekly and monthly windows, where cutoffs matter.
    last_hours = draw(
        st.none()
        | st.integers(0, 60 * 24)
        | st.integers(6 * 24 - 30, 7 * 24 + 2)
        | st.integers(29 * 24 - 30, 30 * 24 + 2)
    )
    last = None if last_hours is None else NOW - last_hours * HOUR
    pause_hours = draw(st.none() | st.integers(-48, 96))
    return candidate(
        draw(st.integers(1, 5)),
        wijk_id=draw(st.sampled_from([WIJK, OTHER_WIJK, None])),
        area_cell=draw(st.none() | st.builds(cell_at, st.integers(0, 6), st.integers(0, 30))),
        pace=draw(st.sampled_from(list(Pace))),
        quiet_start=draw(st.sampled_from(["21:00", "09:00", "08:00"])),
        quiet_end=draw(st.sampled_from(["08:00", "17:00"])),
        paused=draw(st.sampled_from([False, False, True])),
        paused_until=None if pause_hours is None else NOW + pause_hours * HOUR,
        stopped=draw(st.sampled_from([False, False, False, True])),
        unreachable=draw(st.sampled_from([False, False, False, True])),
        invitations_received=() if last is None or last < NOW - 30 * DAY else (last,),
        last_invited_at=last,
    )


@settings(max_examples=400, deadline=None)
@given(person=people(), reach=st.sampled_from(list(Reach)), offset=st.integers(0, 48 * 60))
def test_whoever_the_filter_drops_the_engine_would_not_ask_now_or_within_a_day(
    person: Candidate, reach: Reach, offset: int
) -> None:
    now = NOW + timedelta(minutes=offset)
    ask = request(reach=reach)
    if candidate_filter(ask, reach, now).drops(person):
        plan = plan_invitations(ask, [person], frozenset(), frozenset(), now)
        assert plan.eligible_now == 0
        assert plan.next_available_at is None


def test_around_the_edges_of_each_window_the_filter_keeps_everyone_the_engine_needs() -> None:
    # Every hour around where pace windows and pauses end, at several times of day: whoever
    # the filter drops has nothing for the engine to do now or within a day, and it keeps
    # someone it could drop no more than a day before they are needed.
    checked = 0
    for now in (NOW, NOW + 11 * HOUR, NOW + 14 * HOUR, NOW + 20 * HOUR):
        ask = request(reach=Reach.BUURT)
        rules = candidate_filter(ask, Reach.BUURT, now)
        people = []
        for pace, window in ((Pace.WEEKLY, 7 * DAY), (Pace.MONTHLY, 30 * DAY)):
            for hours in range(-3, 51):
                last = now - window + hours * HOUR
                people.append(
                    candidate(pace=pace, invitations_received=(last,), last_invited_at=last)
                )
        for hours in range(-3, 51):
            people.append(candidate(paused=True, paused_until=now + hours * HOUR))
        for person in people:
            plan = plan_invitations(ask, [person], frozenset(), frozenset(), now)
            needed = plan.eligible_now > 0 or plan.next_available_at is not None
            if rules.drops(person):
                assert not needed, person
            checked += needed
    assert checked > 100  # the edges were really crossed
