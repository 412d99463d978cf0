"""The command menu: derived from the command handlers that are actually registered.

Each command has one canonical (Dutch) name `/x`, described by the message id `command.x` in
every language, and may have a spelling per language (ENGLISH: /vraag is /ask in English).
Handlers register every spelling (`spellings("vraag")`), so /ask works for anyone; the menu
and /help show each person the spelling of their language, and texts name a command in the
language they are written in (tests/bot/test_menu.py checks the catalogues). The private
chats' menu order is MENU_ORDER; groups get GROUP_MENU, their administrators ADMIN_MENU
(Telegram shows a group's administrators their own list). Commands missing from all three
(like /blokkeer) work but are not listed.
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
    "namens",
    "pauze",
    "taal",
    "mijngegevens",
    "verwijder",
    "stop",
    "help",
)
# In groups: what any member can do there.
GROUP_MENU = ("meld", "uitnodigen")
# For a group's administrators (buurtwerkers among them): linking, roles, the digest, and
# what a buurtwerker looks at in the team chat.
ADMIN_MENU = (
    "koppel",
    "ontkoppel",
    "uitnodigen",
    "rollen",
    "overzicht",
    "meld",
    "logboek",
    "signalen",
    "cijfers",
    "export",
)
# /help lists role commands only to people who hold the role (checked in the database), and
# only those that work where they ask: in the residents' group, the team chat, a group linked
# to no wijk yet, or privately (the rest answer "not here"); GROUP_ELSEWHERE is named in one
# line in private.
ORGANISER_HELP = ("activiteit", "mijnactiviteiten")
BUURTWERKER_HELP = {
    "private": ("uitnodigen", "rollen", "logboek", "signalen", "cijfers", "export"),
    "group": ("koppel", "ontkoppel", "rollen", "overzicht"),
    "team": ("uitnodigen", "rollen", "logboek", "signalen", "cijfers", "export", "ontkoppel"),
    "unlinked": ("koppel",),
}
GROUP_ELSEWHERE = ("koppel", "ontkoppel", "overzicht")

# The English spelling of each command whose Dutch name is not English already, residents'
# and buurtwerkers' alike; the buurtwerkers' commands take English arguments too ("/link Oost
# team", "/roles add worker 123", "/overview daily 9", "/figures month").
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
    "koppel": "link",
    "ontkoppel": "unlink",
    "uitnodigen": "invite",
    "rollen": "roles",
    "overzicht": "overview",
    "logboek": "log",
    "signalen": "signals",
    "cijfers": "figures",
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


def menu_commands(
    application: BotApplication, order: tuple[str, ...] = MENU_ORDER
) -> tuple[str, ...]:
    """The commands of `order` that have a handler (a menu lists nothing that does not work)."""
    registered = registered_commands(application)
    return tuple(name for name in order if name in registered)


def command_menu(language: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(spelled(language, name), t(language, f"command.{name}")) for name in names]
