"""A live scene tells each bot message the moment it arrives and each edit as an edit, in the
order they happen; a message's reply keyboard and files are part of what it tells."""

from __future__ import annotations

import json

import telegram

from botapi_emulator import Emulator
from botapi_emulator.scenario import Scene, describe_file, location_buttons


async def test_a_live_scene_tells_messages_as_they_arrive_and_edits_as_edits(
    emu: Emulator, bot: telegram.Bot
) -> None:
    told: list[str] = []
    scene = Scene(emu, narrate=told.append)
    anna = scene.resident("Anna")
    bram = scene.resident("Bram")
    for person in (anna, bram):
        await emu.send_text(person.user, "/start")
    with scene.live():
        first = await bot.send_message(bram.chat_id, "Zin om te helpen?")
        await bot.send_message(
            anna.chat_id,
            "Wil je je locatie delen?",
            reply_markup=telegram.ReplyKeyboardMarkup(
                [
                    [telegram.KeyboardButton("📍 Deel mijn locatie", request_location=True)],
                    [telegram.KeyboardButton("Overslaan")],
                ]
            ),
        )
        scene.say("Anna shares a location")
        await bot.send_message(
            anna.chat_id, "Dank je!", reply_markup=telegram.ReplyKeyboardRemove()
        )
        await bot.edit_message_text("Al geregeld", chat_id=bram.chat_id, message_id=first.id)
        await bot.send_document(
            anna.chat_id, json.dumps({"a": 1}).encode(), filename="data.json", caption="Alles"
        )
    await bot.send_message(anna.chat_id, "After the scene")
    assert told == [
        "  Buurtbot → Bram: Zin om te helpen?",
        "  Buurtbot → Anna: Wil je je locatie delen?\n"
        "      keyboard: [📍 Deel mijn locatie]  [Overslaan]",
        "Anna shares a location",
        "  Buurtbot → Anna: Dank je!\n      (keyboard closed)",
        "  Buurtbot edits Bram: Al geregeld",
        "  Buurtbot → Anna: [file data.json, 8 bytes] Alles",
    ]
    asked = emu.messages(anna.chat_id)[0]
    assert location_buttons(asked) == ["📍 Deel mijn locatie"]
    assert describe_file({"file_name": "x.json", "file_size": 2150}) == "x.json, 2.1 KB"


async def test_held_news_is_told_after_the_line_that_announces_it_in_arrival_order(
    emu: Emulator, bot: telegram.Bot
) -> None:
    told: list[str] = []
    scene = Scene(emu, narrate=told.append)
    anna, bram, carla = (scene.resident(name) for name in ("Anna", "Bram", "Carla"))
    for person in (anna, bram, carla):
        await emu.send_text(person.user, "/start")
    with scene.live():
        with scene.holding([bram, carla]):
            await bot.send_message(anna.chat_id, "Geplaatst!")
            await bot.send_message(carla.chat_id, "Zin om te helpen?")
            await bot.send_message(bram.chat_id, "Zin om te helpen?")
            scene.tell_news(carla)  # looking does not tell held news either
            scene.say("Buurtbot invites: Carla, Bram")
        scene.say("after the block")
    assert told == [
        "  Buurtbot → Anna: Geplaatst!",
        "Buurtbot invites: Carla, Bram",
        "  Buurtbot → Carla: Zin om te helpen?",
        "  Buurtbot → Bram: Zin om te helpen?",
        "after the block",
    ]


async def test_each_action_first_waits_for_the_scene_to_settle(emu: Emulator) -> None:
    waits: list[str] = []

    async def settle() -> None:
        waits.append("settled")

    scene = Scene(emu, narrate=waits.append, settle=settle)
    anna = scene.resident("Anna")
    await anna.sends("/start")
    await anna.shares_location(52.35, 4.92)
    assert waits == ["settled", "Anna: /start", "settled", "Anna shares a location"]
