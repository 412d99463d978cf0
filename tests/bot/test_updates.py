"""Different chats' updates run side by side; one chat's updates run in the order they came."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update

from bot.updates import PerChatUpdateProcessor

WHEN = datetime(2026, 12, 2, tzinfo=UTC)


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, WHEN, chat, text="hallo"))


async def _run(processor: PerChatUpdateProcessor, updates: list[Update]) -> list[str]:
    log: list[str] = []
    gates = {update.update_id: asyncio.Event() for update in updates}

    async def handle(update: Update) -> None:
        log.append(f"start {update.update_id}")
        await gates[update.update_id].wait()
        log.append(f"end {update.update_id}")

    tasks = [
        asyncio.create_task(processor.process_update(update, handle(update))) for update in updates
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    started = list(log)
    for gate in gates.values():
        gate.set()
        for _ in range(5):
            await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    return started


async def test_a_slow_update_does_not_hold_up_another_chat() -> None:
    started = await _run(PerChatUpdateProcessor(), [_update(1, 100), _update(2, 200)])
    assert started == ["start 1", "start 2"]


async def test_one_chats_updates_wait_for_each_other() -> None:
    started = await _run(PerChatUpdateProcessor(), [_update(1, 100), _update(2, 100)])
    assert started == ["start 1"]


async def test_the_processor_forgets_a_chat_once_nothing_waits() -> None:
    processor = PerChatUpdateProcessor()
    await _run(processor, [_update(1, 100), _update(2, 100)])
    assert processor._locks == {}


async def test_updates_waiting_for_a_busy_chat_do_not_use_up_the_limit() -> None:
    busy = [_update(number, 100) for number in (1, 2, 3)]
    started = await _run(
        PerChatUpdateProcessor(max_concurrent_updates=2), [*busy, _update(4, 200)]
    )
    assert started == ["start 1", "start 4"]
