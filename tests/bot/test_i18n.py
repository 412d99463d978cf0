"""Every text the bot can show exists in Dutch and in English, and user input is escaped."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import Html, normalise_language, po_files, t
from bot.settings import LANGUAGES

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
PLACEHOLDER = re.compile(r"{(\w+)}")


def catalogue_entries(language: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for path in po_files(language):
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        for message in catalogue:
            if message.id:
                assert message.id not in entries, f"{message.id!r} is defined twice ({language})"
                entries[str(message.id)] = str(message.string)
    return entries


def test_each_language_has_the_same_catalogue_files() -> None:
    names = {language: [path.name for path in po_files(language)] for language in LANGUAGES}
    assert names["nl"] == names["en"]
    assert "buurtbot.po" in names["nl"]


MESSAGE_ID = re.compile(r"[a-z]+(\.[a-z_]+)+")


def _literal_ids(node: ast.AST) -> set[str]:
    return {
        child.value
        for child in ast.walk(node)
        if isinstance(child, ast.Constant)
        and isinstance(child.value, str)
        and MESSAGE_ID.fullmatch(child.value)
    }


def keys_used_in_code() -> set[str]:
    """Message ids in bot/: literal second arguments of t(...), and literals in module-level
    UPPER_CASE constants (tables such as the command menu that pass ids to t() later)."""
    keys: set[str] = set()
    for path in BOT_DIR.rglob("*.py"):
        if "emulator" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and len(node.args) >= 2
            ):
                keys |= _literal_ids(node.args[1])
        for statement in tree.body:
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            else:
                continue
            if all(isinstance(target, ast.Name) and target.id.isupper() for target in targets):
                keys |= _literal_ids(value)
    return keys


def test_catalogues_cover_each_other_with_non_empty_texts() -> None:
    entries = {language: catalogue_entries(language) for language in LANGUAGES}
    nl, en = entries["nl"], entries["en"]
    assert set(nl) == set(en), f"only nl: {set(nl) - set(en)}; only en: {set(en) - set(nl)}"
    empty = [(lang, key) for lang, texts in entries.items() for key, v in texts.items() if not v]
    assert empty == []


def test_every_key_used_in_code_is_translated() -> None:
    known = set(catalogue_entries("nl")) & set(catalogue_entries("en"))
    used = keys_used_in_code()
    assert used, "the scan found no message ids at all"
    missing = sorted(used - known)
    assert missing == []


def test_translations_use_the_same_placeholders() -> None:
    nl, en = catalogue_entries("nl"), catalogue_entries("en")
    different = {
        key: (PLACEHOLDER.findall(nl[key]), PLACEHOLDER.findall(en[key]))
        for key in nl
        if sorted(PLACEHOLDER.findall(nl[key])) != sorted(PLACEHOLDER.findall(en.get(key, "")))
    }
    assert different == {}


def test_parameters_are_html_escaped_unless_marked_safe() -> None:
    text = t("nl", "start.welcome", name="<b>Anna & Ben</b>")
    assert "&lt;b&gt;Anna &amp; Ben&lt;/b&gt;" in text
    assert "<b>Anna" not in text
    assert "<i>x</i>" in t("en", "start.welcome", name=Html("<i>x</i>"))


def test_unknown_language_falls_back_to_dutch() -> None:
    assert t("fr", "language.choose") == t("nl", "language.choose")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("nl", "nl"), ("nl-BE", "nl"), ("en-GB", "en"), ("EN", "en"), ("de", "nl"), (None, "nl")],
)
def test_telegram_language_codes_map_to_ours(code: str | None, expected: str) -> None:
    assert normalise_language(code) == expected


def test_the_compiler_helps_with_help_and_compiles_nothing() -> None:
    mo_files = sorted(Path(po).with_suffix(".mo") for po in po_files("nl"))
    before = [mo.stat().st_mtime_ns for mo in mo_files]
    result = subprocess.run(
        [sys.executable, "-m", "bot.i18n", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m bot.i18n")
    assert "after editing a .po file" in " ".join(result.stdout.split())
    assert "compiled" not in result.stdout
    assert [mo.stat().st_mtime_ns for mo in mo_files] == before
