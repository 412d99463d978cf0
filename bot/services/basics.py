"""/help, /taal and the language buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.services.buurtwerk import is_owner, join_link, may_manage
from bot.services.dialogs import DialogState
from bot.services.unit import Unit
from bot.settings import LANGUAGES
from storage import buurtwerk, repo
from storage.buurtwerk import ChatKind
from storage.models import RoleKind

# Where /help was asked: a private chat, a wijk's residents' group, its team chat, or a group
# that is linked to no wijk.
HelpPlace = Literal["private", "group", "team", "unlinked"]


@dataclass(frozen=True)
class HelpFacts:
    """What /help tells this person here: the place, its language, and the roles they hold
    (read from the database now, so a role granted or revoked a minute ago counts)."""

    language: str
    place: HelpPlace
    wijk: str | None = None
    join_link: str | None = None
    organiser: bool = False
    buurtwerker: bool = False


def help_facts(unit: Unit) -> HelpFacts:
    assert unit.caller is not None
    user_id, chat_id = unit.caller.user_id, unit.caller.chat_id
    if chat_id == user_id:
        return HelpFacts(
            unit.language,
            "private",
            organiser=_holds(unit, RoleKind.ORGANISER),
            buurtwerker=is_owner(unit, user_id) or _holds(unit, RoleKind.BUURTWERKER),
        )
    # One answer that the whole group reads: in the chat's language, as its digest is.
    language = unit.settings.default_language
    linked = buurtwerk.wijk_of_chat(unit.session, chat_id=chat_id)
    if linked is None:
        worker = is_owner(unit, user_id) or _holds(unit, RoleKind.BUURTWERKER)
        return HelpFacts(language, "unlinked", buurtwerker=worker)
    wijk, kind = linked
    return HelpFacts(
        language,
        "group" if kind is ChatKind.GROUP else "team",
        wijk=wijk.name,
        join_link=join_link(unit, wijk),
        buurtwerker=may_manage(unit, user_id, wijk.id),
    )


def _holds(unit: Unit, kind: RoleKind) -> bool:
    """Whether the caller holds this role in any wijk."""
    assert unit.caller is not None
    return bool(
        buurtwerk.wijken_with_role(unit.session, telegram_user_id=unit.caller.user_id, kind=kind)
    )


def unknown_command(unit: Unit, in_group: bool) -> tuple[str, bool]:
    """A command no handler took: the language to answer in (a group's for a group), and
    whether a dialog waits for the caller (it goes on: the command changed nothing)."""
    language = unit.settings.default_language if in_group else unit.language
    return language, not in_group and isinstance(unit.dialog, DialogState)


def choose_language(unit: Unit, wanted: str) -> str:
    """Store the language someone pressed (first contact creates them); the codec only lets
    known languages through."""
    assert unit.caller is not None
    assert wanted in LANGUAGES
    resident = unit.resident or repo.ensure_resident(
        unit.session,
        telegram_user_id=unit.caller.user_id,
        first_name=unit.caller.first_name,
        language=wanted,
        now=unit.now,
    )
    repo.set_language(unit.session, resident=resident, language=wanted, now=unit.now)
    return wanted
