"""Flood control on a fake clock: bursts, sustained rates, retry_after values."""

from __future__ import annotations

from botapi_emulator.limits import Limits, RateLimiter
from tests.emulator.helpers import FakeClock


def test_per_chat_burst_then_one_per_second(clock: FakeClock) -> None:
    limiter = RateLimiter(Limits(per_chat_burst=3), clock)
    assert [limiter.try_send(1, is_group=False) for _ in range(3)] == [None, None, None]
    assert limiter.try_send(1, is_group=False) == 1
    assert limiter.try_send(2, is_group=False) is None  # other chats are not affected
    clock.advance(1.0)
    assert limiter.try_send(1, is_group=False) is None
    assert limiter.try_send(1, is_group=False) == 1


def test_refused_sends_cost_nothing(clock: FakeClock) -> None:
    limiter = RateLimiter(Limits(per_chat_burst=1), clock)
    assert limiter.try_send(1, is_group=False) is None
    for _ in range(5):
        assert limiter.try_send(1, is_group=False) == 1
    clock.advance(1.0)
    assert limiter.try_send(1, is_group=False) is None


def test_global_limit_across_chats(clock: FakeClock) -> None:
    limiter = RateLimiter(Limits(global_per_second=30, global_burst=30), clock)
    assert all(limiter.try_send(chat, is_group=False) is None for chat in range(30))
    assert limiter.try_send(99, is_group=False) == 1


def test_group_limit_is_per_minute_with_long_retry(clock: FakeClock) -> None:
    limits = Limits(per_chat_per_second=None, per_group_per_minute=20, per_group_burst=20)
    limiter = RateLimiter(limits, clock)
    for _ in range(20):
        assert limiter.try_send(-5, is_group=True) is None
    assert limiter.try_send(-5, is_group=True) == 3  # one token per 3 s
    assert limiter.try_send(5, is_group=False) is None  # private chats have no group limit


def test_unlimited_never_refuses(clock: FakeClock) -> None:
    limiter = RateLimiter(Limits.unlimited(), clock)
    assert all(limiter.try_send(-1, is_group=True) is None for _ in range(1000))
