"""Texts in the residents' languages, from gettext catalogues (bot/locale/<lang>/LC_MESSAGES).

Message ids are symbolic keys ("start.welcome"); both catalogues translate every key, which a
test enforces. Parameters are HTML-escaped when the text is formatted, so a resident's own words
can never break Telegram's HTML parse mode. Pass `Html(...)` for a value that is already markup.
"""

from __future__ import annotations

import html
import io
import logging
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.settings import LANGUAGES

DOMAIN = "buurtbot"
LOCALE_DIR = Path(__file__).parent / "locale"
FALLBACK_LANGUAGE = "nl"

log = logging.getLogger(__name__)


class Html(str):
    """A string that is already safe Telegram HTML and must not be escaped again."""

    __slots__ = ()


def po_path(language: str, part: str = DOMAIN) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{part}.po"


def po_files(language: str) -> list[Path]:
    """A language's catalogue files: buurtbot.po plus one per conversation (onboarding.po, ...),
    so flows can be worked on side by side without editing one big file."""
    return sorted(po_path(language).parent.glob("*.po"))


def _load(po_file: Path, language: str) -> Translations:
    """One compiled catalogue file.

    `pybabel compile` (run by the install and CI steps) writes the .mo next to the .po; when the
    .mo is missing or older than the .po, the .po is compiled in memory instead, so a fresh
    checkout and an edited catalogue both work without an extra step.
    """
    mo_file = po_file.with_suffix(".mo")
    if mo_file.exists() and mo_file.stat().st_mtime >= po_file.stat().st_mtime:
        with mo_file.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    with po_file.open("rb") as handle:
        parsed = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@cache
def catalogue(language: str) -> Translations:
    """All of a language's catalogue files merged into one."""
    files = po_files(language)
    merged = _load(files[0], language)
    for po_file in files[1:]:
        merged.merge(_load(po_file, language))
    return merged


def normalise_language(code: str | None, default: str = FALLBACK_LANGUAGE) -> str:
    """Map a Telegram language_code ("nl-BE", "en-GB", "de") to one of our languages."""
    if code:
        short = code.split("-")[0].lower()
        if short in LANGUAGES:
            return short
    return default


def _escape(value: object) -> object:
    if isinstance(value, Html):
        return value
    if isinstance(value, str):
        return html.escape(value, quote=False)
    return value


def has_text(key: str) -> bool:
    """Whether the catalogues have a text for `key` (for ids built at run time)."""
    return catalogue(FALLBACK_LANGUAGE).gettext(key) != key


def t(language: str, key: str, **params: object) -> str:
    """Translate `key` into `language` and fill in HTML-escaped params."""
    lang = language if language in LANGUAGES else FALLBACK_LANGUAGE
    text = catalogue(lang).gettext(key)
    if text == key and lang != FALLBACK_LANGUAGE:
        text = catalogue(FALLBACK_LANGUAGE).gettext(key)
    if text == key:
        # A missing key is a bug the i18n test catches; still show something rather than crash.
        log.error("missing translation for %r", key)
    if not params:
        return text
    return text.format(**{name: _escape(value) for name, value in params.items()})


def compile_all() -> list[Path]:
    """Write a .mo next to every .po (what `python -m bot.i18n` does at install time)."""
    written = []
    for language in LANGUAGES:
        for po_file in po_files(language):
            with po_file.open("rb") as handle:
                parsed = read_po(handle, locale=language, domain=DOMAIN)
            mo_file = po_file.with_suffix(".mo")
            with mo_file.open("wb") as handle:
                write_mo(handle, parsed)
            written.append(mo_file)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.i18n`: compile the catalogues; `--help` says so and changes nothing."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m bot.i18n",
        description=(
            "Compile the translation catalogues: write a .mo next to every "
            "bot/locale/<language>/LC_MESSAGES/*.po. Run it after editing a .po file."
        ),
    )
    parser.parse_args(argv)
    for path in compile_all():
        print(f"compiled {path.relative_to(LOCALE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
