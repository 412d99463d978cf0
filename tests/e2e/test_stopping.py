"""Stopping the bot: the jobs that run finish, and none starts once stopping began."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from bot.context import BotContext
from bot.harness import running_bot
from botapi_emulator import Emulator, Limits


async def test_stopping_lets_running_jobs_finish_and_starts_no_new_one(
    engine: Engine, database_url: str
) -> None:
    """python-telegram-bot's JobQueue.stop waited for the jobs running at that moment and then
    cancelled any that started meanwhile (apscheduler: "Error running job ... CancelledError",
    with the job's own tasks left behind). The outbox drain runs every 2 s, two at a time."""
    started: list[int] = []
    finished: list[int] = []
    cancelled: list[int] = []
    two_running = asyncio.Event()

    async def slow_job(context: BotContext) -> None:
        number = len(started)
        started.append(number)
        if len(started) == 2:
            two_running.set()
        try:
            await asyncio.sleep(0.3)
        except asyncio.CancelledError:
            cancelled.append(number)
            raise
        finished.append(number)

    async with running_bot(engine=engine, database_url=database_url, limits=Limits()) as bot:
        assert bot.application.job_queue is not None
        bot.application.job_queue.run_repeating(
            slow_job, interval=0.05, first=0, name="slow", job_kwargs={"max_instances": 2}
        )
        await asyncio.wait_for(two_running.wait(), timeout=30)
    assert cancelled == []
    assert started
    assert sorted(finished) == started


async def test_the_last_get_updates_at_a_stop_gets_a_connection_while_one_is_held(
    engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Stopping, python-telegram-bot sends one more getUpdates (so Telegram knows the last
    updates arrived) right after cancelling the long poll, whose connection may still be held
    or, cancelled at the wrong moment, never be given back. With PTB's default of one
    connection for getUpdates that call waited a second and failed: "Pool timeout: All
    connections in the connection pool are occupied" (a traceback in the chat demo on a busy
    CI). Here the held connection is a request to a server that never answers."""

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with running_bot(engine=engine, database_url=database_url, limits=Limits()) as bot:
            # The getUpdates request object (PTB offers no public name for it).
            get_updates_request = bot.application.bot._request[0]
            held = asyncio.create_task(
                get_updates_request.post(f"http://127.0.0.1:{port}/held", read_timeout=60)
            )
            await asyncio.sleep(0.2)  # connected and waiting for an answer
            assert not held.done()
            caplog.clear()
        held.cancel()
        # Ended by the cancel, or already by the shutdown closing the client.
        with contextlib.suppress(asyncio.CancelledError, NetworkError):
            await held
    finally:
        server.close()
        await server.wait_closed()
    failures = [record.getMessage() for record in caplog.records if record.exc_info]
    assert failures == []
    assert "Pool timeout" not in caplog.text


async def test_the_start_up_calls_go_one_after_the_other(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The menus (3 scopes x 3 languages), getMe and deleteWebhook are sent one at a time, so
    however many there become, they never fill the connection pool at start-up."""
    in_flight = 0
    peak = 0
    methods: list[str] = []
    original = HTTPXRequest.do_request

    async def counted(self: HTTPXRequest, url: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        methods.append(url.rsplit("/", 1)[-1])
        try:
            return await original(self, url, *args, **kwargs)
        finally:
            in_flight -= 1

    monkeypatch.setattr(HTTPXRequest, "do_request", counted)
    emulator = Emulator(limits=Limits())
    emulator.method_latency["setmycommands"] = 0.02
    async with emulator, running_bot(engine=engine, database_url=database_url, emulator=emulator):
        started = [method for method in methods if method != "getUpdates"]
    assert started.count("setMyCommands") == 9
    assert peak <= 2, "one start-up call at a time, besides the long poll"
