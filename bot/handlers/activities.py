"""/activiteit and /mijnactiviteiten for organisers, and the activity card's buttons for
everyone (rules and screens: bot/services/organise.py and bot/services/activities.py)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Final

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.services import activities, organise
from bot.services.dialogs import ActivityDraft, ActivityReply, DialogState, OrganiserStep
from bot.services.markup import Screen
from bot.services.unit import Incoming, Unit
from bot.views.presses import deliver_now
from bot.views.screens import answer, say

ACTIVITIES_EVERY: Final = timedelta(minutes=5)

CARD_ACTIONS = (
    callbacks.ACTIVITY_SHOW,
    callbacks.ACTIVITY_ROLE,
    callbacks.ACTIVITY_JOIN,
    callbacks.ACTIVITY_WITHDRAW,
    callbacks.ACTIVITY_ACCEPT,
    callbacks.ACTIVITY_DECLINE,
    callbacks.ACTIVITY_UNSUBSCRIBE,
    callbacks.ACTIVITY_CALENDAR,
    callbacks.ACTIVITY_LIFT,
    callbacks.ACTIVITY_REPLY,
)
ORGANISE_ACTIONS = (
    callbacks.ORGANISE_LIST,
    callbacks.ORGANISE_SHOW,
    callbacks.ORGANISE_DATE,
    callbacks.ORGANISE_CHANGE,
    callbacks.ORGANISE_CANCEL,
    callbacks.ORGANISE_CANCEL_YES,
    callbacks.ORGANISE_END,
    callbacks.ORGANISE_END_YES,
)


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(spellings("activiteit"), new_activity, filters=private))
    application.add_handler(
        CommandHandler(spellings("mijnactiviteiten"), own_activities, filters=private)
    )
    router.on_press(draft_pressed, callbacks.ACTIVITY_DRAFT)
    router.on_press(card_pressed, *CARD_ACTIONS)
    router.on_press(organise_pressed, *ORGANISE_ACTIONS)
    router.on_text(organise.FLOW, _draft_words, _show)
    router.on_text(organise.FLOW_CHANGE, _change_words, _show)
    router.on_text(activities.REPLY_FLOW, _reply_words, _show)


async def new_activity(update: Update, context: BotContext) -> None:
    await say(update, context, await perform(context, update, organise.start))


async def own_activities(update: Update, context: BotContext) -> None:
    await say(update, context, await perform(context, update, organise.show_mine))


def _draft_words(unit: Unit, state: DialogState[ActivityDraft], incoming: Incoming) -> Screen:
    return organise.text_received(unit, state, incoming.text)


def _change_words(unit: Unit, state: DialogState[OrganiserStep], incoming: Incoming) -> Screen:
    return organise.change_received(unit, state, incoming.text)


def _reply_words(unit: Unit, state: DialogState[ActivityReply], incoming: Incoming) -> Screen:
    return activities.reply_received(unit, state, incoming.text)


async def _show(update: Update, context: BotContext, screen: Screen) -> None:
    await say(update, context, screen)


async def draft_pressed(update: Update, context: BotContext, press: Press) -> None:
    await answer(update, context, await perform(context, update, organise.press_draft, press))


async def organise_pressed(update: Update, context: BotContext, press: Press) -> None:
    await answer(update, context, await perform(context, update, organise.press, press))


async def card_pressed(update: Update, context: BotContext, press: Press) -> None:
    pressed = await perform(context, update, activities.press, press)
    await answer(update, context, pressed.answer)
    query = update.callback_query
    if pressed.document is not None and query is not None:
        name, data = pressed.document
        await context.bot.send_document(
            query.from_user.id, InputFile(BytesIO(data), filename=name)
        )


async def run_activities(context: BotContext) -> None:
    """The repeating job: new dates of repeating activities, lapsed offers and the
    day-before reminders (state in the database), then deliver what it queued."""
    await perform(context, None, activities.run_due)
    await deliver_now(context)
