"""What the matching engine needs from the database, gathered in a few Core queries.

:func:`candidates_for` turns :func:`matching.candidate_filter.candidate_filter` into SQL, then
loads, for the residents it keeps, their recent invitations and their open offers: three
queries whatever the number of candidates. Rows are read as tuples (SQLAlchemy Core), not as
ORM objects, because building thousands of objects costs more than the queries themselves.

The SQL is portable (SQLite and PostgreSQL): no NULLS FIRST, no partial indexes, no arrays.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    event,
    exists,
    insert,
    literal,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session

from matching.candidate_filter import CandidateFilter, candidate_filter
from matching.engine import (
    BATCH_SIZE,
    FAIRNESS_HALF_TIME,
    NO_LIKES_FIT,
    UNKNOWN_AREA_NEARBY,
    W_CATEGORY,
    W_FAIRNESS,
    W_NEARBY,
    Candidate,
    InvitationPlan,
    OfferInfo,
    RequestInfo,
    eligible_scores,
    nearby_at,
    plan_invitations,
    score_ceiling,
)
from matching.pace import INVITATION_HISTORY, PACE_CAPS, Pace
from matching.reach import (
    REACH_ORDER,
    REACH_RINGS,
    WHOLE_WIJK_REACHES,
    WIDEST_RINGS,
    Reach,
    ring_distances,
)
from storage.models import (
    Block,
    CandidateChange,
    CandidateSlot,
    Invitation,
    Post,
    PostKind,
    PostStatus,
    Resident,
)

# At most this many residents are handed to the engine for one plan. The engine ranks only what
# it is given, so the database orders by an estimate of the engine's score (category, distance,
# fairness; see _score_hint), then never invited first, then the longest ago, then id. The
# estimate leaves out the offer-text fit (up to W_OFFER_TEXT), so when more than this many are
# eligible someone whose offer text fits well but who is otherwise ranked low can be left out;
# in exchange one plan stays a few milliseconds however big the city. A batch is BATCH_SIZE (3)
# people, so 300 leaves ample room for the engine's own ranking.
CANDIDATE_LIMIT: Final = 300

# At most this many open requests are handed to requests_for_offer, oldest first.
OPEN_REQUEST_LIMIT: Final = 1000

_resident = Resident.__table__  # type: ignore[attr-defined]
_invitation = Invitation.__table__  # type: ignore[attr-defined]
_post = Post.__table__  # type: ignore[attr-defined]
_block = Block.__table__  # type: ignore[attr-defined]
_slot = CandidateSlot.__table__  # type: ignore[attr-defined]
_change = CandidateChange.__table__  # type: ignore[attr-defined]

# Set in Session.info when the transaction wrote to the change feed: a pool that read this
# transaction's own changes must forget them if it rolls back (storage.candidate_pool).
CHANGES_WRITTEN: Final = "buurtbot.candidate_changes"

# The columns of a request post that request_info reads, in its order: select(*REQUEST_COLUMNS).
REQUEST_COLUMNS: Final = (
    _post.c.id,
    _post.c.resident_id,
    _post.c.wijk_id,
    _post.c.area_cell,
    _post.c.category,
    _post.c.text,
    _post.c.reach,
    _post.c.window_end,
)


# What the caller knows beyond the index and the prefilter (suspensions, digests).
Adjust = Callable[[list[Candidate]], list[Candidate]]


def _utc(moment: datetime) -> datetime:
    # The engine compares fastest when every timestamp shares the UTC tzinfo object.
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _utc_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


# Fairness grows with the time since the last invitation (matching.engine); in SQL it is
# estimated by steps, each at the value of its lower edge, in days since then.
_FAIRNESS_STEPS_DAYS: Final = (0, 1, 2, 3, 5, 7, 10, 14, 21, 28, 42, 56, 84, 112, 180)


def _score_hint(request: RequestInfo, now: datetime) -> ColumnElement[float]:
    """The engine's base score (matching.engine) estimated in portable SQL, for ORDER BY.

    Likes are a JSON list stored as text on both databases, so a LIKE on the quoted key finds
    them (a stray match only moves someone up the list; the engine decides).
    """
    r = _resident.c
    likes_text = cast(r.likes, String)
    offers_category = exists().where(
        _post.c.resident_id == r.id,
        _post.c.kind == PostKind.OFFER.value,
        _post.c.status == PostStatus.OPEN.value,
        _post.c.category == request.category,
    )
    category = case(
        (or_(likes_text.like(f'%"{request.category}"%'), offers_category), literal(1.0)),
        (likes_text == "[]", literal(NO_LIKES_FIT)),
        else_=literal(0.0),
    )
    rings: dict[int, list[str]] = defaultdict(list)
    if request.area_cell is not None:
        for cell, distance in ring_distances(request.area_cell).items():
            rings[distance].append(cell)
    nearby = case(
        *(
            (r.area_cell.in_(sorted(cells)), literal(1.0 - distance / (WIDEST_RINGS + 1)))
            for distance, cells in sorted(rings.items())
        ),
        (r.area_cell.is_(None), literal(UNKNOWN_AREA_NEARBY)),
        else_=literal(0.0),
    )
    half_days = FAIRNESS_HALF_TIME / timedelta(days=1)
    fairness = case(
        (r.last_invited_at.is_(None), literal(1.0)),
        *(
            (
                r.last_invited_at <= now - timedelta(days=days),
                literal(days / half_days / (days / half_days + 1.0)),
            )
            for days in reversed(_FAIRNESS_STEPS_DAYS)
        ),
        else_=literal(0.0),
    )
    return W_CATEGORY * category + W_NEARBY * nearby + W_FAIRNESS * fairness


def _candidates_query(
    flt: CandidateFilter, request: RequestInfo, now: datetime, limit: int | None
) -> Any:
    """The prefilter as one SELECT of resident columns, or None when no place can match."""
    r = _resident.c
    place: list[ColumnElement[bool]] = []
    if flt.cells:
        place.append(r.area_cell.in_(sorted(flt.cells)))
    if flt.wijk_id is not None:
        place.append(r.wijk_id == flt.wijk_id)
    if not place:
        return None
    conditions: list[ColumnElement[bool]] = [
        or_(*place),
        r.onboarded.is_(True),
        r.stopped.is_(False),
        r.unreachable_since.is_(None),
        r.pace.in_(sorted(pace.value for pace in flt.paces)),
        # Paused open-ended: out until they resume.
        or_(r.paused.is_(False), r.paused_until.is_not(None)),
        or_(r.paused_until.is_(None), r.paused_until <= flt.paused_until_at_most),
        r.id.not_in(sorted(flt.exclude_ids)),
        not_(
            exists().where(_invitation.c.post_id == flt.post_id, _invitation.c.resident_id == r.id)
        ),
    ]
    for pace, cutoff in sorted(flt.last_invited_cutoffs.items()):
        # Spelled with OR rather than NOT (pace AND last > cutoff): with last_invited_at NULL
        # the NOT form is NULL, and SQL would drop everyone never invited.
        if cutoff is None:
            conditions.append(or_(r.pace != pace.value, r.last_invited_at.is_(None)))
        else:
            conditions.append(
                or_(r.pace != pace.value, r.last_invited_at.is_(None), r.last_invited_at <= cutoff)
            )
    return (
        select(
            r.id,
            r.wijk_id,
            r.area_cell,
            r.pace,
            r.quiet_start,
            r.quiet_end,
            r.likes,
            r.paused,
            r.paused_until,
            r.stopped,
            r.unreachable_since,
            r.last_invited_at,
        )
        .where(*conditions)
        # Never invited first, then the longest ago; portable instead of NULLS FIRST.
        .order_by(
            _score_hint(request, now).desc(),
            case((r.last_invited_at.is_(None), 0), else_=1),
            r.last_invited_at,
            r.id,
        )
        .limit(limit)
    )


def candidates_for(
    session: Session,
    *,
    request: RequestInfo,
    reach: Reach,
    now: datetime,
    limit: int | None = CANDIDATE_LIMIT,
) -> list[Candidate]:
    """The residents worth showing the engine for `request` at `reach`, at most `limit`
    (None: all of them, which is exact: the filter drops only whom the engine would).

    Pass a wider `reach` than the request's own to let the plan find `wider_reach`: the engine
    only knows the people it is given. Ordered by an estimate of the engine's score, then
    never-invited first, then by last invitation, then by id.
    """
    flt = candidate_filter(request, reach, now)
    query = _candidates_query(flt, request, now, limit)
    if query is None:
        return []
    rows = session.execute(query).all()
    return _candidates_from_rows(session, rows, flt.invitations_since)


_RECENT_INVITATIONS: Final = select(_invitation.c.resident_id, _invitation.c.sent_at).where(
    _invitation.c.resident_id.in_(bindparam("ids", expanding=True)),
    _invitation.c.sent_at > bindparam("since", type_=_invitation.c.sent_at.type),
)
_OPEN_OFFERS: Final = (
    select(_post.c.resident_id, _post.c.category, _post.c.text)
    .where(
        _post.c.resident_id.in_(bindparam("ids", expanding=True)),
        _post.c.kind == PostKind.OFFER.value,
        _post.c.status == PostStatus.OPEN.value,
    )
    .order_by(_post.c.id)
)


def _candidates_from_rows(
    session: Session, rows: Sequence[Row[Any]], since: datetime
) -> list[Candidate]:
    """Candidates for resident rows: their invitations since `since` and open offers added,
    in two queries whatever the number of rows."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    received: dict[int, list[datetime]] = defaultdict(list)
    for resident_id, sent_at in session.execute(_RECENT_INVITATIONS, {"ids": ids, "since": since}):
        received[resident_id].append(_utc(sent_at))
    offer_categories: dict[int, set[str]] = defaultdict(set)
    offer_texts: dict[int, list[str]] = defaultdict(list)
    for resident_id, category, text in session.execute(_OPEN_OFFERS, {"ids": ids}):
        offer_categories[resident_id].add(category)
        offer_texts[resident_id].append(text)
    return [
        candidate_from_row(
            row,
            invitations_received=received.get(row.id, ()),
            offer_categories=offer_categories.get(row.id, ()),
            offer_texts=offer_texts.get(row.id, ()),
        )
        for row in rows
    ]


def candidate_from_row(
    row: Row[Any],
    *,
    invitations_received: Iterable[datetime],
    offer_categories: Iterable[str],
    offer_texts: Iterable[str],
) -> Candidate:
    """The engine's Candidate for one resident row (the columns of _candidates_query or more).

    `invitations_received` are the resident's recent invitations (any order), `offer_*` their
    open offers' categories and texts. The row's last_invited_at is taken as the latest of it
    and the invitations given, robust to a last_invited_at that was not kept up to date.
    """
    recent = tuple(sorted(invitations_received))
    last = _utc_or_none(row.last_invited_at)
    if recent and (last is None or recent[-1] > last):
        last = recent[-1]
    return Candidate(
        resident_id=row.id,
        wijk_id=row.wijk_id,
        area_cell=row.area_cell,
        pace=Pace(row.pace),
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        likes=frozenset(row.likes or ()),
        offer_categories=frozenset(offer_categories),
        offer_texts=tuple(offer_texts),
        paused=row.paused,
        paused_until=_utc_or_none(row.paused_until),
        stopped=row.stopped,
        unreachable=row.unreachable_since is not None,
        invitations_received=recent,
        last_invited_at=last,
    )


_BLOCKS_OF: Final = select(_block.c.blocker_id, _block.c.blocked_id).where(
    or_(_block.c.blocker_id == bindparam("asker"), _block.c.blocked_id == bindparam("asker"))
)
_INVITED_FOR: Final = select(_invitation.c.resident_id).where(
    _invitation.c.post_id == bindparam("post")
)
# Both in one round trip, for plan_for: (0, blocker, blocked) and (1, resident, 0) rows.
_ASKER_CONTEXT: Final = union_all(
    select(literal_column("0").label("kind"), _block.c.blocker_id, _block.c.blocked_id).where(
        or_(_block.c.blocker_id == bindparam("asker"), _block.c.blocked_id == bindparam("asker"))
    ),
    select(
        literal_column("1").label("kind"), _invitation.c.resident_id, literal_column("0")
    ).where(_invitation.c.post_id == bindparam("post")),
)


def blocked_pairs_for(session: Session, asker_id: int) -> list[tuple[int, int]]:
    """(blocker, blocked) for every block the asker is part of, either way round."""
    rows = session.execute(_BLOCKS_OF, {"asker": asker_id})
    return [(blocker, blocked) for blocker, blocked in rows]


def already_invited(session: Session, post_id: int) -> set[int]:
    """The residents who have an invitation row for this post, whatever its status."""
    rows = session.execute(_INVITED_FOR, {"post": post_id})
    return {resident_id for (resident_id,) in rows}


def _asker_context(
    session: Session, request: RequestInfo
) -> tuple[list[tuple[int, int]], set[int]]:
    """blocked_pairs_for the asker and already_invited for the request, in one query."""
    blocked: list[tuple[int, int]] = []
    invited: set[int] = set()
    for kind, first, second in session.execute(
        _ASKER_CONTEXT, {"asker": request.asker_id, "post": request.post_id}
    ):
        if int(kind) == 0:
            blocked.append((first, second))
        else:
            invited.add(first)
    return blocked, invited


def open_requests_near(
    session: Session,
    *,
    offer: OfferInfo,
    now: datetime,
    limit: int = OPEN_REQUEST_LIMIT,
) -> list[RequestInfo]:
    """Open requests whose reach includes the offerer: by their cell and reach, or the whole
    wijk at wijk reach. :func:`matching.engine.requests_for_offer` then applies blocks and fit
    (and checks the reach again). Lowest post id (oldest) first, at most `limit`."""
    p = _post.c
    place: list[ColumnElement[bool]] = []
    if offer.area_cell is not None:
        # Each request travels as far as its own reach: the same rule as requests_for_offer,
        # so only requests that can reach the offerer are read.
        distances = ring_distances(offer.area_cell, WIDEST_RINGS)
        for reach in REACH_ORDER:
            cells = sorted(cell for cell, ring in distances.items() if ring <= REACH_RINGS[reach])
            place.append(and_(p.reach == reach.value, p.area_cell.in_(cells)))
    if offer.wijk_id is not None:
        place.append(
            and_(
                p.reach.in_(sorted(reach.value for reach in WHOLE_WIJK_REACHES)),
                p.wijk_id == offer.wijk_id,
            )
        )
    if not place:
        return []
    rows = session.execute(
        select(*REQUEST_COLUMNS)
        .where(
            or_(*place),
            p.kind == PostKind.REQUEST.value,
            p.status == PostStatus.OPEN.value,
            p.resident_id != offer.offerer_id,
            or_(p.window_end.is_(None), p.window_end > now),
        )
        .order_by(p.id)
        .limit(limit)
    )
    return [request_info(row) for row in rows]


def request_info(row: Sequence[Any]) -> RequestInfo:
    """A RequestInfo from (id, resident_id, wijk_id, area_cell, category, text, reach,
    window_end): a row of `select(*REQUEST_COLUMNS)`, as :func:`open_requests_near` reads."""
    post_id, resident_id, wijk_id, area_cell, category, text, reach, window_end = row
    return RequestInfo(
        post_id=post_id,
        asker_id=resident_id,
        wijk_id=wijk_id,
        area_cell=area_cell,
        category=category,
        text=text,
        reach=Reach(reach),
        needed_by=_utc_or_none(window_end),
    )


# --- the candidate index: who could be asked about what, where --------------------------------
#
# A full plan reads every resident in reach (thousands at wijk reach) to rank them. The index
# (table candidate_slot, see storage.models.CandidateSlot) files everyone who could ever be
# invited under the topics they fit, by cell and wijk, oldest last invitation first. For one
# request it is read as a few small sorted lists per (topic, cell), each in index order, and
# searched by an upper bound on the engine's score (matching.engine.score_ceiling): residents
# are examined best bound first, their exact scores computed from the source tables, until the
# batch's worst exact score beats every bound still unread. Everyone examined then goes to the
# unchanged plan_invitations, so the invitations are the ones a full scan would choose. When
# fewer than a batch can be asked now, the plan also has to say when to look again and whether
# widening helps; that needs everyone held back, so it is made from the exact (unlimited)
# prefilter instead, as before.

# The slot's last invitation for people never invited: earlier than any real one.
NEVER_INVITED: Final = datetime(2000, 1, 1, tzinfo=UTC)
ANY_TOPIC: Final = "*any"  # named no likes: open to anything (NO_LIKES_FIT)
OTHER_TOPIC: Final = "*other"  # named likes: every other category (fit 0)
WITH_OFFERS: Final = "+o"  # suffix: has open offers, so the offer words may add to the score
# Rows read per (topic, cell) at first, and when a list runs out while still worth reading.
FIRST_READ: Final = 4
NEXT_READ: Final = 16
# Residents examined per round of exact scoring (one query per round).
ROUND_SIZE: Final = 10
# After examining this many residents without a batch to invite (at night everyone is in their
# quiet hours), the search gives up and the exact prefilter decides: reading the whole reach
# list by list costs far more than one query for it.
GIVE_UP_AFTER: Final = 64
# Groups whose bounds lie this close to the best unread one are opened in the same statement.
OPEN_SLACK: Final = 0.1

_SLOT_RESIDENT_COLUMNS: Final = (
    _resident.c.id,
    _resident.c.wijk_id,
    _resident.c.area_cell,
    _resident.c.pace,
    _resident.c.likes,
    _resident.c.paused,
    _resident.c.paused_until,
    _resident.c.stopped,
    _resident.c.unreachable_since,
    _resident.c.onboarded,
    _resident.c.last_invited_at,
)


def could_ever_be_invited(row: Any) -> bool:
    """Whether the engine could invite this resident for some request at some moment."""
    cap = next((cap for pace, cap in PACE_CAPS.items() if pace.value == row.pace), None)
    if not row.onboarded or row.stopped or row.unreachable_since is not None:
        return False
    if cap is None or cap.limit <= 0:
        return False
    if row.paused and row.paused_until is None:
        return False  # paused until they resume
    return not (cap.window is None and row.last_invited_at is not None)  # "once", used


def slot_topics(likes: Iterable[str], offer_categories: Iterable[str]) -> list[str]:
    """The topics one resident is filed under."""
    likes = set(likes)
    offers = set(offer_categories)
    mark = WITH_OFFERS if offers else ""
    topics = [category + mark for category in sorted(likes | offers)]
    topics.append((OTHER_TOPIC if likes else ANY_TOPIC) + mark)
    return topics


def _slot_values(row: Any, offer_categories: Iterable[str]) -> list[dict[str, Any]]:
    if not could_ever_be_invited(row):
        return []
    invited_at = _utc_or_none(row.last_invited_at) or NEVER_INVITED
    return [
        {
            "resident_id": row.id,
            "topic": topic,
            "area_cell": row.area_cell,
            "wijk_id": row.wijk_id,
            "invited_at": invited_at,
        }
        for topic in slot_topics(row.likes or (), offer_categories)
    ]


def refresh_slots(connection: Connection, resident_ids: Iterable[int]) -> None:
    """File these residents again from the source tables (or drop them, if gone)."""
    ids = sorted(set(resident_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        connection.execute(delete(_slot).where(_slot.c.resident_id.in_(chunk)))
        offers: dict[int, set[str]] = defaultdict(set)
        for resident_id, category in connection.execute(
            select(_post.c.resident_id, _post.c.category).where(
                _post.c.resident_id.in_(chunk),
                _post.c.kind == PostKind.OFFER.value,
                _post.c.status == PostStatus.OPEN.value,
            )
        ):
            offers[resident_id].add(category)
        values: list[dict[str, Any]] = []
        for row in connection.execute(
            select(*_SLOT_RESIDENT_COLUMNS).where(_resident.c.id.in_(chunk))
        ):
            values.extend(_slot_values(row, offers.get(row.id, ())))
        if values:
            connection.execute(insert(_slot), values)
    note_changes(connection, ids)


def note_changes(connection: Connection, resident_ids: Sequence[int]) -> None:
    """Tell the candidate pools of every process that these residents changed (0: everyone),
    in the caller's transaction (storage.candidate_pool reads the feed)."""
    if resident_ids:
        moment = datetime.now(UTC)
        connection.execute(
            insert(_change), [{"resident_id": rid, "changed_at": moment} for rid in resident_ids]
        )


def forget_resident(session: Session, resident_id: int) -> None:
    """Erasure: the person's index rows and change-feed rows go, and every candidate pool
    reloads (a reset in the feed), so no process keeps them in memory."""
    connection = session.connection()
    connection.execute(delete(_slot).where(_slot.c.resident_id == resident_id))
    connection.execute(delete(_change).where(_change.c.resident_id == resident_id))
    session.info[CHANGES_WRITTEN] = True
    note_changes(connection, [0])


def rebuild_slots(connection: Connection, *, chunk: int = 10_000, announce: bool = True) -> int:
    """Rebuild the whole index from the source tables; returns the number of slots written.
    `announce`: tell the candidate pools to reload (not before the feed's table exists)."""
    connection.execute(delete(_slot))
    if announce:
        note_changes(connection, [0])
    offers: dict[int, set[str]] = defaultdict(set)
    for resident_id, category in connection.execute(
        select(_post.c.resident_id, _post.c.category).where(
            _post.c.kind == PostKind.OFFER.value, _post.c.status == PostStatus.OPEN.value
        )
    ):
        offers[resident_id].add(category)
    written = 0
    last_id = 0
    while True:
        rows = connection.execute(
            select(*_SLOT_RESIDENT_COLUMNS)
            .where(_resident.c.id > last_id)
            .order_by(_resident.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return written
        last_id = rows[-1].id
        values: list[dict[str, Any]] = []
        for row in rows:
            values.extend(_slot_values(row, offers.get(row.id, ())))
        if values:
            connection.execute(insert(_slot), values)
            written += len(values)


def mark_invited(session: Session, *, resident_id: int, now: datetime) -> None:
    """Keep the index's last invitation in step (a stale one only costs time, not a plan);
    "once" used leaves the index altogether."""
    session.info[CHANGES_WRITTEN] = True
    refresh_slots(session.connection(), (resident_id,))


@event.listens_for(OrmSession, "after_flush")
def _keep_slots_in_step(session: OrmSession, _context: UOWTransaction) -> None:
    """Every flush that changes a resident or an offer files that resident again, in the same
    transaction. (Core UPDATEs bypass this: the few that matter call refresh_slots.)"""
    ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Resident) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, Post) and obj.kind == PostKind.OFFER.value:
            ids.add(obj.resident_id)
    for obj in session.dirty:
        if isinstance(obj, Resident) and obj.id is not None and session.is_modified(obj):
            ids.add(obj.id)
        elif isinstance(obj, Post) and session.is_modified(obj):
            ids.add(obj.resident_id)
    for obj in session.deleted:
        if isinstance(obj, Resident) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, Post):
            ids.add(obj.resident_id)
    if ids:
        session.info[CHANGES_WRITTEN] = True
        refresh_slots(session.connection(), ids)


@dataclass(slots=True)
class _List:
    """One sorted list of the index being read: a topic in one cell (or part of the wijk)."""

    topic: str
    cell: str | None  # None: the wijk's residents outside the rings
    fit: float
    has_offers: bool
    nearby: float
    rows: list[Row[Any]]
    position: int = 0
    complete: bool = False

    def head(self) -> Row[Any] | None:
        return self.rows[self.position] if self.position < len(self.rows) else None


_LIST_COLUMNS: Final = (
    _slot.c.resident_id.label("slot_resident_id"),
    _slot.c.invited_at.label("slot_invited_at"),
    _slot.c.area_cell.label("slot_cell"),
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
)


@lru_cache(maxsize=1024)
def _lists_statement(kinds: tuple[str, ...], limit: int, keyset: bool) -> Any:
    """The SELECT of sorted lists, one per entry of `kinds`: "cell" (topic :topic_N in cell
    :cell_N), "unknown" (topic :topic_N, the wijk's residents of unknown area) or "known" (the
    wijk's others outside the cells :outside), each at most `limit` rows and numbered by a
    column list_no, after (:after_at, :after_id) if `keyset`. Built once per shape: building
    SQLAlchemy statements costs more than running these."""
    s = _slot.c

    def one(number: int, kind: str) -> Any:
        query = (
            select(literal_column(str(number)).label("list_no"), *_LIST_COLUMNS)
            .join(_resident, _resident.c.id == s.resident_id)
            .where(s.topic == bindparam(f"topic_{number}"))
        )
        if kind == "cell":
            query = query.where(s.area_cell == bindparam(f"cell_{number}"))
        elif kind == "known":
            query = query.where(
                s.wijk_id == bindparam("wijk"),
                s.area_cell.is_not(None),
                s.area_cell.not_in(bindparam("outside", expanding=True)),
            )
        else:
            query = query.where(s.wijk_id == bindparam("wijk"), s.area_cell.is_(None))
        if keyset:
            query = query.where(
                tuple_(s.invited_at, s.resident_id)
                > tuple_(
                    bindparam("after_at", type_=_slot.c.invited_at.type), bindparam("after_id")
                )
            )
        return query.order_by(s.invited_at, s.resident_id).limit(limit)

    if len(kinds) == 1:
        return one(0, kinds[0])
    return union_all(*(select(one(n, kind).subquery()) for n, kind in enumerate(kinds)))


def _topic_fits(category: str) -> list[tuple[str, float, bool]]:
    fits = [(category, 1.0), (ANY_TOPIC, NO_LIKES_FIT), (OTHER_TOPIC, 0.0)]
    return [(topic + mark, fit, bool(mark)) for topic, fit in fits for mark in ("", WITH_OFFERS)]


def _search(
    session: Session,
    request: RequestInfo,
    reach: Reach,
    now: datetime,
    batch_size: int,
    blocked: Sequence[tuple[int, int]],
    invited: set[int],
    adjust: Adjust | None = None,
) -> list[Candidate] | None:
    """The residents to examine so that the best `batch_size` at `reach` are among them, or
    None when fewer than `batch_size` can be asked now (the plan then needs everyone)."""
    now = _utc(now)
    rings: dict[str, int] = {}
    if request.area_cell is not None:
        rings = ring_distances(request.area_cell, REACH_RINGS[reach])
    by_distance: dict[int, list[str]] = defaultdict(list)
    for cell, ring in rings.items():
        by_distance[ring].append(cell)
    whole_wijk = reach in WHOLE_WIJK_REACHES
    outside = sorted(rings)
    # Groups not read yet, each with the best bound any of its residents could have: a group
    # is (topic, distance) over the cells of one ring, or (topic, part of the wijk).
    pending_groups: list[tuple[float, int, str, float, bool, int | None, bool]] = []
    for topic, fit, offers in _topic_fits(request.category):
        for ring in by_distance:
            nearby = nearby_at(ring, area_known=True)
            bound = score_ceiling(
                category_fit=fit, has_offers=offers, nearby=nearby, last_invited_at=None, now=now
            )
            pending_groups.append((bound, ring, topic, fit, offers, ring, True))
        if whole_wijk:
            for area_known in (False, True):
                nearby = nearby_at(None, area_known=area_known)
                bound = score_ceiling(
                    category_fit=fit,
                    has_offers=offers,
                    nearby=nearby,
                    last_invited_at=None,
                    now=now,
                )
                pending_groups.append((bound, -1, topic, fit, offers, None, area_known))
    groups = sorted(pending_groups, key=lambda group: -group[0])
    next_group = 0
    # The heads of the lists being read: (-bound, order, list).
    heap: list[tuple[float, int, _List]] = []
    order = 0

    def head_bound(lst: _List) -> float | None:
        row = lst.head()
        if row is None:
            return None
        last = None if row.slot_invited_at == NEVER_INVITED else _utc(row.slot_invited_at)
        return score_ceiling(
            category_fit=lst.fit,
            has_offers=lst.has_offers,
            nearby=lst.nearby,
            last_invited_at=last,
            now=now,
        )

    def read(lists: Sequence[_List], after: tuple[datetime, int] | None, limit: int) -> None:
        """Fill `lists` with their next rows, in one statement."""
        kinds = tuple(
            "cell" if lst.cell is not None else "known" if lst.nearby == 0.0 else "unknown"
            for lst in lists
        )
        params: dict[str, Any] = {"wijk": request.wijk_id}
        for number, lst in enumerate(lists):
            params[f"topic_{number}"] = lst.topic
            if lst.cell is not None:
                params[f"cell_{number}"] = lst.cell
        if "known" in kinds:
            params["outside"] = outside
        if after is not None:
            params["after_at"], params["after_id"] = after
        statement = _lists_statement(kinds, limit, after is not None)
        rows: dict[int, list[Row[Any]]] = defaultdict(list)
        for row in session.execute(statement, params):
            rows[int(row.list_no)].append(row)
        for number, lst in enumerate(lists):
            got = sorted(
                rows.get(number, ()),
                key=lambda row: (_utc(row.slot_invited_at), row.slot_resident_id),
            )
            lst.rows = got
            lst.position = 0
            lst.complete = len(got) < limit

    def push(lst: _List) -> None:
        nonlocal order
        if lst.head() is None and not lst.complete:
            last = lst.rows[-1]
            after = (_utc(last.slot_invited_at), last.slot_resident_id)
            read([lst], after, NEXT_READ)
        bound = head_bound(lst)
        if bound is not None:
            heapq.heappush(heap, (-bound, order, lst))
            order += 1

    seen: set[int] = set()
    waiting: list[Row[Any]] = []
    examined: list[Candidate] = []
    scores: list[float] = []  # exact scores of the eligible examined, best first
    since = now - INVITATION_HISTORY

    def score_waiting() -> None:
        found = _candidates_from_rows(session, waiting, since)
        if adjust is not None:
            found = adjust(found)
        examined.extend(found)
        exact = eligible_scores(request, found, blocked, invited, now, reach=reach)
        scores.extend(exact.values())
        scores.sort(reverse=True)
        waiting.clear()

    while True:
        list_bound = -heap[0][0] if heap else -1.0
        group_bound = groups[next_group][0] if next_group < len(groups) else -1.0
        bound = max(list_bound, group_bound)
        if bound < 0.0:
            break  # everything in reach was read
        if len(scores) >= batch_size and scores[batch_size - 1] > bound:
            break
        if len(waiting) >= ROUND_SIZE:
            score_waiting()
            if len(scores) < batch_size and len(seen) >= GIVE_UP_AFTER:
                return None
            continue
        if group_bound >= list_bound:
            # Open this group and the next few of nearly the same bound in one statement:
            # a round trip costs more than reading a few rows too many.
            lists: list[_List] = []
            while next_group < len(groups) and groups[next_group][0] >= group_bound - OPEN_SLACK:
                _gb, _order_key, topic, fit, offers, distance, area_known = groups[next_group]
                next_group += 1
                nearby = nearby_at(distance, area_known=area_known)
                cells: list[str | None] = (
                    list(by_distance[distance]) if distance is not None else [None]
                )
                lists.extend(
                    _List(
                        topic=topic, cell=cell, fit=fit, has_offers=offers, nearby=nearby, rows=[]
                    )
                    for cell in cells
                )
            read(lists, None, FIRST_READ)
            for item in lists:
                if item.rows:
                    push(item)
            continue
        _bound, _order, lst = heapq.heappop(heap)
        row = lst.head()
        assert row is not None
        lst.position += 1
        push(lst)
        if row.id in seen:
            continue
        seen.add(row.id)
        waiting.append(row)
    if waiting:
        score_waiting()
    if len(scores) < batch_size:
        return None
    return examined


def plan_for(
    session: Session,
    *,
    request: RequestInfo,
    now: datetime,
    reach: Reach | None = None,
    read_reach: Reach | None = None,
    batch_size: int = BATCH_SIZE,
    adjust: Adjust | None = None,
) -> InvitationPlan:
    """The invitation plan for `request` at `reach` (default its own), the same one a full
    scan of every resident makes.

    `adjust` (the same for both paths) may drop candidates or add to their recent asks (a
    suspension, a digest): it can only make someone less eligible, so the index's bounds stay
    upper bounds.

    With a full batch to invite, only `invite` is complete: `eligible_now` then counts the
    residents examined, and `next_available_at` and `wider_reach` are those of the residents
    examined (matching.flow reads them only when nobody can be invited). With fewer, the plan
    is made from everyone within `read_reach` (default `reach`), complete in every field.
    """
    from storage.candidate_pool import pool_for  # it builds on this module

    reach = reach or request.reach
    blocked, invited = _asker_context(session, request)
    if batch_size > 0:
        plan = pool_for(session).plan(
            session,
            request=request,
            now=now,
            reach=reach,
            read_reach=read_reach or reach,
            batch_size=batch_size,
            blocked=blocked,
            invited=invited,
            adjust=adjust,
        )
        if plan is not None:
            return plan
    return full_scan_plan(
        session,
        request=request,
        now=now,
        reach=reach,
        read_reach=read_reach or reach,
        batch_size=batch_size,
        blocked=blocked,
        invited=invited,
        adjust=adjust,
    )


def full_scan_plan(
    session: Session,
    *,
    request: RequestInfo,
    now: datetime,
    reach: Reach | None = None,
    read_reach: Reach | None = None,
    batch_size: int = BATCH_SIZE,
    blocked: Sequence[tuple[int, int]] | None = None,
    invited: set[int] | None = None,
    adjust: Adjust | None = None,
) -> InvitationPlan:
    """The plan from everyone within `read_reach` the prefilter keeps (no limit, no index):
    what a scan of every resident decides, since the prefilter drops only whom the engine
    would (matching.candidate_filter)."""
    reach = reach or request.reach
    found = candidates_for(
        session, request=request, reach=read_reach or reach, now=now, limit=None
    )
    if adjust is not None:
        found = adjust(found)
    return plan_invitations(
        request,
        found,
        blocked_pairs_for(session, request.asker_id) if blocked is None else blocked,
        already_invited(session, request.post_id) if invited is None else invited,
        now,
        batch_size,
        reach=reach,
    )


def same_plan(a: InvitationPlan, b: InvitationPlan) -> bool:
    """Whether two plans lead matching.flow to the same step: the same invitations, and with
    nobody to invite, the same moment to look again and the same wider reach."""
    if a.invite or b.invite:
        return a.invite == b.invite
    return (a.next_available_at, a.wider_reach) == (b.next_available_at, b.wider_reach)


def index_agrees(
    session: Session,
    *,
    request: RequestInfo,
    now: datetime,
    reach: Reach | None = None,
    batch_size: int = BATCH_SIZE,
) -> bool:
    """Whether the index alone (without the fallback of plan_for) agrees with the full scan:
    the same invitations when it finds a batch, and a full scan that finds less than a batch
    when it does not. Stricter than comparing plans, which the fallback can make agree."""
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
    examined = _search(session, request, reach, now, batch_size, blocked, invited)
    if examined is None:
        return full.eligible_now < batch_size
    plan = plan_invitations(request, examined, blocked, invited, now, batch_size, reach=reach)
    return plan.invite == full.invite


def compare_with_full_scan(
    session: Session, *, sample: int, now: datetime, seed: int | None = None
) -> tuple[int, int]:
    """(how many agree, how many were compared) for up to `sample` open requests chosen at
    random: the index (see index_agrees) against the full scan at each request's own reach.
    For `buurtbot check`; a disagreement means the index is out of step (`buurtbot reindex`
    rebuilds it). Reads only; about two plans' worth of queries per request."""
    p = _post.c
    ids = [
        post_id
        for (post_id,) in session.execute(
            select(p.id).where(p.kind == PostKind.REQUEST.value, p.status == PostStatus.OPEN.value)
        )
    ]
    chosen = random.Random(seed).sample(ids, min(sample, len(ids)))
    same = 0
    for post_id in chosen:
        row = session.execute(select(*REQUEST_COLUMNS).where(p.id == post_id)).one()
        same += index_agrees(session, request=request_info(row), now=now)
    return same, len(chosen)


__all__ = [
    "CANDIDATE_LIMIT",
    "NEVER_INVITED",
    "OPEN_REQUEST_LIMIT",
    "REQUEST_COLUMNS",
    "already_invited",
    "blocked_pairs_for",
    "candidate_from_row",
    "candidates_for",
    "compare_with_full_scan",
    "could_ever_be_invited",
    "forget_resident",
    "full_scan_plan",
    "index_agrees",
    "mark_invited",
    "open_requests_near",
    "plan_for",
    "rebuild_slots",
    "refresh_slots",
    "request_info",
    "same_plan",
    "slot_topics",
]
