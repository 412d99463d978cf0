"""After the request's time: "is het gelukt?" to both, a thank-you to the other, or asking again.

Buttons (bot/callbacks.py; re-checked in the service on every press): FOLLOW_UP_THANKS (it
worked, and say thank you), FOLLOW_UP_WORKED, FOLLOW_UP_FAILED (helper), FOLLOW_UP_AGAIN (asker),
each with the match id.
"""

from __future__ import annotations

from telegram import Update

from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.runner import perform
from bot.services import follow_up
from bot.views.presses import deliver_now, show


def register(application: BotApplication, router: DialogRouter) -> None:
    router.on_press(follow_up_pressed, *follow_up.ANSWERS)


async def send_follow_ups(context: BotContext) -> None:
    """Part of the repeating job: "is het gelukt?" to both, once, after the request's time."""
    await perform(context, None, follow_up.queue_follow_ups)
    await deliver_now(context)


async def follow_up_pressed(update: Update, context: BotContext, press: Press) -> None:
    """It worked (with or without a thank-you), it did not, or: ask again."""
    query = update.callback_query
    assert query is not None
    answer = follow_up.ANSWERS[press.action]
    await show(
        query, context, await perform(context, update, follow_up.answer, press.id(), answer)
    )
