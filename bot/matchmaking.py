"""The repeating job that lets every due request flow take its next step (the steps themselves:
bot/services/request_steps.py), each in its own unit of work, then delivers what they queued.
A restart loses nothing: the due times live in the database, and rows are claimed."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.context import BotContext
from bot.runner import _run_unit as run_unit
from bot.runner import perform
from bot.sender import deliver
from bot.services import request_steps
from storage.models import Post

STEPS_EVERY: Final = timedelta(seconds=30)
# Per run of the job; the rest waits for the next run, so one run never takes long.
MAX_STEPS_PER_RUN: Final = 50


async def start_looking(context: BotContext, post: Post) -> None:
    """A request was just placed (its flow row exists): invite the first neighbours now; the
    update's delivery step sends the invitations.

    Transitional, for the posting handler (still on the old path): it answers "je vraag staat
    erin" before calling this, and its step must come before anything else happens (nobody
    who joins meanwhile counted in, no job's step for the same request in between), as it did
    when everything ran on the event loop. So the loop waits here for the database thread, on
    purpose. Once posting runs on a service, that service calls request_steps.step_now inside
    its own unit of work and this goes away."""
    assert post.id is not None
    services = context.services
    step = services.executor.submit(
        run_unit, services, None, None, request_steps.step_now, post.id
    )
    done = step.result()
    assert done is not None
    context.outgoing.extend(done[1].outgoing)


async def run_due_steps(context: BotContext) -> None:
    """The repeating job: every due request flow takes its next step, then messages go out
    (a job has no delivery step after it, so it delivers what its units queued itself)."""
    for _ in range(MAX_STEPS_PER_RUN):
        if await perform(context, None, request_steps.step_due) is None:
            break
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
