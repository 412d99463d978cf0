"""The command menu lists registered commands only, each described in both languages."""

from __future__ import annotations

from pathlib import Path

from telegram.ext import CommandHandler

from bot.app import build_application
from bot.menu import (
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
