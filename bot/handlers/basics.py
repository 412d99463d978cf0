"""/help, /taal and the language buttons (/start and onboarding live in onboarding.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotApplication, BotContext, language_for
from bot.dialog import DialogRouter
from bot.i18n import t
from bot.keyboards import LANGUAGE_PREFIX, language_keyboard
from bot.menu import command_menu
from bot.settings import LANGUAGES
from storage import repo
from storage.db import session_scope


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("help", show_help, filters=private))
    application.add_handler(CommandHandler("taal", choose_language, filters=private))
    application.add_handler(CallbackQueryHandler(language_chosen, pattern=f"^{LANGUAGE_PREFIX}"))


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the bot does and list the commands."""
    message = update.effective_message
    if message is None:
        return
    language = language_for(context.services, update.effective_user)
    lines = [t(language, "help.intro"), ""]
    menu = command_menu(language, context.bot_data["menu"])
    lines += [f"/{command.command} — {command.description}" for command in menu]
    await message.reply_text("\n".join(lines))


async def choose_language(update: Update, context: BotContext) -> None:
    """Show the language buttons."""
    message = update.effective_message
    if message is None:
        return
    language = language_for(context.services, update.effective_user)
    await message.reply_text(
        t(language, "language.choose"), reply_markup=language_keyboard(language)
    )


async def language_chosen(update: Update, context: BotContext) -> None:
    """Store the language the person pressed; the button data is checked, not trusted."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services = context.services
    wanted = query.data.removeprefix(LANGUAGE_PREFIX)
    current = language_for(services, query.from_user)
    if wanted not in LANGUAGES:
        await query.answer(t(current, "error.stale_button"))
        return
    with session_scope(services.engine) as session:
        resident = repo.ensure_resident(
            session,
            telegram_user_id=query.from_user.id,
            first_name=query.from_user.first_name,
            language=wanted,
            now=services.clock(),
        )
        repo.set_language(session, resident=resident, language=wanted, now=services.clock())
    await query.answer()
    await query.edit_message_text(t(wanted, "language.saved"))
