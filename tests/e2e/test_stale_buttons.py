"""Buttons whose data the bot does not know are answered, so no spinner keeps turning."""

from __future__ import annotations

import pytest

from bot.harness import RunningBot
from botapi_emulator.scenario import Scene
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
