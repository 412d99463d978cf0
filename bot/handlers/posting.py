"""/vraag and /aanbod, the draft's buttons, and the main menu buttons (rules and screens:
bot/services/posting.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.services import posting
from bot.services.dialogs import DialogState, PostDraft
from bot.services.markup import Screen
from bot.services.unit import Incoming, Unit
from bot.views.screens import answer, message_id_of, say
from storage.models import PostKind

DRAFT_ACTIONS = tuple(posting.STEPS_OF)


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(spellings("vraag"), ask, filters=private))
    application.add_handler(CommandHandler(spellings("aanbod"), offer, filters=private))
    router.on_menu(callbacks.MENU_ASK, ask)
    router.on_menu(callbacks.MENU_OFFER, offer)
    router.on_press(draft_pressed, *DRAFT_ACTIONS)
    router.on_text(posting.FLOW, _words, _show_words)


async def ask(update: Update, context: BotContext) -> None:
    """Start a request: ask for it in the person's own words."""
    await say(
        update, context, await perform(context, update, posting.start_draft, PostKind.REQUEST)
    )


async def offer(update: Update, context: BotContext) -> None:
    """Start an offer: ask for it in the person's own words."""
    await say(update, context, await perform(context, update, posting.start_draft, PostKind.OFFER))


def _words(unit: Unit, state: DialogState[PostDraft], incoming: Incoming) -> Screen:
    return posting.words_received(unit, state, incoming.text)


async def _show_words(update: Update, context: BotContext, screen: Screen) -> None:
    await say(update, context, screen)


async def draft_pressed(update: Update, context: BotContext, press: Press) -> None:
    """A button of the draft: the service checks it against the stored draft."""
    query = update.callback_query
    assert query is not None
    result = await perform(context, update, posting.press_draft, press, message_id_of(query))
    await answer(update, context, result)
