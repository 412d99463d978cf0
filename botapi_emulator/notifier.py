"""Wake-ups for everything that waits on the emulator: long polls, webhooks and tests.

Every state change calls `Notifier.notify()` (plain synchronous code can do that); waiters
re-check their own predicate after each wake-up. That keeps waits exact and deadline-based,
with no polling intervals and no fixed sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Notifier:
    """A broadcast "something changed" signal for tasks on one event loop."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None
        self.version = 0

    def notify(self) -> None:
        self.version += 1
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
