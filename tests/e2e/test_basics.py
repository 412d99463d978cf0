"""/help, /taal and its language buttons, redelivered updates and crash reports.

/start and onboarding are tested in test_onboarding.py."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from telegram import Update

from bot.handlers import basics
from bot.harness import RunningBot
from botapi_emulator.scenario import Scene
from storage.models import Resident


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
    assert "/vraag" not in help_text.content
    assert "/mijngegevens" not in help_text.content
    await anna.sends("/help")
    hulp = await anna.sees("Dit kun je doen")
    assert "/vraag — Iets vragen aan je buren" in hulp.content
    assert "/ask" not in hulp.content
    await emily.sends("/ask")
    await emily.sees("choose your neighbourhood first. You can do that in /settings.")
    await emily.sends("/language")
    await emily.sees("Which language")
