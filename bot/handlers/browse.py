"""/buurt and its buttons (rules and screens: bot/services/browse.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.services import browse
from bot.views.presses import show
from bot.views.screens import answer, say


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(spellings("buurt"), look_around, filters=private))
    router.on_menu(callbacks.MENU_LOOK, look_around)
    router.on_press(
        browse_pressed, callbacks.BROWSE_PAGE, callbacks.BROWSE_SHOW, callbacks.BROWSE_HELP
    )


async def look_around(update: Update, context: BotContext) -> None:
    """Show the first page of open requests and offers nearby."""
    await say(update, context, await perform(context, update, browse.look_around))


async def browse_pressed(update: Update, context: BotContext, press: Press) -> None:
    query = update.callback_query
    assert query is not None
    result = await perform(context, update, browse.press, press)
    if result.yes is None:
        await answer(update, context, result)
        return
    await show(query, context, result.yes)
