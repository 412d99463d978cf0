"""Wake-ups for everything that waits on the emulator: long polls, webhooks and tests.

Every state change calls `Notifier.notify()` (plain synchronous code can do that); waiters
re-check their own predicate after each wake-up. That keeps waits exact and deadline-based,
with no polling intervals and no fixed sleeps.

A waiter that watches many chats (a benchmark waiting for hundreds of people) can ask which
chats changed instead of re-checking all of them: `watching()` collects the ids of the chats
whose messages or callback answers changed (`touch()`), to `take()` after each wake-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class ChatWatch:
    """The chats whose messages (new, edited, deleted) or callback answers changed since the
    last `take()`, while the watch is open."""

    def __init__(self) -> None:
        self._chats: set[int] = set()

    def add(self, chat_id: int) -> None:
        self._chats.add(chat_id)

    def take(self) -> set[int]:
        """The chats changed since the last call (or since the watch opened), then forget them."""
        chats, self._chats = self._chats, set()
        return chats


class Notifier:
    """A broadcast "something changed" signal for tasks on one event loop."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self.version = 0
        self._watches: list[ChatWatch] = []
        self._listeners: list[tuple[ChatWatch, Callable[[set[int]], None]]] = []

    def touch(self, chat_id: int) -> None:
        """Note that a chat's messages or callback answers changed (`notify()` wakes waiters)."""
        for watch in self._watches:
            watch.add(chat_id)

    @contextmanager
    def watching(self) -> Iterator[ChatWatch]:
        """Collect the chats touched while the block runs."""
        watch = ChatWatch()
        self._watches.append(watch)
        try:
            yield watch
        finally:
            self._watches.remove(watch)

    @contextmanager
    def listening(self, listener: Callable[[set[int]], None]) -> Iterator[None]:
        """Call ``listener`` synchronously after every change while the block runs, with the
        ids of the chats touched since its last call (for narrating messages as they arrive,
        in the order they arrive)."""
        with self.watching() as watch:
            entry = (watch, listener)
            self._listeners.append(entry)
            try:
                yield
            finally:
                self._listeners.remove(entry)

    def notify(self) -> None:
        self.version += 1
        for watch, listener in list(self._listeners):
            chats = watch.take()
            if chats:
                listener(chats)
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float | None,  # noqa: ASYNC109 - a timeout here means "return False", not raise
    ) -> bool:
        """Wait until ``predicate()`` holds (True) or ``timeout`` seconds pass (False)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not predicate():
            if self._event is None:
                self._event = asyncio.Event()
            event = self._event
            if deadline is None:
                await event.wait()
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                return predicate()
        return True
