"""How requests and offers look in a chat: category names, times, distances, summaries.

Shared by posting, looking around and one's own posts (and free for other flows to use: the
`category.<key>` texts are the one place category names are worded).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from babel.dates import format_date

from bot.dates import DAY_FORMAT
from bot.i18n import Html, t
from matching.categories import CATEGORY_KEYS
from matching.distance import RoughDistance
from matching.names import first_word
from storage.models import Post, PostKind

# Category key -> message id of its display name; every key of CATEGORY_KEYS is here (a test
# checks). Written out, and as a plain `NAME = ...` (not `NAME: Final = ...`), so that the
# catalogue test in tests/bot/test_i18n.py sees each id; the same goes for the id tables in
# the handlers.
CATEGORY_NAMES = {
    "groceries": "category.groceries",
    "small_jobs": "category.small_jobs",
    "transport": "category.transport",
    "company": "category.company",
    "cooking": "category.cooking",
    "garden": "category.garden",
    "digital": "category.digital",
    "pets": "category.pets",
    "lending": "category.lending",
    "paperwork": "category.paperwork",
    "language": "category.language",
    "other": "category.other",
}
FALLBACK_CATEGORY: Final = "other"

KIND_NAMES = {
    PostKind.REQUEST: "post.kind.request",
    PostKind.OFFER: "post.kind.offer",
}

# In lists a post shows this many characters of its text; the full text is one tap away.
LIST_TEXT_LENGTH: Final = 80
# Only the first word of a Telegram first name is shown to neighbours, at most this long.


def known_category(key: object) -> str:
    """`key` if it names a category, else the catch-all one (for data read back from storage)."""
    return key if isinstance(key, str) and key in CATEGORY_KEYS else FALLBACK_CATEGORY


def category_name(language: str, key: str) -> str:
    """The category as a label or a heading ("Boodschappen")."""
    return t(language, CATEGORY_NAMES.get(key, CATEGORY_NAMES[FALLBACK_CATEGORY]))


def category_in_sentence(language: str, key: str) -> str:
    """The category in the middle of a sentence, in lower case ("gaat het over boodschappen")."""
    name = category_name(language, key)
    return name[:1].lower() + name[1:]


def kind_name(language: str, kind: str) -> str:
    return t(language, KIND_NAMES[PostKind(kind)])


def first_name(language: str, name: str) -> str:
    """What neighbours see of someone: the first word of their first name, nothing more."""
    return first_word(name) or t(language, "post.someone")


def distance_text(language: str, distance: RoughDistance | None) -> str | None:
    if distance is None:
        return None
    if distance.nearby:
        return t(language, "distance.nearby")
    return t(language, "distance.km", km=distance.km)


def shortened(text: str, length: int = LIST_TEXT_LENGTH) -> str:
    """`text` on one line, cut at a word boundary with "…" when it is longer than `length`."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0] if " " in flat[:length] else flat[:length]
    return cut.rstrip(" ,.;:") + "…"


def describe_window(
    language: str, start: datetime | None, end: datetime | None, *, now: datetime, zone: tzinfo
) -> str:
    """When a post is for, in words: "zaterdag 28 november", "morgen, 10:00–12:00",
    "vandaag tot en met dinsdag 1 december", or "no particular time"."""
    if start is None or end is None:
        return t(language, "when.any")
    start, end = start.astimezone(zone), end.astimezone(zone)
    today = now.astimezone(zone).date()
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    # Whole days: midnight to midnight, or "from now" until midnight for a window today.
    whole_days = end.time() == time(0) and (start.time() == time(0) or first == today)
    if first == last and whole_days:
        return _day(language, first, today)
    if first == last:
        return t(
            language,
            "when.day_hours",
            day=_day(language, first, today),
            start=start.strftime("%H:%M"),
            end=end.strftime("%H:%M"),
        )
    return t(
        language, "when.days", first=_day(language, first, today), last=_day(language, last, today)
    )


def _day(language: str, day: date, today: date) -> str:
    if day == today:
        return t(language, "when.today")
    if day == today + timedelta(days=1):
        return t(language, "when.tomorrow")
    return format_date(day, DAY_FORMAT, locale=language)


def summary(
    language: str,
    *,
    kind: str,
    category: str,
    text: str,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    zone: tzinfo,
) -> Html:
    """A request or offer as a short block of HTML: kind and category, the text, and when."""
    return Html(
        t(
            language,
            "post.summary",
            kind=kind_name(language, kind),
            category=category_name(language, category),
            text=text,
            when=describe_window(language, start, end, now=now, zone=zone),
        )
    )


def post_summary(language: str, post: Post, *, now: datetime, zone: tzinfo) -> Html:
    return summary(
        language,
        kind=post.kind,
        category=post.category,
        text=post.text,
        start=post.window_start,
        end=post.window_end,
        now=now,
        zone=zone,
    )


# /namens: who a request is for, when its author asks for someone not on Telegram.
NEIGHBOUR_WORDS: Final = {
    "buurvrouw": "proxy.a_neighbour_woman",
    "buurman": "proxy.a_neighbour_man",
}


def proxy_for_text(language: str, proxy_for: str) -> str:
    """ "Kees", "een buurvrouw" or "een buurman" (en: "a neighbour")."""
    key = NEIGHBOUR_WORDS.get(proxy_for)
    return t(language, key) if key is not None else first_name(language, proxy_for)


def proxy_note(language: str, proxy_name: str, proxy_for: str | None) -> str:
    """The line under a /namens request for the helper ("Fatima vraagt dit voor Kees"), or
    "" for an ordinary request."""
    if not proxy_for:
        return ""
    who = proxy_for_text(language, proxy_for)
    return "\n" + t(language, "proxy.note", name=proxy_name, who=who)
