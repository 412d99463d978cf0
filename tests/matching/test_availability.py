"""Pausing and leaving are absolute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matching.availability import is_reachable

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("paused", "paused_until", "stopped", "expected"),
    [
        (False, None, False, True),
        (True, None, False, False),  # paused until resumed
        (True, NOW + timedelta(days=3), False, False),
        (True, NOW - timedelta(minutes=1), False, True),  # the pause date has passed
        (False, None, True, False),
        (True, NOW - timedelta(days=1), True, False),  # stopped wins over an ended pause
    ],
)
def test_reachability(
    paused: bool, paused_until: datetime | None, stopped: bool, expected: bool
) -> None:
    assert (
        is_reachable(paused=paused, paused_until=paused_until, stopped=stopped, now=NOW)
        is expected
    )
