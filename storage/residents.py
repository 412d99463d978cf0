"""A resident's own choices (wijk, area, pace, quiet hours, likes) and the blocks they made.

Used by onboarding and /instellingen. Every write stamps `updated_at`; every function takes the
resident loaded in the same session, so a change and its checks are one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_
from sqlmodel import Session, col, select

from matching.names import first_word
from matching.pace import Pace
from storage.models import Block, Resident, Wijk


@dataclass(frozen=True)
class BlockedNeighbour:
    """One block this resident made, with only what the settings screen shows."""

    block_id: int
    first_name: str


def _touch(session: Session, resident: Resident, now: datetime) -> None:
    resident.updated_at = now
    session.add(resident)


def wijk_by_id(session: Session, *, wijk_id: int) -> Wijk | None:
    return session.get(Wijk, wijk_id)


def wijk_by_code(session: Session, *, code: str) -> Wijk | None:
    """The wijk a join link names (`/start wijk_<code>`), or None for an unknown code."""
    return session.exec(select(Wijk).where(col(Wijk.code) == code.lower())).first()


def resident_wijk(session: Session, *, resident: Resident) -> Wijk | None:
    return None if resident.wijk_id is None else session.get(Wijk, resident.wijk_id)


def set_wijk(session: Session, *, resident: Resident, wijk: Wijk, now: datetime) -> None:
    resident.wijk_id = wijk.id
    _touch(session, resident, now)


def set_area_cell(
    session: Session, *, resident: Resident, area_cell: str | None, now: datetime
) -> None:
    """Store the coarse h3 cell (or forget it with None); coordinates never reach this layer."""
    resident.area_cell = area_cell
    _touch(session, resident, now)


def set_pace(session: Session, *, resident: Resident, pace: Pace, now: datetime) -> None:
    resident.pace = pace.value
    _touch(session, resident, now)


def set_quiet_hours(
    session: Session, *, resident: Resident, start: str, end: str, now: datetime
) -> None:
    resident.quiet_start, resident.quiet_end = start, end
    _touch(session, resident, now)


def set_likes(
    session: Session, *, resident: Resident, likes: Sequence[str], now: datetime
) -> None:
    # A new list, so SQLAlchemy sees the JSON column changed.
    resident.likes = list(likes)
    _touch(session, resident, now)


def mark_onboarded(session: Session, *, resident: Resident, now: datetime) -> None:
    resident.onboarded = True
    _touch(session, resident, now)


def come_back(session: Session, *, resident: Resident, now: datetime) -> bool:
    """Undo /stop because the person started again; True when they had stopped."""
    if not resident.stopped:
        return False
    resident.stopped = False
    _touch(session, resident, now)
    return True


def is_blocked_either_way(session: Session, first_id: int, second_id: int) -> bool:
    return (
        session.exec(
            select(Block.id).where(
                or_(
                    and_(col(Block.blocker_id) == first_id, col(Block.blocked_id) == second_id),
                    and_(col(Block.blocker_id) == second_id, col(Block.blocked_id) == first_id),
                )
            )
        ).first()
        is not None
    )


def blocked_neighbours(session: Session, *, blocker_id: int) -> list[BlockedNeighbour]:
    """The people this resident blocked, oldest block first, by first name only."""
    rows = session.exec(
        select(Block.id, Resident.first_name)
        .join(Resident, col(Resident.id) == col(Block.blocked_id))
        .where(col(Block.blocker_id) == blocker_id)
        .order_by(col(Block.created_at), col(Block.id))
    ).all()
    neighbours = []
    for block_id, first_name in rows:
        assert block_id is not None  # a primary key read back from the table
        neighbours.append(BlockedNeighbour(block_id, first_word(first_name)))
    return neighbours


def undo_block(session: Session, *, blocker_id: int, block_id: int) -> bool:
    """Remove one of this resident's own blocks; False when there is no such block (any more).

    The blocker is part of the condition, so nobody can lift a block someone else made.
    """
    result = session.execute(
        delete(Block).where(col(Block.id) == block_id, col(Block.blocker_id) == blocker_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
