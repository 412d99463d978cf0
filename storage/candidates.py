"""What the matching engine needs from the database, gathered in a few Core queries.

:func:`candidates_for` turns :func:`matching.candidate_filter.candidate_filter` into SQL, then
loads, for the residents it keeps, their recent invitations and their open offers: three
queries whatever the number of candidates. Rows are read as tuples (SQLAlchemy Core), not as
ORM objects, because building thousands of objects costs more than the queries themselves.

The SQL is portable (SQLite and PostgreSQL): no NULLS FIRST, no partial indexes, no arrays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Row,
    String,
    and_,
    case,
    cast,
    exists,
    literal,
    not_,
    or_,
    select,
)
from sqlmodel import Session

from matching.candidate_filter import CandidateFilter, candidate_filter
from matching.engine import (
    FAIRNESS_HALF_TIME,
    NO_LIKES_FIT,
    UNKNOWN_AREA_NEARBY,
    W_CATEGORY,
    W_FAIRNESS,
    W_NEARBY,
    Candidate,
    OfferInfo,
    RequestInfo,
)
from matching.pace import Pace
from matching.reach import (
    REACH_ORDER,
    REACH_RINGS,
    WHOLE_WIJK_REACHES,
    WIDEST_RINGS,
    Reach,
    ring_distances,
)
from storage.models import Block, Invitation, Post, PostKind, PostStatus, Resident

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
    flt: CandidateFilter, request: RequestInfo, now: datetime, limit: int
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
    limit: int = CANDIDATE_LIMIT,
) -> list[Candidate]:
    """The residents worth showing the engine for `request` at `reach`, at most `limit`.

    Pass a wider `reach` than the request's own to let the plan find `wider_reach`: the engine
    only knows the people it is given. Ordered by an estimate of the engine's score, then
    never-invited first, then by last invitation, then by id.
    """
    flt = candidate_filter(request, reach, now)
    query = _candidates_query(flt, request, now, limit)
    if query is None:
        return []
    rows = session.execute(query).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    since = flt.invitations_since
    received: dict[int, list[datetime]] = defaultdict(list)
    for resident_id, sent_at in session.execute(
        select(_invitation.c.resident_id, _invitation.c.sent_at).where(
            _invitation.c.resident_id.in_(ids), _invitation.c.sent_at > since
        )
    ):
        received[resident_id].append(_utc(sent_at))
    offer_categories: dict[int, set[str]] = defaultdict(set)
    offer_texts: dict[int, list[str]] = defaultdict(list)
    for resident_id, category, text in session.execute(
        select(_post.c.resident_id, _post.c.category, _post.c.text)
        .where(
            _post.c.resident_id.in_(ids),
            _post.c.kind == PostKind.OFFER.value,
            _post.c.status == PostStatus.OPEN.value,
        )
        .order_by(_post.c.id)
    ):
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
        invitations_received=recent,
        last_invited_at=last,
    )


def blocked_pairs_for(session: Session, asker_id: int) -> list[tuple[int, int]]:
    """(blocker, blocked) for every block the asker is part of, either way round."""
    rows = session.execute(
        select(_block.c.blocker_id, _block.c.blocked_id).where(
            or_(_block.c.blocker_id == asker_id, _block.c.blocked_id == asker_id)
        )
    )
    return [(blocker, blocked) for blocker, blocked in rows]


def already_invited(session: Session, post_id: int) -> set[int]:
    """The residents who have an invitation row for this post, whatever its status."""
    rows = session.execute(
        select(_invitation.c.resident_id).where(_invitation.c.post_id == post_id)
    )
    return {resident_id for (resident_id,) in rows}


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


__all__ = [
    "CANDIDATE_LIMIT",
    "OPEN_REQUEST_LIMIT",
    "REQUEST_COLUMNS",
    "already_invited",
    "blocked_pairs_for",
    "candidate_from_row",
    "candidates_for",
    "open_requests_near",
    "request_info",
]
