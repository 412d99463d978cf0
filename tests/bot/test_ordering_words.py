"""No text of the bot orders anyone about (product value 2: help is invited, never ordered).

Every nl and en catalogue is scanned for ordering words. The few legitimate uses are listed in
ALLOWED, each with the reason it is not an order; anything else fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import pytest
from babel.messages.pofile import read_po

from bot.i18n import po_files
from bot.settings import LANGUAGES

ORDERING_WORDS: Final = {
    "nl": ("moet", "moeten", "moest", "verplicht", "verplichte", "meteen", "direct"),
    "en": ("must", "have to", "has to", "required", "require", "obliged", "immediately"),
}

# (language, message id, word): uses that are not an order, with the reason.
ALLOWED: Final[dict[tuple[str, str, str], str]] = {
    # "direct chatten" is "talk to each other without the bot in between", not "at once".
    ("nl", "relay.share_asked", "direct"): "directly with each other, not 'at once'",
    ("nl", "relay.shared", "direct"): "directly with each other, not 'at once'",
}


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in words)
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)


PATTERNS: Final = {language: _pattern(words) for language, words in ORDERING_WORDS.items()}


def ordering_words_in(language: str, text: str) -> list[str]:
    """The ordering words in one text, lower case, in the order they appear."""
    found = PATTERNS[language].finditer(text)
    return [" ".join(match.group(1).lower().split()) for match in found]


def offenders(language: str, files: list[Path]) -> list[str]:
    found = []
    for path in files:
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        for message in catalogue:
            if not message.id:
                continue
            key = str(message.id)
            for word in ordering_words_in(language, str(message.string)):
                if (language, key, word) not in ALLOWED:
                    found.append(f"{path.name} {key}: {word!r} in {message.string!r}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_catalogue_orders_anyone(language: str) -> None:
    assert offenders(language, po_files(language)) == []


def test_every_allowed_use_still_exists() -> None:
    """An allow-list entry whose text changed is removed, so it cannot hide a new use."""
    present = set()
    for language in LANGUAGES:
        for path in po_files(language):
            with path.open("rb") as handle:
                for message in read_po(handle, locale=language):
                    if message.id:
                        for word in ordering_words_in(language, str(message.string)):
                            present.add((language, str(message.id), word))
    assert set(ALLOWED) <= present


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        ("nl", "Je moet even kiezen.", ["moet"]),
        ("nl", "Dit is VERPLICHT en graag meteen.", ["verplicht", "meteen"]),
        ("nl", "Ik stuur het direct door.", ["direct"]),
        ("nl", "Dat moeten we samen doen.", ["moeten"]),
        ("nl", "Zin om te helpen?", []),
        ("nl", "Een directe lijn, een moestuin.", []),
        ("en", "You must choose one.", ["must"]),
        ("en", "You have  to answer immediately.", ["have to", "immediately"]),
        ("en", "A name is required.", ["required"]),
        ("en", "Mustard, nothing else, whenever you like.", []),
    ],
)
def test_the_scan_finds_ordering_words(language: str, text: str, words: list[str]) -> None:
    assert ordering_words_in(language, text) == words


def test_a_catalogue_with_an_order_fails(tmp_path: Path) -> None:
    po = tmp_path / "sample.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "sample.order"\nmsgstr "Je moet nu helpen."\n',
        encoding="utf-8",
    )
    assert offenders("nl", [po]) == ["sample.po sample.order: 'moet' in 'Je moet nu helpen.'"]
