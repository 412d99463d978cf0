"""The rows behind nudges: digests and reciprocity messages planned, yeses that wait, and what a
digest round reads (in a few Core queries: tuples, not ORM objects, so a round over a whole
city stays fast)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from matching.engine import RequestInfo
from matching.nudges import DIGEST_RHYTHM, Reader
from matching.pace import INVITATION_HISTORY, Pace
from matching.quiet_hours import DEFAULT_TIME_ZONE
from storage.candidates import REQUEST_COLUMNS, request_info
from storage.models import (
    Block,
    Invitation,
    Match,
    MatchStatus,
    Nudge,
    NudgeKind,
    Post,
    PostKind,
    PostStatus,
    Resident,
)

_resident = Resident.__table__  # type: ignore[attr-defined]
_invitation = Invitation.__table__  # type: ignore[attr-defined]
_post = Post.__table__  # type: ignore[attr-defined]
_block = Block.__table__  # type: ignore[attr-defined]
_nudge = Nudge.__table__  # type: ignore[attr-defined]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def record(
    session: Session, *, resident_id: int, kind: NudgeKind, ref: int | None, at: datetime
) -> bool:
    """Record a nudge planned for `at`; False when this one (kind, person, ref) was planned
    before (a savepoint: another process may record the same one at the same moment)."""
    try:
        with session.begin_nested():
            session.add(Nudge(resident_id=resident_id, kind=kind.value, ref=ref, at=at))
    except IntegrityError:
        return False
    return True


def times(session: Session, *, resident_id: int, kind: NudgeKind) -> list[datetime]:
    """When this resident's nudges of `kind` were (or are) planned."""
    return [
        _utc(at)
        for at in session.exec(
            sm_select(Nudge.at).where(Nudge.resident_id == resident_id, Nudge.kind == kind.value)
        ).all()
    ]


def record_digest(session: Session, *, resident_id: int, at: datetime) -> None:
    """A digest is one ask against the person's pace: recorded like an invitation, and kept
    as their last ask (Resident.last_invited_at), which the matching prefilter reads."""
    session.add(Nudge(resident_id=resident_id, kind=NudgeKind.DIGEST.value, ref=None, at=at))
    session.execute(
        update(Resident).where(col(Resident.id) == resident_id).values(last_invited_at=at)
    )
    session.flush()


def digests_since(
    session: Session, resident_ids: Iterable[int], since: datetime
) -> dict[int, list[datetime]]:
    """The digests each of these residents got after `since` (asks, for their pace)."""
    ids = sorted(set(resident_ids))
    found: dict[int, list[datetime]] = defaultdict(list)
    if not ids:
        return found
    for resident_id, at in session.execute(
        select(_nudge.c.resident_id, _nudge.c.at).where(
            _nudge.c.resident_id.in_(ids),
            _nudge.c.kind == NudgeKind.DIGEST.value,
            _nudge.c.at > since,
        )
    ):
        found[resident_id].append(_utc(at))
    return found


def lapsed_yeses(session: Session, *, proposed_before: datetime, limit: int = 20) -> list[Match]:
    """Proposed matches (a yes the asker has not answered) from before `proposed_before`,
    locked; another process skips them meanwhile."""
    return list(
        session.exec(
            sm_select(Match)
            .where(
                Match.status == MatchStatus.PROPOSED.value,
                col(Match.created_at) <= proposed_before,
            )
            .order_by(col(Match.created_at), col(Match.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )


@dataclass(frozen=True)
class DigestRound:
    """What one digest round reads: who might get one, the open requests, the blocks."""

    readers: list[Reader]
    requests: list[RequestInfo]
    started: dict[int, datetime]
    blocked: list[tuple[int, int]]


def read_digest_round(
    session: Session, *, now: datetime, time_zone: str = DEFAULT_TIME_ZONE
) -> DigestRound:
    """Everyone on a pace that has digests (onboarded, in a wijk, not stopped, not paused
    open-ended) with their recent asks, every open request whose time has not passed, with
    who was invited for it, and every block."""
    since = now - INVITATION_HISTORY
    r = _resident.c
    people = session.execute(
        select(
            r.id,
            r.wijk_id,
            r.area_cell,
            r.pace,
            r.likes,
            r.quiet_start,
            r.quiet_end,
            r.paused,
            r.paused_until,
            r.stopped,
            r.last_invited_at,
            r.created_at,
        ).where(
            r.onboarded.is_(True),
            r.stopped.is_(False),
            r.wijk_id.is_not(None),
            r.pace.in_(sorted(pace.value for pace in DIGEST_RHYTHM)),
            or_(r.paused.is_(False), r.paused_until.is_not(None)),
        )
    ).all()
    asks: dict[int, list[datetime]] = defaultdict(list)
    for resident_id, sent_at in session.execute(
        select(_invitation.c.resident_id, _invitation.c.sent_at).where(
            _invitation.c.sent_at > since
        )
    ):
        asks[resident_id].append(_utc(sent_at))
    for resident_id, at in session.execute(
        select(_nudge.c.resident_id, _nudge.c.at).where(
            _nudge.c.kind == NudgeKind.DIGEST.value, _nudge.c.at > since
        )
    ):
        asks[resident_id].append(_utc(at))
    p = _post.c
    rows = session.execute(
        select(*REQUEST_COLUMNS, p.created_at).where(
            p.kind == PostKind.REQUEST.value,
            p.status == PostStatus.OPEN.value,
            or_(p.window_end.is_(None), p.window_end > now),
        )
    ).all()
    requests = [request_info(row[:-1]) for row in rows]
    started = {row[0]: _utc(row[-1]) for row in rows}
    seen: dict[int, set[int]] = defaultdict(set)
    if requests:
        for post_id, resident_id in session.execute(
            select(_invitation.c.post_id, _invitation.c.resident_id)
            .join(_post, _post.c.id == _invitation.c.post_id)
            .where(p.kind == PostKind.REQUEST.value, p.status == PostStatus.OPEN.value)
        ):
            seen[resident_id].add(post_id)
    empty: frozenset[int] = frozenset()
    readers = [
        Reader(
            resident_id=row.id,
            wijk_id=row.wijk_id,
            area_cell=row.area_cell,
            pace=Pace(row.pace),
            likes=frozenset(row.likes or ()),
            quiet_start=row.quiet_start,
            quiet_end=row.quiet_end,
            time_zone=time_zone,
            paused=row.paused,
            paused_until=None if row.paused_until is None else _utc(row.paused_until),
            stopped=row.stopped,
            asks=tuple(asks.get(row.id, ())),
            last_ask_at=None if row.last_invited_at is None else _utc(row.last_invited_at),
            joined_at=_utc(row.created_at),
            seen=frozenset(seen[row.id]) if row.id in seen else empty,
        )
        for row in people
    ]
    blocked = [
        (blocker, blocked_one)
        for blocker, blocked_one in session.execute(
            select(_block.c.blocker_id, _block.c.blocked_id)
        )
    ]
    return DigestRound(readers, requests, started, blocked)
