"""The candidate pool: everyone who could ever be invited, in memory, filed for the search.

Why in memory: a plan must find the few best residents among thousands in reach. Reading
them from the database costs ~7 µs a row, and searching a SQL index costs a round trip per
sorted list; at 100,000 residents both stay far above the 5 ms a plan may take. Here the
search (best upper bound first, matching.engine.score_ceiling, until the batch's worst exact
score beats every bound still unread) runs over sorted Python lists, and the unchanged
matching.engine.plan_invitations decides among the residents it examined.

A stale pool can cost optimality but never a promise: the few the plan would invite are read
from the database in the plan's own transaction (pace, pause, quiet hours, likes, offers);
should any differ from the pool, they are filed again and the plan is made again.

Keeping it in step: every change that matters writes a candidate_change row in the same
transaction (storage.candidates.note_changes); each plan first reads the rows it has not seen
and re-reads those residents. The feed works across processes and on both databases. On
PostgreSQL a number can become visible after a higher one (its transaction committed later),
so numbers skipped over are asked for again for GAP_PATIENCE. A transaction that wrote
changes and then did not commit makes the pools that read them start over. A pool older than
RELOAD_AFTER reloads, which also drops invitations that left every pace window and copes
with pruned feed rows.

When fewer than a batch can be asked now (at night nearly everyone is in their quiet hours),
the plan needs everyone in reach: it is made from the pool too, and checked the same way.
"""

from __future__ import annotations

import bisect
import heapq
import random
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import chain, islice
from typing import Any, Final

from sqlalchemy import bindparam, event, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from matching.candidate_filter import candidate_filter
from matching.engine import (
    BATCH_SIZE,
    NO_LIKES_FIT,
    RING_LEVEL,
    WIJK_LEVEL,
    Candidate,
    InvitationPlan,
    RequestInfo,
    Scorer,
    nearby_at,
    plan_invitations,
    score_ceiling,
)
from matching.pace import INVITATION_HISTORY
from matching.quiet_hours import is_quiet, quiet_ends_at, zone
from matching.reach import (
    REACH_RINGS,
    WHOLE_WIJK_REACHES,
    Reach,
    ring_distances,
)
from storage.candidates import (
    ANY_TOPIC,
    CHANGES_WRITTEN,
    OTHER_TOPIC,
    RELOAD_EVERYONE,
    REQUEST_COLUMNS,
    WITH_OFFERS,
    Adjust,
    already_invited,
    blocked_pairs_for,
    candidate_topics,
    candidates_from_rows,
    could_ever_be_invited,
    full_scan_plan,
    request_info,
)
from storage.models import CandidateChange, Invitation, Post, PostKind, PostStatus, Resident

GAP_PATIENCE: Final = 600.0  # seconds
# After examining this many residents without a batch to invite (at night everyone is in
# their quiet hours), the search stops: the plan then needs everyone in reach anyway.
GIVE_UP_AFTER: Final = 64
ATTEMPTS: Final = 3  # plans made again after the database corrected the pool
RELOAD_AFTER: Final = 6 * 3600.0  # seconds
NEVER: Final = float("-inf")
# Residents of a sleeping quiet-hours kind read at a time, per kind and level (see _for_later).
_QUIET_SAMPLE: Final = 4
FAR_FUTURE: Final = datetime.max.replace(
    tzinfo=UTC
)  # the sort key of someone never invited: before everyone

_resident = Resident.__table__  # type: ignore[attr-defined]
_invitation = Invitation.__table__  # type: ignore[attr-defined]
_post = Post.__table__  # type: ignore[attr-defined]
_change = CandidateChange.__table__  # type: ignore[attr-defined]

_COLUMNS: Final = (
    _resident.c.id,
    _resident.c.wijk_id,
    _resident.c.area_cell,
    _resident.c.pace,
    _resident.c.quiet_start,
    _resident.c.quiet_end,
    _resident.c.likes,
    _resident.c.paused,
    _resident.c.paused_until,
    _resident.c.stopped,
    _resident.c.unreachable_since,
    _resident.c.last_invited_at,
    _resident.c.onboarded,
)

# A list's place: (topic, cell) for residents with a known area, (topic, wijk, False) for
# the wijk's residents of unknown area, (topic, wijk, True) for all the wijk's known ones.
ListKey = tuple[Any, ...]
# Everyone is filed twice: in the lists above, and in the same lists per quiet-hours kind,
# (kind, topic, cell) and (kind, topic, wijk, area known). When some kinds are in their quiet
# hours (at night: nearly everyone), the search reads only the lists of the kinds awake now,
# instead of reading thousands who cannot be asked before morning. The sort keys are shared
# between both, so the second filing costs a pointer per entry.
QuietKind = tuple[str, str, str]  # (time zone, quiet start, quiet end), as classify keys it


def _kind(candidate: Candidate) -> QuietKind:
    return (candidate.time_zone, candidate.quiet_start, candidate.quiet_end)


def _clock_changes_before_waking(kind: QuietKind, now: datetime) -> bool:
    """Whether the zone's UTC offset differs between now and the end of the kind's quiet
    hours (a night with a clock change)."""
    zone_name, start, end = kind
    ends = quiet_ends_at(start, end, zone_name, now)
    local = zone(zone_name)
    return now.astimezone(local).utcoffset() != ends.astimezone(local).utcoffset()


def _sort_key(candidate: Candidate) -> tuple[float, int]:
    last = candidate.last_invited_at
    return (NEVER if last is None else last.timestamp(), candidate.resident_id)


# Built once: building SQLAlchemy statements costs more than running these small ones.
_ROWS: Final = select(*_COLUMNS)
_ROWS_OF: Final = _ROWS.where(_resident.c.id.in_(bindparam("ids", expanding=True)))
_ROWS_AFTER: Final = _ROWS.where(_resident.c.id > bindparam("after")).order_by(_resident.c.id)
LOAD_CHUNK: Final = 5_000
_FEED: Final = select(_change.c.seq, _change.c.resident_id).where(
    _change.c.seq > bindparam("after")
)
_FEED_AND_GAPS: Final = select(_change.c.seq, _change.c.resident_id).where(
    or_(_change.c.seq > bindparam("after"), _change.c.seq.in_(bindparam("gaps", expanding=True)))
)


def _read_candidates(
    session: Session, *, ids: Sequence[int] | None, since: datetime
) -> list[Candidate]:
    """Those who could ever be invited, from the source tables: among these ids, or all (read
    in chunks of LOAD_CHUNK residents)."""
    if ids is not None:
        return _candidates_of(session, session.execute(_ROWS_OF, {"ids": list(ids)}), since)
    found: list[Candidate] = []
    after = 0
    while rows := session.execute(_ROWS_AFTER.limit(LOAD_CHUNK), {"after": after}).all():
        after = rows[-1].id
        found.extend(_candidates_of(session, rows, since))
    return found


def _candidates_of(session: Session, rows: Iterable[Any], since: datetime) -> list[Candidate]:
    kept = [row for row in rows if could_ever_be_invited(row)]
    return candidates_from_rows(session, kept, since)


@dataclass(slots=True)
class _Group:
    """Lists of one topic at one distance, not read yet."""

    lists: list[ListKey]
    fit: float
    has_offers: bool
    nearby: float


@dataclass(slots=True)
class _Cursor:
    """One sorted list being read during a search."""

    entries: list[tuple[float, int]]
    fit: float
    has_offers: bool
    nearby: float
    position: int = 0


@dataclass
class CandidatePool:
    """The residents who could ever be invited, filed in sorted lists per topic and place."""

    filed: dict[int, Candidate] = field(default_factory=dict)
    lists: dict[ListKey, list[tuple[float, int]]] = field(default_factory=dict)
    # Who lives where, per quiet-hours kind: (cell, kind) and (wijk, kind).
    by_cell: dict[tuple[str, QuietKind], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    by_wijk: dict[tuple[int, QuietKind], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    # How many filed residents have each quiet-hours kind (see _kind).
    kinds: dict[QuietKind, int] = field(default_factory=dict)
    last_seq: int = 0
    # Numbers below last_seq not seen yet (PostgreSQL: a transaction that took its number
    # earlier may commit later), with when they were first missed; read again until seen or
    # GAP_PATIENCE has passed (it rolled back).
    gaps: dict[int, float] = field(default_factory=dict)
    since: datetime = FAR_FUTURE
    loaded_at: float = 0.0
    # Plans whose invitations the database did not confirm (made by a database scan instead).
    fallbacks: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- filing -------------------------------------------------------------------------

    @staticmethod
    def _list_keys(candidate: Candidate) -> list[ListKey]:
        """The lists one resident is filed in (worked out again when they leave: keeping
        them per resident would cost more memory than the pool's lists themselves)."""
        keys: list[ListKey] = []
        kind = _kind(candidate)
        for topic in candidate_topics(candidate.likes, candidate.offer_categories):
            if candidate.area_cell is not None:
                keys.append((topic, candidate.area_cell))
                keys.append((kind, topic, candidate.area_cell))
            if candidate.wijk_id is not None:
                known = candidate.area_cell is not None
                keys.append((topic, candidate.wijk_id, known))
                keys.append((kind, topic, candidate.wijk_id, known))
        return keys

    def _remove(self, resident_id: int) -> None:
        candidate = self.filed.pop(resident_id, None)
        if candidate is None:
            return
        key = _sort_key(candidate)
        for list_key in self._list_keys(candidate):
            entries = self.lists[list_key]
            at = bisect.bisect_left(entries, key)
            if at < len(entries) and entries[at] == key:
                del entries[at]
        kind = _kind(candidate)
        self.kinds[kind] -= 1
        if not self.kinds[kind]:
            del self.kinds[kind]
        if candidate.area_cell is not None:
            self.by_cell[candidate.area_cell, kind].discard(resident_id)
        if candidate.wijk_id is not None:
            self.by_wijk[candidate.wijk_id, kind].discard(resident_id)

    def _file(self, candidate: Candidate) -> None:
        rid = candidate.resident_id
        self._remove(rid)
        key = _sort_key(candidate)
        for list_key in self._list_keys(candidate):
            bisect.insort(self.lists.setdefault(list_key, []), key)
        self.filed[rid] = candidate
        kind = _kind(candidate)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if candidate.area_cell is not None:
            self.by_cell[candidate.area_cell, kind].add(rid)
        if candidate.wijk_id is not None:
            self.by_wijk[candidate.wijk_id, kind].add(rid)

    def _refresh(self, session: Session, ids: Sequence[int]) -> None:
        ids = sorted(set(ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for rid in chunk:
                self._remove(rid)
            for candidate in _read_candidates(session, ids=chunk, since=self.since):
                self._file(candidate)

    # --- keeping in step ----------------------------------------------------------------

    def _load(self, session: Session, now: datetime) -> None:
        self.filed.clear()
        self.lists.clear()
        self.kinds.clear()
        self.by_cell.clear()
        self.by_wijk.clear()
        # The feed's position first: a change written while loading is read again next time.
        self.last_seq = (
            session.execute(select(_change.c.seq).order_by(_change.c.seq.desc()).limit(1)).scalar()
            or 0
        )
        self.gaps.clear()
        self.since = now - INVITATION_HISTORY - timedelta(days=1)
        for candidate in _read_candidates(session, ids=None, since=self.since):
            self._file(candidate)
        self.loaded_at = time.monotonic()

    def catch_up(self, session: Session, now: datetime) -> None:
        """Apply every change this session can see that the pool has not applied yet."""
        if (
            not self.loaded_at
            or time.monotonic() - self.loaded_at > RELOAD_AFTER
            or now - INVITATION_HISTORY < self.since
        ):
            self._load(session, now)
            return
        clock = time.monotonic()
        self.gaps = {seq: at for seq, at in self.gaps.items() if clock - at < GAP_PATIENCE}
        if self.gaps:
            rows = session.execute(
                _FEED_AND_GAPS, {"after": self.last_seq, "gaps": sorted(self.gaps)}
            ).all()
        else:
            rows = session.execute(_FEED, {"after": self.last_seq}).all()
        if not rows:
            return
        if any(resident_id == RELOAD_EVERYONE for _seq, resident_id in rows):
            self._load(session, now)
            return
        seen = {seq for seq, _rid in rows}
        for seq in seen:
            self.gaps.pop(seq, None)
        newest = max(seen)
        if newest > self.last_seq:
            for missing in range(self.last_seq + 1, newest):
                if missing not in seen:
                    self.gaps[missing] = clock
            self.last_seq = newest
        self._refresh(session, sorted({resident_id for _seq, resident_id in rows}))

    def forget(self) -> None:
        """Start over at the next plan (the pool may hold changes that were rolled back)."""
        self.loaded_at = 0.0

    # --- planning -----------------------------------------------------------------------

    def plan(
        self,
        session: Session,
        *,
        request: RequestInfo,
        now: datetime,
        reach: Reach,
        read_reach: Reach,
        batch_size: int,
        blocked: Sequence[tuple[int, int]],
        invited: set[int],
        adjust: Adjust | None,
    ) -> InvitationPlan | None:
        """The plan a full scan makes, or None when the pool could not confirm it.

        The plan is made from the pool; the residents it would invite are then read from the
        database. Should any differ from the pool (a change the feed has not brought yet),
        they are filed again and the plan made again, at most ATTEMPTS times."""
        with self.lock:
            self.catch_up(session, now)
            since = now - INVITATION_HISTORY
            for _attempt in range(ATTEMPTS):
                if session.info.get(CHANGES_WRITTEN):
                    _watch(session, self)
                plan, used = self._plan_from_pool(
                    request, now, reach, read_reach, batch_size, blocked, invited, adjust
                )
                if not plan.invite:
                    return plan
                confirmed = self._exact(session, plan.invite, now, adjust)
                wrong = [
                    rid
                    for rid in plan.invite
                    if not _same(used.get(rid), confirmed.get(rid), since)
                ]
                if not wrong:
                    return plan
                self._refresh(session, wrong)
            self.fallbacks += 1
            return None

    def _plan_from_pool(
        self,
        request: RequestInfo,
        now: datetime,
        reach: Reach,
        read_reach: Reach,
        batch_size: int,
        blocked: Sequence[tuple[int, int]],
        invited: set[int],
        adjust: Adjust | None,
    ) -> tuple[InvitationPlan, dict[int, Candidate]]:
        """The plan from the pool alone, and the candidates it was made from by id."""
        examined = self._search(request, reach, now, batch_size, blocked, invited, adjust)
        if examined is None:
            # Fewer than a batch can be asked now: the plan needs to know when to look again
            # and whether a wider reach would help.
            examined = self._for_later(request, read_reach, now, blocked, invited, adjust)
        plan = plan_invitations(request, examined, blocked, invited, now, batch_size, reach=reach)
        return plan, {candidate.resident_id: candidate for candidate in examined}

    def _exact(
        self, session: Session, ids: Iterable[int], now: datetime, adjust: Adjust | None
    ) -> dict[int, Candidate]:
        """These residents as the session's transaction sees them, adjusted by the caller."""
        found = _read_candidates(session, ids=sorted(set(ids)), since=now - INVITATION_HISTORY)
        if adjust is not None:
            found = adjust(found)
        return {candidate.resident_id: candidate for candidate in found}

    def _search(
        self,
        request: RequestInfo,
        reach: Reach,
        now: datetime,
        batch_size: int,
        blocked: Sequence[tuple[int, int]],
        invited: set[int],
        adjust: Adjust | None,
    ) -> list[Candidate] | None:
        """Everyone examined so that the best `batch_size` at `reach` are among them (as the
        pool has them, adjusted by the caller), or None when fewer than that can be asked."""
        now = now.astimezone(UTC)
        scorer = Scorer(request, blocked, invited, now, reach=reach)
        rings: dict[str, int] = {}
        if request.area_cell is not None:
            rings = ring_distances(request.area_cell, REACH_RINGS[reach])
        by_distance: dict[int, list[str]] = defaultdict(list)
        for cell, ring in rings.items():
            by_distance[ring].append(cell)
        whole_wijk = reach in WHOLE_WIJK_REACHES and request.wijk_id is not None
        # The heap holds groups not opened yet (one topic at one ring, or one part of the
        # wijk), at the best bound any of their residents could have, and opened lists, at
        # the bound of their next resident: a group's lists are made only when it comes up.
        heap: list[tuple[float, int, _Cursor | _Group]] = []
        order = 0

        def push(cursor: _Cursor) -> None:
            nonlocal order
            if cursor.position >= len(cursor.entries):
                return
            stamp = cursor.entries[cursor.position][0]
            last = None if stamp == NEVER else datetime.fromtimestamp(stamp, UTC)
            bound = score_ceiling(
                category_fit=cursor.fit,
                has_offers=cursor.has_offers,
                nearby=cursor.nearby,
                last_invited_at=last,
                now=now,
            )
            heapq.heappush(heap, (-bound, order, cursor))
            order += 1

        def add_group(lists: list[ListKey], fit: float, offers: bool, nearby: float) -> None:
            nonlocal order
            bound = score_ceiling(
                category_fit=fit, has_offers=offers, nearby=nearby, last_invited_at=None, now=now
            )
            heapq.heappush(heap, (-bound, order, _Group(lists, fit, offers, nearby)))
            order += 1

        # None: every kind is awake, read the lists of all kinds together.
        awake: list[QuietKind] | None = None
        asleep = [kind for kind in self.kinds if is_quiet(kind[1], kind[2], kind[0], now)]
        if asleep:
            awake = [kind for kind in self.kinds if kind not in asleep]

        def per_kind(key: ListKey) -> list[ListKey]:
            return [key] if awake is None else [(kind, *key) for kind in awake]

        for topic, fit in ((request.category, 1.0), (ANY_TOPIC, NO_LIKES_FIT), (OTHER_TOPIC, 0.0)):
            for mark in ("", WITH_OFFERS):
                offers = bool(mark)
                for ring, cells in by_distance.items():
                    keys: list[ListKey] = []
                    for cell in cells:
                        keys.extend(per_kind((topic + mark, cell)))
                    add_group(keys, fit, offers, nearby_at(ring, area_known=True))
                if whole_wijk:
                    for area_known in (False, True):
                        keys = per_kind((topic + mark, request.wijk_id, area_known))
                        add_group(keys, fit, offers, nearby_at(None, area_known=area_known))

        seen: set[int] = set()
        scores: dict[int, float] = {}  # the eligible examined
        examined: dict[int, Candidate] = {}
        unadjusted: list[Candidate] = []  # examined, not yet shown to `adjust`

        floor_cache: list[float | None] = [None]  # None: to be computed again

        def batch_floor() -> float | None:
            if len(scores) < batch_size:
                return None
            if floor_cache[0] is None:
                floor_cache[0] = heapq.nlargest(batch_size, scores.values())[-1]
            return floor_cache[0]

        def apply_adjust() -> None:
            # `adjust` can only make someone less eligible, so the search goes on from here.
            assert adjust is not None
            kept = {candidate.resident_id: candidate for candidate in adjust(unadjusted)}
            for candidate in unadjusted:
                rid = candidate.resident_id
                scores.pop(rid, None)
                examined.pop(rid, None)
                changed = kept.get(rid)
                if changed is not None:
                    examined[rid] = changed
                    score = scorer.score(changed)
                    if score is not None:
                        scores[rid] = score
            unadjusted.clear()
            floor_cache[0] = None

        while True:
            bound = -heap[0][0] if heap else -1.0
            floor = batch_floor()
            if bound < 0.0 or (floor is not None and floor > bound):
                if unadjusted:
                    apply_adjust()
                    continue
                break
            if floor is None and len(seen) >= GIVE_UP_AFTER:
                return None
            _negative, _order, item = heapq.heappop(heap)
            if isinstance(item, _Group):
                for key in item.lists:
                    entries = self.lists.get(key)
                    if entries:
                        push(_Cursor(entries, item.fit, item.has_offers, item.nearby))
                continue
            cursor = item
            rid = cursor.entries[cursor.position][1]
            cursor.position += 1
            push(cursor)
            if rid in seen:
                continue
            seen.add(rid)
            candidate = self.filed[rid]
            examined[rid] = candidate
            if adjust is not None:
                unadjusted.append(candidate)
            score = scorer.score(candidate)
            if score is not None:
                scores[rid] = score
                floor_cache[0] = None
        if len(scores) < batch_size:
            return None
        return list(examined.values())

    def _places(
        self, request: RequestInfo, read_reach: Reach, now: datetime
    ) -> list[tuple[int, Any]]:
        """The places within `read_reach` of the request, nearest first: (the reach level of
        the residents there, the place) for each cell, and (the wijk's level, None) for the
        rest of the wijk."""
        flt = candidate_filter(request, read_reach, now)
        places: list[tuple[int, Any]] = []
        if request.area_cell is not None:
            rings = ring_distances(request.area_cell, REACH_RINGS[read_reach])
            places = sorted((RING_LEVEL[rings[cell]], cell) for cell in flt.cells)
        if flt.wijk_id is not None:
            places.append((WIJK_LEVEL, None))
        return places

    def _members(self, request: RequestInfo, place: Any, kind: QuietKind) -> Set[int]:
        """The residents of one quiet-hours kind at a place of _places."""
        if place is not None:
            return self.by_cell.get((place, kind), frozenset())
        return self.by_wijk.get((request.wijk_id, kind), frozenset())

    def _lazy_members(
        self, request: RequestInfo, place: Any, kind: QuietKind, cells: Set[str]
    ) -> Iterator[int]:
        """_members, one by one: the wijk's residents outside the cells first (the cells are
        read already)."""
        if place is not None:
            yield from self.by_cell.get((place, kind), ())
            return
        ids = self.by_wijk.get((request.wijk_id, kind), ())
        for outside in (True, False):
            for rid in ids:
                if (self.filed[rid].area_cell not in cells) is outside:
                    yield rid

    def _everyone(self, request: RequestInfo, read_reach: Reach, now: datetime) -> list[Candidate]:
        """Everyone in the pool within `read_reach` of the request (as the prefilter reads)."""
        ids: set[int] = set()
        for _level, place in self._places(request, read_reach, now):
            for kind in self.kinds:
                ids.update(self._members(request, place, kind))
        return [self.filed[rid] for rid in sorted(ids)]

    def _for_later(
        self,
        request: RequestInfo,
        read_reach: Reach,
        now: datetime,
        blocked: Sequence[tuple[int, int]],
        invited: set[int],
        adjust: Adjust | None,
    ) -> list[Candidate]:
        """Enough of those within `read_reach` for the plan a full scan makes when fewer than
        a batch can be asked now.

        Everyone whose quiet hours are over is taken. Of each quiet-hours kind still asleep,
        at each reach level, residents are read until one is held back by their quiet hours
        alone: the plan's moment to look again cannot come before that kind wakes, and anyone
        else of that kind waits at least as long (a pause or pace only ends later, and then
        quiet hours still apply). Where no such one is found, all were read. So the plan's
        invitations, its moment to look again and its wider reach are a full scan's."""
        utc = now.astimezone(UTC)
        asleep = {kind for kind in self.kinds if is_quiet(kind[1], kind[2], kind[0], utc)}
        if not asleep:
            everyone = self._everyone(request, read_reach, now)
            return adjust(everyone) if adjust is not None else everyone
        # A kind whose night spans a clock change is read in full: then not every instant
        # before its quiet end is quiet (the end can fall in a skipped hour, the start in a
        # repeated one), and someone whose pause ends in between could be asked sooner.
        sampled = {kind for kind in asleep if not _clock_changes_before_waking(kind, utc)}
        scorer = Scorer(request, blocked, invited, now)
        places = self._places(request, read_reach, now)
        cells = {place for _level, place in places if place is not None}
        taken: dict[int, Candidate] = {}
        awake_ids: set[int] = set()
        # (kind, level) -> the ids still to read there, nearest place first, read lazily: at
        # night one whole wijk of a kind is in one queue, and usually four of it are read.
        places_at: dict[tuple[QuietKind, int], list[Any]] = defaultdict(list)
        for level, place in places:
            for kind in self.kinds:
                if kind in sampled:
                    places_at[kind, level].append(place)
                else:
                    awake_ids.update(self._members(request, place, kind))
        queues: dict[tuple[QuietKind, int], Iterator[int]] = {}
        for (kind, level), at in places_at.items():
            queues[kind, level] = chain.from_iterable(
                [self._lazy_members(request, place, kind, cells) for place in at]
            )
        batch = [self.filed[rid] for rid in sorted(awake_ids)]
        size = _QUIET_SAMPLE  # grows, so that a kind with few such residents takes few rounds
        while True:
            for key, queue in list(queues.items()):
                chunk = list(islice(queue, size))
                if not chunk:
                    del queues[key]  # all of them read
                batch.extend(self.filed[rid] for rid in chunk if rid not in taken)
            if not batch:
                if queues:
                    size *= 4
                    continue  # this round held only people read already
                break
            for candidate in adjust(batch) if adjust is not None else batch:
                taken[candidate.resident_id] = candidate
                quiet_at = scorer.quiet_level(candidate)
                if quiet_at is not None:
                    # Of this kind at this level, one held only by quiet hours is enough.
                    queues.pop((_kind(candidate), quiet_at), None)
            batch = []
            size *= 4
        return [taken[rid] for rid in sorted(taken)]


def _same(pooled: Candidate | None, exact: Candidate | None, since: datetime) -> bool:
    """Whether the pool's candidate is the database's, but for invitations that left every
    pace window (the pool keeps them a little longer)."""
    if pooled is None or exact is None:
        return False
    recent = tuple(moment for moment in pooled.invitations_received if moment > since)
    return replace(pooled, invitations_received=recent) == exact


_POOLS: weakref.WeakKeyDictionary[Engine, CandidatePool] = weakref.WeakKeyDictionary()
_POOLS_LOCK = threading.Lock()


def pool_for(session: Session) -> CandidatePool:
    """The pool of the session's database, made on first use (loaded at its first plan)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with _POOLS_LOCK:
        pool = _POOLS.get(engine)
        if pool is None:
            pool = _POOLS[engine] = CandidatePool()
        return pool


_WATCHING: Final = "buurtbot.candidate_pools"


def _watch(session: Session, pool: CandidatePool) -> None:
    """This pool read changes the session's open transaction wrote (not committed yet)."""
    session.info.setdefault(_WATCHING, []).append(pool)


@event.listens_for(OrmSession, "after_commit")
def _changes_committed(session: OrmSession) -> None:
    session.info.pop(_WATCHING, None)
    session.info.pop(CHANGES_WRITTEN, None)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_rolled_back(session: OrmSession, transaction: Any) -> None:
    """The outer transaction ended without a commit (rollback or close): pools that read its
    changes start over, and the next transaction begins with a clean slate."""
    if transaction.parent is not None:
        return
    for pool in session.info.pop(_WATCHING, ()):
        pool.forget()
    session.info.pop(CHANGES_WRITTEN, None)


def pool_agrees(
    session: Session,
    pool: CandidatePool,
    *,
    request: RequestInfo,
    now: datetime,
    reach: Reach | None = None,
    batch_size: int = BATCH_SIZE,
) -> bool:
    """Whether the pool's search alone (no check against the database, no second try) agrees
    with a full scan: the same invitations when it finds a batch, and a full scan that finds
    less than a batch when it does not. Stricter than comparing plan_for's plans."""
    reach = reach or request.reach
    blocked = blocked_pairs_for(session, request.asker_id)
    invited = already_invited(session, request.post_id)
    full = full_scan_plan(
        session,
        request=request,
        now=now,
        reach=reach,
        batch_size=batch_size,
        blocked=blocked,
        invited=invited,
    )
    with pool.lock:
        pool.catch_up(session, now)
        examined = pool._search(request, reach, now, batch_size, blocked, invited, None)
    if examined is None:
        return full.eligible_now < batch_size
    plan = plan_invitations(request, examined, blocked, invited, now, batch_size, reach=reach)
    return plan.invite == full.invite


def compare_with_full_scan(
    session: Session, *, sample: int, now: datetime, seed: int | None = None
) -> tuple[int, int]:
    """(how many agree, how many were compared) for up to `sample` open requests chosen at
    random: a pool loaded now (see pool_agrees) against a full scan at each request's own
    reach. For `buurtbot check`; a disagreement is a fault in the search. Reads only."""
    p = _post.c
    ids = [
        post_id
        for (post_id,) in session.execute(
            select(p.id).where(p.kind == PostKind.REQUEST.value, p.status == PostStatus.OPEN.value)
        )
    ]
    chosen = random.Random(seed).sample(ids, min(sample, len(ids)))
    pool = CandidatePool()
    same = 0
    for post_id in chosen:
        row = session.execute(select(*REQUEST_COLUMNS).where(p.id == post_id)).one()
        same += pool_agrees(session, pool, request=request_info(row), now=now)
    return same, len(chosen)


def warm_up(session: Session, now: datetime) -> int:
    """Load the pool now (at start-up) instead of at the first plan; returns its size."""
    pool = pool_for(session)
    with pool.lock:
        pool.catch_up(session, now)
        return len(pool.filed)


__all__ = ["CandidatePool", "compare_with_full_scan", "pool_agrees", "pool_for", "warm_up"]
