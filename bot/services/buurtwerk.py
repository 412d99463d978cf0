"""Buurtwerkers and their wijk's chats: /koppel, /ontkoppel, /uitnodigen, /rollen, and what the
bot says when it is added to a group or someone joins one.

Who may act is re-checked on every command: an owner of the bot (BUURTBOT_ADMINS) or a
buurtwerker of the wijk in the database; in a group, also an administrator of that group
according to Telegram (the handler asks getChatAdministrators and passes the answer in). Every
change is written to the wijk's audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from bot.dates import moment_name
from bot.i18n import t
from bot.services.reply import Reply
from bot.services.unit import Unit
from storage import buurtwerk, repo
from storage.buurtwerk import ChatKind, LinkRefusal
from storage.models import Resident, RoleKind, Wijk

TEAM_WORDS: Final = frozenset({"team", "wijkteam"})
ADD_WORDS: Final = frozenset({"toevoegen", "erbij", "add"})
REMOVE_WORDS: Final = frozenset({"verwijderen", "weg", "remove"})
ROLE_WORDS: Final = {
    "buurtwerker": RoleKind.BUURTWERKER,
    "community-worker": RoleKind.BUURTWERKER,
    "worker": RoleKind.BUURTWERKER,
    "organisator": RoleKind.ORGANISER,
    "organiser": RoleKind.ORGANISER,
    "organizer": RoleKind.ORGANISER,
}
ROLE_NAMES = {
    RoleKind.BUURTWERKER: "buurtwerk.role.buurtwerker",
    RoleKind.ORGANISER: "buurtwerk.role.organiser",
}
# Members who join the group within this time after the first get one welcome together.
WELCOME_WAIT: Final = timedelta(minutes=2)
LINK_REFUSALS = {
    LinkRefusal.CHAT_TAKEN: "buurtwerk.link.chat_taken",
    LinkRefusal.WIJK_TAKEN: "buurtwerk.link.wijk_taken",
}


def _caller_id(unit: Unit) -> int:
    assert unit.caller is not None
    return unit.caller.user_id


def is_owner(unit: Unit, telegram_user_id: int) -> bool:
    return telegram_user_id in unit.settings.admins


def may_manage(unit: Unit, telegram_user_id: int, wijk_id: int | None) -> bool:
    """An owner of the bot, or a buurtwerker of this wijk (read from the database now)."""
    return is_owner(unit, telegram_user_id) or repo.has_role(
        unit.session,
        telegram_user_id=telegram_user_id,
        kind=RoleKind.BUURTWERKER,
        wijk_id=wijk_id,
    )


def join_link(unit: Unit, wijk: Wijk) -> str:
    username = repo.get_fact(unit.session, key="bot_username") or "buurtbot"
    return f"https://t.me/{username}?start=wijk_{wijk.code}"


def _welcome(unit: Unit, wijk: Wijk, language: str) -> str:
    return t(language, "buurtwerk.welcome", wijk=wijk.name, link=join_link(unit, wijk))


# --- suspensions ----------------------------------------------------------------------------


def suspension_notice(unit: Unit, resident: Resident) -> str | None:
    """Why a suspended resident cannot post now (with the end date), or None."""
    assert resident.id is not None
    held = buurtwerk.active_suspension(unit.session, resident_id=resident.id, now=unit.now)
    if held is None:
        return None
    language = resident.language
    if held.until is None:
        return t(language, "buurtwerk.suspended.no_posting_open")
    until = moment_name(language, held.until, unit.settings.tz)
    return t(language, "buurtwerk.suspended.no_posting", until=until)


# --- /koppel, /ontkoppel ---------------------------------------------------------------------


def link(unit: Unit, args: list[str], chat_admin: bool) -> Reply:
    """/koppel <wijk> [team] in a group, by a group admin who is a buurtwerker there or an
    owner; a group serves one wijk, a wijk has one group (and one team chat)."""
    assert unit.caller is not None
    language = unit.language
    kind = ChatKind.GROUP
    words = list(args)
    if words and words[-1].lower() in TEAM_WORDS:
        kind, words = ChatKind.TEAM, words[:-1]
    if not words:
        return Reply(t(language, "buurtwerk.link.how"))
    try:
        wijk = repo.find_wijk(unit.session, code_or_name=" ".join(words))
    except repo.NotFoundError:
        return Reply(t(language, "buurtwerk.link.unknown_wijk", wijk=" ".join(words)))
    user_id = _caller_id(unit)
    if not chat_admin or not may_manage(unit, user_id, wijk.id):
        return Reply(t(language, "buurtwerk.link.not_allowed"))
    refused = buurtwerk.link_chat(unit.session, wijk=wijk, chat_id=unit.caller.chat_id, kind=kind)
    if refused is not None:
        return Reply(t(language, LINK_REFUSALS[refused], wijk=wijk.name))
    assert wijk.id is not None
    buurtwerk.log_action(
        unit.session,
        wijk_id=wijk.id,
        actor=user_id,
        action=f"link_{kind.value}",
        now=unit.now,
        data={"chat_id": unit.caller.chat_id},
    )
    if kind is ChatKind.TEAM:
        return Reply(t(language, "buurtwerk.link.team_done", wijk=wijk.name))
    done = t(language, "buurtwerk.link.group_done", wijk=wijk.name)
    return Reply(f"{done}\n\n{_welcome(unit, wijk, language)}")


def unlink(unit: Unit, chat_admin: bool) -> Reply:
    """/ontkoppel: the chat no longer serves its wijk; the wijk and its residents stay."""
    assert unit.caller is not None
    language = unit.language
    linked = buurtwerk.wijk_of_chat(unit.session, chat_id=unit.caller.chat_id)
    if linked is None:
        return Reply(t(language, "buurtwerk.unlink.not_linked"))
    wijk, kind = linked
    user_id = _caller_id(unit)
    if not chat_admin or not may_manage(unit, user_id, wijk.id):
        return Reply(t(language, "buurtwerk.link.not_allowed"))
    buurtwerk.unlink_chat(unit.session, chat_id=unit.caller.chat_id)
    assert wijk.id is not None
    buurtwerk.log_action(
        unit.session,
        wijk_id=wijk.id,
        actor=user_id,
        action=f"unlink_{kind.value}",
        now=unit.now,
        data={"chat_id": unit.caller.chat_id},
    )
    return Reply(t(language, "buurtwerk.unlink.done", wijk=wijk.name))


# --- the bot in a group ----------------------------------------------------------------------


def bot_added(unit: Unit, chat_id: int) -> str:
    """What the bot says once when it is added to a group: the wijk's welcome when the group
    is linked already, otherwise how a buurtwerker links it."""
    language = unit.language
    linked = buurtwerk.wijk_of_chat(unit.session, chat_id=chat_id)
    if linked is not None and linked[1] is ChatKind.GROUP:
        return _welcome(unit, linked[0], language)
    if linked is not None:
        return t(language, "buurtwerk.link.team_done", wijk=linked[0].name)
    return t(language, "buurtwerk.added.unlinked")


def bot_removed(unit: Unit, chat_id: int) -> None:
    """The bot was removed from a group: the link goes (the bot cannot post there any more),
    the wijk stays, and the audit log says who did it."""
    linked = buurtwerk.unlink_chat(unit.session, chat_id=chat_id)
    if linked is None:
        return
    wijk, kind = linked
    assert wijk.id is not None
    buurtwerk.log_action(
        unit.session,
        wijk_id=wijk.id,
        actor=_caller_id(unit),
        action=f"removed_{kind.value}",
        now=unit.now,
        data={"chat_id": chat_id},
    )


def member_joined(unit: Unit, chat_id: int) -> bool:
    """Members joined a linked residents' group: one shared welcome is planned a little later
    (WELCOME_WAIT), so ten people joining in a minute get one calm message, not ten. True when
    one is planned (now or already)."""
    linked = buurtwerk.wijk_of_chat(unit.session, chat_id=chat_id)
    if linked is None or linked[1] is not ChatKind.GROUP or linked[0].id is None:
        return False
    buurtwerk.plan_welcome(unit.session, wijk_id=linked[0].id, due=unit.now + WELCOME_WAIT)
    return True


def send_due_welcomes(unit: Unit) -> int:
    """The periodic job: each group whose welcome is due gets it, naming nobody (the group
    shows who joined), through the outbox and so within the group limit. Returns how many."""
    language = unit.settings.default_language
    sent = 0
    for wijk, planned in buurtwerk.take_due_welcomes(unit.session, now=unit.now):
        if wijk.group_chat_id is None:
            continue  # unlinked meanwhile
        hello = t(language, "buurtwerk.joined.hello")
        unit.enqueue_chat(
            chat_id=wijk.group_chat_id,
            text=f"{hello} {_welcome(unit, wijk, language)}",
            key=f"welcome:{wijk.id}:{planned.isoformat()}",
        )
        sent += 1
    return sent


def invite(unit: Unit) -> Reply:
    """/uitnodigen: the welcome again, in the group; in private, each wijk the caller works in."""
    assert unit.caller is not None
    language = unit.language
    linked = buurtwerk.wijk_of_chat(unit.session, chat_id=unit.caller.chat_id)
    if linked is not None:
        return Reply(_welcome(unit, linked[0], language))
    if unit.caller.chat_id == unit.caller.user_id:
        wijken = buurtwerk.wijken_with_role(
            unit.session, telegram_user_id=unit.caller.user_id, kind=RoleKind.BUURTWERKER
        )
        if wijken:
            return Reply("\n\n".join(_welcome(unit, wijk, language) for wijk in wijken))
    return Reply(t(language, "buurtwerk.invite.nowhere"))


def group_only(unit: Unit) -> Reply:
    """/koppel, /ontkoppel or /overzicht in a private chat: they work in a wijk's group."""
    return Reply(t(unit.language, "buurtwerk.invite.nowhere"))


# --- /rollen ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """Someone named by a reply to their message (Telegram says who they are)."""

    telegram_user_id: int
    first_name: str


def _roles_wijk(unit: Unit, words: list[str]) -> tuple[Wijk | None, list[str]]:
    """The wijk /rollen is about: the chat's own, else the first word(s) naming one (in
    private: "/rollen oost", "/rollen oost toevoegen buurtwerker 123")."""
    assert unit.caller is not None
    linked = buurtwerk.wijk_of_chat(unit.session, chat_id=unit.caller.chat_id)
    if linked is not None:
        return linked[0], words
    for length in range(len(words), 0, -1):
        try:
            wijk = repo.find_wijk(unit.session, code_or_name=" ".join(words[:length]))
        except repo.NotFoundError:
            continue
        return wijk, words[length:]
    if unit.caller.chat_id == unit.caller.user_id:
        mine = buurtwerk.wijken_with_role(
            unit.session, telegram_user_id=unit.caller.user_id, kind=RoleKind.BUURTWERKER
        )
        if len(mine) == 1:
            return mine[0], words
    return None, words


def roles(unit: Unit, args: list[str], reply_to: Member | None, chat_admin: bool) -> Reply:
    """/rollen: list the wijk's roles; "/rollen toevoegen buurtwerker <id>" (or as a reply to
    the person's message) and "/rollen verwijderen ..." change them, logged."""
    language = unit.language
    user_id = _caller_id(unit)
    wijk, words = _roles_wijk(unit, _joined_role_names([word.lower() for word in args]))
    if wijk is None:
        if not _works_in_a_wijk(unit):
            return Reply(t(language, "buurtwerk.only_buurtwerkers"))
        return Reply(t(language, "buurtwerk.roles.which_wijk"))
    assert wijk.id is not None
    if not chat_admin or not may_manage(unit, user_id, wijk.id):
        return Reply(t(language, "buurtwerk.roles.not_allowed"))
    if not words:
        return Reply(_list_roles(unit, wijk))
    verb, rest = words[0], words[1:]
    if verb not in ADD_WORDS | REMOVE_WORDS or not rest or rest[0] not in ROLE_WORDS:
        return Reply(t(language, "buurtwerk.roles.how"))
    kind = ROLE_WORDS[rest[0]]
    target = _target(rest[1:], reply_to)
    if target is None:
        return Reply(t(language, "buurtwerk.roles.how"))
    role_name = t(language, ROLE_NAMES[kind])
    if verb in ADD_WORDS:
        changed = repo.grant_role(
            unit.session, telegram_user_id=target, kind=kind, wijk=wijk, now=unit.now
        )
        key = "buurtwerk.roles.added" if changed else "buurtwerk.roles.had_it"
    else:
        changed = repo.revoke_role(unit.session, telegram_user_id=target, kind=kind, wijk=wijk)
        key = "buurtwerk.roles.removed" if changed else "buurtwerk.roles.did_not_have"
    if changed:
        buurtwerk.log_action(
            unit.session,
            wijk_id=wijk.id,
            actor=user_id,
            action=f"role_{'add' if verb in ADD_WORDS else 'remove'}_{kind.value}",
            now=unit.now,
            subject_telegram_id=target,
        )
    return Reply(
        t(
            language,
            key,
            who=actor_name(unit, target, with_id=True),
            role=role_name,
            wijk=wijk.name,
        )
    )


def _joined_role_names(words: list[str]) -> list[str]:
    """ "community worker" as one word, as the English texts write it in two."""
    joined: list[str] = []
    for word in words:
        if word == "worker" and joined and joined[-1] == "community":
            joined[-1] = "community-worker"
        else:
            joined.append(word)
    return joined


def _target(words: list[str], reply_to: Member | None) -> int | None:
    if words:
        word = words[0]
        return int(word) if word.isascii() and word.isdigit() and 0 < int(word) < 2**63 else None
    return None if reply_to is None else reply_to.telegram_user_id


def actor_name(unit: Unit, telegram_user_id: int, *, with_id: bool = False) -> str:
    """How a buurtwerker, owner or the bot is named in the wijk's records and messages: the
    first name, with the Telegram id only where one is needed to tell people apart (the role
    list, where /rol takes ids); the id alone for someone who never started the bot."""
    if telegram_user_id == buurtwerk.BOT_ACTOR:
        return "Buurtbot"
    if telegram_user_id == buurtwerk.ERASED_ACTOR:
        return t(unit.language, "buurtwerk.former_member")
    resident = repo.find_resident(unit.session, telegram_user_id=telegram_user_id)
    if resident is None or not resident.first_name:
        return str(telegram_user_id)
    return f"{resident.first_name} ({telegram_user_id})" if with_id else resident.first_name


def _list_roles(unit: Unit, wijk: Wijk) -> str:
    language = unit.language
    lines = [
        t(
            language,
            "buurtwerk.roles.line",
            who=actor_name(unit, role.telegram_user_id, with_id=True),
            role=t(language, ROLE_NAMES[RoleKind(role.kind)]),
        )
        for role in repo.roles_in(unit.session, wijk=wijk)
        if role.kind in {kind.value for kind in RoleKind}
    ]
    if not lines:
        return t(language, "buurtwerk.roles.none", wijk=wijk.name)
    return "\n".join([t(language, "buurtwerk.roles.list", wijk=wijk.name), *lines])


def team_wijk(unit: Unit, words: list[str], *, not_here: str, which_wijk: str) -> Wijk | str:
    """The wijk a buurtwerker's command is about: the team chat's, or in private chat the named
    one or the caller's only one. Otherwise the text to answer with (`not_here` in a residents'
    group or an unlinked group, `which_wijk` when they work in several)."""
    assert unit.caller is not None
    language = unit.language
    linked = buurtwerk.wijk_of_chat(unit.session, chat_id=unit.caller.chat_id)
    if linked is not None:
        return t(language, not_here) if linked[1] is ChatKind.GROUP else linked[0]
    if unit.caller.chat_id != unit.caller.user_id:
        return t(language, not_here)
    if words:
        try:
            return repo.find_wijk(unit.session, code_or_name=" ".join(words))
        except repo.NotFoundError:
            return t(language, "buurtwerk.link.unknown_wijk", wijk=" ".join(words))
    mine = buurtwerk.wijken_with_role(
        unit.session, telegram_user_id=unit.caller.user_id, kind=RoleKind.BUURTWERKER
    )
    if len(mine) == 1:
        return mine[0]
    # A resident who tries the command is not asked "which wijk?" only to hear no after.
    return t(language, which_wijk if _works_in_a_wijk(unit) else "buurtwerk.only_buurtwerkers")


def _works_in_a_wijk(unit: Unit) -> bool:
    """An owner, or a buurtwerker of at least one wijk (read from the database now)."""
    assert unit.caller is not None
    user_id = unit.caller.user_id
    return is_owner(unit, user_id) or bool(
        buurtwerk.wijken_with_role(
            unit.session, telegram_user_id=user_id, kind=RoleKind.BUURTWERKER
        )
    )
