"""/instellingen (the rules live in bot/services/settings_menu.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.services import settings_menu
from bot.views import preferences as render


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(
        CommandHandler(spellings("instellingen"), open_settings, filters=private)
    )
    router.on_press(on_button, callbacks.SETTINGS)
    show = render.replies_to_message(settings_menu.FLOW)
    router.on_text(settings_menu.FLOW, settings_menu.answer_text, show)
    router.on_location(settings_menu.FLOW, settings_menu.share_location, show)


async def open_settings(update: Update, context: BotContext) -> None:
    """Show the settings menu: what is kept now, and a button per thing to change."""
    chat = update.effective_chat
    if chat is None:
        return
    outcome = await perform(context, update, settings_menu.open_settings)
    await render.send_replies(context, chat.id, settings_menu.FLOW, outcome)


async def on_button(update: Update, context: BotContext, press: Press) -> None:
    """Open a screen, store a choice, or go back; the service checks the press is current."""
    query = update.callback_query
    assert query is not None
    message_id = render.pressed_message_id(query)
    outcome = await perform(
        context, update, settings_menu.press, press.text(0), press.text(1), message_id
    )
    await render.render_press(update, context, settings_menu.FLOW, outcome)
