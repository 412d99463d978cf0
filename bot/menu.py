"""The command menu: derived from the command handlers that are actually registered.

Each command `/x` is described by the message id `command.x` in every language; the menu
order is MENU_ORDER, and commands missing from it (like /blokkeer) work but are not listed.
"""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import CommandHandler

from bot.context import BotApplication
from bot.i18n import t

MENU_ORDER = (
    "start",
    "vraag",
    "aanbod",
    "buurt",
    "mijn",
    "instellingen",
    "pauze",
    "taal",
    "mijngegevens",
    "verwijder",
    "stop",
    "help",
)


def registered_commands(application: BotApplication) -> set[str]:
    return {
        command
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


def menu_commands(application: BotApplication) -> tuple[str, ...]:
    registered = registered_commands(application)
    return tuple(name for name in MENU_ORDER if name in registered)


def command_menu(language: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, t(language, f"command.{name}")) for name in names]
