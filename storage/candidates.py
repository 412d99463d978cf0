"""What the matching engine needs from the database, gathered in a few Core queries.

:func:`candidates_for` turns :func:`matching.candidate_filter.candidate_filter` into SQL, then
loads, for the residents it keeps, their recent invitations and their open offers: three
queries whatever the number of candidates. Rows are read as tuples (SQLAlchemy Core), not as
ORM objects, because building thousands of objects costs more than the queries themselves.

The SQL is portable (SQLite and PostgreSQL): no NULLS FIRST, no partial indexes, no arrays.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
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
    OFFER_MATCH_LIMIT,
    OFFER_OTHER_CATEGORY_CEILING,
    UNKNOWN_AREA_NEARBY,
    W_CATEGORY,
    W_FAIRNESS,
    W_NEARBY,
    Candidate,
    InvitationPlan,
    OfferInfo,
    RequestInfo,
    plan_invitations,
    scored_requests_for_offer,
)
from matching.pace import PACE_CAPS, Pace
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

_resident = Resident.__table__  # type: ignore[attr-defined]
_invitation = Invitation.__table__  # type: ignore[attr-defined]
_post = Post.__table__  # type: ignore[attr-defined]
_block = Block.__table__  # type: ignore[attr-defined]
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
    return candidates_from_rows(session, rows, flt.invitations_since)


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


def candidates_from_rows(
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


@lru_cache(maxsize=4096)
def _shared(items: tuple[str, ...]) -> frozenset[str]:
    """One frozenset per combination of likes or offers: a pool of 100,000 residents holds
    only a few hundred different ones."""
    return frozenset(items)


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
    area_cell = row.area_cell
    return Candidate(
        resident_id=row.id,
        wijk_id=row.wijk_id,
        area_cell=None if area_cell is None else sys.intern(area_cell),
        pace=Pace(row.pace),
        quiet_start=sys.intern(row.quiet_start),
        quiet_end=sys.intern(row.quiet_end),
        likes=_shared(tuple(sorted(row.likes or ()))),
        offer_categories=_shared(tuple(sorted(set(offer_categories)))),
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
    same_category: bool | None = None,
) -> list[RequestInfo]:
    """Open requests whose reach includes the offerer: by their cell and reach, or the whole
    wijk at wijk reach; only the offer's category (`same_category` True), only the others
    (False) or all (None). :func:`matching.engine.requests_for_offer` then applies blocks and
    fit (and checks the reach again). Lowest post id (oldest) first."""
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
    conditions = [
        or_(*place),
        p.kind == PostKind.REQUEST.value,
        p.status == PostStatus.OPEN.value,
        p.resident_id != offer.offerer_id,
        or_(p.window_end.is_(None), p.window_end > now),
    ]
    if same_category is not None:
        conditions.append(
            p.category == offer.category if same_category else p.category != offer.category
        )
    rows = session.execute(select(*REQUEST_COLUMNS).where(*conditions).order_by(p.id))
    return [request_info(row) for row in rows]


def requests_matching_offer(
    session: Session,
    *,
    offer: OfferInfo,
    now: datetime,
    limit: int = OFFER_MATCH_LIMIT,
) -> tuple[RequestInfo, ...]:
    """The open requests nearby that `offer` fits best, best first, at most `limit`: exactly
    what :func:`matching.engine.requests_for_offer` picks from every open request.

    Requests of the offer's own category are read first. Only when fewer than `limit` of them
    score above the best another category can reach are the other categories read too, so a
    busy city does not hand every request in reach to the engine.
    """
    blocked = blocked_pairs_for(session, offer.offerer_id)
    own = open_requests_near(session, offer=offer, now=now, same_category=True)
    best = scored_requests_for_offer(offer, own, blocked, now, limit)
    if len(best) < limit or best[-1][0] <= OFFER_OTHER_CATEGORY_CEILING:
        others = open_requests_near(session, offer=offer, now=now, same_category=False)
        best = scored_requests_for_offer(offer, [*own, *others], blocked, now, limit)
    return tuple(request for _score, request in best)


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


# --- the change feed: who changed, for the candidate pools -------------------------------------
#
# Each process keeps everyone who could ever be invited in memory (storage.candidate_pool).
# Every change that matters to matching writes a candidate_change row in the same transaction:
# a flush that changes a resident or an offer (the listener below) and an invitation
# (mark_invited, after add_invitation's Core UPDATE). The pools read the rows they have not
# seen at the start of each plan.

ANY_TOPIC: Final = "*any"  # named no likes: open to anything (NO_LIKES_FIT)
OTHER_TOPIC: Final = "*other"  # named likes: every other category (fit 0)
WITH_OFFERS: Final = "+o"  # suffix: has open offers, so the offer words may add to the score
RELOAD_EVERYONE: Final = 0  # a feed row for resident 0: every pool loads again


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


def candidate_topics(likes: Iterable[str], offer_categories: Iterable[str]) -> list[str]:
    """The topics one resident is filed under in a pool: each category they like or offer
    (fit 1), and one for everything else ("*any" without likes, "*other" with); ending in "+o"
    with open offers, so one topic's residents share one upper bound on the score."""
    likes = set(likes)
    offers = set(offer_categories)
    mark = WITH_OFFERS if offers else ""
    topics = [category + mark for category in sorted(likes | offers)]
    topics.append((OTHER_TOPIC if likes else ANY_TOPIC) + mark)
    return topics


def note_changes(connection: Connection, resident_ids: Iterable[int]) -> None:
    """Tell the candidate pools of every process that these residents changed
    (RELOAD_EVERYONE: all of them), in the caller's transaction."""
    ids = sorted(set(resident_ids))
    if ids:
        moment = datetime.now(UTC)
        connection.execute(
            insert(_change), [{"resident_id": rid, "changed_at": moment} for rid in ids]
        )


def reload_pools(connection: Connection) -> int:
    """Every process's pool loads again from the tables at its next plan (`buurtbot
    reindex`); returns how many residents could be invited at some moment."""
    note_changes(connection, [RELOAD_EVERYONE])
    rows = connection.execute(
        select(
            _resident.c.onboarded,
            _resident.c.stopped,
            _resident.c.unreachable_since,
            _resident.c.pace,
            _resident.c.paused,
            _resident.c.paused_until,
            _resident.c.last_invited_at,
        )
    )
    return sum(1 for row in rows if could_ever_be_invited(row))


def forget_resident(session: Session, resident_id: int) -> None:
    """Erasure: the person's feed rows go, and every pool reloads, so no process keeps them in
    memory."""
    connection = session.connection()
    connection.execute(delete(_change).where(_change.c.resident_id == resident_id))
    session.info[CHANGES_WRITTEN] = True
    note_changes(connection, [RELOAD_EVERYONE])


def prune_changes(session: Session, *, older_than: datetime) -> int:
    """Drop feed rows older than `older_than` (a pool reloads long before it would miss one)."""
    result = session.execute(delete(_change).where(_change.c.changed_at < older_than))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mark_invited(session: Session, *, resident_id: int, now: datetime) -> None:
    """After add_invitation's Core UPDATE of last_invited_at, which no flush sees."""
    session.info[CHANGES_WRITTEN] = True
    note_changes(session.connection(), (resident_id,))


@event.listens_for(OrmSession, "after_flush")
def _note_flushed_changes(session: OrmSession, _context: UOWTransaction) -> None:
    """Every flush that changes a resident or an offer tells the pools, in the same
    transaction. (Core UPDATEs bypass this: the few that matter call note_changes.)"""
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
        note_changes(session.connection(), ids)


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


__all__ = [
    "ANY_TOPIC",
    "CANDIDATE_LIMIT",
    "CHANGES_WRITTEN",
    "OTHER_TOPIC",
    "RELOAD_EVERYONE",
    "REQUEST_COLUMNS",
    "WITH_OFFERS",
    "already_invited",
    "blocked_pairs_for",
    "candidate_from_row",
    "candidate_topics",
    "candidates_for",
    "candidates_from_rows",
    "could_ever_be_invited",
    "forget_resident",
    "full_scan_plan",
    "mark_invited",
    "note_changes",
    "open_requests_near",
    "plan_for",
    "prune_changes",
    "reload_pools",
    "request_info",
    "requests_matching_offer",
    "same_plan",
]
