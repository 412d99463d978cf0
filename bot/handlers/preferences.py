"""A resident's choices as onboarding and /instellingen both show and store them.

Both flows offer the same choices in the same words; only the callback prefix ("ob:" or
"set:") and the last row (skip, or back) differ. Callback data is "<prefix><step>:<value>",
and a press only counts while the chat's dialog state is at that step on that very message
(`is_current_press`); the value is then checked again before anything is stored
(`apply_choice`), so old, doubled and forged presses change nothing.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

from sqlmodel import Session
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from bot.dialog import DialogState
from bot.handlers.post_support import parse_id
from bot.i18n import Html, t
from bot.keyboards import language_keyboard
from bot.post_views import category_name
from bot.settings import LANGUAGES
from matching.categories import CATEGORY_KEYS
from matching.preferences import QUIET_HOURS_CHOICES, QuietHours, quiet_hours_from_code
from matching.preferences import toggle_like as toggled_likes
from matching.wijk_search import search_wijk_names
from storage import repo, residents
from storage.models import Pace, Resident, Wijk

PACE_LABELS: Final[dict[str, str]] = {
    Pace.NEVER.value: "pref.pace.never",
    Pace.ONCE.value: "pref.pace.once",
    Pace.MONTHLY.value: "pref.pace.monthly",
    Pace.WEEKLY.value: "pref.pace.weekly",
    Pace.WHENEVER.value: "pref.pace.whenever",
}
CHECK: Final = "✓ "
LIKES_PER_ROW: Final = 2
# Up to this many wijken are offered as buttons; with more, the person types the name.
WIJK_BUTTONS_MAX: Final = 8

Rows = list[list[InlineKeyboardButton]]


# --- presses ---------------------------------------------------------------------------------


def split_callback(data: str | None, prefix: str) -> tuple[str, str] | None:
    """("pace", "weekly") from "ob:pace:weekly" with prefix "ob:"; None when malformed."""
    if data is None or not data.startswith(prefix):
        return None
    step, separator, value = data.removeprefix(prefix).partition(":")
    if not separator or not step or not value:
        return None
    return step, value


def is_current_press(
    state: DialogState | None, flow: str, step: str, query: CallbackQuery
) -> bool:
    """True when the press answers the question this chat is at now: flow, step and message
    all match the stored dialog state, and the presser is the chat's own person."""
    message = query.message
    return (
        state is not None
        and isinstance(message, Message)
        and message.chat.id == query.from_user.id
        and state.flow == flow
        and state.step == step
        and state.data.get("message_id") == message.message_id
    )


def apply_choice(
    session: Session, *, resident: Resident, step: str, value: str, now: datetime
) -> bool:
    """Store a pressed choice (language, wijk, pace, quiet hours, or toggle one liked thing)
    after checking the value; False, with nothing stored, when it is not a valid choice."""
    if step == "lang" and value in LANGUAGES:
        repo.set_language(session, resident=resident, language=value, now=now)
        return True
    wijk_id = parse_id(value) if step == "wijk" else None
    if wijk_id is not None:
        wijk = residents.wijk_by_id(session, wijk_id=wijk_id)
        if wijk is not None:
            residents.set_wijk(session, resident=resident, wijk=wijk, now=now)
        return wijk is not None
    if step == "pace" and value in PACE_LABELS:
        residents.set_pace(session, resident=resident, pace=Pace(value), now=now)
        return True
    quiet = quiet_hours_from_code(value) if step == "quiet" else None
    if quiet is not None:
        residents.set_quiet_hours(
            session, resident=resident, start=quiet.start, end=quiet.end, now=now
        )
        return True
    if step == "likes" and value in CATEGORY_KEYS:
        likes = toggled_likes(resident.likes, value)
        residents.set_likes(session, resident=resident, likes=likes, now=now)
        return True
    return False


# --- buttons ---------------------------------------------------------------------------------


def button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def keyboard(*groups: Iterable[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([row for group in groups for row in group])


def _mark(label: str, chosen: bool) -> str:
    return f"{CHECK}{label}" if chosen else label


def language_rows(prefix: str, current: str) -> Rows:
    markup = language_keyboard(current, prefix=f"{prefix}lang:")
    return [list(row) for row in markup.inline_keyboard]


def wijk_rows(prefix: str, wijken: Sequence[Wijk], current_id: int | None) -> Rows:
    """One wijk per row (names can be long), the current one ticked."""
    return [
        [button(_mark(wijk.name, wijk.id == current_id), f"{prefix}wijk:{wijk.id}")]
        for wijk in wijken
    ]


def pace_label(language: str, pace: str) -> str:
    return t(language, PACE_LABELS.get(pace, PACE_LABELS[Pace.MONTHLY.value]))


def pace_rows(prefix: str, language: str, current: str) -> Rows:
    return [
        [button(_mark(pace_label(language, pace), pace == current), f"{prefix}pace:{pace}")]
        for pace in PACE_LABELS
    ]


def quiet_label(quiet: QuietHours) -> str:
    return f"{quiet.start}–{quiet.end}"


def current_quiet(resident: Resident) -> QuietHours:
    return QuietHours(resident.quiet_start, resident.quiet_end)


def quiet_rows(prefix: str, current: QuietHours) -> Rows:
    buttons = [
        button(_mark(quiet_label(choice), choice == current), f"{prefix}quiet:{choice.code}")
        for choice in QUIET_HOURS_CHOICES
    ]
    return [buttons[:2], buttons[2:]]


def likes_rows(prefix: str, language: str, likes: Sequence[str]) -> Rows:
    buttons = [
        button(_mark(category_name(language, key), key in likes), f"{prefix}likes:{key}")
        for key in CATEGORY_KEYS
    ]
    return [buttons[i : i + LIKES_PER_ROW] for i in range(0, len(buttons), LIKES_PER_ROW)]


def location_keyboard(language: str, other_label: str) -> ReplyKeyboardMarkup:
    """Telegram's own "share location" button (an inline button cannot ask for a location),
    and a second button whose text means skip or cancel."""
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(t(language, "pref.area.share_button"), request_location=True)],
            [KeyboardButton(other_label)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def is_label(text: str | None, key: str) -> bool:
    """Whether typed (or reply-keyboard) text is the label `key` in one of our languages."""
    if text is None:
        return False
    return text.strip().casefold() in {t(language, key).casefold() for language in LANGUAGES}


def search_results(
    language: str, prefix: str, typed: str, wijken: list[Wijk], current_id: int | None
) -> tuple[str, Rows]:
    """The answer to a typed wijk name: the likely wijken as buttons, or a kind "not found"
    (with all wijken as buttons when they are few)."""
    by_name = {wijk.name: wijk for wijk in wijken}
    found = [by_name[name] for name in search_wijk_names(typed, list(by_name))]
    if found:
        return t(language, "pref.wijk.found"), wijk_rows(prefix, found, current_id)
    few = len(wijken) <= WIJK_BUTTONS_MAX
    rows = wijk_rows(prefix, wijken, current_id) if few else []
    return t(language, "pref.wijk.not_found", query=typed), rows


# --- showing choices -------------------------------------------------------------------------


async def show_answer(query: CallbackQuery, answer: str) -> None:
    """Keep the question in the chat with the (plain text) answer under it, without buttons."""
    await query.answer()
    message = query.message
    question = message.text_html if isinstance(message, Message) and message.text else ""
    await query.edit_message_text(f"{question}\n\n{CHECK}{html.escape(answer, quote=False)}")


def likes_text(language: str, likes: Sequence[str]) -> str | None:
    """The liked things by name, or None when nothing is chosen (plain text)."""
    names = [category_name(language, key) for key in likes if key in CATEGORY_KEYS]
    return ", ".join(names) if names else None


def summary(language: str, resident: Resident, wijk_name: str | None) -> Html:
    """A few lines saying which choices the bot keeps for this person (HTML)."""
    likes = likes_text(language, resident.likes)
    lines = [
        t(language, "pref.summary.language", name=t(language, "language.name")),
        t(language, "pref.summary.wijk", wijk=wijk_name)
        if wijk_name
        else t(language, "pref.summary.no_wijk"),
        t(language, "pref.summary.area")
        if resident.area_cell
        else t(language, "pref.summary.no_area"),
        t(language, "pref.summary.pace", pace=pace_label(language, resident.pace)),
        t(language, "pref.summary.quiet", quiet=quiet_label(current_quiet(resident))),
        t(language, "pref.summary.likes", likes=likes)
        if likes
        else t(language, "pref.summary.no_likes"),
    ]
    return Html("\n".join(lines))
