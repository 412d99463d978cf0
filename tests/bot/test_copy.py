"""English that is English: no message reads the same in Dutch and English unless it is on
purpose (ALLOWED_SAME), and no English text uses the Dutch words wijk, buurt or buurtwerker
(the copy guide at the top of bot/locale/nl/LC_MESSAGES/buurtbot.po says how they are said).
"""

from __future__ import annotations

import re

from tests.bot.test_i18n import catalogue_entries

# Texts that are the same in both languages today, and why they may be.
ALLOWED_SAME: dict[str, str] = {
    "distance.km": "a unit: '~2 km' in both",
    "figures.week_label": "'wk 12' is the short for week in both",
    "pause.button.week": "'1 week' is the same word in both",
    "privacy.status.open": "'open' is the same word in both",
}

# What is not a word of the text: placeholders, HTML tags and entities, commands, links.
PLACEHOLDER = re.compile(r"{\w+}")
MARKUP = re.compile(r"<[^>]+>|&\w+;")
COMMAND = re.compile(r"/\w+(@\w+)?")
LINK = re.compile(r"https?://\S+|t\.me/\S+")
# Proper names that may appear in any language.
NAMES = re.compile(r"\bBuurtbot\b|\bTelegram\b|\bCSV\b|\bJSON\b")


def words(text: str) -> str:
    """The text without names, placeholders, markup, commands, emoji and punctuation,
    lower-cased: what would need translating."""
    for pattern in (PLACEHOLDER, MARKUP, COMMAND, LINK, NAMES):
        text = pattern.sub(" ", text)
    return " ".join(re.findall(r"[^\W\d_]+", text.lower()))


def test_no_new_message_is_the_same_in_dutch_and_english() -> None:
    nl, en = catalogue_entries("nl"), catalogue_entries("en")
    same = sorted(
        key for key in nl.keys() & en.keys() if words(nl[key]) and words(nl[key]) == words(en[key])
    )
    new = [key for key in same if key not in ALLOWED_SAME]
    assert new == [], f"not translated (or add to ALLOWED_SAME with a reason): {new}"
    gone = sorted(ALLOWED_SAME.keys() - set(same))
    assert gone == [], f"translated now, take out of ALLOWED_SAME: {gone}"


DUTCH = re.compile(r"\b(buurtwerkers?|wijken|wijk|buurten|buurt)\b", re.IGNORECASE)


def test_english_texts_use_no_dutch_words() -> None:
    found = {
        key: DUTCH.findall(COMMAND.sub(" ", PLACEHOLDER.sub(" ", text)))
        for key, text in catalogue_entries("en").items()
    }
    assert {key: hits for key, hits in found.items() if hits} == {}


def test_the_checks_see_what_they_should() -> None:
    assert words("<b>{name}</b> 🙋 Buurtbot /vraag Hoi!") == "hoi"
    assert DUTCH.findall("Neighbours in your wijk") == ["wijk"]
    assert DUTCH.findall(COMMAND.sub(" ", "Use /buurt or /buurtwerk")) == []
    assert DUTCH.findall("The Buurtbot team") == []
