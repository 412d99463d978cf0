"""The command menu: derived from the command handlers that are actually registered.

Each command has one canonical (Dutch) name `/x`, described by the message id `command.x` in
every language, and may have a spelling per language (ENGLISH: /vraag is /ask in English).
Handlers register every spelling (`spellings("vraag")`), so /ask works for anyone; the menu
and /help show each person the spelling of their language. The menu order is MENU_ORDER, and
commands missing from it (like /blokkeer) work but are not listed.
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

# The English spelling of each resident's command whose Dutch name is not English already.
# (The buurtwerkers' group commands take Dutch arguments and keep their Dutch names.)
ENGLISH = {
    "vraag": "ask",
    "aanbod": "offer",
    "buurt": "nearby",
    "mijn": "mine",
    "instellingen": "settings",
    "pauze": "pause",
    "taal": "language",
    "mijngegevens": "mydata",
    "verwijder": "delete",
    "blokkeer": "block",
    "meld": "report",
    "ikben": "whoami",
    "activiteit": "activity",
    "mijnactiviteiten": "myactivities",
    "namens": "onbehalf",
}
SPELLINGS: dict[str, dict[str, str]] = {"en": ENGLISH}
_CANONICAL = {alias: name for table in SPELLINGS.values() for name, alias in table.items()}


def spellings(name: str) -> list[str]:
    """Every name the command `name` answers to: its canonical name first, then its aliases."""
    names = [name]
    for table in SPELLINGS.values():
        alias = table.get(name)
        if alias is not None and alias not in names:
            names.append(alias)
    return names


def canonical(name: str) -> str:
    """The canonical name of a command typed in any language ("ask" -> "vraag")."""
    return _CANONICAL.get(name, name)


def spelled(language: str, name: str) -> str:
    """How the command `name` is spelled for people who use `language`."""
    return SPELLINGS.get(language, {}).get(name, name)


def registered_commands(application: BotApplication) -> set[str]:
    """The canonical names of every command that has a handler."""
    return {
        canonical(command)
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


def menu_commands(application: BotApplication) -> tuple[str, ...]:
    registered = registered_commands(application)
    return tuple(name for name in MENU_ORDER if name in registered)


def command_menu(language: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(spelled(language, name), t(language, f"command.{name}")) for name in names]
