"""End-to-end fixtures: the real Application polling the local emulator over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import Engine

from bot.emulator import Limits
from bot.harness import RunningBot, running_bot
from bot.scenario import Scene


@pytest.fixture
async def running(engine: Engine, database_url: str) -> AsyncIterator[RunningBot]:
    async with running_bot(engine=engine, database_url=database_url, limits=Limits()) as bot:
        yield bot


@pytest.fixture
def scene(running: RunningBot) -> Scene:
    return Scene(running.emulator)
