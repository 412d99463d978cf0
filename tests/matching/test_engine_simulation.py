"""A year in made-up neighbourhoods: the engine keeps its promises to everyone, every time.

Each example draws a small neighbourhood (places, paces, quiet hours in several time zones,
pauses, stops, blocks) and plays a year of requests through plan_invitations and decide, the
way the bot will: invitees say yes, "nu even niet" or nothing; askers accept helpers, agree to
widen or not. Every invitation is checked against the rules when it is sent, written out again
here independently of the engine, and the whole log is checked for pace caps at the end.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
from hypothesis import event, given, settings
from hypothesis import strategies as st

from matching.categories import CATEGORY_KEYS
from matching.engine import BATCH_SIZE, Candidate, RequestInfo, plan_invitations
from matching.flow import (
    DecisionKind,
    Outcome,
    RequestProgress,
    SignalReason,
    decide,
    needs_pool,
    start,
)
from matching.pace import Pace
from matching.reach import Reach, reaches_for, wider_reaches
from tests.matching.engine_factories import CENTER, cell_at

START = datetime(2026, 1, 1, tzinfo=UTC)  # a year with both summer-time changes in it
YEAR = timedelta(days=365)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Written out again on purpose rather than imported: these are the promises, not the code.
CAPS: dict[Pace, tuple[int, timedelta | None]] = {
    Pace.NEVER: (0, None),
    Pace.ONCE: (1, None),
    Pace.MONTHLY: (1, 30 * DAY),
    Pace.WEEKLY: (1, 7 * DAY),
    Pace.WHENEVER: (3, DAY),
}
RINGS = {Reach.STRAAT: 1, Reach.BUURT: 2, Reach.WIJK: 4}
QUIET_CHOICES = [
    ("21:00", "08:00"),
    ("22:00", "07:00"),
    ("23:30", "06:15"),
    ("09:00", "17:00"),  # sleeps by day
    ("08:00", "08:00"),  # no quiet hours
    ("12:00", "11:00"),  # awake one hour a day
]
ZONES = ["Europe/Amsterdam", "Europe/London", "America/Paramaribo", "Asia/Kolkata"]
TEXTS = [
    "Wie kan mijn boodschappen doen?",
    "Wie helpt met mijn telefoon?",
    "Iemand die mijn hond uitlaat?",
    "Wie heeft een ladder te leen?",
]


@dataclass(frozen=True)
class Schedule:
    """When someone pauses or stops: kind "none", "timed", "open" (until resumed) or "stop"."""

    kind: str
    begin: datetime
    end: datetime

    def fields(self, at: datetime) -> tuple[bool, datetime | None, bool]:
        """(paused, paused_until, stopped) as the database row would say at `at`."""
        if self.kind == "timed" and at >= self.begin:
            return True, self.end, False  # the row keeps the end date after it has passed
        if self.kind == "open" and self.begin <= at < self.end:
            return True, None, False
        if self.kind == "stop" and at >= self.begin:
            return False, None, True
        return False, None, False

    def away(self, at: datetime) -> bool:
        if self.kind in {"timed", "open"}:
            return self.begin <= at < self.end
        return self.kind == "stop" and at >= self.begin


@dataclass(frozen=True)
class Resident:
    resident_id: int
    wijk_id: int
    cell: str | None
    pace: Pace
    quiet: tuple[str, str]
    zone: str
    likes: frozenset[str]
    schedule: Schedule


@dataclass(frozen=True)
class Neighbourhood:
    residents: tuple[Resident, ...]
    blocked: frozenset[tuple[int, int]]
    requests_per_week: int


@st.composite
def neighbourhoods(draw: st.DrawFn) -> Neighbourhood:
    size = draw(st.integers(3, 18))
    residents = []
    for resident_id in range(1, size + 1):
        distance = draw(st.none() | st.integers(0, 5))
        kind = draw(st.sampled_from(["none", "none", "timed", "open", "stop"]))
        begin = START + draw(st.integers(0, 360)) * DAY + draw(st.integers(0, 23)) * HOUR
        residents.append(
            Resident(
                resident_id=resident_id,
                wijk_id=draw(st.sampled_from([1, 1, 2])),
                cell=None if distance is None else cell_at(distance, draw(st.integers(0, 29))),
                pace=draw(st.sampled_from(list(Pace))),
                quiet=draw(st.sampled_from(QUIET_CHOICES)),
                zone=draw(st.sampled_from(ZONES)),
                likes=frozenset(draw(st.sets(st.sampled_from(CATEGORY_KEYS), max_size=3))),
                schedule=Schedule(kind, begin, begin + draw(st.integers(1, 60)) * DAY),
            )
        )
    ids = st.integers(1, size)
    blocked = draw(st.frozensets(st.tuples(ids, ids), max_size=size))
    return Neighbourhood(tuple(residents), blocked, draw(st.integers(1, 4)))


@dataclass
class Open:
    """One request as the bot's database would hold it."""

    info: RequestInfo
    progress: RequestProgress
    invited: set[int] = field(default_factory=set)
    check_at: datetime | None = None
    consents: list[Reach] = field(default_factory=list)
    signal: SignalReason | None = None


@dataclass
class Log:
    invitations: list[tuple[datetime, int, int]] = field(default_factory=list)
    requests: list[Open] = field(default_factory=list)


def quiet_by_hand(quiet: tuple[str, str], zone: str, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    start_minute, end_minute = (int(part[:2]) * 60 + int(part[3:]) for part in quiet)
    if start_minute == end_minute:
        return False
    if start_minute < end_minute:
        return start_minute <= minute < end_minute
    return minute >= start_minute or minute < end_minute


def in_reach_by_hand(resident: Resident, request: RequestInfo, reach: Reach) -> bool:
    if reach is Reach.WIJK and resident.wijk_id == request.wijk_id:
        return True
    if resident.cell is None or request.area_cell is None:
        return False
    return int(h3.grid_distance(request.area_cell, resident.cell)) <= RINGS[reach]


class Simulation:
    def __init__(self, hood: Neighbourhood, rng: random.Random) -> None:
        self.hood = hood
        self.rng = rng
        self.by_id = {resident.resident_id: resident for resident in hood.residents}
        self.log = Log()
        self.received: dict[int, list[datetime]] = defaultdict(list)
        self.queue: list[tuple[datetime, int, str, Open | None, tuple[object, ...]]] = []
        self.order = itertools.count()

    def push(self, at: datetime, kind: str, request: Open | None, *args: object) -> None:
        heapq.heappush(self.queue, (at, next(self.order), kind, request, args))

    def candidates(self, now: datetime) -> list[Candidate]:
        people = []
        for resident in self.hood.residents:
            paused, paused_until, stopped = resident.schedule.fields(now)
            times = self.received[resident.resident_id]
            people.append(
                Candidate(
                    resident_id=resident.resident_id,
                    wijk_id=resident.wijk_id,
                    area_cell=resident.cell,
                    pace=resident.pace,
                    quiet_start=resident.quiet[0],
                    quiet_end=resident.quiet[1],
                    time_zone=resident.zone,
                    likes=resident.likes,
                    paused=paused,
                    paused_until=paused_until,
                    stopped=stopped,
                    invitations_received=tuple(t for t in times if t > now - 31 * DAY),
                    last_invited_at=max(times, default=None),
                )
            )
        return people

    def run(self) -> Log:
        moment = START
        post_ids = itertools.count(1)
        while True:
            moment += timedelta(days=self.rng.expovariate(self.hood.requests_per_week / 7))
            if moment >= START + YEAR:
                break
            self.push(moment, "arrive", None, next(post_ids))
        for _steps in range(200_000):
            if not self.queue:
                return self.log
            at, _order, kind, request, args = heapq.heappop(self.queue)
            self.on(kind, request, args, at)
        raise AssertionError("the simulation did not come to rest")

    def on(self, kind: str, request: Open | None, args: tuple[object, ...], at: datetime) -> None:
        if kind == "arrive":
            self.arrive(int(str(args[0])), at)
            return
        assert request is not None
        progress = request.progress
        if progress.outcome is not None:
            return  # late answers change nothing once a request has ended
        if kind == "check":
            if request.check_at != at:
                return  # a newer due time replaced this one
            request.check_at = None
        elif kind == "reply":
            request.progress = progress.after_reply(yes=bool(args[0]))
            if args[0]:
                delay = self.rng.uniform(0.1, 8) * HOUR
                self.push(at + delay, "asker", request, self.rng.random() < 0.7)
        elif kind == "asker":
            if progress.yes_pending == 0:
                return
            request.progress = progress.after_asker_choice(accepted=bool(args[0]))
        elif kind == "widen":
            if progress.widen_asked_at != args[1]:
                return  # the question timed out before this answer came
            if args[0]:
                assert progress.widen_asked_for is not None
                request.consents.append(progress.widen_asked_for)
            request.progress = progress.after_widen_answer(accepted=bool(args[0]))
        self.step(request, at)

    def arrive(self, post_id: int, at: datetime) -> None:
        asker = self.rng.choice(self.hood.residents)
        if asker.schedule.kind == "stop" and asker.schedule.away(at):
            return  # people who left do not ask
        reach = self.rng.choice(reaches_for(asker.cell))
        info = RequestInfo(
            post_id=post_id,
            asker_id=asker.resident_id,
            wijk_id=asker.wijk_id,
            area_cell=asker.cell,
            category=self.rng.choice(CATEGORY_KEYS),
            text=self.rng.choice(TEXTS),
            reach=reach,
        )
        expires = at + self.rng.uniform(2, 120) * HOUR if self.rng.random() < 0.5 else None
        request = Open(info, start(reach, at, expires))
        self.log.requests.append(request)
        self.step(request, at)

    def step(self, request: Open, now: datetime) -> None:
        for _ in range(10):
            progress = request.progress
            plan = None
            if needs_pool(progress, now):
                plan = plan_invitations(
                    replace(request.info, reach=progress.reach),
                    self.candidates(now),
                    self.hood.blocked,
                    frozenset(request.invited),
                    now,
                )
            decision = decide(progress, plan, now)
            if decision.kind is DecisionKind.INVITE_BATCH:
                assert 1 <= len(decision.invite) <= BATCH_SIZE
                for resident_id in decision.invite:
                    self.invite(request, resident_id, now)
            elif decision.kind is DecisionKind.ASK_WIDEN:
                assert decision.next_reach in wider_reaches(progress.reach)
                answer = self.rng.random()
                if answer < 0.8:
                    delay = self.rng.uniform(0.1, 30) * HOUR  # some answers come too late
                    self.push(now + delay, "widen", request, answer < 0.6, now)
            elif decision.kind is DecisionKind.SIGNAL_UNANSWERED:
                request.signal = decision.signal
            elif decision.kind is DecisionKind.TELL_NOBODY_YET:
                # Told once, signalled once; the request keeps looking until its time.
                assert request.progress.nobody_told_at is None, "the asker hears it once"
                request.signal = decision.signal
                request.progress = progress.after(decision, now)
                assert decision.until is not None
                assert decision.until > now, "a wait must move time forward"
                request.check_at = decision.until
                self.push(decision.until, "check", request)
                return
            elif decision.kind is DecisionKind.WAIT_UNTIL:
                assert decision.until is not None
                assert decision.until > now, "a wait must move time forward"
                if request.check_at != decision.until:
                    request.check_at = decision.until
                    self.push(decision.until, "check", request)
                return
            elif decision.kind is DecisionKind.END_QUIETLY:
                assert request.progress.nobody_told_at is not None
                assert request.signal is not None
            else:
                return
            request.progress = progress.after(decision, now)
        raise AssertionError("decide kept asking for action without waiting")

    def invite(self, request: Open, resident_id: int, now: datetime) -> None:
        resident = self.by_id[resident_id]
        info = request.info
        # The rules, checked by hand at the moment of sending.
        assert resident_id != info.asker_id
        assert resident_id not in request.invited
        assert (info.asker_id, resident_id) not in self.hood.blocked
        assert (resident_id, info.asker_id) not in self.hood.blocked
        assert not resident.schedule.away(now), "invited while paused or gone"
        assert resident.pace is not Pace.NEVER
        assert not quiet_by_hand(resident.quiet, resident.zone, now), "invited in quiet hours"
        reach = request.progress.reach
        assert reach == (request.consents[-1] if request.consents else info.reach)
        assert in_reach_by_hand(resident, info, reach)
        request.invited.add(resident_id)
        self.received[resident_id].append(now)
        self.log.invitations.append((now, resident_id, info.post_id))
        answer = self.rng.random()
        if answer < 0.6:
            self.push(now + self.rng.uniform(0.05, 8) * HOUR, "reply", request, answer < 0.25)


def check_year(hood: Neighbourhood, log: Log) -> None:
    by_resident: dict[int, list[datetime]] = defaultdict(list)
    for sent_at, resident_id, _post_id in log.invitations:
        by_resident[resident_id].append(sent_at)
    for resident in hood.residents:
        times = sorted(by_resident[resident.resident_id])
        limit, window = CAPS[resident.pace]
        if window is None:
            assert len(times) <= limit, f"{resident.pace} person invited {len(times)} times"
            continue
        for earlier, later in zip(times, times[limit:], strict=False):
            # limit + 1 invitations never fit in one window: any such run spans a full window.
            assert later - earlier >= window, f"{resident.pace} cap broken: {earlier}, {later}"
    for request in log.requests:
        outcome = request.progress.outcome
        assert outcome in {Outcome.MATCHED, Outcome.SIGNALLED}, outcome
        # A signal for every request that ended unanswered; one that matched may have had
        # one earlier, while nobody could be asked yet (it kept looking).
        if outcome is Outcome.SIGNALLED:
            assert request.signal is not None
        elif request.signal is not None:
            assert request.progress.nobody_told_at is not None
        # The reach only ever changed with the asker's consent, one wider step at a time.
        assert list(request.progress.widened) == request.consents
        reaches = [request.info.reach, *request.consents]
        assert all(b in wider_reaches(a) for a, b in itertools.pairwise(reaches))


@settings(max_examples=30, deadline=None)
@given(hood=neighbourhoods(), seed=st.integers(0, 2**32 - 1))
def test_a_year_of_requests_keeps_every_promise(hood: Neighbourhood, seed: int) -> None:
    # The year's many chance events come from one seed, so examples stay small to shrink.
    log = Simulation(hood, random.Random(seed)).run()
    check_year(hood, log)
    for request in log.requests:
        event(f"ended {request.progress.outcome} {request.signal or ''}".strip())
    event(f"invitations sent: {'some' if log.invitations else 'none'}")


def test_a_friendly_neighbourhood_gets_help_and_still_keeps_every_promise() -> None:
    # Not a vacuous pass: in a willing neighbourhood invitations go out and requests match.
    calm = Schedule("none", START, START)
    residents = tuple(
        Resident(
            resident_id=resident_id,
            wijk_id=1,
            cell=cell_at(resident_id % 3, resident_id),
            pace=[Pace.WEEKLY, Pace.WHENEVER, Pace.MONTHLY][resident_id % 3],
            quiet=QUIET_CHOICES[resident_id % 2],
            zone="Europe/Amsterdam",
            likes=frozenset(),
            schedule=calm,
        )
        for resident_id in range(1, 21)
    )
    hood = Neighbourhood(residents, frozenset({(1, 2), (3, 1)}), requests_per_week=3)
    log = Simulation(hood, random.Random(2026)).run()
    check_year(hood, log)
    outcomes = [request.progress.outcome for request in log.requests]
    assert len(log.invitations) > 100
    assert outcomes.count(Outcome.MATCHED) > len(outcomes) / 3
    assert any(request.consents for request in log.requests) or all(
        request.info.reach is Reach.WIJK for request in log.requests
    )


def test_the_center_cell_is_where_the_rings_are_counted_from() -> None:
    assert cell_at(0) == CENTER
