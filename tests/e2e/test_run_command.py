"""`buurtbot run` as a real process: polling and webhook mode against the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botapi_emulator import Emulator
from botapi_emulator.scenario import Scene

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as emu:
        yield emu


async def run_bot(
    emulator: Emulator, database_url: str, tmp_path: Path, **extra: str
) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env |= {
        "PYTHONPATH": str(REPO),
        "BUURTBOT_TOKEN": emulator.token,
        "BUURTBOT_API_BASE_URL": emulator.base_url,
        "BUURTBOT_DATABASE_URL": database_url,
        "BUURTBOT_LOG_LEVEL": "INFO",
        **extra,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(process: asyncio.subprocess.Process) -> str:
    """Stop the bot like Ctrl-C does; return its log."""
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=START_TIMEOUT)
    return stderr.decode()


async def test_run_polls_answers_and_stops_cleanly(
    emulator: Emulator, database_url: str, tmp_path: Path
) -> None:
    process = await run_bot(emulator, database_url, tmp_path)
    try:
        anna = Scene(emulator).resident("Anna", language="nl")
        await anna.sends("/start")
        await anna.sees("Hoi Anna!", timeout=START_TIMEOUT)
        assert emulator.visible_commands(anna.user), "the command menu was published"
    finally:
        log = await stop(process)
    assert process.returncode == 0, log
    assert emulator.token not in log, "the token must never be logged"
    assert emulator.errors == []


async def test_run_in_webhook_mode_receives_posted_updates(
    emulator: Emulator, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    process = await run_bot(
        emulator,
        database_url,
        tmp_path,
        BUURTBOT_MODE="webhook",
        BUURTBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}",
        BUURTBOT_WEBHOOK_LISTEN="127.0.0.1",
        BUURTBOT_WEBHOOK_PORT=str(port),
        BUURTBOT_WEBHOOK_SECRET="a-secret-for-the-test",
    )
    try:
        await emulator.wait_for(
            lambda: emulator.webhook_url is not None, START_TIMEOUT, what="setWebhook"
        )
        assert emulator.webhook_url == f"http://127.0.0.1:{port}/telegram"
        ben = Scene(emulator).resident("Ben", language="en")
        await ben.sends("/help")
        await ben.sees("Here is what you can do", timeout=START_TIMEOUT)
    finally:
        log = await stop(process)
    assert process.returncode == 0, log
    assert "a-secret-for-the-test" not in log
    assert emulator.token not in log
