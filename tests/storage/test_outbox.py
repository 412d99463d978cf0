"""The outbox hands out due messages once, oldest first, and backs off after failures."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from storage import outbox
from storage.db import session_scope


def test_only_due_pending_messages_are_claimed_oldest_first(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        later = outbox.enqueue(session, chat_id=1, text="b", reply_markup=None, due_at=now)
        earlier = outbox.enqueue(
            session, chat_id=2, text="a", reply_markup=None, due_at=now - timedelta(hours=1)
        )
        outbox.enqueue(
            session, chat_id=3, text="c", reply_markup=None, due_at=now + timedelta(minutes=1)
        )
    with session_scope(engine) as session:
        claimed = outbox.claim_due(session, now=now)
        assert [m.id for m in claimed] == [earlier.id, later.id]
        outbox.mark_sent(session, message=claimed[0], now=now)
        outbox.drop(session, message=claimed[1], reason="paused")
    with session_scope(engine) as session:
        assert outbox.claim_due(session, now=now) == []


def test_failures_back_off_and_give_up_after_the_last_attempt(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        message = outbox.enqueue(session, chat_id=1, text="x", reply_markup=None, due_at=now)
    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        with session_scope(engine) as session:
            [claimed] = outbox.claim_due(session, now=now + timedelta(days=1))
            outbox.retry_later(session, message=claimed, error="Timed out", now=now)
            delays.append(claimed.due_at - now)
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    with session_scope(engine) as session:
        assert outbox.claim_due(session, now=now + timedelta(days=1)) == []
        stored = session.get(type(message), message.id)
        assert stored is not None
        assert (stored.status, stored.attempts) == ("failed", outbox.MAX_ATTEMPTS)


def test_a_claim_is_a_lease_taken_again_once_after_a_crash(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        message = outbox.enqueue(session, chat_id=1, text="x", reply_markup=None, due_at=now)
    with session_scope(engine) as session:
        [claimed] = outbox.claim_due(session, now=now)
        assert claimed.status == "sending"
    # Committed: while it is on its way, nobody else takes it.
    with session_scope(engine) as session:
        assert outbox.recover_expired(session, now=now + timedelta(seconds=30)) == 0
        assert outbox.claim_due(session, now=now + timedelta(seconds=30)) == []
    # The sender never came back to mark it: after the lease it is an unknown send, sent
    # once more (maybe it never arrived), not lost.
    later = now + outbox.CLAIM_LEASE
    with session_scope(engine) as session:
        assert outbox.recover_expired(session, now=later) == 1
        [again] = outbox.claim_due(session, now=later)
        assert (again.id, again.unknown_sends) == (message.id, 1)
    # Cut off a second time: never sent again (it may well have arrived twice by now).
    with session_scope(engine) as session:
        assert outbox.recover_expired(session, now=later + outbox.CLAIM_LEASE) == 1
        assert outbox.claim_due(session, now=later + timedelta(days=1)) == []
        stored = session.get(type(message), message.id)
        assert stored is not None
        assert (stored.status, stored.unknown_sends) == ("unknown", 2)


def test_a_timed_out_send_is_retried_once_after_a_long_pause(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        message = outbox.enqueue(session, chat_id=1, text="x", reply_markup=None, due_at=now)
    with session_scope(engine) as session:
        [claimed] = outbox.claim_due(session, now=now)
        outbox.unknown(session, message=claimed, error="Timed out", now=now)
    with session_scope(engine) as session:
        assert outbox.claim_due(session, now=now + timedelta(minutes=9)) == []
        [again] = outbox.claim_due(session, now=now + outbox.UNKNOWN_PAUSE)
        outbox.unknown(session, message=again, error="Timed out", now=now)
    with session_scope(engine) as session:
        assert outbox.claim_due(session, now=now + timedelta(days=1)) == []
        stored = session.get(type(message), message.id)
        assert stored is not None
        assert stored.status == "unknown"


def test_a_dead_letter_is_never_sent_again(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        message = outbox.enqueue(session, chat_id=1, text="x", reply_markup=None, due_at=now)
    with session_scope(engine) as session:
        [claimed] = outbox.claim_due(session, now=now)
        outbox.dead_letter(session, message=claimed, error="Bad Request: message is too long")
    with session_scope(engine) as session:
        assert outbox.claim_due(session, now=now + timedelta(days=1)) == []
        assert outbox.recover_expired(session, now=now + timedelta(days=1)) == 0
        stored = session.get(type(message), message.id)
        assert stored is not None
        assert stored.status == "dead"


def test_due_reads_each_pending_row_once_through_its_cursor(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        ids = [
            outbox.enqueue(session, chat_id=n, text="x", reply_markup=None, due_at=now).id
            for n in range(5)
        ]
        outbox.enqueue(
            session, chat_id=9, text="later", reply_markup=None, due_at=now + timedelta(hours=1)
        )
    with session_scope(engine) as session:
        first = outbox.due(session, now=now, limit=3)
        rest = outbox.due(session, now=now, after=(first[-1][2], first[-1][0]), limit=3)
    assert [row[0] for row in first + rest] == ids
    assert [row[1] for row in first + rest] == list(range(5))


def test_messages_are_found_by_their_keys(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        for key in ("card:7:1", "card:7:2", "card:8:1", None):
            outbox.enqueue(
                session, chat_id=1, text=str(key), reply_markup=None, due_at=now, key=key
            )
        found = outbox.by_keys(session, ["card:7:2", "card:7:1", "card:7:3"])
        assert [message.dedupe_key for message in found] == ["card:7:1", "card:7:2"]
        assert outbox.by_keys(session, []) == []
