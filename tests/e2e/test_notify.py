"""Unprompted messages wait for the end of someone's quiet hours and are re-checked when sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.harness import RunningBot
from bot.sender import send_due_messages
from botapi_emulator.scenario import Person, Scene
from storage.models import OutboxMessage, Resident
from tests.e2e.neighbours import Clock, bot_context, resident_for, send_unprompted

# 22:30 in Amsterdam (UTC+1 in November): inside the default quiet hours 21:00-08:00.
LATE_EVENING = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam


def outbox_rows(running: RunningBot) -> list[OutboxMessage]:
    with Session(running.engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def sent_to(running: RunningBot, person: Person) -> list[str]:
    return [m.content for m in running.emulator.messages(person.chat_id)]


async def test_a_message_in_quiet_hours_waits_until_the_morning(
    scene: Scene, running: RunningBot, clock: Clock
) -> None:
    anna = scene.resident("Anna")
    anna_id = resident_for(running, anna, None, clock.now)
    clock.now = LATE_EVENING
    assert await send_unprompted(running, anna_id, "Ben wil graag helpen.")
    assert sent_to(running, anna) == []
    [queued] = outbox_rows(running)
    assert queued.due_at == NEXT_MORNING
    assert queued.status == "pending"

    clock.now = NEXT_MORNING - timedelta(minutes=1)
    await send_due_messages(bot_context(running))
    assert sent_to(running, anna) == []

    clock.now = NEXT_MORNING
    await send_due_messages(bot_context(running))
    assert sent_to(running, anna) == ["Ben wil graag helpen."]
    assert [row.status for row in outbox_rows(running)] == ["sent"]
    await send_due_messages(bot_context(running))
    assert sent_to(running, anna) == ["Ben wil graag helpen."], "sent once, never twice"


async def test_a_waiting_message_is_dropped_when_the_person_paused_in_between(
    scene: Scene, running: RunningBot, clock: Clock
) -> None:
    ben = scene.resident("Ben")
    ben_id = resident_for(running, ben, None, clock.now)
    clock.now = LATE_EVENING
    assert await send_unprompted(running, ben_id, "Iemand wil helpen.")
    with Session(running.engine) as session:
        resident = session.get(Resident, ben_id)
        assert resident is not None
        resident.paused = True
        session.add(resident)
        session.commit()
    clock.now = NEXT_MORNING
    await send_due_messages(bot_context(running))
    assert sent_to(running, ben) == []
    assert [row.status for row in outbox_rows(running)] == ["failed"]


async def test_outside_quiet_hours_the_message_goes_at_once(
    scene: Scene, running: RunningBot, clock: Clock
) -> None:
    carla = scene.resident("Carla")
    carla_id = resident_for(running, carla, None, clock.now)
    assert await send_unprompted(running, carla_id, "Goedemorgen!")
    assert sent_to(running, carla) == ["Goedemorgen!"]
    # Every unprompted message is an outbox row, sent right after the unit that queued it.
    [row] = outbox_rows(running)
    assert (row.status, row.message_id) == ("sent", 1)
