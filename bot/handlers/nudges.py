"""Nudges: the repeating job (yeses that waited too long, digest rounds) and the reciprocity
message's button, which starts an offer like /aanbod (rules and texts: bot/services/nudges.py).

Buttons (bot/callbacks.py): NUDGE_OFFER, and NUDGE_ACTIVITIES (the wijk's coming activities,
each opening its card through the activities handler's ACTIVITY_SHOW). A digest's buttons are
/buurt's BROWSE_HELP, so they work exactly like "Ik kan helpen" there (bot/handlers/browse.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from telegram import Update

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.runner import perform
from bot.services import nudges, posting
from bot.views.presses import deliver_now
from bot.views.screens import answer, say
from storage.models import PostKind

NUDGES_EVERY: Final = timedelta(minutes=15)


def register(application: BotApplication, router: DialogRouter) -> None:
    router.on_press(offer_pressed, callbacks.NUDGE_OFFER)
    router.on_press(activities_pressed, callbacks.NUDGE_ACTIVITIES)


async def offer_pressed(update: Update, context: BotContext, press: Press) -> None:
    """ "Iets aanbieden": the same start as /aanbod (in the person's own words)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await say(update, context, await perform(context, update, posting.start_draft, PostKind.OFFER))


async def activities_pressed(update: Update, context: BotContext, press: Press) -> None:
    """ "Activiteiten in de buurt": the ones still coming, as a new message below."""
    result = await perform(context, update, nudges.coming_activities, press.id())
    await answer(update, context, result)


async def run_nudges(context: BotContext) -> None:
    """The repeating job: let go of yeses that waited too long, plan a digest round, then
    deliver what the units queued (a job has no delivery step after it)."""
    await perform(context, None, nudges.lapse_waiting_yeses)
    await perform(context, None, nudges.digest_round)
    await deliver_now(context)
