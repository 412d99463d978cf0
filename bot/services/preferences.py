"""A resident's choices as onboarding and /instellingen both show and store them.

Both flows offer the same choices in the same words; only the callback action
(callbacks.ONBOARDING or callbacks.SETTINGS, both "<step>:<value>") and the last row (skip, or
back) differ. A press only counts while the chat's dialog is at that step on that very message
(`is_current`); the value is then checked again before anything is stored (`apply_choice`), so
old, doubled and forged presses change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import Session

from bot import callbacks
from bot.i18n import Html, t
from bot.post_views import category_name, shortened
from bot.services import dialogs
from bot.services.markup import Button, Keyboard, keyboard
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


# --- what the handlers show ------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A message to send to the person who pressed or typed."""

    text: str
    keyboard: Keyboard | None = None
    # Telegram's "share location" button goes under this message (a reply keyboard, since an
    # inline button cannot ask for a location), with a second button labelled so.
    location_prompt: str | None = None
    remove_reply_keyboard: bool = False
    # This message's buttons drive the dialog: the handler has its id remembered.
    drives_dialog: bool = False


@dataclass(frozen=True)
class Outcome:
    """What became of a command, a press or a message, for the handler to show."""

    language: str
    # The press was not for the current question (or its value was not valid): nothing changed.
    stale: bool = False
    # Said in the press's little pop-up.
    notice: str | None = None
    # The pressed message keeps its question and gets this (plain text) answer under it.
    answered: str | None = None
    # The pressed message changes into this.
    edit: Reply | None = None
    # Only the pressed message's buttons change (to none when drop_buttons).
    new_buttons: Keyboard | None = None
    drop_buttons: bool = False
    replies: tuple[Reply, ...] = ()


# --- presses ---------------------------------------------------------------------------------


def is_current(
    state: dialogs.DialogState[dialogs.DialogData] | None, step: str, message_id: int | None
) -> bool:
    """True when a press on message `message_id` answers the question this chat is at now."""
    return (
        state is not None
        and message_id is not None
        and state.step == step
        and getattr(state.data, "message_id", None) == message_id
    )


def apply_choice(
    session: Session, *, resident: Resident, step: str, value: str, now: datetime
) -> bool:
    """Store a pressed choice (language, wijk, pace, quiet hours, or toggle one liked thing)
    after checking the value; False, with nothing stored, when it is not a valid choice."""
    if step == "lang" and value in LANGUAGES:
        repo.set_language(session, resident=resident, language=value, now=now)
        return True
    wijk_id = callbacks.ID.parse(value) if step == "wijk" else None
    if isinstance(wijk_id, int):
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


def _mark(label: str, chosen: bool) -> str:
    return f"{CHECK}{label}" if chosen else label


def one_button(label: str, data: str) -> Keyboard:
    return keyboard([Button(label, data)])


def language_rows(action: callbacks.Action, current: str) -> Keyboard:
    """One button per language, each named in its own language (as /taal shows them)."""
    return keyboard(
        [
            Button(_mark(t(code, "language.name"), code == current), action("lang", code))
            for code in LANGUAGES
        ]
    )


def wijk_rows(
    action: callbacks.Action, wijken: Sequence[Wijk], current_id: int | None
) -> Keyboard:
    """One wijk per row (names can be long), the current one ticked."""
    return keyboard(
        *(
            [Button(_mark(wijk.name, wijk.id == current_id), action("wijk", str(wijk.id)))]
            for wijk in wijken
        )
    )


def pace_label(language: str, pace: str) -> str:
    return t(language, PACE_LABELS.get(pace, PACE_LABELS[Pace.MONTHLY.value]))


def pace_rows(action: callbacks.Action, language: str, current: str) -> Keyboard:
    return keyboard(
        *(
            [Button(_mark(pace_label(language, pace), pace == current), action("pace", pace))]
            for pace in PACE_LABELS
        )
    )


def quiet_label(quiet: QuietHours) -> str:
    return f"{quiet.start}–{quiet.end}"


def current_quiet(resident: Resident) -> QuietHours:
    return QuietHours(resident.quiet_start, resident.quiet_end)


def quiet_rows(action: callbacks.Action, current: QuietHours) -> Keyboard:
    row = [
        Button(_mark(quiet_label(choice), choice == current), action("quiet", choice.code))
        for choice in QUIET_HOURS_CHOICES
    ]
    return keyboard(row[:2], row[2:])


def likes_rows(action: callbacks.Action, language: str, likes: Sequence[str]) -> Keyboard:
    row = [
        Button(_mark(category_name(language, key), key in likes), action("likes", key))
        for key in CATEGORY_KEYS
    ]
    return keyboard(*(row[i : i + LIKES_PER_ROW] for i in range(0, len(row), LIKES_PER_ROW)))


def is_label(text: str | None, key: str) -> bool:
    """Whether typed (or reply-keyboard) text is the label `key` in one of our languages."""
    if text is None:
        return False
    return text.strip().casefold() in {t(language, key).casefold() for language in LANGUAGES}


def search_results(
    language: str,
    action: callbacks.Action,
    typed: str,
    wijken: list[Wijk],
    current_id: int | None,
) -> tuple[str, Keyboard]:
    """The answer to a typed wijk name: the likely wijken as buttons, or a kind "not found"
    (with all wijken as buttons when they are few)."""
    by_name = {wijk.name: wijk for wijk in wijken}
    query = valid_text(typed)[:SEARCH_INPUT_MAX]  # no wijk name is longer
    found = [by_name[name] for name in search_wijk_names(query, list(by_name))]
    if found:
        return t(language, "pref.wijk.found"), wijk_rows(action, found, current_id)
    few = len(wijken) <= WIJK_BUTTONS_MAX
    rows = wijk_rows(action, wijken, current_id) if few else ()
    return t(language, "pref.wijk.not_found", query=search_excerpt(typed)), rows


SEARCH_INPUT_MAX = 200
# The wijk search echoes at most this much of what was typed (escaped by t()).
SEARCH_ECHO_LENGTH = 40


def search_excerpt(typed: str) -> str:
    """A short, one-line, valid-Unicode piece of the typed text, to say what was looked for
    (4,096 typed characters must not make the reply too long for Telegram)."""
    return shortened(valid_text(typed), SEARCH_ECHO_LENGTH)


def valid_text(text: str) -> str:
    """`text` without lone surrogates (a forged update can hold them; they cannot be sent)."""
    return text.encode("utf-8", "replace").decode("utf-8")


# --- showing choices -------------------------------------------------------------------------


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
