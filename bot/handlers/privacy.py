"""/mijngegevens and /verwijder (the rules live in bot/services/privacy.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter
from bot.menu import spellings
from bot.runner import perform
from bot.services import privacy
from bot.views.replies import answer

FILE_NAME = "buurtbot-data.json"

DELETE_PRESSES = {
    callbacks.DELETE_ASK: privacy.ask_delete_pressed,
    callbacks.DELETE_YES: privacy.delete_everything,
    callbacks.DELETE_NO: privacy.keep_everything,
}


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(
        CommandHandler(spellings("mijngegevens"), my_data_command, filters=private)
    )
    application.add_handler(
        CommandHandler(spellings("verwijder"), delete_command, filters=private)
    )
    router.on_press(delete_pressed, *DELETE_PRESSES)


async def my_data_command(update: Update, context: BotContext) -> None:
    """Show what is stored about the person, and send all of it as a JSON file."""
    message = update.effective_message
    if message is None:
        return
    data = await perform(context, update, privacy.my_data)
    await message.reply_text(data.summary)
    if data.document is not None:
        await message.reply_document(data.document, filename=FILE_NAME, caption=data.caption)


async def delete_command(update: Update, context: BotContext) -> None:
    await answer(update, context, privacy.ask_delete)


async def delete_pressed(update: Update, context: BotContext, press: Press) -> None:
    """del:ask asks (again), del:yes deletes everything and says goodbye, del:no keeps it all."""
    await answer(update, context, DELETE_PRESSES[press.action])
