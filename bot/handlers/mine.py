"""/mijn and its buttons, and the new words for one's own post (rules and screens:
bot/services/mine.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.services import mine
from bot.services.dialogs import DialogState, PostRef
from bot.services.markup import Screen
from bot.services.unit import Incoming, Unit
from bot.views.screens import answer, say


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(spellings("mijn"), show_own_posts, filters=private))
    router.on_menu(callbacks.MENU_MINE, show_own_posts)
    router.on_press(
        mine_pressed,
        callbacks.MINE_LIST,
        callbacks.MINE_SHOW,
        callbacks.MINE_EDIT,
        callbacks.MINE_DONE,
        callbacks.MINE_WITHDRAW,
    )
    router.on_text(mine.FLOW_EDIT, _new_words, _show_new_words)


async def show_own_posts(update: Update, context: BotContext) -> None:
    """List the person's open requests and offers."""
    await say(update, context, await perform(context, update, mine.show_own_posts))


async def mine_pressed(update: Update, context: BotContext, press: Press) -> None:
    await answer(update, context, await perform(context, update, mine.press, press))


def _new_words(unit: Unit, state: DialogState[PostRef], incoming: Incoming) -> Screen:
    return mine.new_words(unit, state, incoming.text)


async def _show_new_words(update: Update, context: BotContext, screen: Screen) -> None:
    await say(update, context, screen)
