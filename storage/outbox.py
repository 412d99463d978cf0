"""The outbox: messages to send later (after someone's quiet hours, or after a failed try).

Rows are claimed before sending, in a short transaction of their own: a claimed row is marked
"sending" with a lease (its due time moves CLAIM_LEASE ahead), and the sender commits that before
it talks to Telegram, so no database lock is held while waiting on the network (with SQLite, a
lock held across an await would stall every other write of the bot). On PostgreSQL the claim
uses FOR UPDATE SKIP LOCKED, so two bot processes never take the same row; SQLite has a single
writer. A row whose lease ran out (the process stopped mid-send) is claimed again: a message may
then go out twice, but none is lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from storage.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 5
CLAIM_BATCH = 20
CLAIM_LEASE = timedelta(minutes=2)
# Backoff after a failed try: 1, 2, 4, 8 minutes.
FIRST_RETRY = timedelta(minutes=1)


def enqueue(
    session: Session,
    *,
    chat_id: int,
    text: str,
    reply_markup: dict[str, Any] | None,
    due_at: datetime,
    key: str | None = None,
    resident_id: int | None = None,
    about: str | None = None,
    counterpart_id: int | None = None,
    media: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Queue a message. `key` names it (unique) so it can be found again, e.g. to take away
    the buttons of an invitation that is no longer open; `about` and `counterpart_id` say
    what it concerns, for the check at send time."""
    message = OutboxMessage(
        chat_id=chat_id,
        text=text,
        reply_markup=reply_markup,
        due_at=due_at,
        dedupe_key=key,
        resident_id=resident_id,
        about=about,
        counterpart_id=counterpart_id,
        media=media,
    )
    session.add(message)
    session.flush()
    return message


def claim_due(session: Session, *, now: datetime, limit: int = CLAIM_BATCH) -> list[OutboxMessage]:
    """Due messages (pending, or sending with an expired lease), marked "sending" under a new
    lease. Commit before sending them."""
    statement = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.status).in_(
                [OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]
            ),
            col(OutboxMessage.due_at) <= now,
        )
        .order_by(col(OutboxMessage.due_at), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = list(session.exec(statement).all())
    return _lease(session, claimed, now)


def claim_ids(session: Session, *, ids: list[int], now: datetime) -> list[OutboxMessage]:
    """The given messages, if still pending and due, marked "sending" under a new lease (the
    ones a unit of work just queued, for delivery right after its commit)."""
    if not ids:
        return []
    statement = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(ids),
            OutboxMessage.status == OutboxStatus.PENDING.value,
            col(OutboxMessage.due_at) <= now,
        )
        .order_by(col(OutboxMessage.id))
        .with_for_update(skip_locked=True)
    )
    claimed = list(session.exec(statement).all())
    return _lease(session, claimed, now)


def _lease(session: Session, claimed: list[OutboxMessage], now: datetime) -> list[OutboxMessage]:
    for message in claimed:
        message.status, message.due_at = OutboxStatus.SENDING.value, now + CLAIM_LEASE
        session.add(message)
    session.flush()
    return claimed


def mark_sent(
    session: Session, *, message: OutboxMessage, now: datetime, message_id: int | None = None
) -> None:
    message.status, message.sent_at = OutboxStatus.SENT.value, now
    message.message_id = message_id
    session.add(message)


def by_key(session: Session, key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).first()


def drop(session: Session, *, message: OutboxMessage, reason: str) -> None:
    """Give up on a message that must not or cannot be delivered (paused, left, blocked)."""
    message.status, message.last_error = OutboxStatus.FAILED.value, reason[:500]
    session.add(message)


def postpone(session: Session, *, message: OutboxMessage, until: datetime) -> None:
    """Try again later without counting it as a failure (quiet hours)."""
    message.status, message.due_at = OutboxStatus.PENDING.value, until
    session.add(message)


def retry_later(session: Session, *, message: OutboxMessage, error: str, now: datetime) -> None:
    """Count a failed try; back off, and give up after MAX_ATTEMPTS."""
    message.attempts += 1
    message.last_error = error[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED.value
    else:
        message.status = OutboxStatus.PENDING.value
        message.due_at = now + FIRST_RETRY * 2 ** (message.attempts - 1)
    session.add(message)


def release(session: Session, *, ids: list[int], now: datetime) -> int:
    """Hand back claimed rows that were not sent (a clean shutdown): due again at once."""
    released = 0
    for message in session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.id).in_(ids), OutboxMessage.status == OutboxStatus.SENDING.value
        )
    ).all():
        message.status, message.due_at = OutboxStatus.PENDING.value, now
        session.add(message)
        released += 1
    return released
