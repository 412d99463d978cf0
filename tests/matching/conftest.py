"""Fixtures for the matching tests: a fixed clock and a warmed-up date reader."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from matching.timewindow import warm_up

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="session", autouse=True)
def _warm_dateparser() -> None:
    """Load dateparser's language data once, so no single test pays for it."""
    warm_up()


@pytest.fixture
def wednesday_morning() -> datetime:
    """Wednesday 25 November 2026, 10:00 in Amsterdam: "now" for the time-window tables."""
    return datetime(2026, 11, 25, 10, 0, tzinfo=AMSTERDAM)
