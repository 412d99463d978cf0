"""The sender's pace: an overall rate, one message per second per private chat, a few a minute
per group, and one message in flight per chat (so a chat's messages arrive in order).

Smooth spacing rather than bursts: at 25/s overall the bot stays below Telegram's ~30/s with
room for the replies handlers send, and never sees a 429 in normal running. After a 429 the
chat waits `retry_after` before its next message.

The overall rate is handed out one send at a time, in priority order among the sends whose chat
may send now (oldest message first; what an update just caused before any backlog), so a group
waiting out its 3 seconds is not queued behind hundreds of private messages that became ready
meanwhile.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

# The priority of a send: lower goes first. (0, 0) is "now, for someone who just acted".
Priority = tuple[float, int]
URGENT: Priority = (0.0, 0)


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    next_at: float = 0.0


class Slot:
    """One granted send (and a way to be granted another to the same chat inside it)."""

    def __init__(self, limiter: SendLimiter, chat_id: int, priority: Priority) -> None:
        self._limiter = limiter
        self._chat_id = chat_id
        self._priority = priority
        self._granted = False

    async def take(self) -> None:
        """Wait until this chat and the bot as a whole may send one more message."""
        await self._limiter._take(self._chat_id, self._priority)
        self._granted = True

    def unused(self) -> None:
        """The granted send did not happen (the message was not wanted any more)."""
        if self._granted:
            self._limiter._refund(self._chat_id)
            self._granted = False


class SendLimiter:
    def __init__(
        self,
        *,
        overall_per_second: float,
        per_chat_per_second: float | None,
        per_group_per_minute: float,
    ) -> None:
        """`per_chat_per_second=None`: no spacing between a private chat's messages (only for
        an emulator that does not count them either, as `buurtbot demo`'s script); one message
        in flight per chat still holds."""
        self.overall_interval = 1.0 / overall_per_second
        self.chat_interval = 0.0 if per_chat_per_second is None else 1.0 / per_chat_per_second
        self.group_interval = 60.0 / per_group_per_minute
        self._chats: dict[int, _Chat] = {}
        # Chats whose next send time lies ahead, kept after their last user left.
        self._spacing: dict[int, float] = {}
        self._waiting: list[tuple[Priority, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._next_free = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._last_chat_next: dict[int, float] = {}

    def space_chats(self, per_chat_per_second: float) -> None:
        """Space private chats' messages from now on (after a start without, see __init__)."""
        self.chat_interval = 1.0 / per_chat_per_second

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def interval(self, chat_id: int) -> float:
        # Telegram's groups and channels have negative ids.
        return self.group_interval if chat_id < 0 else self.chat_interval

    @asynccontextmanager
    async def slot(self, chat_id: int, priority: Priority = URGENT) -> AsyncIterator[Slot]:
        """Hold the chat (one message in flight per chat, in the order asked) and be granted
        one send; `Slot.take` asks for another (a location after its text)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(next_at=self._spacing.pop(chat_id, 0.0))
        chat.users += 1
        try:
            async with chat.lock:
                slot = Slot(self, chat_id, priority)
                await slot.take()
                yield slot
        finally:
            chat.users -= 1
            if chat.users == 0:
                del self._chats[chat_id]
                self._last_chat_next.pop(chat_id, None)
                if chat.next_at > self._now():
                    self._spacing[chat_id] = chat.next_at
                self._forget_old_spacing()

    async def space(self, chat_id: int) -> None:
        """A handler's reply (not an outbox send): wait until this chat may get its next
        message, and keep the one after a chat interval later (the outbox's sends to the chat
        respect that too). It takes neither the chat's turn nor the overall rate, which
        python-telegram-bot's limiter counts for replies."""
        while True:
            now = self._now()
            chat = self._chats.get(chat_id)
            next_at = chat.next_at if chat is not None else self._spacing.get(chat_id, 0.0)
            if next_at <= now:
                break
            await asyncio.sleep(next_at - now)
        until = now + self.interval(chat_id)
        if chat is not None:
            chat.next_at = until
        else:
            self._spacing[chat_id] = until
            self._forget_old_spacing()

    def wait_for_chat(self, chat_id: int, seconds: float) -> None:
        """Telegram said 429: this chat's next message waits at least `seconds`."""
        until = self._now() + seconds
        chat = self._chats.get(chat_id)
        if chat is not None:
            chat.next_at = max(chat.next_at, until)
        else:
            self._spacing[chat_id] = max(self._spacing.get(chat_id, 0.0), until)

    async def _take(self, chat_id: int, priority: Priority) -> None:
        chat = self._chats[chat_id]
        # Again after each sleep: a handler's reply may have taken the chat's next moment
        # meanwhile (a moving deadline, not an event to wait for).
        while (wait := chat.next_at - self._now()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), granted))
        self._schedule()
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._give_back()
            raise
        self._last_chat_next[chat_id] = chat.next_at
        chat.next_at = self._now() + self.interval(chat_id)

    def _schedule(self) -> None:
        if self._timer is not None or not self._waiting:
            return
        delay = max(0.0, self._next_free - self._now())
        self._timer = asyncio.get_running_loop().call_later(delay, self._grant)

    def _grant(self) -> None:
        self._timer = None
        while self._waiting and self._waiting[0][2].done():
            heapq.heappop(self._waiting)  # its task was cancelled
        if not self._waiting:
            return
        _, _, granted = heapq.heappop(self._waiting)
        granted.set_result(None)
        self._next_free = max(self._now(), self._next_free) + self.overall_interval
        self._schedule()

    def _give_back(self) -> None:
        self._next_free = max(self._now(), self._next_free - self.overall_interval)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._schedule()

    def _refund(self, chat_id: int) -> None:
        chat = self._chats.get(chat_id)
        if chat is not None and chat_id in self._last_chat_next:
            chat.next_at = self._last_chat_next.pop(chat_id)
        self._give_back()

    def _forget_old_spacing(self) -> None:
        if len(self._spacing) < 10_000:
            return
        now = self._now()
        self._spacing = {chat: at for chat, at in self._spacing.items() if at > now}
