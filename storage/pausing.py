"""Pausing, resuming and leaving (/pauze, /stop): one write each, effective at once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import Resident


def pause(session: Session, *, resident: Resident, until: datetime | None, now: datetime) -> None:
    """Pause until `until`, or until the person resumes when `until` is None."""
    resident.paused, resident.paused_until, resident.updated_at = True, until, now
    session.add(resident)


def resume(session: Session, *, resident: Resident, now: datetime) -> None:
    resident.paused, resident.paused_until, resident.updated_at = False, None, now
    session.add(resident)


def leave(session: Session, *, resident: Resident, now: datetime) -> None:
    """/stop: nothing more is sent until the person comes back with /start."""
    resident.stopped, resident.updated_at = True, now
    session.add(resident)
