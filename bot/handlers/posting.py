"""/vraag and /aanbod, the draft's buttons, and the main menu buttons (rules and screens:
bot/services/posting.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.handlers import browse, mine
from bot.handlers.post_support import answer, message_id_of, say
from bot.matchmaking import start_looking
from bot.runner import perform
from bot.services import posting
from bot.services.dialogs import DialogState, PostDraft
from bot.services.posting import Screen
from bot.services.unit import Incoming, Unit
from storage.models import PostKind

DRAFT_ACTIONS = tuple(posting.STEPS_OF)


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("vraag", ask, filters=private))
    application.add_handler(CommandHandler("aanbod", offer, filters=private))
    router.on_press(menu_pressed, callbacks.MENU)
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


async def menu_pressed(update: Update, context: BotContext, press: Press) -> None:
    """Do what a main menu button says, just like its command."""
    query = update.callback_query
    assert query is not None
    actions: dict[str, Callable[[Update, BotContext], Awaitable[None]]] = {
        "vraag": ask,
        "aanbod": offer,
        "buurt": browse.look_around,
        "mijn": mine.show_own_posts,
    }
    await query.answer()
    await actions[press.text()](update, context)


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
    if result.placed is not None:
        # TODO(merge): run the first matching step inside the unit
        await start_looking(context, result.placed)
