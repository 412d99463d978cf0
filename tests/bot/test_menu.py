"""The command menu lists registered commands only, each described in both languages."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application
from bot.menu import MENU_ORDER, command_menu, registered_commands
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
