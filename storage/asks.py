"""Asks against a person's pace (an invitation, a digest, an activity announcement), claimed
under a lock on their resident row right before one is written; and notes with a count of
their own against the pace ("elke keer": a new date of an activity they chose every time of),
claimed under the same lock.

Why: a plan reads someone's recent asks and decides they may get one more; on PostgreSQL
another transaction (a digest round, another request's step, another process) can decide the
same at the same moment, and both would write one. Locking the rows first (in id order, so two
transactions never wait on each other in a circle) and counting again inside the lock makes the
second one see the first's ask once it committed. On SQLite the single writer serialises the
transactions anyway and FOR UPDATE is left out by SQLAlchemy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from matching.pace import INVITATION_HISTORY, Pace, pace_allows
from storage.models import Invitation, NudgeKind, Resident
from storage.nudges import digests_since, times

_resident = Resident.__table__  # type: ignore[attr-defined]
_invitation = Invitation.__table__  # type: ignore[attr-defined]


def claim_asks(session: Session, resident_ids: Iterable[int], *, now: datetime) -> set[int]:
    """Those of these residents whose pace allows one more ask at `now`, counted inside a row
    lock held until the transaction ends. The caller writes the asks in the same transaction."""
    ids = sorted(set(resident_ids))
    if not ids:
        return set()
    rows = _lock(session, ids)
    since = now - INVITATION_HISTORY
    asks: dict[int, list[datetime]] = defaultdict(list)
    for resident_id, sent_at in session.execute(
        select(_invitation.c.resident_id, _invitation.c.sent_at).where(
            _invitation.c.resident_id.in_(ids), _invitation.c.sent_at > since
        )
    ):
        asks[resident_id].append(_utc(sent_at))
    for resident_id, moments in digests_since(session, ids, since).items():
        asks[resident_id].extend(moments)
    return {
        resident_id
        for resident_id, pace, last_invited_at in rows
        if pace_allows(
            Pace(pace),
            asks.get(resident_id, ()),
            ever_invited=last_invited_at is not None or bool(asks.get(resident_id)),
            now=now,
        )
    }


def claim_notes(
    session: Session, resident_ids: Iterable[int], *, kind: NudgeKind, now: datetime
) -> set[int]:
    """Those of these residents whose pace allows one more note of `kind` at `now`, counting
    only their notes of that kind (they are not asks to help, so they never use up an
    invitation), inside the row lock claim_asks takes: two transactions telling one person
    of two new dates at once give one note within their pace, not two."""
    ids = sorted(set(resident_ids))
    if not ids:
        return set()
    allowed = set()
    for resident_id, pace, _last_invited_at in _lock(session, ids):
        earlier = times(session, resident_id=resident_id, kind=kind)
        if pace_allows(Pace(pace), earlier, ever_invited=bool(earlier), now=now):
            allowed.add(resident_id)
    return allowed


def _lock(session: Session, ids: list[int]) -> list[Any]:
    """(id, pace, last_invited_at) of these residents, their rows locked until the transaction
    ends, in id order (two transactions never wait on each other in a circle over one claim)."""
    return list(
        session.execute(
            select(_resident.c.id, _resident.c.pace, _resident.c.last_invited_at)
            .where(_resident.c.id.in_(ids))
            .order_by(_resident.c.id)
            .with_for_update()
        ).all()
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


__all__ = ["claim_asks", "claim_notes"]
