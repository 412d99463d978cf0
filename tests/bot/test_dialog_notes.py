"""A command in the middle of a dialog says first what became of that dialog. Every dialog a
service can start has its own two texts (left for the command, or still waiting) in both
languages: the text id is built at run time, so the catalogue check cannot see it."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import bot.services
from bot.i18n import catalogue, has_text
from bot.services.unit import MENU_DIALOGS
from bot.settings import LANGUAGES


def dialog_flows() -> set[str]:
    """Every flow name a service module defines (FLOW, REPLY_FLOW, FLOW_EDIT, ...)."""
    found = set()
    for info in pkgutil.iter_modules(bot.services.__path__):
        module = importlib.import_module(f"bot.services.{info.name}")
        for name, value in vars(module).items():
            if re.fullmatch(r"([A-Z]+_)?FLOW(_[A-Z]+)?", name) and isinstance(value, str):
                found.add(value)
    return found - MENU_DIALOGS


def test_the_flows_are_found() -> None:
    flows = dialog_flows()
    assert {"onboarding", "post", "edit", "proxy", "activity", "organise", "actreply"} <= flows
    assert "settings" not in flows  # a menu: moving on from it needs no word


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("what", ["left", "kept"])
def test_every_dialog_has_its_own_texts(language: str, what: str) -> None:
    missing = [
        flow
        for flow in sorted(dialog_flows())
        if catalogue(language).gettext(f"dialog.{what}.{flow}") == f"dialog.{what}.{flow}"
    ]
    assert missing == []


def test_has_text_knows_what_the_catalogues_hold() -> None:
    assert has_text("dialog.left.post")
    assert not has_text("dialog.left.no-such-dialog")
