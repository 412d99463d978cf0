"""End-to-end fixtures: the real Application polling the local emulator over HTTP, on a clock
the test controls (so "zaterdag", pause dates and time windows are known in advance)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import Engine

from bot.harness import RunningBot, running_bot
from botapi_emulator import Limits
from botapi_emulator.scenario import Scene
from tests.e2e.neighbours import NOW, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def running(engine: Engine, database_url: str, clock: Clock) -> AsyncIterator[RunningBot]:
    async with running_bot(
        engine=engine, database_url=database_url, limits=Limits(), clock=clock
    ) as bot:
        yield bot


@pytest.fixture
def scene(running: RunningBot) -> Scene:
    return Scene(running.emulator)
