"""/help, /taal and the language buttons (/start and onboarding live in onboarding.py)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.callbacks import Press
from bot.context import BotApplication, BotContext
from bot.dialog import DialogRouter, caller_language, typed_command
from bot.i18n import t
from bot.keyboards import language_keyboard, markup
from bot.menu import (
    BUURTWERKER_HELP,
    GROUP_ELSEWHERE,
    GROUP_MENU,
    ORGANISER_HELP,
    canonical,
    command_menu,
    spelled,
    spellings,
)
from bot.runner import perform
from bot.services import basics, buttons


def register(application: BotApplication, router: DialogRouter) -> None:
    private = filters.ChatType.PRIVATE
    # In groups too: there it tells the members (and the wijk's buurtwerkers) what works there.
    application.add_handler(CommandHandler(spellings("help"), show_help))
    application.add_handler(CommandHandler(spellings("taal"), choose_language, filters=private))
    router.on_press(language_chosen, callbacks.LANGUAGE)


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the bot does here and list the commands: in private the menu, in a group
    what members can do there; plus the commands of the roles the person holds."""
    message = update.effective_message
    if message is None:
        return
    facts = await perform(context, update, basics.help_facts)
    await message.reply_text("\n".join(help_lines(context.bot_data, facts)))


def help_lines(bot_data: dict[str, Any], facts: basics.HelpFacts) -> list[str]:
    language = facts.language
    registered: set[str] = bot_data["commands"]

    def listed(names: tuple[str, ...]) -> list[str]:
        # Only commands that have a handler: /help names nothing that does not work.
        menu = command_menu(language, tuple(name for name in names if name in registered))
        return [f"/{command.command} — {command.description}" for command in menu]

    if facts.place == "private":
        lines = [t(language, "help.intro"), "", *listed(bot_data["menu"])]
        if facts.organiser:
            lines += ["", t(language, "help.organiser"), *listed(ORGANISER_HELP)]
    elif facts.place == "group":
        lines = [t(language, "help.group", wijk=facts.wijk, link=facts.join_link), ""]
        lines += listed(GROUP_MENU)
    elif facts.place == "team":
        lines = [t(language, "help.team", wijk=facts.wijk)]
    else:
        lines = [t(language, "buurtwerk.added.unlinked")]
    if facts.buurtwerker:
        lines += ["", t(language, "help.buurtwerker"), *listed(BUURTWERKER_HELP[facts.place])]
        if facts.place == "private":
            elsewhere = ", ".join(f"/{spelled(language, name)}" for name in GROUP_ELSEWHERE)
            lines.append(t(language, "help.buurtwerker.in_group", commands=elsewhere))
    return lines


def register_fallback(application: BotApplication) -> None:
    """After every feature registered its commands: a command none of them took."""
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))


async def unknown_command(update: Update, context: BotContext) -> None:
    """In private: one friendly sentence, with the menu (in a dialog: that it goes on). In a
    group only when addressed to this bot by name: "/foo" alone may be for another bot."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    command, addressee = typed_command(message)
    in_group = chat.type != chat.PRIVATE
    username = context.bot.username
    if in_group and (addressee is None or addressee.lower() != username.lower()):
        return
    language, in_dialog = await perform(context, update, basics.unknown_command, in_group)
    if in_group:
        known = canonical(command.removeprefix("/")) in context.bot_data["commands"]
        key = "unknown_command.private_only" if known else "unknown_command.group"
        await message.reply_text(t(language, key, link=f"https://t.me/{username}"))
    elif in_dialog:
        await message.reply_text(t(language, "unknown_command.in_dialog"))
    else:
        menu = markup(buttons.main_menu(language))
        await message.reply_text(t(language, "unknown_command"), reply_markup=menu)


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
