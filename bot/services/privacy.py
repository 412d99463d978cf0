"""/mijngegevens and /verwijder: see everything the bot keeps about you, and delete it all.

/mijngegevens answers with a short summary in the chat plus the complete data as a JSON file.
It only reads, so a dialog in progress (which the file shows) carries on afterwards.
/verwijder (and the button /stop offers) asks once, then deletes everything at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from bot import callbacks
from bot.dates import day_name
from bot.i18n import t
from bot.post_views import kind_name, shortened
from bot.services import activities
from bot.services.markup import Button, Keyboard, keyboard
from bot.services.preferences import summary as preferences_summary
from bot.services.reply import Reply, Show
from bot.services.unit import Unit
from matching.names import first_word
from matching.pause import is_paused
from storage import privacy
from storage.models import PostStatus, Resident, RoleKind

# The chat summary lists this many posts (shortened); the file has all of them.
POSTS_LISTED: Final = 10
POST_TEXT_LENGTH: Final = 60

# Plain assignments (not Final), so tests/bot/test_i18n.py sees these message ids.
STATUS_NAMES = {
    PostStatus.OPEN.value: "privacy.status.open",
    PostStatus.MATCHED.value: "privacy.status.matched",
    PostStatus.DONE.value: "privacy.status.done",
    PostStatus.WITHDRAWN.value: "privacy.status.withdrawn",
    PostStatus.HIDDEN.value: "privacy.status.hidden",
}
ROLE_NAMES = {
    RoleKind.BUURTWERKER.value: "privacy.role.buurtwerker",
    RoleKind.ORGANISER.value: "privacy.role.organiser",
}


def delete_everything_keyboard(language: str) -> Keyboard:
    """The way into deletion, for the goodbye after /stop."""
    return keyboard([Button(t(language, "privacy.button.delete_all"), callbacks.DELETE_ASK())])


def confirm_delete_keyboard(language: str) -> Keyboard:
    return keyboard(
        [
            Button(t(language, "privacy.button.yes"), callbacks.DELETE_YES()),
            Button(t(language, "privacy.button.no"), callbacks.DELETE_NO()),
        ]
    )


# --- /mijngegevens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MyData:
    """The summary for the chat (HTML) and the complete data as a JSON file; or nothing kept."""

    summary: str
    document: bytes | None = None
    caption: str = ""


def my_data(unit: Unit) -> MyData:
    assert unit.caller is not None
    data = privacy.collect(unit.session, telegram_user_id=unit.caller.user_id, now=unit.now)
    language = unit.language
    if data.is_empty:
        return MyData(t(language, "privacy.nothing"))
    document = json.dumps(data.to_json(), ensure_ascii=False, indent=2).encode()
    return MyData(summary(unit, data), document, t(language, "privacy.file_caption"))


def summary(unit: Unit, data: privacy.PersonalData) -> str:
    """What is kept, readable in the chat (HTML); the file has the complete rows."""
    language = unit.language
    lines = [t(language, "privacy.title")]
    resident = data.resident
    if resident is not None:
        lines.append(t(language, "privacy.name", name=resident.first_name))
        lines.append(
            preferences_summary(language, resident, data.wijk.name if data.wijk else None)
        )
        lines.append(_pause_line(unit, resident))
        if resident.stopped:
            lines.append(t(language, "privacy.stopped"))
        lines += _post_lines(language, data)
        lines.append(
            t(
                language,
                "privacy.invitations",
                received=len(data.invitations_received),
                on_own=len(data.invitations_on_own_posts),
            )
        )
        names = ", ".join(first_word(blocked.first_name) for blocked in data.blocked)
        lines.append(
            t(language, "privacy.blocked", names=names)
            if names
            else t(language, "privacy.blocked_none")
        )
        lines.append(t(language, "privacy.reports", count=len(data.reports_made)))
    lines += [
        t(
            language,
            "privacy.role",
            role=t(language, ROLE_NAMES.get(role.kind, "privacy.role.buurtwerker")),
            wijk=wijk.name,
        )
        for role, wijk in data.roles
    ]
    lines += ["", t(language, "privacy.file_note")]
    return "\n".join(lines)


def _pause_line(unit: Unit, resident: Resident) -> str:
    language, until = unit.language, resident.paused_until
    if not is_paused(paused=resident.paused, paused_until=until, now=unit.now):
        return t(language, "privacy.pause.none")
    if until is None:
        return t(language, "privacy.pause.open")
    day = day_name(language, until, unit.settings.tz)
    return t(language, "privacy.pause.until", day=day)


def _post_lines(language: str, data: privacy.PersonalData) -> list[str]:
    lines = ["", t(language, "privacy.posts", count=len(data.posts))]
    lines += [
        t(
            language,
            "privacy.post",
            kind=kind_name(language, post.kind),
            status=t(language, STATUS_NAMES.get(post.status, "privacy.status.open")),
            text=shortened(post.text, POST_TEXT_LENGTH),
        )
        for post in data.posts[:POSTS_LISTED]
    ]
    if len(data.posts) > POSTS_LISTED:
        more = len(data.posts) - POSTS_LISTED
        lines.append(t(language, "privacy.more_posts", count=more))
    return lines


# --- /verwijder ------------------------------------------------------------------------------


def _remember_asked(unit: Unit) -> None:
    assert unit.caller is not None
    privacy.remember_delete_asked(unit.session, telegram_user_id=unit.caller.user_id, now=unit.now)


def ask_delete(unit: Unit) -> Reply:
    """/verwijder: ask once whether to delete everything."""
    unit.clear_dialog()
    _remember_asked(unit)
    return Reply(t(unit.language, "privacy.delete.ask"), confirm_delete_keyboard(unit.language))


def ask_delete_pressed(unit: Unit) -> Reply:
    """The button under /stop's goodbye: the same question, as a new message."""
    _remember_asked(unit)
    return Reply(
        t(unit.language, "privacy.delete.ask"),
        confirm_delete_keyboard(unit.language),
        Show.MESSAGE,
    )


def delete_everything(unit: Unit) -> Reply:
    """The yes: deletes only when the question was asked (recorded in the database) and still
    stands; a stale or forged press gets the question again instead."""
    assert unit.caller is not None
    user_id = unit.caller.user_id
    if not privacy.take_delete_asked(unit.session, telegram_user_id=user_id, now=unit.now):
        _remember_asked(unit)
        language = unit.language
        return Reply(
            t(language, "privacy.delete.stale") + "\n\n" + t(language, "privacy.delete.ask"),
            confirm_delete_keyboard(language),
        )
    # Read before deleting: the goodbye is in the language they chose.
    language = unit.language
    if unit.resident is not None:
        activities.give_up_places(unit, unit.resident)
        activities.tell_organised_dates_end(unit, unit.resident)
    privacy.delete_person(unit.session, telegram_user_id=unit.caller.user_id, now=unit.now)
    unit.resident, unit.dialog = None, None
    return Reply(t(language, "privacy.delete.done"))


def keep_everything(unit: Unit) -> Reply:
    assert unit.caller is not None
    privacy.take_delete_asked(unit.session, telegram_user_id=unit.caller.user_id, now=unit.now)
    return Reply(t(unit.language, "privacy.delete.kept"))
