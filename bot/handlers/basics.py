"""/help, /taal and the language buttons (/start and onboarding live in onboarding.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter, caller_language
from bot.i18n import t
from bot.keyboards import language_keyboard
from bot.menu import command_menu, spellings
from bot.runner import perform
from bot.services import basics


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(spellings("help"), show_help, filters=private))
    application.add_handler(CommandHandler(spellings("taal"), choose_language, filters=private))
    router.on_press(language_chosen, callbacks.LANGUAGE)


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the bot does and list the commands."""
    message = update.effective_message
    if message is None:
        return
    language = await perform(context, update, caller_language)
    lines = [t(language, "help.intro"), ""]
    menu = command_menu(language, context.bot_data["menu"])
    lines += [f"/{command.command} — {command.description}" for command in menu]
    lines += ["", t(language, "help.organisers")]
    await message.reply_text("\n".join(lines))


async def choose_language(update: Update, context: BotContext) -> None:
    """Show the language buttons."""
    message = update.effective_message
    if message is None:
        return
    language = await perform(context, update, caller_language)
    await message.reply_text(
        t(language, "language.choose"), reply_markup=language_keyboard(language)
    )


async def language_chosen(update: Update, context: BotContext, press: Press) -> None:
    """Store the language the person pressed; the button data is checked, not trusted."""
    query = update.callback_query
    assert query is not None
    chosen = await perform(context, update, basics.choose_language, press.text())
    if chosen is None:
        await query.answer(
            t(await perform(context, update, caller_language), "error.stale_button")
        )
        return
    await query.answer()
    await query.edit_message_text(t(chosen, "language.saved"))
