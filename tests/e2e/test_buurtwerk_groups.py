"""A wijk's group through the emulator: the bot added, /koppel allowed and refused, members
welcomed with the join link, /uitnodigen, /rollen by reply and by id, /ontkoppel and the bot
removed, each logged; permissions re-checked in the database and with Telegram's admin list
(cached briefly); the logbook, signals and figures never answered in the residents' group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.handlers import buurtwerk as buurtwerk_handlers
from bot.harness import RunningBot
from bot.runner import perform
from bot.sender import deliver
from bot.services import buurtwerk as buurtwerk_services
from bot.services.buurtwerk import WELCOME_WAIT
from botapi_emulator import SimChat, SimUser
from botapi_emulator.state import MessageView
from storage.db import session_scope
from storage.models import AuditEntry, Role, RoleKind, Wijk
from tests.e2e.neighbours import NOW, Clock, bot_context
from tests.storage.neighbourhood import add_wijk


@dataclass
class Setting:
    willem: SimUser  # buurtwerker of Oost, admin of the group
    otto: SimUser  # admin of the group, no role
    anna: SimUser  # member
    group: SimChat
    oost_id: int
    west_id: int


@pytest.fixture
def setting(running: RunningBot) -> Setting:
    emulator = running.emulator
    willem = emulator.add_user("Willem")
    otto = emulator.add_user("Otto")
    anna = emulator.add_user("Anna")
    group = emulator.add_group("Buren Oost", members=[anna], admins=[willem, otto], with_bot=False)
    with session_scope(running.engine) as session:
        oost, west = add_wijk(session, "Oost", NOW), add_wijk(session, "West", NOW)
        assert oost.id is not None
        assert west.id is not None
        session.add(Role(telegram_user_id=willem.id, wijk_id=oost.id, kind=RoleKind.BUURTWERKER))
        session.add(Role(telegram_user_id=otto.id, wijk_id=west.id, kind=RoleKind.BUURTWERKER))
        return Setting(willem, otto, anna, group, oost.id, west.id)


def wijk(running: RunningBot, wijk_id: int) -> Wijk:
    with session_scope(running.engine) as session:
        found = session.get(Wijk, wijk_id)
        assert found is not None
        return found


def audit(running: RunningBot) -> list[tuple[str, int, int | None]]:
    with session_scope(running.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        return [(e.action, e.actor_telegram_id, e.subject_telegram_id) for e in entries]


def roles(running: RunningBot, wijk_id: int) -> set[tuple[int, str]]:
    with session_scope(running.engine) as session:
        found = session.exec(select(Role).where(Role.wijk_id == wijk_id)).all()
        return {(role.telegram_user_id, role.kind) for role in found}


async def says(running: RunningBot, user: SimUser, group: SimChat, text: str, answer: str) -> None:
    sent = await running.emulator.send_text(user, text, group)
    await running.emulator.wait_for_message(group, answer, after=sent["message_id"])


async def test_linking_is_for_a_group_admin_with_the_role(
    running: RunningBot, setting: Setting
) -> None:
    emulator, group = running.emulator, setting.group
    await emulator.add_bot_to_group(group, setting.willem)
    await emulator.wait_for_message(group, "koppelt deze groep aan een wijk")
    # A member without the role or admin rights, and an admin who is a buurtwerker elsewhere.
    await says(running, setting.anna, group, "/koppel Oost", "Dit kan een beheerder")
    await says(running, setting.otto, group, "/koppel Oost", "Dit kan een beheerder")
    await says(running, setting.willem, group, "/koppel Nergens", "Ik ken geen wijk die Nergens")
    assert wijk(running, setting.oost_id).group_chat_id is None
    await says(running, setting.willem, group, "/koppel Oost", "Deze groep hoort nu bij Oost.")
    assert wijk(running, setting.oost_id).group_chat_id == group.id
    # One group, one wijk: West cannot take it.
    running.settings.admins.append(setting.otto.id)
    await says(running, setting.otto, group, "/koppel West", "hoort al bij een wijk")
    assert wijk(running, setting.west_id).group_chat_id is None
    assert audit(running) == [("link_group", setting.willem.id, None)]


async def run_welcomes(running: RunningBot) -> int:
    """The group-welcomes job, run now (on the test's clock)."""
    context = bot_context(running)
    sent = await perform(context, None, buurtwerk_services.send_due_welcomes)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
    return sent


def welcomes(running: RunningBot, group: SimChat) -> list[MessageView]:
    return [
        m
        for m in running.emulator.messages(group.id)
        if m.from_bot and "Welkom aan iedereen die nieuw is in de groep!" in m.content
    ]


async def test_members_joining_in_one_minute_get_one_calm_welcome_with_the_join_link(
    running: RunningBot, setting: Setting, clock: Clock
) -> None:
    emulator, group = running.emulator, setting.group
    await emulator.add_bot_to_group(group, setting.willem)
    await says(running, setting.willem, group, "/koppel Oost", "hoort nu bij Oost")
    for second, name in enumerate(("Ben", "Cor", "Dirk", "Eva")):
        clock.now = NOW + timedelta(seconds=15 * second)
        await emulator.join_group(emulator.add_user(name), group)
        await emulator.wait_for(
            lambda: wijk(running, setting.oost_id).welcome_due_at is not None,
            5,
            what="the welcome planned",
        )
    await emulator.wait_until_idle()
    planned = wijk(running, setting.oost_id).welcome_due_at
    assert planned == NOW + timedelta(minutes=2)  # from the first join, not moved by the rest
    assert await run_welcomes(running) == 0  # not yet: more may join
    clock.now = planned
    assert await run_welcomes(running) == 1
    welcome = await emulator.wait_for_message(
        group, "Welkom aan iedereen die nieuw is in de groep!"
    )
    assert f"https://t.me/{emulator.bot_username}?start=wijk_oost" in welcome.content
    assert not any(name in welcome.content for name in ("Ben", "Cor", "Dirk", "Eva"))
    assert await run_welcomes(running) == 0
    await emulator.wait_until_idle()
    assert len(welcomes(running, group)) == 1
    # Someone joining later gets the next one.
    clock.now = planned + timedelta(minutes=10)
    await emulator.join_group(emulator.add_user("Fien"), group)
    await emulator.wait_for(
        lambda: wijk(running, setting.oost_id).welcome_due_at is not None, 5, what="planned"
    )
    clock.now += WELCOME_WAIT
    assert await run_welcomes(running) == 1
    await emulator.wait_for(lambda: len(welcomes(running, group)) == 2, 5, what="the second")
    await says(running, setting.anna, group, "/uitnodigen", "start=wijk_oost")


async def test_roles_by_reply_and_by_id_are_logged(running: RunningBot, setting: Setting) -> None:
    emulator, group = running.emulator, setting.group
    await emulator.add_bot_to_group(group, setting.willem)
    await says(running, setting.willem, group, "/koppel Oost", "hoort nu bij Oost")
    hello = await emulator.send_text(setting.anna, "/start", group)
    sent = await emulator.send_text(
        setting.willem, "/rollen toevoegen organisator", group, reply_to=hello["message_id"]
    )
    await emulator.wait_for_message(group, "is nu organisator in Oost", after=sent["message_id"])
    await says(
        running,
        setting.willem,
        group,
        f"/rollen toevoegen buurtwerker {setting.otto.id}",
        "is nu buurtwerker in Oost",
    )
    await says(running, setting.willem, group, "/rollen", "Rollen in Oost:")
    assert roles(running, setting.oost_id) == {
        (setting.willem.id, "buurtwerker"),
        (setting.anna.id, "organiser"),
        (setting.otto.id, "buurtwerker"),
    }
    # Anna is no buurtwerker: she can neither see nor change roles.
    await says(
        running,
        setting.anna,
        group,
        f"/rollen verwijderen buurtwerker {setting.willem.id}",
        "kunnen de buurtwerkers van de wijk",
    )
    await says(
        running,
        setting.willem,
        group,
        f"/rollen verwijderen buurtwerker {setting.otto.id}",
        "is geen buurtwerker meer in Oost",
    )
    assert (setting.otto.id, "buurtwerker") not in roles(running, setting.oost_id)
    assert [entry for entry in audit(running) if entry[0].startswith("role")] == [
        ("role_add_organiser", setting.willem.id, setting.anna.id),
        ("role_add_buurtwerker", setting.willem.id, setting.otto.id),
        ("role_remove_buurtwerker", setting.willem.id, setting.otto.id),
    ]


async def test_privately_a_buurtwerker_manages_roles_without_a_group(
    running: RunningBot, setting: Setting
) -> None:
    emulator = running.emulator
    anna = setting.anna.id
    await emulator.send_text(setting.willem, f"/rollen Oost toevoegen buurtwerker {anna}")
    await emulator.wait_for_message(setting.willem, "is nu buurtwerker in Oost")
    await emulator.send_text(setting.willem, f"/rollen West toevoegen buurtwerker {anna}")
    await emulator.wait_for_message(setting.willem, "kunnen de buurtwerkers van de wijk")
    assert (setting.anna.id, "buurtwerker") not in roles(running, setting.west_id)


async def test_group_commands_in_a_private_chat_say_where_they_work(
    running: RunningBot, setting: Setting
) -> None:
    emulator = running.emulator
    for command in ("/koppel Oost", "/ontkoppel", "/overzicht dagelijks 9"):
        sent = await emulator.send_text(setting.willem, command)
        await emulator.wait_for_message(
            setting.willem, "Dit werkt in de groep van een wijk.", after=sent["message_id"]
        )
    assert wijk(running, setting.oost_id).group_chat_id is None


async def test_unlinking_and_removal_leave_the_wijk_and_are_logged(
    running: RunningBot, setting: Setting
) -> None:
    emulator, group = running.emulator, setting.group
    await emulator.add_bot_to_group(group, setting.willem)
    await says(running, setting.willem, group, "/koppel Oost", "hoort nu bij Oost")
    await says(running, setting.anna, group, "/ontkoppel", "Dit kan een beheerder")
    await says(running, setting.willem, group, "/ontkoppel", "hoort niet meer bij Oost")
    assert wijk(running, setting.oost_id).group_chat_id is None
    # A team chat, linked by an owner of the bot who administers it.
    team = emulator.add_group("Team Oost", admins=[setting.otto], with_bot=False)
    running.settings.admins.append(setting.otto.id)
    await emulator.add_bot_to_group(team, setting.otto)
    await says(running, setting.otto, team, "/koppel Oost team", "chat van het wijkteam van Oost")
    assert wijk(running, setting.oost_id).team_chat_id == team.id
    await emulator.remove_bot_from_group(team, setting.otto)
    await emulator.wait_until_idle()

    def unlinked() -> bool:
        return wijk(running, setting.oost_id).team_chat_id is None

    await emulator.wait_for(unlinked, what="the team chat unlinked")
    assert wijk(running, setting.oost_id).name == "Oost"
    assert [entry[0] for entry in audit(running)] == [
        "link_group",
        "unlink_group",
        "link_team",
        "removed_team",
    ]


async def test_an_english_buurtwerker_uses_english_commands_and_words(
    running: RunningBot, setting: Setting
) -> None:
    """/link, /roles, /overview, /unlink with English arguments, answered in English naming
    the English spelling; the group's menus list each language's spellings."""
    emulator = running.emulator
    emily = emulator.add_user("Emily", language_code="en")
    group = emulator.add_group("Oost neighbours", members=[setting.anna], admins=[emily])
    with session_scope(running.engine) as session:
        session.add(
            Role(telegram_user_id=emily.id, wijk_id=setting.oost_id, kind=RoleKind.BUURTWERKER)
        )
    await says(running, emily, group, "/link", "for example /link Oost")
    await says(running, emily, group, "/link Oost", "This group now belongs to Oost.")
    assert wijk(running, setting.oost_id).group_chat_id == group.id
    await says(running, emily, group, "/invite", "start=wijk_oost")
    await says(
        running,
        emily,
        group,
        f"/roles add community worker {setting.otto.id}",
        "is now a community worker in Oost",
    )
    await says(running, emily, group, "/roles add helper 1", "/roles add worker 123456")
    await says(running, emily, group, "/overview daily 9", "every day in this group: 09:00")
    await says(running, emily, group, "/overview sometimes", "/overview daily 10")
    await says(running, emily, group, "/unlink", "This chat no longer belongs to Oost.")
    team = emulator.add_group("Team Oost", admins=[emily])
    await says(running, emily, team, "/link Oost team", "This chat is now the team chat of Oost")
    assert wijk(running, setting.oost_id).team_chat_id == team.id
    assert [action for action, _, _ in audit(running)] == [
        "link_group",
        "role_add_buurtwerker",
        "digest_setting",
        "unlink_group",
        "link_team",
    ]
    english = [c["command"] for c in emulator.visible_commands(emily, group)]
    dutch = [c["command"] for c in emulator.visible_commands(setting.willem, setting.group)]
    member = [c["command"] for c in emulator.visible_commands(setting.anna, group)]
    assert english[:5] == ["link", "unlink", "invite", "roles", "overview"]
    assert {"report", "log", "signals", "figures", "export"} <= set(english)
    assert dutch[:5] == ["koppel", "ontkoppel", "uitnodigen", "rollen", "overzicht"]
    assert member == ["meld", "uitnodigen"], "a member sees what works for them in a group"


def admin_lookups(running: RunningBot) -> int:
    calls = [e for e in running.emulator.events if e.kind == "call"]
    return sum(e.method == "getChatAdministrators" for e in calls)


async def test_the_admin_list_is_cached_briefly_and_read_again_after(
    running: RunningBot, setting: Setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, group, willem = running.emulator, setting.group, setting.willem
    await emulator.add_bot_to_group(group, willem)
    await says(running, willem, group, "/koppel Oost", "Deze groep hoort nu bij Oost.")
    await says(running, willem, group, "/overzicht dagelijks 9", "elke dag in deze groep: 09:00")
    assert admin_lookups(running) == 1  # one read for both commands
    # Willem is no admin of the group any more: once the cached list is old, he is refused.
    emulator.world.chats[group.id].members[willem.id] = "member"
    monkeypatch.setattr(buurtwerk_handlers, "ADMINS_CACHE_SECONDS", 0.0)
    await says(running, willem, group, "/overzicht uit", "Dit kan een beheerder")
    assert admin_lookups(running) == 2
    assert wijk(running, setting.oost_id).digest_mode == "daily"


async def test_the_logbook_signals_and_figures_stay_out_of_the_residents_group(
    running: RunningBot, setting: Setting
) -> None:
    emulator, group, willem = running.emulator, setting.group, setting.willem
    await emulator.add_bot_to_group(group, willem)
    await says(running, willem, group, "/koppel Oost", "Deze groep hoort nu bij Oost.")
    for command, answer in (
        ("/logboek", "Het logboek lees je in de chat van het wijkteam of privé met mij."),
        ("/logboek Oost 5", "Het logboek lees je in de chat van het wijkteam"),
        ("/signalen", "Signalen lees je in de chat van het wijkteam of privé met mij."),
        ("/cijfers", "Cijfers lees je in de chat van het wijkteam of privé met mij."),
        ("/export", "Cijfers lees je in de chat van het wijkteam"),
    ):
        await says(running, willem, group, command, answer)
    bot_texts = [m.content for m in emulator.messages(group) if m.from_bot]
    assert not any("Logboek van" in text or "Signalen in" in text for text in bot_texts)
    assert all(m.photo is None and m.document is None for m in emulator.messages(group))
