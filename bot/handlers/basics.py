"""/start, /help, /taal and the language buttons: the first things every resident sees."""

from __future__ import annotations

from telegram import BotCommand, Update

from bot.context import BotContext, language_for
from bot.i18n import t
from bot.keyboards import LANGUAGE_PREFIX, language_keyboard
from bot.settings import LANGUAGES
from storage import repo
from storage.db import session_scope

# (command, message id of its description), in the order the menu shows them.
COMMANDS = (
    ("start", "command.start"),
    ("help", "command.help"),
    ("taal", "command.taal"),
)


def command_menu(language: str) -> list[BotCommand]:
    return [BotCommand(name, t(language, key)) for name, key in COMMANDS]


async def start(update: Update, context: BotContext) -> None:
    """Greet the person and ask for their language (the first onboarding step)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    language = language_for(services, user)
    with session_scope(services.engine) as session:
        repo.ensure_resident(
            session,
            telegram_user_id=user.id,
            first_name=user.first_name,
            language=language,
            now=services.clock(),
        )
    await message.reply_text(
        t(language, "start.welcome", name=user.first_name),
        reply_markup=language_keyboard(language),
    )


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the bot does and list the commands."""
    message = update.effective_message
    if message is None:
        return
    language = language_for(context.services, update.effective_user)
    lines = [t(language, "help.intro"), ""]
    lines += [f"/{command.command} — {command.description}" for command in command_menu(language)]
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


__all__ = ["COMMANDS", "choose_language", "command_menu", "language_chosen", "show_help", "start"]
