"""The rows behind nudges: digests and reciprocity messages planned, yeses that wait, and what a
digest round reads (in a few Core queries: tuples, not ORM objects, so a round over a whole
city stays fast)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import String, and_, cast, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from matching.engine import RequestInfo
from matching.gc_pause import collector_paused
from matching.nudges import DIGEST_RHYTHM, Reader
from matching.pace import Pace
from matching.quiet_hours import DEFAULT_TIME_ZONE
from matching.reach import Reach
from storage.candidates import REQUEST_COLUMNS, mark_invited
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
    mark_invited(session, resident_id=resident_id, now=at)  # the Core UPDATE: tell the pools


def count_as_ask(session: Session, *, resident_id: int, at: datetime) -> None:
    """An announcement was recorded (record, kind ANNOUNCEMENT): like a digest it is the
    person's last ask, which the matching prefilter reads."""
    session.execute(
        update(Resident).where(col(Resident.id) == resident_id).values(last_invited_at=at)
    )
    session.flush()
    mark_invited(session, resident_id=resident_id, now=at)  # the Core UPDATE: tell the pools


def digests_since(
    session: Session, resident_ids: Iterable[int], since: datetime
) -> dict[int, list[datetime]]:
    """The digests and activity announcements each of these residents got after `since`
    (asks, for their pace)."""
    ids = sorted(set(resident_ids))
    found: dict[int, list[datetime]] = defaultdict(list)
    if not ids:
        return found
    for resident_id, at in session.execute(
        select(_nudge.c.resident_id, _nudge.c.at).where(
            _nudge.c.resident_id.in_(ids),
            _nudge.c.kind.in_((NudgeKind.DIGEST.value, NudgeKind.ANNOUNCEMENT.value)),
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
    """Everyone a digest may be due for, every open request whose time has not passed (with
    who was invited for it already), and every block.

    The database keeps only the people a digest can be due for (matching.nudges.digest_due
    decides again): onboarded, in a wijk, not stopped, not paused (or the pause has ended), on
    a pace with digests, joined and not asked (no invitation, no digest) for a whole rhythm.
    So their asks are not read again (Reader.asks and last_ask_at stay empty).
    """
    with collector_paused():  # tens of thousands of rows and readers: see matching.gc_pause
        return _read_digest_round(session, now=now, time_zone=time_zone)


def _read_digest_round(session: Session, *, now: datetime, time_zone: str) -> DigestRound:
    r = _resident.c
    i = _invitation.c
    n = _nudge.c
    by_pace = []
    for rhythm in sorted(set(DIGEST_RHYTHM.values())):
        paces = sorted(pace.value for pace, its in DIGEST_RHYTHM.items() if its == rhythm)
        since = now - rhythm
        by_pace.append(
            and_(
                r.pace.in_(paces),
                r.created_at <= since,
                or_(r.last_invited_at.is_(None), r.last_invited_at <= since),
                ~exists().where(i.resident_id == r.id, i.sent_at > since),
                ~exists().where(
                    n.resident_id == r.id, n.kind == NudgeKind.DIGEST.value, n.at > since
                ),
            )
        )
    people = session.execute(
        select(
            r.id,
            r.wijk_id,
            r.area_cell,
            r.pace,
            cast(r.likes, String),
            r.quiet_start,
            r.quiet_end,
        ).where(
            r.onboarded.is_(True),
            r.stopped.is_(False),
            r.unreachable_since.is_(None),  # they blocked the bot: a digest cannot reach them
            r.wijk_id.is_not(None),
            or_(r.paused.is_(False), and_(r.paused_until.is_not(None), r.paused_until <= now)),
            or_(*by_pace),
        )
    ).all()
    p = _post.c
    rows = session.execute(
        select(*REQUEST_COLUMNS, p.created_at).where(
            p.kind == PostKind.REQUEST.value,
            p.status == PostStatus.OPEN.value,
            or_(p.window_end.is_(None), p.window_end > now),
        )
    ).all()
    reaches = {reach.value: reach for reach in Reach}
    requests = []
    started = {}
    for post_id, resident_id, wijk_id, area, category, text, reach, end, created in rows:
        requests.append(
            RequestInfo(
                post_id=post_id,
                asker_id=resident_id,
                wijk_id=wijk_id,
                area_cell=area,
                category=category,
                text=text,
                reach=reaches[reach],
                needed_by=None if end is None else _utc(end),
            )
        )
        started[post_id] = _utc(created)
    seen: dict[int, set[int]] = defaultdict(set)
    if requests:
        for post_id, resident_id in session.execute(
            select(_invitation.c.post_id, _invitation.c.resident_id)
            .join(_post, _post.c.id == _invitation.c.post_id)
            .where(p.kind == PostKind.REQUEST.value, p.status == PostStatus.OPEN.value)
        ).all():
            seen[resident_id].add(post_id)
    empty: frozenset[int] = frozenset()
    pace_of = {pace.value: pace for pace in Pace}
    likes_of: dict[str | None, frozenset[str]] = {}
    readers = []
    for row in people:
        resident_id, wijk_id, area_cell, pace, likes_text, quiet_start, quiet_end = row
        likes = likes_of.get(likes_text)
        if likes is None:
            likes = frozenset(json.loads(likes_text) if likes_text else ())
            likes_of[likes_text] = likes
        readers.append(
            Reader(
                resident_id=resident_id,
                wijk_id=wijk_id,
                area_cell=area_cell,
                pace=pace_of[pace],
                likes=likes,
                quiet_start=quiet_start,
                quiet_end=quiet_end,
                time_zone=time_zone,
                seen=seen.get(resident_id, empty),
            )
        )
    blocked = [
        (blocker, blocked_one)
        for blocker, blocked_one in session.execute(
            select(_block.c.blocker_id, _block.c.blocked_id)
        )
    ]
    return DigestRound(readers, requests, started, blocked)
