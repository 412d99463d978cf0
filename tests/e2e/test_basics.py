"""/help, /taal and its language buttons, redelivered updates and crash reports.

/start and onboarding are tested in test_onboarding.py."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from telegram import Update

from bot.handlers import basics
from bot.harness import RunningBot
from botapi_emulator import SimChat, SimUser
from botapi_emulator.scenario import Scene
from storage import repo
from storage.db import session_scope
from storage.models import Resident, RoleKind
from tests.e2e.neighbours import NOW
from tests.storage.neighbourhood import add_wijk


async def test_pressing_a_language_stores_it_and_changes_the_answers(
    scene: Scene, running: RunningBot
) -> None:
    anna = scene.resident("Anna", language="nl")
    await anna.sends("/taal")
    choose = await anna.sees("In welke taal wil je berichten krijgen?")
    assert choose.buttons == [["✓ Nederlands", "English"]]
    answer = await anna.presses("English")
    assert answer.text is None or answer.text == ""
    confirmed = await anna.sees("I'll talk to you in English")
    assert confirmed.buttons == []
    with Session(running.engine) as session:
        resident = session.exec(select(Resident)).one()
    assert resident.language == "en"
    assert resident.telegram_user_id == anna.user.id
    await anna.sends("/help")
    help_text = await anna.sees("Here is what you can do")
    assert "/language — Choose language" in help_text.content


async def test_forged_language_button_changes_nothing(scene: Scene, running: RunningBot) -> None:
    anna = scene.resident("Anna", language="nl")
    await anna.sends("/start")  # so she is a resident
    await anna.sees("Welke taal")
    await anna.sends("/taal")
    choose = await anna.sees("In welke taal wil je berichten krijgen?")
    # Telegram clients can send any callback data; pretend one sent "lang:xx".
    update = Update.de_json(
        {
            "update_id": 900_000_001,
            "callback_query": {
                "id": "forged-1",
                "from": anna.user.to_api(),
                "chat_instance": "1",
                "data": "lang:xx",
                "message": choose.raw,
            },
        },
        running.application.bot,
    )
    await running.application.process_update(update)
    with Session(running.engine) as session:
        assert session.exec(select(Resident)).one().language == "nl"
    # The forged query id is unknown to the emulator, like an expired one at Telegram.
    assert any("query is too old" in error.description for error in running.emulator.errors)


async def test_a_redelivered_update_has_one_effect(scene: Scene, running: RunningBot) -> None:
    carla = scene.resident("Carla", language="nl")
    await carla.sends("/help")
    await carla.sees("Dit kun je doen")
    start = await running.emulator.send_text(carla.user, "/start")
    await carla.sees("Welke taal")
    # Telegram redelivers an update when the bot did not confirm it (a crash, a timeout).
    # Feed the same update id twice by hand: the second must change nothing.
    payload = {"update_id": 800_000_001, "message": start}
    for _ in range(2):
        await running.application.process_update(Update.de_json(payload, running.application.bot))
    welcomes = [m for m in running.emulator.messages(carla.chat_id) if "Welke taal" in m.content]
    assert len(welcomes) == 2, "one from the polled update, one from the first manual copy"
    with Session(running.engine) as session:
        assert len(session.exec(select(Resident)).all()) == 1


async def test_a_crashing_handler_is_reported_to_the_user_in_their_language(
    scene: Scene, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(language: str) -> list[object]:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(basics, "command_menu", broken)
    dana = scene.resident("Dana", language="en")
    await dana.sends("/help")
    sorry = await dana.sees("something went wrong")
    assert sorry.content.startswith("Sorry")


async def test_each_language_gets_its_own_command_names(scene: Scene, running: RunningBot) -> None:
    """English speakers see /ask, /nearby ... in the menu and in /help, and they work;
    Dutch speakers keep /vraag, /buurt ...; a phone in another language sees the default."""
    emily = scene.resident("Emily", language="en")
    anna = scene.resident("Anna", language="nl")
    kai = scene.resident("Kai", language="de")
    english = [c["command"] for c in scene.emulator.visible_commands(emily.user)]
    dutch = [c["command"] for c in scene.emulator.visible_commands(anna.user)]
    default = [c["command"] for c in scene.emulator.visible_commands(kai.user)]
    assert english[:6] == ["start", "ask", "offer", "nearby", "mine", "settings"]
    assert {"pause", "language", "mydata", "delete", "stop", "help"} <= set(english)
    assert dutch[:6] == ["start", "vraag", "aanbod", "buurt", "mijn", "instellingen"]
    assert default == dutch, "the default menu is in the bot's default language (nl)"
    await emily.sends("/help")
    help_text = await emily.sees("Here is what you can do")
    assert "/ask — Ask your neighbours for something" in help_text.content
    assert "/mydata — " in help_text.content
    assert "/onbehalf — " in help_text.content, "asking for a neighbour is for everyone"
    assert "/vraag" not in help_text.content
    assert "/mijngegevens" not in help_text.content
    await anna.sends("/help")
    hulp = await anna.sees("Dit kun je doen")
    assert "/vraag — Iets vragen aan je buren" in hulp.content
    assert "/namens — " in hulp.content
    assert "/ask" not in hulp.content
    await emily.sends("/ask")
    await emily.sees("choose your neighbourhood first. You can do that in /settings.")
    await emily.sends("/language")
    await emily.sees("Which language")


def grant(running: RunningBot, user: SimUser, kind: RoleKind, wijk_name: str) -> None:
    with session_scope(running.engine) as session:
        wijk = repo.find_wijk(session, code_or_name=wijk_name)
        repo.grant_role(session, telegram_user_id=user.id, kind=kind, wijk=wijk, now=NOW)


async def test_help_lists_role_commands_only_to_people_with_that_role(
    scene: Scene, running: RunningBot
) -> None:
    with session_scope(running.engine) as session:
        add_wijk(session, "Oost", NOW)
    anna = scene.resident("Anna", language="nl")
    olga = scene.resident("Olga", language="nl")
    willem = scene.resident("Willem", language="nl")
    wendy = scene.resident("Wendy", language="en")
    grant(running, olga.user, RoleKind.ORGANISER, "Oost")
    for worker in (willem, wendy):
        grant(running, worker.user, RoleKind.BUURTWERKER, "Oost")

    await anna.sends("/help")
    plain = (await anna.sees("Dit kun je doen")).content
    assert "/vraag — Iets vragen aan je buren" in plain
    for command in ("/activiteit", "/mijnactiviteiten", "/logboek", "/cijfers", "/koppel"):
        assert command not in plain, command
    assert "organisator" not in plain.lower()

    await olga.sends("/help")
    organiser = (await olga.sees("Dit kun je doen")).content
    assert "Voor organisatoren:\n/activiteit — Een activiteit aankondigen" in organiser
    assert "/mijnactiviteiten — " in organiser
    assert "/logboek" not in organiser

    await willem.sends("/help")
    listed = (await willem.sees("Dit kun je doen")).content
    assert "Voor buurtwerkers:\n/uitnodigen — " in listed
    for command in ("/rollen", "/logboek", "/signalen", "/cijfers", "/export"):
        assert f"\n{command} — " in listed, command
    assert "In de groep van de wijk werken ook: /koppel, /ontkoppel, /overzicht." in listed
    assert "/activiteit" not in listed

    await wendy.sends("/help")
    english = (await wendy.sees("Here is what you can do")).content
    assert "For community workers:\n/invite — " in english
    assert "\n/log — " in english
    assert "In the neighbourhood's group you can also use: /link, /unlink, /overview." in english
    assert "/logboek" not in english


async def test_help_in_a_group_tells_members_what_works_there_and_buurtwerkers_theirs(
    running: RunningBot,
) -> None:
    emulator = running.emulator
    willem, otto, anna = (emulator.add_user(name) for name in ("Willem", "Otto", "Anna"))
    group = emulator.add_group("Buren Oost", members=[anna, otto], admins=[willem])
    team = emulator.add_group("Team Oost", members=[otto], admins=[willem])
    loose = emulator.add_group("Zomaar een groep", members=[anna], admins=[willem])
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", NOW)
        add_wijk(session, "West", NOW)
        oost.group_chat_id, oost.team_chat_id = group.id, team.id
        session.add(oost)
    grant(running, willem, RoleKind.BUURTWERKER, "Oost")
    grant(running, otto, RoleKind.BUURTWERKER, "West")

    async def helped(user: SimUser, chat: SimChat, command: str = "/help") -> str:
        sent = await emulator.send_text(user, command, chat)
        answer = await emulator.wait_for_message(chat, "", after=sent["message_id"])
        return answer.content

    member = await helped(anna, group)
    assert member.startswith("Hier helpen buren in Oost elkaar met kleine dingen.")
    assert "https://t.me/buurtbot_test_bot?start=wijk_oost" in member
    assert "/meld — Een bericht melden" in member
    assert "/uitnodigen — De link om mee te doen in de wijk" in member
    assert "/koppel" not in member
    assert "buurtwerkers" not in member.lower()
    # A buurtwerker of another wijk is a member here.
    assert await helped(otto, group) == member
    worker = await helped(willem, group, "/help@buurtbot_test_bot")
    assert worker.startswith(member)
    assert "Voor buurtwerkers:\n/koppel — " in worker
    for command in ("/ontkoppel", "/rollen", "/overzicht"):
        assert f"\n{command} — " in worker, command
    assert "/logboek" not in worker, "the logbook is not read in the residents' group"

    team_help = await helped(willem, team)
    assert team_help.startswith("Dit is de chat van het wijkteam van Oost.")
    assert "\n/logboek — " in team_help
    assert "\n/koppel" not in team_help
    assert "/logboek" not in await helped(otto, team)

    unlinked = await helped(willem, loose)
    assert "koppelt deze groep aan een wijk" in unlinked
    assert "Voor buurtwerkers:\n/koppel — " in unlinked
    assert "Voor buurtwerkers" not in await helped(anna, loose)


async def test_an_unknown_command_gets_one_friendly_sentence_and_the_menu(
    scene: Scene, running: RunningBot
) -> None:
    anna = scene.resident("Anna", language="nl")
    # In the middle of a dialog it changes nothing: the dialog goes on (and says so).
    with session_scope(running.engine) as session:
        add_wijk(session, "Oost", NOW)
    await anna.sends("/start")
    await anna.sees("Welke taal past bij jou?")
    await anna.sends("/bestaatniet")
    await anna.sees("Je aanmelding loopt nog.")
    going_on = await anna.sees("Dat commando ken ik niet.")
    assert going_on.content == "Dat commando ken ik niet."
    assert going_on.buttons == [], "no menu that would lead away from the dialog"
    await anna.presses("✓ Nederlands")
    await anna.sees("In welke wijk woon je?")
    bram = scene.resident("Bram", language="nl")
    await bram.sends("/foo")
    unknown = await bram.sees("Dat commando ken ik niet.")
    assert unknown.content == "Dat commando ken ik niet. Kies iets in het menu, of typ /help."
    assert unknown.buttons[0] == ["🙋 Iets vragen", "🤝 Iets aanbieden"]
    emily = scene.resident("Emily", language="en")
    await emily.sends("/foo")
    await emily.sees("I don't know that command. Choose something from the menu, or type /help.")


async def test_in_a_group_only_commands_addressed_to_the_bot_get_an_answer(
    running: RunningBot,
) -> None:
    emulator = running.emulator
    anna = emulator.add_user("Anna")
    group = emulator.add_group("Buren", members=[anna])

    async def answers(text: str) -> list[str]:
        """The bot's messages after `text`, once /help@ (always answered) came after it."""
        sent = await emulator.send_text(anna, text, group)
        await emulator.send_text(anna, "/help@buurtbot_test_bot", group)
        await emulator.wait_for_message(group, "koppelt deze groep", after=sent["message_id"])
        after = [m for m in emulator.messages(group) if m.message_id > sent["message_id"]]
        return [m.content for m in after if m.from_bot][:-1]

    assert await answers("/foo") == [], "it may be another bot's command"
    assert await answers("/foo@een_andere_bot") == []
    assert await answers("/foo@buurtbot_test_bot") == [
        "Dat commando ken ik niet. Typ /help om te zien wat ik hier doe."
    ]
    assert await answers("/vraag@buurtbot_test_bot") == [
        "Dat doe je in een privégesprek met mij: https://t.me/buurtbot_test_bot"
    ]
