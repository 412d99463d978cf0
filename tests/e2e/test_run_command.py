"""`buurtbot run` as a real process: polling and webhook mode against the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from botapi_emulator import Emulator
from botapi_emulator.scenario import Scene

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0  # a start-up on a busy machine (CI runs two suites) can take a while


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
    assert log.rstrip().splitlines()[-1].endswith("Buurtbot stopped."), log
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
        # An update posted to the webhook is answered.
        ben = Scene(emulator).resident("Ben", language="en")
        await ben.sends("/help")
        await ben.sees("Here is what you can do", timeout=START_TIMEOUT)
    finally:
        log = await stop(process)
    assert process.returncode == 0, log
    assert "a-secret-for-the-test" not in log
    assert emulator.token not in log


def forged_update(update_id: int, user_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Mallory"},
            "text": "/verwijder",
            "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
        },
    }


async def post_update(port: int, headers: dict[str, str], update_id: int) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{port}/telegram",
            json=forged_update(update_id, 4242),
            headers=headers,
        ) as response,
    ):
        await response.read()
        return response.status


@pytest.mark.parametrize("configured", [True, False], ids=["configured", "generated"])
async def test_webhook_refuses_updates_without_the_right_secret(
    emulator: Emulator, database_url: str, tmp_path: Path, configured: bool
) -> None:
    """Missing, empty and wrong secret headers get 403 and are not processed; the right one
    (and Telegram's own deliveries) get through. Without BUURTBOT_WEBHOOK_SECRET a secret is
    generated, registered with setWebhook, and kept for the next start."""
    port = free_port()
    extra = {
        "BUURTBOT_MODE": "webhook",
        "BUURTBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "BUURTBOT_WEBHOOK_PORT": str(port),
    }
    if configured:
        extra["BUURTBOT_WEBHOOK_SECRET"] = "the-right-secret"
    process = await run_bot(emulator, database_url, tmp_path, **extra)
    try:
        await emulator.wait_for(
            lambda: emulator.webhook_url is not None, START_TIMEOUT, what="setWebhook"
        )
        hook = emulator.world.webhook
        assert hook is not None
        assert hook.secret_token
        secret = hook.secret_token
        if configured:
            assert secret == "the-right-secret"
        else:
            assert len(secret) >= 32
        # Telegram's own deliveries carry the registered secret and get through.
        ben = Scene(emulator).resident("Ben", language="en")
        await ben.sends("/help")
        await ben.sees("Here is what you can do", timeout=START_TIMEOUT)
        header = "X-Telegram-Bot-Api-Secret-Token"
        assert await post_update(port, {}, 9001) == 403
        assert await post_update(port, {header: ""}, 9002) == 403
        assert await post_update(port, {header: secret + "x"}, 9003) == 403
        assert await post_update(port, {header: secret[:-1]}, 9004) == 403
        ben = Scene(emulator).resident("Ben", language="en")
        await ben.sends("/help")
        await ben.sees("Here is what you can do", timeout=START_TIMEOUT)
        await ben.sends("/help")
        await emulator.wait_until_idle()
        calls_to_mallory = [
            event
            for event in emulator.events
            if event.kind == "call" and str(event.data.get("params", {}).get("chat_id")) == "4242"
        ]
        assert calls_to_mallory == [], "a forged update was processed"
        assert await post_update(port, {header: secret}, 9005) == 200
        await emulator.wait_for(
            lambda: any(
                event.kind == "call" and str(event.data.get("params", {}).get("chat_id")) == "4242"
                for event in emulator.events
            ),
            START_TIMEOUT,
            what="the bot answering the update with the right secret",
        )
    finally:
        log = await stop(process)
    assert process.returncode == 0, log
    assert secret not in log
    if not configured:
        # A restart registers the same stored secret.
        generation = emulator.world.webhook_generation
        process = await run_bot(emulator, database_url, tmp_path, **extra)
        try:
            await emulator.wait_for(
                lambda: (
                    emulator.world.webhook is not None
                    and emulator.world.webhook.secret_token == secret
                    and emulator.world.webhook_generation > generation
                ),
                START_TIMEOUT,
                what="setWebhook again",
            )
        finally:
            await stop(process)


def _help_count(emulator: Emulator, chat_id: int) -> int:
    return sum(1 for m in emulator.messages(chat_id) if "Here is what you can do" in m.content)


async def test_webhook_refuses_updates_with_503_while_the_database_is_away(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A locked SQLite file is a database that does not answer: the first update gets the
    apology and is retried by the process; the next ones are refused with 503, so Telegram
    keeps them and delivers them again. Once the lock is gone, every update is answered."""
    database = tmp_path / "bot.db"
    port = free_port()
    process = await run_bot(
        emulator,
        f"sqlite:///{database}",
        tmp_path,
        BUURTBOT_MODE="webhook",
        BUURTBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}",
        BUURTBOT_WEBHOOK_PORT=str(port),
        BUURTBOT_WEBHOOK_SECRET="a-secret-for-the-test",
    )
    lock = sqlite3.connect(database, isolation_level=None)
    try:
        await emulator.wait_for(
            lambda: emulator.webhook_url is not None, START_TIMEOUT, what="setWebhook"
        )
        scene = Scene(emulator)
        ben = scene.resident("Ben", language="en")
        anna = scene.resident("Anna", language="en")
        await ben.sends("/help")
        await ben.sees("Here is what you can do", timeout=START_TIMEOUT)

        lock.execute("BEGIN EXCLUSIVE")  # nobody else can read or write the file now
        await ben.sends("/help")
        await ben.sees("not working right now", timeout=START_TIMEOUT)
        await anna.sends("/help")
        await emulator.wait_for(
            lambda: any(
                event.kind == "webhook" and "503" in str(event.data.get("error", ""))
                for event in emulator.events
            ),
            START_TIMEOUT,
            what="the webhook answering 503",
        )
        assert _help_count(emulator, anna.chat_id) == 0
        lock.execute("ROLLBACK")

        await emulator.wait_for(
            lambda: (
                _help_count(emulator, ben.chat_id) == 2
                and _help_count(emulator, anna.chat_id) == 1
            ),
            START_TIMEOUT * 2,
            what="every update answered once the database is back",
        )
        await emulator.wait_until_idle()
        assert _help_count(emulator, ben.chat_id) == 2
        assert _help_count(emulator, anna.chat_id) == 1
        # Anna's update waited in Telegram: she needed no apology, her answer just came later.
        assert not any("not working" in m.content for m in emulator.messages(anna.chat_id))
    finally:
        lock.close()
        log = await stop(process)
    assert process.returncode == 0, log


async def test_a_stop_signal_during_start_up_is_a_clean_stop(
    emulator: Emulator, database_url: str, tmp_path: Path
) -> None:
    """Ctrl-C while setWebhook is still on its way: exit 0 and no "unexpected" error (it
    surfaced from python-telegram-bot as a NetworkError or "Event loop stopped")."""
    port = free_port()
    emulator.method_latency["setwebhook"] = 3.0  # the answer is on its way for 3 s
    process = await run_bot(
        emulator,
        database_url,
        tmp_path,
        BUURTBOT_MODE="webhook",
        BUURTBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}",
        BUURTBOT_WEBHOOK_PORT=str(port),
        BUURTBOT_WEBHOOK_SECRET="a-secret-for-the-test",
    )
    await emulator.wait_for(
        lambda: emulator.webhook_url is not None, START_TIMEOUT, what="setWebhook"
    )
    log = await stop(process)
    assert process.returncode == 0, log
    assert "unexpected" not in log
    assert "Buurtbot stopped (during start-up)." in log


def _calls(emulator: Emulator, method: str) -> int:
    return sum(1 for event in emulator.events if event.kind == "call" and event.method == method)


@pytest.mark.parametrize("method", ["setMyCommands", "deleteWebhook"])
async def test_a_stop_signal_during_the_start_up_calls_ends_them_quietly(
    emulator: Emulator, database_url: str, tmp_path: Path, method: str
) -> None:
    """Ctrl-C while the command menus (post_init) or deleteWebhook are on their way: the
    interrupted step ends with the process, not after it ("Task exception was never
    retrieved", "Task was destroyed but it is pending", "Event loop is closed")."""
    emulator.method_latency[method.lower()] = 1.0
    for attempt in range(2):  # the race was 2 in 14; each try stops inside the slow call
        seen = _calls(emulator, method)

        def called(seen: int = seen) -> bool:
            return _calls(emulator, method) > seen

        process = await run_bot(emulator, database_url, tmp_path)
        await emulator.wait_for(called, START_TIMEOUT, what=method)
        await asyncio.sleep(0.2)
        log = await stop(process)
        assert process.returncode == 0, log
        for sign in ("Traceback", "never retrieved", "destroyed", "Event loop is closed"):
            assert sign not in log, f"try {attempt + 1}: {log}"
