"""The sender's pace: the overall rate, per-chat spacing, order per chat, oldest first."""

from __future__ import annotations

import asyncio
import itertools

from bot.ratelimit import SendLimiter


def _limiter() -> SendLimiter:
    return SendLimiter(overall_per_second=50, per_chat_per_second=1, per_group_per_minute=60)


async def test_the_overall_rate_holds_and_each_chat_waits_its_interval() -> None:
    limiter = _limiter()
    loop = asyncio.get_running_loop()
    sent: list[tuple[int, float]] = []

    async def send(chat: int, key: int) -> None:
        async with limiter.slot(chat, (float(key), key)):
            sent.append((chat, loop.time()))

    start = loop.time()
    await asyncio.gather(*(send(chat, n) for n, chat in enumerate([1, 2, 3, 4, 5, 1, -7, -7])))
    times = sorted(at - start for _, at in sent)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 50 - 0.005, "never faster than the overall rate"
    by_chat: dict[int, list[float]] = {}
    for chat, at in sent:
        by_chat.setdefault(chat, []).append(at)
    assert by_chat[1][1] - by_chat[1][0] >= 0.99, "a private chat: one per second"
    assert by_chat[-7][1] - by_chat[-7][0] >= 0.99, "a group: its own interval"


async def test_a_chat_that_becomes_ready_goes_before_younger_messages() -> None:
    limiter = SendLimiter(overall_per_second=10, per_chat_per_second=1, per_group_per_minute=60)
    order: list[int] = []

    async def send(chat: int, key: int) -> None:
        async with limiter.slot(chat, (float(key), key)):
            order.append(key)

    # Key 0 and 1 go to chat 1 (1 s apart); keys 2..20 to other chats (2 s of backlog at 10/s).
    await asyncio.gather(send(1, 0), send(1, 1), *(send(100 + k, k) for k in range(2, 21)))
    assert order.index(1) < 14, "the older message did not wait behind the whole backlog"
    assert order.index(0) < order.index(1), "one chat's messages keep their order"


async def test_an_unused_slot_is_given_back() -> None:
    limiter = SendLimiter(overall_per_second=2, per_chat_per_second=1, per_group_per_minute=60)
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with limiter.slot(1) as slot:
        slot.unused()
    async with limiter.slot(1):
        pass
    assert loop.time() - start < 0.3, (
        "neither the chat nor the rate waited for a send that never was"
    )


async def test_without_chat_spacing_a_private_chat_only_keeps_the_overall_rate() -> None:
    """The scripted demo's pace (`chat_spacing=False`): a private chat's messages and replies
    follow each other at the overall rate; a group still waits its interval."""
    limiter = SendLimiter(overall_per_second=50, per_chat_per_second=None, per_group_per_minute=60)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(3):
        async with limiter.slot(1):
            pass
        await limiter.space(1)
    assert loop.time() - start < 0.3, "no second per private chat"
    async with limiter.slot(-7):
        pass
    before = loop.time()
    async with limiter.slot(-7):
        pass
    assert loop.time() - before >= 0.99, "a group: its own interval"
