"""Stopping the bot: the jobs that run finish, and none starts once stopping began."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine

from bot.context import BotContext
from bot.harness import running_bot
from botapi_emulator import Limits


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
