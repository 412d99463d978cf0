"""The sender's pace: an overall rate, one message per second per private chat, a few a minute
per group, and one message in flight per chat (so a chat's messages arrive in order).

Smooth spacing rather than bursts: at 25/s overall the bot stays below Telegram's ~30/s with
room for the replies handlers send, and never sees a 429 in normal running. After a 429 the
chat waits `retry_after` before its next message.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    next_at: float = 0.0


class Slot:
    """One reserved send (and a way to reserve another to the same chat inside it)."""

    def __init__(self, limiter: SendLimiter, chat_id: int) -> None:
        self._limiter = limiter
        self._chat_id = chat_id
        self._reserved: tuple[float, float, float] | None = None

    async def take(self) -> None:
        """Wait until this chat and the bot as a whole may send one more message."""
        self._reserved = await self._limiter._reserve(self._chat_id)

    def unused(self) -> None:
        """The reserved send did not happen (the message was not wanted any more)."""
        if self._reserved is not None:
            self._limiter._refund(self._chat_id, *self._reserved)
            self._reserved = None


class SendLimiter:
    def __init__(
        self,
        *,
        overall_per_second: float,
        per_chat_per_second: float,
        per_group_per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.overall_interval = 1.0 / overall_per_second
        self.chat_interval = 1.0 / per_chat_per_second
        self.group_interval = 60.0 / per_group_per_minute
        self._clock = clock
        self._sleep = sleep
        self._next_overall = 0.0
        self._chats: dict[int, _Chat] = {}
        # Chats whose next send time lies ahead, kept after their last user left.
        self._spacing: dict[int, float] = {}

    def interval(self, chat_id: int) -> float:
        # Telegram's groups and channels have negative ids.
        return self.group_interval if chat_id < 0 else self.chat_interval

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[Slot]:
        """Hold the chat (one message in flight per chat, in the order asked) and reserve
        one send; `Slot.take` reserves another (a location after its text)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(next_at=self._spacing.pop(chat_id, 0.0))
        chat.users += 1
        try:
            async with chat.lock:
                slot = Slot(self, chat_id)
                await slot.take()
                yield slot
        finally:
            chat.users -= 1
            if chat.users == 0:
                del self._chats[chat_id]
                if chat.next_at > self._clock():
                    self._spacing[chat_id] = chat.next_at
                self._forget_old_spacing()

    def wait_for_chat(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429: this chat's next message waits at least `seconds`."""
        until = self._clock() + seconds
        chat = self._chats.get(chat_id)
        if chat is not None:
            chat.next_at = max(chat.next_at, until)
        else:
            self._spacing[chat_id] = max(self._spacing.get(chat_id, 0.0), until)

    async def _reserve(self, chat_id: int) -> tuple[float, float, float]:
        chat = self._chats[chat_id]
        now = self._clock()
        if chat.next_at > now:
            await self._sleep(chat.next_at - now)
            now = self._clock()
        start = max(now, self._next_overall)
        previous = (chat.next_at, self._next_overall)
        self._next_overall = start + self.overall_interval
        chat.next_at = start + self.interval(chat_id)
        if start > now:
            await self._sleep(start - now)
        return (*previous, start)

    def _refund(self, chat_id: int, chat_next: float, overall_next: float, start: float) -> None:
        chat = self._chats.get(chat_id)
        if chat is not None:
            chat.next_at = chat_next
        # Only when nobody reserved after it; else the gap simply stays.
        if self._next_overall == start + self.overall_interval:
            self._next_overall = overall_next

    def _forget_old_spacing(self) -> None:
        if len(self._spacing) < 10_000:
            return
        now = self._clock()
        self._spacing = {chat: at for chat, at in self._spacing.items() if at > now}
