"""The job queue, stopped so that no job is cut off or left behind."""

from __future__ import annotations

from telegram.ext import JobQueue

from bot.context import BotContext


class StoppingJobQueue(JobQueue[BotContext]):
    """python-telegram-bot's JobQueue.stop waits for the jobs running at that moment, then
    shuts the scheduler down, which cancels any job that started in the meantime (the outbox
    drain runs every 2 s, two at a time). PTB shields the job itself from that cancel, so it
    ran on past the shutdown and was destroyed with the loop ("Task was destroyed but it is
    pending", "Event loop is closed"). Pausing the scheduler first means no job starts once
    stopping began, and the ones running are waited for."""

    async def stop(self, wait: bool = True) -> None:
        if self.scheduler.running:
            self.scheduler.pause()
        await super().stop(wait=wait)
