"""Nudges at each person's pace, as pure rules: when a digest is due and what is in it, when a
match is worth a reminder, and when a yes that waits lapses. No Telegram, no database; time is
passed in.

A digest is one gentle message with the few open requests nearby that fit someone. It counts
as one ask against their pace, exactly like an invitation: someone on "about weekly" gets at
most one invitation-or-digest in any 7 days. It only goes out when they were not asked for a
whole rhythm (a week for "weekly" and "whenever", a month for "monthly"; never for "never" or
"once"), at a friendly hour outside their quiet hours, and only when something fits (no empty
digests).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Final

from matching.availability import is_reachable
from matching.engine import RequestInfo
from matching.pace import Pace, pace_allows
from matching.quiet_hours import (
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    DEFAULT_TIME_ZONE,
    is_quiet,
    zone,
)
from matching.reach import REACH_RINGS, WHOLE_WIJK_REACHES, WIDEST_RINGS, ring_distances

# How long someone goes without any ask before a digest is due, per pace.
DIGEST_RHYTHM: Final[dict[Pace, timedelta]] = {
    Pace.WEEKLY: timedelta(days=7),
    Pace.WHENEVER: timedelta(days=7),
    Pace.MONTHLY: timedelta(days=30),
}
DIGEST_SIZE: Final = 3
# A friendly hour, in the person's own clock (and outside their quiet hours as well).
FRIENDLY_FROM: Final = time(10, 0)
FRIENDLY_UNTIL: Final = time(19, 0)

W_CATEGORY: Final = 0.45
W_NEARBY: Final = 0.35
W_WAITING: Final = 0.20  # fairness: a request that waited longer comes first
WAITING_HALF_TIME: Final = timedelta(days=2)

# A yes the asker did not answer: a reminder to the asker after YES_REMINDER_AFTER; after
# YES_LAPSES_AFTER the helper hears kindly that it did not work out this time.
YES_REMINDER_AFTER: Final = timedelta(hours=24)
YES_LAPSES_AFTER: Final = timedelta(hours=48)

# Reminders for an accepted match: the evening before a morning window, else before it.
MORNING_UNTIL: Final = time(12, 0)
EVENING_BEFORE: Final = time(19, 0)
REMINDER_BEFORE: Final = timedelta(hours=2)
QUIET_STEP: Final = timedelta(minutes=30)

# Reciprocity: at most one such message a month, and one per help received.
RECIPROCITY_AT_MOST_EVERY: Final = timedelta(days=30)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reader:
    """Someone who might get a digest, as the storage layer sees them now.

    `asks` holds their invitations and digests of at least the last 30 days (the longest pace
    window); `last_ask_at` the latest ask ever (None: never asked); `joined_at` when they
    joined (a digest waits a whole rhythm after that too). `seen` are the requests they have an
    invitation for already (whatever the answer): those are not shown again.
    """

    resident_id: int
    wijk_id: int | None
    area_cell: str | None
    pace: Pace
    likes: frozenset[str] = frozenset()
    quiet_start: str = DEFAULT_QUIET_START
    quiet_end: str = DEFAULT_QUIET_END
    time_zone: str = DEFAULT_TIME_ZONE
    paused: bool = False
    paused_until: datetime | None = None
    stopped: bool = False
    asks: tuple[datetime, ...] = ()
    last_ask_at: datetime | None = None
    joined_at: datetime | None = None
    seen: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Digest:
    resident_id: int
    post_ids: tuple[int, ...]


def friendly_now(reader: Reader, now: datetime) -> bool:
    """A friendly hour in their own clock, outside their quiet hours."""
    local = now.astimezone(zone(reader.time_zone)).time()
    if not FRIENDLY_FROM <= local < FRIENDLY_UNTIL:
        return False
    return not is_quiet(reader.quiet_start, reader.quiet_end, reader.time_zone, now)


def digest_due(reader: Reader, now: datetime) -> bool:
    """Whether a digest may go to `reader` at `now` (if something fits them)."""
    rhythm = DIGEST_RHYTHM.get(reader.pace)
    if rhythm is None:
        return False
    if not is_reachable(
        paused=reader.paused, paused_until=reader.paused_until, stopped=reader.stopped, now=now
    ):
        return False
    latest = reader.last_ask_at
    if reader.asks:
        newest = max(reader.asks)
        if latest is None or newest > latest:
            latest = newest
    since = latest if latest is not None else reader.joined_at
    if since is not None and now - since < rhythm:
        return False
    if not pace_allows(reader.pace, reader.asks, ever_invited=latest is not None, now=now):
        return False
    return friendly_now(reader, now)


@dataclass(slots=True)
class _Shelf:
    """The open requests around one cell (or for one wijk without a cell), best first per
    category, without the per-person rules (own, blocked, seen)."""

    by_category: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    every: list[tuple[float, int]] = field(default_factory=list)


def _waiting(request_started: datetime | None, now: datetime) -> float:
    if request_started is None:
        return 0.0
    waited = max((now - request_started) / WAITING_HALF_TIME, 0.0)
    return waited / (waited + 1.0)


class _Planner:
    def __init__(
        self,
        requests: Iterable[RequestInfo],
        started: Mapping[int, datetime],
        now: datetime,
    ) -> None:
        self.now = now
        self.by_cell: dict[str, list[RequestInfo]] = defaultdict(list)
        self.whole_wijk: dict[int, list[RequestInfo]] = defaultdict(list)
        self.asker: dict[int, int] = {}
        self.waiting: dict[int, float] = {}
        for request in requests:
            if request.needed_by is not None and request.needed_by <= now:
                continue
            self.asker[request.post_id] = request.asker_id
            self.waiting[request.post_id] = _waiting(started.get(request.post_id), now)
            if request.area_cell is not None:
                self.by_cell[request.area_cell].append(request)
            if request.reach in WHOLE_WIJK_REACHES:
                self.whole_wijk[request.wijk_id].append(request)
        self.shelves: dict[tuple[str | None, int | None], _Shelf] = {}

    def shelf(self, cell: str | None, wijk_id: int | None) -> _Shelf:
        key = (cell, wijk_id)
        found = self.shelves.get(key)
        if found is not None:
            return found
        nearby: dict[int, tuple[float, RequestInfo]] = {}
        if cell is not None:
            for other, distance in ring_distances(cell, WIDEST_RINGS).items():
                for request in self.by_cell.get(other, ()):
                    if distance <= REACH_RINGS[request.reach]:
                        near = 1.0 - distance / (WIDEST_RINGS + 1)
                        nearby[request.post_id] = (near, request)
        if wijk_id is not None:
            for request in self.whole_wijk.get(wijk_id, ()):
                if request.post_id not in nearby:
                    # In the wijk but further away (or the area is unknown): least near.
                    near = 0.5 if cell is None or request.area_cell is None else 0.0
                    nearby[request.post_id] = (near, request)
        shelf = _Shelf()
        for post_id, (near, request) in nearby.items():
            base = W_NEARBY * near + W_WAITING * self.waiting[post_id]
            # Negated for ascending order; ties go to the older request (lower id).
            shelf.by_category.setdefault(request.category, []).append((-base, post_id))
            shelf.every.append((-base, post_id))
        for items in shelf.by_category.values():
            items.sort()
        shelf.every.sort()
        self.shelves[key] = shelf
        return shelf

    def pick(self, reader: Reader, blocked_with: Collection[int], size: int) -> tuple[int, ...]:
        shelf = self.shelf(reader.area_cell, reader.wijk_id)
        if reader.likes:
            # Only what they said they like; best first across those categories.
            lists = [shelf.by_category[c] for c in sorted(reader.likes) if c in shelf.by_category]
            ordered: Iterable[tuple[float, int]] = heapq.merge(*lists)
        else:
            ordered = shelf.every
        chosen: list[int] = []
        for _score, post_id in ordered:
            if post_id in reader.seen:
                continue
            asker = self.asker[post_id]
            if asker == reader.resident_id or asker in blocked_with:
                continue
            chosen.append(post_id)
            if len(chosen) == size:
                break
        return tuple(chosen)


def plan_digests(
    readers: Iterable[Reader],
    requests: Iterable[RequestInfo],
    blocked: Iterable[tuple[int, int]],
    now: datetime,
    *,
    started: Mapping[int, datetime] | None = None,
    size: int = DIGEST_SIZE,
) -> list[Digest]:
    """One digest round: for everyone a digest is due for, the few open requests that fit.

    A request fits when it reaches them (its reach, or their wijk at wijk reach), its time has
    not passed, its category is one they like (anything when they named no likes), it is not
    their own, neither blocked the other, and they were not invited for it before. Best first
    by fit, nearness and how long the request waited (`started`: post id -> when it was
    placed). Nobody for whom nothing fits gets a digest.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    now = now.astimezone(UTC)
    blocks: dict[int, set[int]] = defaultdict(set)
    for blocker, blocked_one in blocked:
        blocks[blocker].add(blocked_one)
        blocks[blocked_one].add(blocker)
    planner = _Planner(requests, started or {}, now)
    digests = []
    empty: frozenset[int] = frozenset()
    for reader in readers:
        if not digest_due(reader, now):
            continue
        chosen = planner.pick(reader, blocks.get(reader.resident_id, empty), size)
        if chosen:
            digests.append(Digest(reader.resident_id, chosen))
    return digests


def match_reminder_at(
    window_start: datetime,
    accepted_at: datetime,
    *,
    time_zone: str = DEFAULT_TIME_ZONE,
    quiet_start: str = DEFAULT_QUIET_START,
    quiet_end: str = DEFAULT_QUIET_END,
) -> datetime | None:
    """When to remind one of the two of an accepted match: the evening before a morning
    window, else REMINDER_BEFORE it; moved earlier out of their quiet hours. None when that
    moment is not after the acceptance (they just arranged it) or not before the window."""
    tz = zone(time_zone)
    local_start = window_start.astimezone(tz)
    if local_start.time() < MORNING_UNTIL:
        day_before = local_start.date() - timedelta(days=1)
        moment = datetime.combine(day_before, EVENING_BEFORE, tzinfo=tz).astimezone(UTC)
    else:
        moment = (window_start - REMINDER_BEFORE).astimezone(UTC)
    for _ in range(int(timedelta(days=1) / QUIET_STEP)):
        if not is_quiet(quiet_start, quiet_end, time_zone, moment):
            break
        moment -= QUIET_STEP
    else:
        return None
    if moment <= accepted_at or moment >= window_start:
        return None
    return moment


def yes_lapsed(proposed_at: datetime, now: datetime) -> bool:
    """Whether a yes the asker did not answer has waited long enough to let go of it."""
    return now - proposed_at >= YES_LAPSES_AFTER


def reciprocity_allowed(earlier: Iterable[datetime], at: datetime) -> bool:
    """Whether a reciprocity message may be planned for `at`, given the ones planned before
    (at most one in any RECIPROCITY_AT_MOST_EVERY, either side of it)."""
    return all(abs(at - moment) >= RECIPROCITY_AT_MOST_EVERY for moment in earlier)
