"""The simulation API: users, groups, privacy mode, buttons, inspection and waits."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import telegram

from botapi_emulator import (
    ButtonNotFoundError,
    Emulator,
    EmulatorTimeoutError,
    SimulationError,
    SimUser,
)
from tests.emulator.helpers import Api

KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Ja", "callback_data": "yes"}, {"text": "Nee", "callback_data": "no"}],
        [{"text": "Website", "url": "https://example.org"}],
    ]
}


@pytest.fixture
async def anna(emu: Emulator) -> SimUser:
    user = emu.add_user("Anna")
    await emu.send_text(user, "/start")
    return user


async def _updates(api: Api) -> list[dict[str, Any]]:
    """All pending updates, confirmed on the way out."""
    updates: list[dict[str, Any]] = await api.ok("getUpdates")
    if updates:
        await api.ok("getUpdates", offset=updates[-1]["update_id"] + 1)
    return updates


async def test_users_get_unique_ids_and_full_user_objects(emu: Emulator) -> None:
    anna = emu.add_user("Anna", language_code="nl", username="anna_b", last_name="Bakker")
    bram = emu.add_user("Bram", language_code=None)
    assert anna.id != bram.id
    assert anna.to_api() == {
        "id": anna.id,
        "is_bot": False,
        "first_name": "Anna",
        "last_name": "Bakker",
        "username": "anna_b",
        "language_code": "nl",
    }
    assert bram.to_api() == {"id": bram.id, "is_bot": False, "first_name": "Bram"}


async def test_command_entities(emu: Emulator, api: Api) -> None:
    anna = emu.add_user("Anna")
    message = await emu.send_text(anna, "👋 /start@buurtbot_test_bot wijk_abc /help")
    assert message["entities"] == [
        {"type": "bot_command", "offset": 3, "length": 24},
        {"type": "bot_command", "offset": 37, "length": 5},
    ]
    plain = await emu.send_text(anna, "geen/commando hier")
    assert "entities" not in plain


async def test_adding_and_removing_the_bot(emu: Emulator, api: Api) -> None:
    anna, bram = emu.add_user("Anna"), emu.add_user("Bram")
    group = emu.add_group("Straat", members=[anna, bram], admins=[anna], with_bot=False)
    assert group.type == "group"
    assert group.members == {anna.id: "creator", bram.id: "member"}
    await emu.add_bot_to_group(group, by=bram)
    added, service = await _updates(api)
    change = added["my_chat_member"]
    assert change["chat"] == {"id": group.id, "type": "group", "title": "Straat"}
    assert change["from"]["id"] == bram.id
    assert change["old_chat_member"]["status"] == "left"
    assert change["new_chat_member"] == {"status": "member", "user": emu.world.bot_user}
    assert service["message"]["new_chat_members"] == [emu.world.bot_user]
    await emu.remove_bot_from_group(group, by=anna)
    removed, farewell = await _updates(api)
    assert removed["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert farewell["message"]["left_chat_member"]["id"] == emu.bot_id
    await emu.send_text(anna, "/start", chat=group)  # stored, but the bot cannot see it
    assert emu.pending_updates == 0
    assert [m.text for m in emu.history(group)][-1] == "/start"
    with pytest.raises(SimulationError, match="not in"):
        await emu.remove_bot_from_group(group, by=anna)


async def test_privacy_mode_in_groups(emu: Emulator, api: Api) -> None:
    anna = emu.add_user("Anna")
    group = emu.add_group("Buurt", members=[anna])
    bot_message = await api.ok("sendMessage", chat_id=group.id, text="Hallo buurt")
    await emu.send_text(anna, "gewoon kletsen", chat=group)
    await emu.send_text(anna, "/vraag@andere_bot", chat=group)
    await emu.send_text(anna, "/vraag@buurtbot_test_bot fiets", chat=group)
    await emu.send_text(anna, "/hulp", chat=group)
    await emu.send_text(anna, "antwoord", chat=group, reply_to=bot_message["message_id"])
    await emu.send_location(anna, 52.1, 5.1, chat=group)
    texts = [u["message"].get("text") for u in await _updates(api)]
    assert texts == ["/vraag@buurtbot_test_bot fiets", "/hulp", "antwoord"]
    reasons = [e.data["reason"] for e in emu.events if e.method == "not_delivered"]
    assert len(reasons) == 3
    assert all("privacy mode" in reason for reason in reasons)


async def test_without_privacy_mode_the_bot_sees_everything(http: httpx.AsyncClient) -> None:
    async with Emulator(privacy_mode=False) as emu:
        anna = emu.add_user("Anna")
        group = emu.add_group("Buurt", members=[anna])
        await emu.send_text(anna, "gewoon kletsen", chat=group)
        assert emu.pending_updates == 1
        me = (await http.get(f"{emu.base_url}{emu.token}/getMe")).json()["result"]
        assert me["can_read_all_group_messages"] is True


async def test_an_admin_bot_sees_everything(emu: Emulator) -> None:
    anna = emu.add_user("Anna")
    group = emu.add_group("Buurt", members=[anna], bot_admin=True)
    await emu.send_text(anna, "gewoon kletsen", chat=group)
    assert emu.pending_updates == 1


async def test_members_only(emu: Emulator) -> None:
    anna, bram = emu.add_user("Anna"), emu.add_user("Bram")
    group = emu.add_group("Buurt", members=[anna])
    with pytest.raises(SimulationError, match="Bram is not a member"):
        await emu.send_text(bram, "hoi", chat=group)
    with pytest.raises(SimulationError, match="only in their own chat"):
        await emu.send_text(bram, "hoi", chat=anna)
    join = await emu.join_group(bram, group)
    assert join["new_chat_members"][0]["id"] == bram.id
    await emu.send_text(bram, "/hoi", chat=group)


async def test_blocked_users_cannot_write(emu: Emulator, anna: SimUser) -> None:
    await emu.block_bot(anna)
    assert emu.is_blocked(anna)
    with pytest.raises(SimulationError, match="blocked the bot"):
        await emu.send_text(anna, "hallo?")
    await emu.unblock_bot(anna)
    await emu.send_text(anna, "/start")


async def test_pressing_buttons(emu: Emulator, api: Api, anna: SimUser) -> None:
    sent = await api.ok("sendMessage", chat_id=anna.id, text="Kies", reply_markup=KEYBOARD)
    view = emu.last_message(anna)
    assert view is not None
    assert view.buttons == [["Ja", "Nee"], ["Website"]]
    by_label = await emu.press_button(anna, view, "Nee")
    by_data = await emu.press_button(anna, sent, "yes")
    queries = [u["callback_query"] for u in await _updates(api) if "callback_query" in u]
    assert [(q["id"], q["data"]) for q in queries] == [(by_label, "no"), (by_data, "yes")]
    assert queries[0]["message"]["message_id"] == sent["message_id"]
    assert queries[0]["chat_instance"] == queries[1]["chat_instance"]


async def test_pressing_a_button_that_is_not_there(emu: Emulator, api: Api, anna: SimUser) -> None:
    sent = await api.ok("sendMessage", chat_id=anna.id, text="Kies", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    with pytest.raises(ButtonNotFoundError, match=r"no button 'Misschien'.*\[Ja\|cb=yes\]"):
        await emu.press_button(anna, mid, "Misschien")
    with pytest.raises(ButtonNotFoundError, match="not a callback button"):
        await emu.press_button(anna, mid, "Website")
    await api.ok("editMessageText", chat_id=anna.id, message_id=mid, text="Gekozen")
    with pytest.raises(ButtonNotFoundError, match="no button 'Ja'"):
        await emu.press_button(anna, mid, "Ja")  # the edit removed the keyboard
    with pytest.raises(ButtonNotFoundError, match="is not a bot message"):
        await emu.press_button(anna, 1, "Ja")
    await api.ok("deleteMessage", chat_id=anna.id, message_id=mid)
    with pytest.raises(ButtonNotFoundError, match="was deleted"):
        await emu.press_button(anna, mid, "Ja")
    assert emu.pending_updates == 1  # only her /start: no callback query was queued


async def test_views_are_snapshots(emu: Emulator, api: Api, anna: SimUser) -> None:
    sent = await api.ok("sendMessage", chat_id=anna.id, text="Eerst")
    before = emu.last_message(anna)
    await api.ok("editMessageText", chat_id=anna.id, message_id=sent["message_id"], text="Daarna")
    after = emu.last_message(anna)
    assert before is not None
    assert after is not None
    assert (before.text, after.text, after.edit_count) == ("Eerst", "Daarna", 1)
    assert after.raw["text"] == "Daarna"


async def test_user_photo_can_be_downloaded_by_the_bot(
    emu: Emulator, api: Api, anna: SimUser
) -> None:
    message = await emu.send_photo(anna, caption="Mijn fiets")
    biggest = message["photo"][-1]
    assert (biggest["width"], biggest["height"]) == (640, 480)
    assert message["caption"] == "Mijn fiets"
    file = await api.ok("getFile", file_id=biggest["file_id"])
    response = await api.http.get(f"{emu.base_file_url}{emu.token}/{file['file_path']}")
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")
    location = await emu.send_location(anna, 52.37, 4.89)
    assert location["location"] == {"latitude": 52.37, "longitude": 4.89}


async def test_wait_for_message_returns_as_soon_as_it_exists(
    emu: Emulator, api: Api, anna: SimUser
) -> None:
    first = await api.ok("sendMessage", chat_id=anna.id, text="Hallo")

    async def bot_replies_soon() -> None:
        await asyncio.sleep(0.05)
        await api.ok("sendMessage", chat_id=anna.id, text="Hallo opnieuw")

    replier = asyncio.create_task(bot_replies_soon())
    started = time.monotonic()
    found = await emu.wait_for_message(anna, contains="Hallo", after=first["message_id"])
    await replier
    assert found.text == "Hallo opnieuw"
    assert time.monotonic() - started < 2
    existing = await emu.wait_for_message(anna, contains="Hallo", timeout=0)
    assert existing.message_id == first["message_id"]


async def test_timeouts_raise_with_a_readable_transcript(
    emu: Emulator, api: Api, anna: SimUser
) -> None:
    await api.ok("sendMessage", chat_id=anna.id, text="Iets anders", reply_markup=KEYBOARD)
    await api.error("sendMessage", chat_id=anna.id, text="<x>", parse_mode="HTML")
    with pytest.raises(EmulatorTimeoutError) as caught:
        await emu.wait_for_message(anna, contains="Welkom", timeout=0.1)
    report = str(caught.value)
    assert isinstance(caught.value, AssertionError)
    assert "waiting for a bot message containing 'Welkom'" in report
    assert "#1 Anna: '/start'" in report
    assert (
        "#2 bot: 'Iets anders' [Ja|cb=yes] [Nee|cb=no] [Website|url=https://example.org]" in report
    )
    assert (
        'sendMessage: 400 Bad Request: can\'t parse entities: Unsupported start tag "x"' in report
    )
    query_id = await emu.press_button(anna, 2, "Ja")
    with pytest.raises(EmulatorTimeoutError, match="an answer to callback query"):
        await emu.wait_for_callback_answer(query_id, timeout=0.05)


async def test_wait_until_idle(emu: Emulator, api: Api, anna: SimUser) -> None:
    assert emu.pending_updates == 1
    with pytest.raises(EmulatorTimeoutError):
        await emu.wait_until_idle(timeout=0.05)
    (update,) = await api.ok("getUpdates")
    waiter = asyncio.create_task(emu.wait_until_idle(timeout=5))
    await api.ok("getUpdates", offset=update["update_id"] + 1)
    await waiter
    assert emu.pending_updates == 0


async def test_peek_last_gives_the_newest_live_text_and_buttons(emu: Emulator) -> None:
    anna = emu.add_user("Anna")
    await emu.send_text(anna, "/start")
    assert emu.peek_last(anna) is None
    bot = telegram.Bot(emu.token, base_url=emu.base_url)
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Ja", callback_data="y")]]
    )
    first = await bot.send_message(anna.id, "<b>Hoi</b>", parse_mode="HTML")
    second = await bot.send_message(anna.id, "Klopt dat?", reply_markup=keyboard)
    assert emu.peek_last(anna) == ("Klopt dat?", ("Ja",))
    await bot.delete_message(anna.id, second.message_id)
    assert emu.peek_last(anna) == ("Hoi", ())
    assert first.text == "Hoi"


async def test_watch_chats_collects_the_chats_that_changed(emu: Emulator, api: Api) -> None:
    anna = emu.add_user("Anna")
    bram = emu.add_user("Bram")
    await emu.send_text(anna, "/start")
    await emu.send_text(bram, "/start")
    with emu.watch_chats() as watch:
        assert watch.take() == set()
        sent = await api.ok("sendMessage", chat_id=anna.id, text="Hoi", reply_markup=KEYBOARD)
        assert watch.take() == {anna.id}
        assert watch.take() == set()
        message_id = sent["message_id"]
        await api.ok(
            "editMessageText",
            chat_id=anna.id,
            message_id=message_id,
            text="Ho",
            reply_markup=KEYBOARD,
        )
        await emu.send_text(bram, "hallo")
        assert watch.take() == {anna.id, bram.id}
        query_id = await emu.press_button(anna, message_id, "Ja")
        watch.take()
        await api.ok("answerCallbackQuery", callback_query_id=query_id)
        assert watch.take() == {anna.id}
        await api.ok("deleteMessage", chat_id=anna.id, message_id=message_id)
        assert watch.take() == {anna.id}
    await api.ok("sendMessage", chat_id=bram.id, text="Hoi")
    assert watch.take() == set()  # closed: nothing collected any more
