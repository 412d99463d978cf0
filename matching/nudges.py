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
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import chain
from typing import Final

from matching.availability import is_reachable
from matching.engine import RequestInfo
from matching.gc_pause import collector_paused
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


@dataclass(slots=True, kw_only=True)
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
    seen: Collection[int] = frozenset()


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


def digest_due(
    reader: Reader, now: datetime, *, friendly: dict[tuple[str, str, str], bool] | None = None
) -> bool:
    """Whether a digest may go to `reader` at `now` (if something fits them). `friendly`
    caches friendly_now per time zone and quiet hours, within one round."""
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
    if reader.asks and not pace_allows(
        reader.pace, reader.asks, ever_invited=latest is not None, now=now
    ):
        return False
    if friendly is None:
        return friendly_now(reader, now)
    key = (reader.time_zone, reader.quiet_start, reader.quiet_end)
    known = friendly.get(key)
    if known is None:
        known = friendly[key] = friendly_now(reader, now)
    return known


# Per shelf and category only the best few are kept at hand; a person whose own, blocked or
# already seen requests take up all of those gets the full list (rare).
_SPARE: Final = 5
_NEAR_AT: Final = tuple(
    1.0 - distance / (WIDEST_RINGS + 1) for distance in range(WIDEST_RINGS + 1)
)
_WIJK_NEAR_UNKNOWN: Final = 0.5  # the wijk at wijk reach, one of the two areas unknown
_WIJK_NEAR_FAR: Final = 0.0  # the wijk at wijk reach, further than the rings

Item = tuple[float, int]  # (minus the score, post id): ascending order is best first


@dataclass(slots=True)
class _Shelf:
    """The open requests around one cell (or for one wijk without a cell), best first, all
    together and the best few per category, before the per-person rules (own, blocked, seen).
    Each item is (minus the score, post id, category)."""

    every: list[tuple[float, int, str]]
    top: dict[str, list[Item]]
    every_top: list[Item]
    cut: frozenset[str]  # the categories `top` may not hold all of

    def category(self, name: str) -> list[Item]:
        """All of one category, best first (for the rare person who needs more than the top)."""
        return [(score, post_id) for score, post_id, of in self.every if of == name]


def _waiting(request_started: datetime | None, now: datetime) -> float:
    if request_started is None:
        return 0.0
    waited = max((now - request_started) / WAITING_HALF_TIME, 0.0)
    return waited / (waited + 1.0)


def _rings_by_distance(cell: str) -> list[list[str]]:
    """The cells around `cell` within the widest reach, grouped by their distance."""
    rings: list[list[str]] = [[] for _ in range(WIDEST_RINGS + 1)]
    for other, distance in ring_distances(cell, WIDEST_RINGS).items():
        rings[distance].append(other)
    return rings


class _Planner:
    """Each request is put on the shelf of every cell it reaches (by its own reach), with its
    score there; a person's shelf is their cell's plus their wijk's wijk-reach requests from
    further away. Pushing from the requests touches each (request, cell) pair once."""

    def __init__(
        self,
        requests: Iterable[RequestInfo],
        started: Mapping[int, datetime],
        now: datetime,
        size: int,
    ) -> None:
        self.keep = size + _SPARE
        self.near_cell: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
        self.whole_wijk: dict[int, list[tuple[str | None, str, float, int]]] = defaultdict(list)
        self.asker: dict[int, int] = {}
        self.around: dict[str, dict[str, int]] = {}
        rings_of: dict[str, list[list[str]]] = {}
        near_cell = self.near_cell
        for request in requests:
            if request.needed_by is not None and request.needed_by <= now:
                continue
            post_id, category = request.post_id, request.category
            self.asker[post_id] = request.asker_id
            wait = W_WAITING * _waiting(started.get(post_id), now)
            cell = request.area_cell
            if cell is not None:
                rings = rings_of.get(cell)
                if rings is None:
                    rings = rings_of[cell] = _rings_by_distance(cell)
                for distance in range(REACH_RINGS[request.reach] + 1):
                    item = (-(W_NEARBY * _NEAR_AT[distance] + wait), post_id, category)
                    for other in rings[distance]:
                        near_cell[other].append(item)
            if request.reach in WHOLE_WIJK_REACHES:
                self.whole_wijk[request.wijk_id].append((cell, category, wait, post_id))
        self.shelves: dict[tuple[str | None, int | None], _Shelf] = {}

    def shelf(self, cell: str | None, wijk_id: int | None) -> _Shelf:
        key = (cell, wijk_id)
        found = self.shelves.get(key)
        if found is not None:
            return found
        every: list[tuple[float, int, str]] = []
        rings: Mapping[str, int] = {}
        if cell is not None:
            every.extend(self.near_cell.get(cell, ()))
            rings = ring_distances(cell, WIDEST_RINGS)
        if wijk_id is not None:
            for area, category, wait, post_id in self.whole_wijk.get(wijk_id, ()):
                if area is not None and area in rings:
                    continue  # within the rings: on the cell's shelf already
                near = _WIJK_NEAR_UNKNOWN if cell is None or area is None else _WIJK_NEAR_FAR
                every.append((-(W_NEARBY * near + wait), post_id, category))
        every.sort()
        keep = self.keep
        top: dict[str, list[Item]] = defaultdict(list)
        # Categories that filled up: maybe more of them beyond the top (read only if needed).
        cut: set[str] = set()
        categories = len({category for _score, _post_id, category in every})
        for score, post_id, category in every:
            items = top[category]
            if len(items) < keep:
                items.append((score, post_id))
                if len(items) == keep:
                    cut.add(category)
                    if len(cut) == categories:
                        break
        every_top = [(score, post_id) for score, post_id, _category in every[:keep]]
        shelf = _Shelf(every, dict(top), every_top, frozenset(cut))
        self.shelves[key] = shelf
        return shelf

    def pick(self, reader: Reader, blocked_with: Collection[int], size: int) -> tuple[int, ...]:
        shelf = self.shelf(reader.area_cell, reader.wijk_id)
        likes = reader.likes
        if not likes:
            chosen = self._first(reader, blocked_with, size, shelf.every_top)
            if len(chosen) < size and len(shelf.every) > len(shelf.every_top):
                full = [(score, post_id) for score, post_id, _category in shelf.every]
                chosen = self._first(reader, blocked_with, size, full)
            return chosen
        # Only what they said they like; best first across those categories.
        top = shelf.top
        lists = [top[c] for c in likes if c in top]
        if not lists:
            return ()
        ordered = lists[0] if len(lists) == 1 else sorted(chain.from_iterable(lists))
        chosen = self._first(reader, blocked_with, size, ordered)
        if len(chosen) < size and not shelf.cut.isdisjoint(likes):
            merged = heapq.merge(*(shelf.category(c) for c in likes if c in top))
            chosen = self._first(reader, blocked_with, size, merged)
        return chosen

    def _first(
        self, reader: Reader, blocked_with: Collection[int], size: int, ordered: Iterable[Item]
    ) -> tuple[int, ...]:
        chosen: list[int] = []
        seen, me, asker = reader.seen, reader.resident_id, self.asker
        for _score, post_id in ordered:
            if post_id in seen:
                continue
            author = asker[post_id]
            if author == me or author in blocked_with:
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
    by nearness and how long the request waited (`started`: post id -> when it was placed);
    ties go to the older request. Nobody for whom nothing fits gets a digest.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    now = now.astimezone(UTC)
    with collector_paused():  # many small objects, no cycles: see matching.gc_pause
        blocks: dict[int, set[int]] = defaultdict(set)
        for blocker, blocked_one in blocked:
            blocks[blocker].add(blocked_one)
            blocks[blocked_one].add(blocker)
        planner = _Planner(requests, started or {}, now, size)
        digests = []
        empty: frozenset[int] = frozenset()
        friendly: dict[tuple[str, str, str], bool] = {}
        for reader in readers:
            if not digest_due(reader, now, friendly=friendly):
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
