"""/ikben (also /whoami) in a private chat: one's own Telegram id, for a role grant."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter, caller_language
from bot.i18n import t
from bot.menu import spellings
from bot.runner import perform


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(spellings("ikben"), who_am_i, filters=private))


async def who_am_i(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    language = await perform(context, update, caller_language)
    await message.reply_text(t(language, "ops.whoami", id=user.id))
