"""The repeating job that lets every due request flow take its next step (the steps themselves:
bot/services/request_steps.py), each in its own unit of work, then delivers what they queued.
A restart loses nothing: the due times live in the database, and rows are claimed."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.context import BotContext
from bot.runner import perform
from bot.sender import deliver
from bot.services import request_steps

STEPS_EVERY: Final = timedelta(seconds=30)
# Per run of the job; the rest waits for the next run, so one run never takes long.
MAX_STEPS_PER_RUN: Final = 50


async def run_due_steps(context: BotContext) -> None:
    """The repeating job: every due request flow takes its next step, then messages go out
    (a job has no delivery step after it, so it delivers what its units queued itself)."""
    for _ in range(MAX_STEPS_PER_RUN):
        if await perform(context, None, request_steps.step_due) is None:
            break
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
