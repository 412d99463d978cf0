"""The outbox against a slow or refusing Bot API: nothing twice, nothing lost.

The emulator's `send_latency` answers every sending call seconds after the message arrived,
so a client that gives up early has sent it without knowing (python-telegram-bot's own
timeout is 5 s; the probe that found the bug used 6 s).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot import sender
from bot.harness import RunningBot
from bot.services import delivery
from botapi_emulator.scenario import Scene
from storage import outbox
from storage.db import session_scope
from storage.models import OutboxMessage, Resident
from tests.e2e.neighbours import Clock, bot_context, has_started
from tests.storage.neighbourhood import add_resident


def _residents(running: RunningBot, scene: Scene, count: int, now: datetime) -> list[Resident]:
    people = [scene.resident(f"Buur{n}") for n in range(count)]
    residents = []
    with session_scope(running.engine) as session:
        for person in people:
            has_started(running, person)
            residents.append(
                add_resident(
                    session,
                    telegram_user_id=person.user.id,
                    first_name=person.user.first_name,
                    wijk=None,
                    now=now,
                    quiet_start="00:00",
                    quiet_end="00:00",
                )
            )
    return residents


def _queue(running: RunningBot, residents: list[Resident], per_person: int, now: datetime) -> int:
    count = 0
    with session_scope(running.engine) as session:
        for round_ in range(per_person):
            for resident in residents:
                outbox.enqueue(
                    session,
                    chat_id=resident.telegram_user_id,
                    text=f"Bericht {round_} voor {resident.first_name}",
                    reply_markup=None,
                    due_at=now,
                    resident_id=resident.id,
                )
                count += 1
    return count


def _delivered(running: RunningBot, residents: list[Resident]) -> Counter[str]:
    return Counter(
        message.text or ""
        for resident in residents
        for message in running.emulator.messages(resident.telegram_user_id)
    )


def _statuses(running: RunningBot) -> Counter[str]:
    with Session(running.engine) as session:
        return Counter(row.status for row in session.exec(select(OutboxMessage)).all())


async def test_a_slow_api_delivers_every_message_exactly_once(
    scene: Scene, running: RunningBot, clock: Clock
) -> None:
    """6 s per send, more than python-telegram-bot's 5 s default: before, every message went
    out five times and was then marked failed."""
    residents = _residents(running, scene, 8, clock.now)
    queued = _queue(running, residents, 2, clock.now)
    running.emulator.send_latency = 6.0
    await sender.send_due_messages(bot_context(running))
    delivered = _delivered(running, residents)
    assert sum(delivered.values()) == queued
    assert set(delivered.values()) == {1}, "no message twice"
    assert _statuses(running) == {"sent": queued}
    assert running.emulator.errors == []


async def test_two_senders_sharing_the_database_never_send_a_row_twice(
    scene: Scene, running: RunningBot, clock: Clock
) -> None:
    """Each row is claimed right before it is sent, so a drain that lasts longer than a lease
    (here the clock jumps a minute with every read: the drain spans half an hour) and a second
    sender on the same database (another process) never send one twice."""
    residents = _residents(running, scene, 15, clock.now)
    queued = _queue(running, residents, 2, clock.now)
    start = clock.now

    class Jumping(Clock):
        def __call__(self) -> datetime:
            self.now += timedelta(minutes=1)
            return self.now

    jumping = Jumping(start)
    services = running.application.bot_data["services"]
    object.__setattr__(services, "clock", jumping)
    try:
        one, two = bot_context(running), bot_context(running)
        await asyncio.gather(sender._drain(one), sender._drain(two))
    finally:
        object.__setattr__(services, "clock", clock)
    assert jumping.now - start > outbox.CLAIM_LEASE * 10
    delivered = _delivered(running, residents)
    assert sum(delivered.values()) == queued
    assert set(delivered.values()) == {1}
    assert _statuses(running) == {"sent": queued}


async def test_a_blocked_bot_is_not_retried_and_the_resident_waits_until_they_write(
    scene: Scene, running: RunningBot, clock: Clock
) -> None:
    [resident] = _residents(running, scene, 1, clock.now)
    await running.emulator.block_bot(resident.telegram_user_id)
    _queue(running, [resident], 3, clock.now)
    await sender.send_due_messages(bot_context(running))
    statuses = _statuses(running)
    # The first got 403; the others were not even tried.
    assert statuses == {"dead": 1, "failed": 2}
    sends = [
        event
        for event in running.emulator.events
        if event.kind == "call" and event.method == "sendMessage"
    ]
    assert len(sends) == 1
    with Session(running.engine) as session:
        stored = session.get(Resident, resident.id)
        assert stored is not None
        assert stored.unreachable_since is not None


async def test_a_send_whose_recording_failed_is_not_sent_again(
    scene: Scene, running: RunningBot, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database went away right after the messages went out: what was sent is kept in
    memory and recorded on the next drain, before the rows' leases would count as run out
    (and each message as an unknown send, to go out once more)."""
    residents = _residents(running, scene, 3, clock.now)
    queued = _queue(running, residents, 1, clock.now)
    real_record = delivery.record

    def database_away(*args: object, **kwargs: object) -> None:
        raise OperationalError("UPDATE outboxmessage", {}, Exception("connection refused"))

    monkeypatch.setattr(delivery, "record", database_away)
    await sender.send_due_messages(bot_context(running))
    assert sum(_delivered(running, residents).values()) == queued
    assert _statuses(running) == {"sending": queued}

    monkeypatch.setattr(delivery, "record", real_record)
    clock.now += outbox.CLAIM_LEASE + timedelta(minutes=1)  # every lease has run out
    await sender.send_due_messages(bot_context(running))
    delivered = _delivered(running, residents)
    assert sum(delivered.values()) == queued
    assert set(delivered.values()) == {1}, "no message twice"
    assert _statuses(running) == {"sent": queued}
