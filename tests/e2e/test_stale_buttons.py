"""Buttons whose data the bot does not know are answered, so no spinner keeps turning; dialogs
whose stored data no longer fits start over kindly."""

from __future__ import annotations

import pytest

from bot.harness import RunningBot
from botapi_emulator.scenario import Scene
from storage import repo
from storage.db import session_scope
from tests.e2e.neighbours import NOW, resident_for
from tests.e2e.posting_helpers import forge_press


@pytest.mark.parametrize("data", ["💥", "x" * 64, "inv", "inv:y:0", "mt:a:99999999999", "lang:fr"])
async def test_a_press_with_data_the_bot_never_wrote_is_answered_as_stale(
    scene: Scene, running: RunningBot, data: str
) -> None:
    anna = scene.resident("Anna", language="nl")
    await anna.sends("/taal")
    choose = await anna.sees("In welke taal wil je berichten krijgen?")
    answer = await forge_press(running, anna, choose, data)
    assert answer.text == "Deze knop werkt niet meer. Probeer het opnieuw."


async def test_a_stale_press_is_answered_in_the_persons_language(
    scene: Scene, running: RunningBot
) -> None:
    sam = scene.resident("Sam", language="en")
    await sam.sends("/taal")
    choose = await sam.sees("Which language")
    answer = await forge_press(running, sam, choose, "💥")
    assert answer.text == "This button no longer works. Please try again."


@pytest.mark.parametrize(
    ("flow", "data"),
    [
        ("post", {"kind": "nonsense"}),  # a value the model refuses
        ("post", {"kind": "request", "colour": "blue"}),  # a key no version of the bot wrote
        ("no-such-flow", {}),
    ],
)
async def test_a_dialog_whose_stored_data_no_longer_fits_starts_over_kindly(
    scene: Scene, running: RunningBot, flow: str, data: dict[str, object]
) -> None:
    anna = scene.resident("Anna", language="nl")
    resident_for(running, anna, None, NOW)
    with session_scope(running.engine) as session:
        repo.save_chat_state(
            session, chat_id=anna.chat_id, flow=flow, step="text", data=data, now=NOW
        )
    await anna.sends("Wie kan zaterdag mijn boodschappen doen?")
    await anna.sees("Dat gesprek was blijven hangen, dus ik ben opnieuw begonnen.")
    with session_scope(running.engine) as session:
        assert repo.get_chat_state(session, chat_id=anna.chat_id) is None
