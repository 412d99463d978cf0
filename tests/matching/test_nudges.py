"""The nudge rules: when a digest is due and what is in it, reminders for a match, reciprocity,
and a property over random histories: a digest never takes anyone over their pace."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import RequestInfo
from matching.nudges import (
    _NEAR_AT,
    _WIJK_NEAR_FAR,
    _WIJK_NEAR_UNKNOWN,
    DIGEST_RHYTHM,
    DIGEST_SIZE,
    W_NEARBY,
    W_WAITING,
    Reader,
    _waiting,
    digest_due,
    match_reminder_at,
    plan_digests,
    reciprocity_allowed,
    yes_lapsed,
)
from matching.pace import PACE_CAPS, Pace
from matching.quiet_hours import is_quiet
from matching.reach import REACH_RINGS, WHOLE_WIJK_REACHES, WIDEST_RINGS, Reach, ring_distances
from tests.matching.engine_factories import ASKER, CENTER, WIJK, cell_at, request

# Thursday 3 December 2026, 10:30 in Amsterdam: a friendly hour.
NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=400)


def reader(resident_id: int = 2, **overrides: Any) -> Reader:
    fields: dict[str, Any] = {
        "resident_id": resident_id,
        "wijk_id": WIJK,
        "area_cell": cell_at(1),
        "pace": Pace.WEEKLY,
        "joined_at": LONG_AGO,
    }
    fields.update(overrides)
    return Reader(**fields)


def post_ids(
    readers: list[Reader], requests: list[RequestInfo], **kw: Any
) -> list[tuple[int, ...]]:
    return [digest.post_ids for digest in plan_digests(readers, requests, (), NOW, **kw)]


# --- when a digest is due ----------------------------------------------------------------------


def test_a_digest_is_due_after_a_whole_rhythm_without_asks() -> None:
    assert digest_due(reader(), NOW)
    assert not digest_due(reader(asks=(NOW - timedelta(days=6, hours=23),)), NOW)
    assert digest_due(reader(asks=(NOW - timedelta(days=7),)), NOW)
    assert not digest_due(reader(last_ask_at=NOW - timedelta(days=3)), NOW)
    monthly = reader(pace=Pace.MONTHLY, last_ask_at=NOW - timedelta(days=20))
    assert not digest_due(monthly, NOW)
    assert digest_due(replace(monthly, last_ask_at=NOW - timedelta(days=30)), NOW)


def test_never_and_once_never_get_a_digest() -> None:
    assert not digest_due(reader(pace=Pace.NEVER), NOW)
    assert not digest_due(reader(pace=Pace.ONCE), NOW)


def test_paused_stopped_and_new_people_get_no_digest() -> None:
    assert not digest_due(reader(paused=True), NOW)
    assert not digest_due(reader(paused=True, paused_until=NOW + timedelta(days=1)), NOW)
    assert digest_due(reader(paused=True, paused_until=NOW - timedelta(days=1)), NOW)
    assert not digest_due(reader(stopped=True), NOW)
    assert not digest_due(reader(joined_at=NOW - timedelta(days=2)), NOW)


def test_only_at_a_friendly_hour_outside_quiet_hours() -> None:
    evening = NOW.replace(hour=19, minute=30)  # 20:30 in Amsterdam
    early = NOW.replace(hour=7, minute=30)  # 08:30
    assert not digest_due(reader(), evening)
    assert not digest_due(reader(), early)
    assert not digest_due(reader(quiet_start="10:00", quiet_end="12:00"), NOW)


# --- what is in it -----------------------------------------------------------------------------


def test_nothing_fits_means_no_digest() -> None:
    assert post_ids([reader()], []) == []
    own = request(asker_id=2)
    assert post_ids([reader()], [own]) == []


def test_blocked_seen_past_and_far_requests_are_left_out() -> None:
    fits = request(post_id=1)
    blocked = request(post_id=2, asker_id=7)
    seen = request(post_id=3)
    past = request(post_id=4, needed_by=NOW - timedelta(minutes=1))
    far = request(post_id=5, area_cell=cell_at(3), reach=Reach.STRAAT, wijk_id=9)
    planned = plan_digests(
        [reader(seen=frozenset({3}))], [fits, blocked, seen, past, far], [(2, 7)], NOW
    )
    assert [d.post_ids for d in planned] == [(1,)]


def test_likes_decide_and_nearer_comes_first() -> None:
    here = reader(area_cell=CENTER)
    near = request(post_id=1, area_cell=CENTER)
    further = request(post_id=2, area_cell=cell_at(3), reach=Reach.WIJK)
    garden = request(post_id=3, category="garden", area_cell=cell_at(1))
    liking = replace(here, likes=frozenset({"groceries"}))
    assert post_ids([liking], [further, near, garden]) == [(1, 2)]
    assert post_ids([here], [further, garden, near]) == [(1, 3, 2)]


def test_at_most_a_few_requests_and_the_whole_wijk_at_wijk_reach() -> None:
    many = [request(post_id=n, asker_id=100 + n) for n in range(1, 10)]
    (chosen,) = post_ids([reader()], many)
    assert len(chosen) == DIGEST_SIZE
    elsewhere = request(post_id=20, area_cell=None, reach=Reach.WIJK)
    assert post_ids([reader(area_cell=None)], [elsewhere]) == [(20,)]


def test_a_request_that_waited_longer_comes_first() -> None:
    older, newer = request(post_id=2), request(post_id=1)
    started = {2: NOW - timedelta(days=5), 1: NOW - timedelta(hours=1)}
    assert post_ids([reader()], [newer, older], started=started) == [(2, 1)]


# --- reminders, a yes that waits, reciprocity -------------------------------------------------


def test_a_morning_is_reminded_the_evening_before() -> None:
    start = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
    accepted = start - timedelta(days=2)
    assert match_reminder_at(start, accepted) == datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def test_else_two_hours_before() -> None:
    start = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    assert match_reminder_at(start, start - timedelta(days=1)) == start - timedelta(hours=2)


def test_a_reminder_moves_out_of_quiet_hours_and_never_after_the_yes() -> None:
    start = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    moved = match_reminder_at(
        start, start - timedelta(days=2), quiet_start="18:00", quiet_end="08:00"
    )
    assert moved == datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # 17:30 in Amsterdam
    assert moved is not None
    assert not is_quiet("18:00", "08:00", "Europe/Amsterdam", moved)
    # Arranged after the evening before: nothing to remind of.
    assert match_reminder_at(start, datetime(2026, 11, 27, 20, 0, tzinfo=UTC)) is None


def test_a_yes_lapses_after_two_days() -> None:
    assert not yes_lapsed(NOW, NOW + timedelta(hours=47, minutes=59))
    assert yes_lapsed(NOW, NOW + timedelta(hours=48))


def test_reciprocity_at_most_once_a_month() -> None:
    assert reciprocity_allowed([], NOW)
    assert not reciprocity_allowed([NOW - timedelta(days=29)], NOW)
    assert reciprocity_allowed([NOW - timedelta(days=30)], NOW)
    assert not reciprocity_allowed([NOW + timedelta(days=3)], NOW)


# --- a property over random histories ---------------------------------------------------------

HOUR = timedelta(hours=1)


def asks_within_pace(pace: Pace, asks: list[datetime]) -> bool:
    cap = PACE_CAPS[pace]
    if cap.window is None:
        return len(asks) <= cap.limit
    ordered = sorted(asks)
    return all(
        sum(1 for other in ordered if moment - cap.window < other <= moment) <= cap.limit
        for moment in ordered
    )


@settings(max_examples=150, deadline=None)
@given(
    pace=st.sampled_from(list(Pace)),
    steps=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=60),  # hours until the next moment
            st.sampled_from(("digest", "invite", "pause", "resume", "nothing")),
        ),
        min_size=1,
        max_size=120,
    ),
    likes=st.sets(st.sampled_from(("groceries", "garden", "pets")), max_size=2),
)
def test_digests_never_take_anyone_over_their_pace(
    pace: Pace, steps: list[tuple[int, str]], likes: set[str]
) -> None:
    """Random histories of invitations (only when the pace allows, as the engine does), pauses
    and digest rounds: the asks together stay within the pace, paused people get no digest,
    and "never" and "once" get none at all."""
    now = NOW - timedelta(days=90)
    person = reader(pace=pace, likes=frozenset(likes), joined_at=now - timedelta(days=40))
    requests = [
        request(post_id=1, category="groceries", asker_id=ASKER),
        request(post_id=2, category="garden", area_cell=CENTER, asker_id=50),
    ]
    asks: list[datetime] = []
    digests: list[datetime] = []
    for hours, what in steps:
        now += hours * HOUR
        person = replace(person, asks=tuple(asks), last_ask_at=max(asks, default=None))
        if what == "pause":
            person = replace(person, paused=True)
        elif what == "resume":
            person = replace(person, paused=False)
        elif what == "invite":
            candidate = [*asks, now]
            if PACE_CAPS[pace].limit and asks_within_pace(pace, candidate):
                asks.append(now)
        elif what == "digest":
            planned = plan_digests([person], requests, (), now)
            if planned:
                assert not person.paused
                assert pace in DIGEST_RHYTHM
                asks.append(now)
                digests.append(now)
    assert asks_within_pace(pace, asks)
    rhythm = DIGEST_RHYTHM.get(pace)
    if rhythm is None:
        assert digests == []
    else:
        # A whole rhythm without any ask before every digest.
        for moment in digests:
            assert all(not (moment - rhythm < other < moment) for other in asks)


def test_someone_whose_best_requests_are_all_seen_still_gets_the_next_ones() -> None:
    """Only the best few are kept at hand per place; past those, the full list is read."""
    many = [request(post_id=n, asker_id=100 + n, area_cell=CENTER) for n in range(1, 30)]
    started = {n: NOW - timedelta(days=30 - n) for n in range(1, 30)}  # lower id waited longer
    seen = frozenset(range(1, 20))
    (chosen,) = post_ids([reader(area_cell=CENTER, seen=seen)], many, started=started)
    assert chosen == (20, 21, 22)
    liking = reader(area_cell=CENTER, seen=seen, likes=frozenset({"groceries", "garden"}))
    (chosen,) = post_ids([liking], many, started=started)
    assert chosen == (20, 21, 22)


# --- the fast plan against the plain rules, on random small cities ----------------------------


def plain_plan(
    readers: list[Reader],
    requests: list[RequestInfo],
    blocked: list[tuple[int, int]],
    now: datetime,
    started: dict[int, datetime],
) -> list[tuple[int, tuple[int, ...]]]:
    """plan_digests' rules written out one reader and one request at a time, without shelves,
    per-category tops or caches: what the fast plan must give, digest for digest."""
    planned = []
    for person in readers:
        if not digest_due(person, now):
            continue
        scored = []
        for asked in requests:
            if asked.needed_by is not None and asked.needed_by <= now:
                continue
            if asked.asker_id == person.resident_id or asked.post_id in person.seen:
                continue
            if (person.resident_id, asked.asker_id) in blocked:
                continue
            if (asked.asker_id, person.resident_id) in blocked:
                continue
            if person.likes and asked.category not in person.likes:
                continue
            distance = None
            if asked.area_cell is not None and person.area_cell is not None:
                distance = ring_distances(asked.area_cell, WIDEST_RINGS).get(person.area_cell)
            if distance is not None and distance <= REACH_RINGS[asked.reach]:
                near = _NEAR_AT[distance]
            elif asked.reach in WHOLE_WIJK_REACHES and asked.wijk_id == person.wijk_id:
                if distance is not None:
                    continue  # within the rings yet beyond its reach (no such reach today)
                unknown = asked.area_cell is None or person.area_cell is None
                near = _WIJK_NEAR_UNKNOWN if unknown else _WIJK_NEAR_FAR
            else:
                continue
            wait = W_WAITING * _waiting(started.get(asked.post_id), now)
            scored.append((-(W_NEARBY * near + wait), asked.post_id))
        chosen = tuple(post_id for _score, post_id in sorted(scored)[:DIGEST_SIZE])
        if chosen:
            planned.append((person.resident_id, chosen))
    return planned


_CATEGORIES = ("groceries", "garden", "pets", "transport")


@st.composite
def small_city(
    draw: st.DrawFn,
) -> tuple[list[Reader], list[RequestInfo], list[tuple[int, int]], dict[int, datetime]]:
    people = draw(st.integers(min_value=1, max_value=12))
    # All in one cell (crowded shelves: the best few per category run out) up to 6 rings wide.
    spread = draw(st.integers(min_value=0, max_value=6))
    cells = st.builds(cell_at, st.integers(min_value=0, max_value=spread), st.integers(0, 3))
    asks = draw(st.integers(min_value=0, max_value=40))
    categories = draw(st.sampled_from((_CATEGORIES[:1], _CATEGORIES[:2], _CATEGORIES)))
    requests = [
        request(
            post_id=post_id,
            asker_id=draw(st.integers(min_value=1, max_value=people + 2)),
            wijk_id=draw(st.sampled_from((WIJK, WIJK, 9))),
            area_cell=draw(st.none() | cells),
            category=draw(st.sampled_from(categories)),
            reach=draw(st.sampled_from(list(Reach))),
            needed_by=draw(st.none() | st.builds(lambda h: NOW + h * HOUR, st.integers(-5, 50))),
        )
        for post_id in range(1, asks + 1)
    ]
    # Many ties on purpose: whole days, and requests without a start.
    started = {
        post_id: NOW - timedelta(days=draw(st.integers(0, 6)))
        for post_id in draw(st.sets(st.integers(1, max(asks, 1))))
    }

    def seen(draw: st.DrawFn) -> frozenset[int]:
        # Often a run of the first requests: past the best few kept at hand per category.
        run = draw(st.integers(min_value=0, max_value=asks))
        return frozenset(range(1, run + 1)) | draw(st.sets(st.integers(1, max(asks, 1))))

    readers = [
        reader(
            resident_id,
            wijk_id=draw(st.sampled_from((WIJK, WIJK, 9, None))),
            area_cell=draw(st.none() | cells),
            pace=draw(st.sampled_from(list(Pace))),
            likes=frozenset(draw(st.sets(st.sampled_from(_CATEGORIES), max_size=3))),
            seen=seen(draw),
            paused=draw(st.booleans()) and draw(st.booleans()),
            last_ask_at=draw(st.none() | st.just(NOW - timedelta(days=3))),
        )
        for resident_id in range(1, people + 1)
    ]
    blocked = draw(
        st.lists(st.tuples(st.integers(1, people + 2), st.integers(1, people + 2)), max_size=6)
    )
    return readers, requests, blocked, started


@settings(max_examples=200, deadline=None)
@given(city=small_city())
def test_the_fast_plan_gives_what_the_plain_rules_give(
    city: tuple[list[Reader], list[RequestInfo], list[tuple[int, int]], dict[int, datetime]],
) -> None:
    """Shelves per cell, the best few per category and the fallbacks past them are a speed-up
    only: on random small cities (ties, seen and blocked requests, cell-less people and
    requests, two wijks) the digests are exactly those of the plain rules."""
    readers, requests, blocked, started = city
    planned = plan_digests(readers, requests, blocked, NOW, started=started)
    expected = plain_plan(readers, requests, blocked, NOW, started)
    assert [(digest.resident_id, digest.post_ids) for digest in planned] == expected
