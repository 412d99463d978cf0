"""The command menu lists registered commands only, each described in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from telegram.ext import CommandHandler

from bot.app import build_application
from bot.menu import (
    ENGLISH,
    MENU_ORDER,
    canonical,
    command_menu,
    registered_commands,
    spelled,
    spellings,
)
from bot.settings import LANGUAGES, Settings
from tests.bot.test_i18n import catalogue_entries

TOKEN = "123456789:AAEexampleexampleexampleexample1234"


def test_every_registered_command_is_described_in_every_language(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"token": TOKEN, "database_url": f"sqlite:///{tmp_path / 'menu.db'}"}
    )
    application = build_application(settings)
    commands = registered_commands(application)
    assert {"start", "help", "taal"} <= commands
    for language in LANGUAGES:
        known = catalogue_entries(language)
        missing = sorted(name for name in commands if f"command.{name}" not in known)
        assert missing == [], f"{language}: no command.<name> text for {missing}"
    menu = application.bot_data["menu"]
    assert set(menu) <= commands
    assert list(menu) == [name for name in MENU_ORDER if name in commands]
    assert [c.command for c in command_menu("nl", menu)] == list(menu)


def test_commands_are_spelled_per_language_and_every_spelling_is_registered(
    tmp_path: Path,
) -> None:
    settings = Settings.model_validate(
        {"token": TOKEN, "database_url": f"sqlite:///{tmp_path / 'menu.db'}"}
    )
    application = build_application(settings)
    typed = {
        command
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }
    menu = application.bot_data["menu"]
    for language in LANGUAGES:
        names = [c.command for c in command_menu(language, menu)]
        assert len(set(names)) == len(names), f"{language}: two commands share a name"
        assert set(names) <= typed, f"{language}: a menu command has no handler"
    assert {"ask", "offer", "nearby", "mine", "settings", "pause", "mydata", "delete"} <= typed
    assert [canonical(spelled("en", name)) for name in menu] == list(menu)
    assert spellings("vraag") == ["vraag", "ask"]
    assert spellings("stop") == ["stop"]


# A command named in a text: "/vraag", not the end of a tag ("</i>") or part of a link.
COMMAND_IN_TEXT = re.compile(r"(?<![\w</:.])/([a-z]+)\b")


def test_texts_name_each_command_as_their_language_spells_it(tmp_path: Path) -> None:
    """An English text says /link and /report, a Dutch one /koppel and /meld; and every
    command a text names exists."""
    settings = Settings.model_validate(
        {"token": TOKEN, "database_url": f"sqlite:///{tmp_path / 'menu.db'}"}
    )
    registered = registered_commands(build_application(settings))
    assert COMMAND_IN_TEXT.findall("Typ /vraag, <i>x</i>, https://t.me/a/b or /meld.") == [
        "vraag",
        "meld",
    ]
    for language in LANGUAGES:
        wrong = {
            key: name
            for key, text in catalogue_entries(language).items()
            for name in COMMAND_IN_TEXT.findall(text)
            if canonical(name) not in registered or spelled(language, canonical(name)) != name
        }
        assert wrong == {}, f"{language}: commands not spelled as in {language}: {wrong}"


def test_every_command_answers_to_each_of_its_spellings(tmp_path: Path) -> None:
    """The buurtwerkers' commands too: /link, /roles, /overview ... in English."""
    settings = Settings.model_validate(
        {"token": TOKEN, "database_url": f"sqlite:///{tmp_path / 'menu.db'}"}
    )
    application = build_application(settings)
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                names = {canonical(command) for command in handler.commands}
                missing = {s for name in names for s in spellings(name)} - handler.commands
                assert missing == set(), f"a handler for {sorted(names)} lacks {missing}"
    english = {spelled("en", name) for name in registered_commands(application)}
    assert {
        "link",
        "unlink",
        "invite",
        "roles",
        "overview",
        "log",
        "signals",
        "figures",
        "report",
        "export",
    } <= english
    assert len(set(ENGLISH.values())) == len(ENGLISH), "two commands share an English name"
    assert not set(ENGLISH.values()) & registered_commands(application), "an alias is a name"
    for menu in ("menu_group", "menu_admin"):
        assert application.bot_data[menu], f"{menu} is empty"
        assert set(application.bot_data[menu]) <= registered_commands(application)
