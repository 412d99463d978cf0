"""Telegram's flood limits as token buckets, so a bot that spams gets 429 like in production.

Telegram documents roughly: one message per second per chat (short bursts tolerated), thirty
messages per second overall, twenty messages per minute per group. Each is a token bucket:
``rate`` tokens per second refill up to ``burst``; a send takes one token from every bucket that
applies, and only if all of them have one (a refused request costs nothing).

Only *sending* methods are counted (sendMessage, sendPhoto, sendDocument, sendLocation).
Edits, deletions, chat actions and callback answers are free here: Telegram's limits for them
are undocumented and counting them would make tests flaky without catching real bugs.

The clock is injectable so tests can step time deterministically instead of sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Send limits; set a rate to ``None`` to switch that limit off."""

    per_chat_per_second: float | None = 1.0
    per_chat_burst: int = 4
    global_per_second: float | None = 30.0
    global_burst: int = 30
    per_group_per_minute: float | None = 20.0
    per_group_burst: int = 20

    @classmethod
    def unlimited(cls) -> Limits:
        """No flood control at all, e.g. for benchmarks of the bot's own throughput."""
        return cls(per_chat_per_second=None, global_per_second=None, per_group_per_minute=None)


class TokenBucket:
    """``rate`` tokens per second, holding at most ``capacity``; starts full."""

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(capacity)
        self.tokens = float(capacity)
        self.updated = now

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0


class RateLimiter:
    """Applies `Limits` per chat, per group and globally."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._global: TokenBucket | None = None
        self._per_chat: dict[int, TokenBucket] = {}
        self._per_group: dict[int, TokenBucket] = {}

    def try_send(self, chat_id: int, is_group: bool) -> int | None:
        """Consume a send for ``chat_id``; returns None, or the retry_after seconds (>= 1)."""
        now = self.clock()
        buckets = self._buckets(chat_id, is_group, now)
        wait = max((bucket.wait_time(now) for bucket in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(now)
        return None

    def _buckets(self, chat_id: int, is_group: bool, now: float) -> list[TokenBucket]:
        limits = self.limits
        buckets: list[TokenBucket] = []
        if limits.global_per_second is not None:
            if self._global is None:
                self._global = TokenBucket(limits.global_per_second, limits.global_burst, now)
            buckets.append(self._global)
        if limits.per_chat_per_second is not None:
            bucket = self._per_chat.get(chat_id)
            if bucket is None:
                bucket = TokenBucket(limits.per_chat_per_second, limits.per_chat_burst, now)
                self._per_chat[chat_id] = bucket
            buckets.append(bucket)
        if is_group and limits.per_group_per_minute is not None:
            bucket = self._per_group.get(chat_id)
            if bucket is None:
                rate = limits.per_group_per_minute / 60.0
                bucket = TokenBucket(rate, limits.per_group_burst, now)
                self._per_group[chat_id] = bucket
            buckets.append(bucket)
        return buckets
