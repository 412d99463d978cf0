"""The outbox: every message to someone who did not just ask for it, with its delivery state.

States: pending (due_at: when it may go) -> sending (claimed; due_at is the lease's end) ->
sent | failed (not wanted any more, or given up) | dead (Telegram refused it: 400) |
unknown (its sends timed out or were cut off twice: maybe it arrived, never sent again).

A row is claimed just before it is sent, in a short transaction of its own (one claim per
message, or per handful that go out that very moment), so no lease ever covers more than one
send's time, and no database lock is held while waiting on the network. On PostgreSQL the
claim uses FOR UPDATE SKIP LOCKED, so two bot processes never take the same row; SQLite has a
single writer. A lease that runs out without an outcome means the process stopped mid-send:
nobody knows whether the message arrived, so it is an unknown send (`recover_expired`), like
a timeout. See docs/delivery.md for what each kind of message does then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from storage.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 5
CLAIM_BATCH = 20
# Longer than any one send may take (the sender's timeouts are well below it).
CLAIM_LEASE = timedelta(minutes=2)
# Backoff after a try that surely did not arrive (no connection): 1, 2, 4, 8 minutes.
FIRST_RETRY = timedelta(minutes=1)
# A send that timed out may still arrive; the one retry waits until it surely would have.
UNKNOWN_PAUSE = timedelta(minutes=10)
# The first send and at most one retry; after a second unknown it is never sent again.
MAX_UNKNOWN_SENDS = 2


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
    answers_caller: bool = False,
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
        answers_caller=answers_caller,
    )
    session.add(message)
    session.flush()
    return message


def due(
    session: Session,
    *,
    now: datetime,
    after: tuple[datetime, int] | None = None,
    limit: int = 500,
) -> list[tuple[int, int, datetime]]:
    """(id, chat id, due at) of pending messages that are due, in order, after `after` (a
    cursor of due_at and id, so a long drain reads each row once). Reads only: each is
    claimed right before it is sent."""
    statement = select(OutboxMessage.id, OutboxMessage.chat_id, OutboxMessage.due_at).where(
        OutboxMessage.status == OutboxStatus.PENDING.value, col(OutboxMessage.due_at) <= now
    )
    if after is not None:
        due_at, last_id = after
        statement = statement.where(
            or_(
                col(OutboxMessage.due_at) > due_at,
                and_(col(OutboxMessage.due_at) == due_at, col(OutboxMessage.id) > last_id),
            )
        )
    statement = statement.order_by(col(OutboxMessage.due_at), col(OutboxMessage.id)).limit(limit)
    return [
        (row_id, chat_id, due_at)
        for row_id, chat_id, due_at in session.exec(statement)
        if row_id is not None
    ]


def recover_expired(session: Session, *, now: datetime) -> int:
    """Rows whose lease ran out while "sending" (the process stopped mid-send): an unknown
    send each, retried at once (the lease was the pause) unless that was their retry."""
    statement = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING.value,
            col(OutboxMessage.due_at) <= now,
        )
        .with_for_update(skip_locked=True)
    )
    expired = list(session.exec(statement).all())
    for message in expired:
        unknown(
            session,
            message=message,
            error="no outcome before the lease ran out",
            now=now,
            pause=timedelta(0),
        )
    return len(expired)


def claim_due(session: Session, *, now: datetime, limit: int = CLAIM_BATCH) -> list[OutboxMessage]:
    """Due pending messages, marked "sending" under a lease. Commit before sending them."""
    statement = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
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
    session: Session,
    *,
    message: OutboxMessage,
    now: datetime,
    message_id: int | None = None,
    media_message_id: int | None = None,
) -> None:
    message.status, message.sent_at = OutboxStatus.SENT.value, now
    message.message_id, message.media_message_id = message_id, media_message_id
    session.add(message)


def _sent_as(chat_id: int, message_id: int) -> ColumnElement[bool]:
    """The row whose text, or whose second message (a location's map), is `message_id`."""
    return and_(
        col(OutboxMessage.chat_id) == chat_id,
        or_(
            col(OutboxMessage.message_id) == message_id,
            col(OutboxMessage.media_message_id) == message_id,
        ),
    )


def by_key(session: Session, key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).first()


def by_keys(session: Session, keys: list[str]) -> list[OutboxMessage]:
    """The messages with these keys (through the unique index), oldest first."""
    if not keys:
        return []
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.dedupe_key).in_(keys))
        .order_by(col(OutboxMessage.id))
    )
    return list(session.exec(statement).all())


def about_sent_message(session: Session, *, chat_id: int, message_id: int) -> str | None:
    """What the message the bot sent as `message_id` in this chat was about ("match:<id>"
    ...), or None when it is not one of the outbox's (or no longer kept)."""
    return session.exec(select(OutboxMessage.about).where(_sent_as(chat_id, message_id))).first()


def drop(session: Session, *, message: OutboxMessage, reason: str) -> None:
    """Give up on a message that must not or cannot be delivered (paused, left, blocked)."""
    message.status, message.last_error = OutboxStatus.FAILED.value, reason[:500]
    session.add(message)


def postpone(session: Session, *, message: OutboxMessage, until: datetime) -> None:
    """Try again later without counting it as a failure (quiet hours)."""
    message.status, message.due_at = OutboxStatus.PENDING.value, until
    session.add(message)


def dead_letter(session: Session, *, message: OutboxMessage, error: str) -> None:
    """Telegram refused the message itself (400): sending it again would fail again."""
    message.status, message.last_error = OutboxStatus.DEAD.value, error[:500]
    session.add(message)


def unknown(
    session: Session,
    *,
    message: OutboxMessage,
    error: str,
    now: datetime,
    pause: timedelta = UNKNOWN_PAUSE,
) -> None:
    """A send whose outcome nobody knows (timed out, or cut off by a crash): maybe it
    arrived. One retry after `pause`; after a second unknown it is never sent again."""
    message.unknown_sends += 1
    message.attempts += 1
    message.last_error = f"unknown: {error}"[:500]
    if message.unknown_sends >= MAX_UNKNOWN_SENDS:
        message.status = OutboxStatus.UNKNOWN.value
    else:
        message.status, message.due_at = OutboxStatus.PENDING.value, now + pause
    session.add(message)


def retry_later(session: Session, *, message: OutboxMessage, error: str, now: datetime) -> None:
    """A try that surely did not arrive (no connection): back off; give up after
    MAX_ATTEMPTS."""
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


# The key of a line relayed between asker and helper: "line:<match id>:<sender id>:<message id
# in the sender's chat>" (bot/services/invitations.py).
LINE_PREFIX = "line:"


@dataclass(frozen=True)
class RelayedLine:
    """A line the bot relayed into a chat, read back from its outbox row."""

    match_id: int
    sender_id: int  # resident id
    text: str  # as sent (HTML)


def relayed_line(session: Session, *, chat_id: int, message_id: int) -> RelayedLine | None:
    """The relayed line that became Telegram message `message_id` in `chat_id`, while its
    outbox row is kept (the messages retention period); None for any other message."""
    row = session.exec(
        select(OutboxMessage).where(
            _sent_as(chat_id, message_id),
            col(OutboxMessage.dedupe_key).startswith(LINE_PREFIX),
        )
    ).first()
    if row is None or row.dedupe_key is None:
        return None
    parts = row.dedupe_key.removeprefix(LINE_PREFIX).split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    return RelayedLine(match_id=int(parts[0]), sender_id=int(parts[1]), text=row.text)
