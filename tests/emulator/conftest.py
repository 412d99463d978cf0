"""Fixtures for the emulator's own tests: a running emulator, raw HTTP and a PTB Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import telegram

from botapi_emulator import Emulator, Limits
from tests.emulator.helpers import Api, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def emu(clock: FakeClock) -> AsyncIterator[Emulator]:
    """A running emulator with Telegram's default limits on a clock that stands still."""
    async with Emulator(limits=Limits(), clock=clock, webhook_retry_base=0.05) as emulator:
        yield emulator


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[telegram.Bot]:
    """The real python-telegram-bot client, pointed at the emulator."""
    async with telegram.Bot(
        emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url
    ) as client:
        yield client


@pytest.fixture
def api(emu: Emulator, http: httpx.AsyncClient) -> Api:
    return Api(emu, http)
