"""The Bot API over raw HTTP: encodings, response shapes and every strictness rule."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from botapi_emulator import Emulator, Limits, SimUser
from tests.emulator.helpers import Api, FakeClock

KEYBOARD = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}


@pytest.fixture
async def anna(emu: Emulator) -> SimUser:
    """A user who has written to the bot, so the bot may write to her."""
    user = emu.add_user("Anna", username="anna")
    await emu.send_text(user, "/start")
    return user


# -- transport ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["getMe", "getme", "GETME"])
async def test_method_names_are_case_insensitive(api: Api, method: str) -> None:
    me = await api.ok(method)
    assert me["is_bot"] is True
    assert me["username"] == "buurtbot_test_bot"
    assert me["can_join_groups"] is True
    assert me["can_read_all_group_messages"] is False
    assert me["supports_inline_queries"] is False


async def test_json_form_multipart_and_query_bodies(
    emu: Emulator, http: httpx.AsyncClient, anna: SimUser
) -> None:
    url = f"{emu.base_url}{emu.token}/sendMessage"
    markup = json.dumps(KEYBOARD)
    form = {"chat_id": str(anna.id), "text": "form", "reply_markup": markup}
    responses = [
        await http.post(url, json={"chat_id": anna.id, "text": "json", "reply_markup": KEYBOARD}),
        await http.post(url, data=form),
        await http.post(url, data={**form, "text": "multipart"}, files={"x": ("x", b"")}),
        await http.get(url, params={**form, "text": "query"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert [m.text for m in emu.messages(anna)] == ["json", "form", "multipart", "query"]
    assert all(m.reply_markup == KEYBOARD for m in emu.messages(anna))


async def test_tokens(emu: Emulator, http: httpx.AsyncClient, api: Api) -> None:
    malformed = await http.post(f"{emu.base_url}123:short/getMe")
    assert malformed.status_code == 401
    assert malformed.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    await api.ok("getMe")  # binds the emulator to this token
    other = await http.post(f"{emu.base_url}999:AAAAAAAAAAAAAAAAAAAAAAAAAAAA/getMe")
    assert other.status_code == 401


async def test_any_well_formed_token_binds_and_sets_the_bot_id(http: httpx.AsyncClient) -> None:
    async with Emulator() as emu:
        response = await http.get(f"{emu.base_url}4242424242:EMULATOR-token-for-local-tests/getMe")
        assert response.json()["result"]["id"] == 4242424242
        assert emu.bot_id == 4242424242


async def test_unknown_method_is_404(api: Api) -> None:
    assert await api.error("sendSticker", chat_id=1) == (404, "Not Found")


async def test_calls_and_errors_are_logged(emu: Emulator, api: Api) -> None:
    await api.ok("getMe")
    await api.error("sendMessage", chat_id=1, text="x")
    calls = [e.method for e in emu.events if e.kind == "call"]
    assert calls == ["getMe", "sendMessage"]
    assert [(e.method, e.error_code, e.description) for e in emu.errors] == [
        ("sendMessage", 400, "Bad Request: chat not found")
    ]


# -- sendMessage rules -------------------------------------------------------------------------


async def test_message_shape(api: Api, anna: SimUser, emu: Emulator) -> None:
    sent = await api.ok("sendMessage", chat_id=anna.id, text="<b>Hoi</b> 👋", parse_mode="HTML")
    assert isinstance(sent["date"], int)
    assert sent["message_id"] == 2  # her /start was #1: ids are per chat
    assert sent["chat"] == {
        "id": anna.id,
        "type": "private",
        "first_name": "Anna",
        "username": "anna",
    }
    assert sent["from"]["is_bot"] is True
    assert sent["text"] == "Hoi 👋"
    assert sent["entities"] == [{"offset": 0, "length": 3, "type": "bold"}]
    view = emu.last_message(anna)
    assert view is not None
    assert (view.text, view.html) == ("Hoi 👋", "<b>Hoi</b> 👋")


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": ""}, "Bad Request: message text is empty"),
        ({"text": " \n "}, "Bad Request: message text is empty"),
        ({}, "Bad Request: message text is empty"),
        ({"text": "<b> </b>", "parse_mode": "HTML"}, "Bad Request: message text is empty"),
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        (
            {"text": "a < b", "parse_mode": "HTML"},
            'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
        ),
        (
            {"text": "<b>vet", "parse_mode": "HTML"},
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        ({"text": "x", "parse_mode": "Fancy"}, "Bad Request: unsupported parse_mode"),
        ({"text": "x", "reply_to_message_id": 99}, "Bad Request: message to be replied not found"),
    ],
)
async def test_send_message_bad_requests(
    api: Api, anna: SimUser, params: dict[str, object], description: str
) -> None:
    assert await api.error("sendMessage", chat_id=anna.id, **params) == (400, description)


async def test_length_is_measured_after_entity_parsing(api: Api, anna: SimUser) -> None:
    bold = await api.ok(
        "sendMessage", chat_id=anna.id, text=f"<b>{'x' * 4096}</b>", parse_mode="HTML"
    )
    assert len(bold["text"]) == 4096
    amps = await api.ok("sendMessage", chat_id=anna.id, text="&amp;" * 4096, parse_mode="HTML")
    assert amps["text"] == "&" * 4096


async def test_reply_to_a_message(api: Api, anna: SimUser) -> None:
    sent = await api.ok("sendMessage", chat_id=anna.id, text="ok", reply_to_message_id=1)
    assert sent["reply_to_message"]["text"] == "/start"
    lenient = {"message_id": 99, "allow_sending_without_reply": True}
    sent = await api.ok("sendMessage", chat_id=anna.id, text="ok", reply_parameters=lenient)
    assert "reply_to_message" not in sent


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        ({"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "x", "callback_data": "é" * 33}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "x"}]]}, "BUTTON_DATA_INVALID"),
        (
            {"inline_keyboard": [[{"text": "x", "callback_data": "a", "url": "https://x"}]]},
            "BUTTON_DATA_INVALID",
        ),
        ({"inline_keyboard": [{"text": "x", "callback_data": "a"}]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"callback_data": "a"}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [["x"]]}, "BUTTON_DATA_INVALID"),
        (
            {"inline_keyboard": [[{"text": "x", "url": "javascript:alert(1)"}]]},
            "BUTTON_URL_INVALID",
        ),
        (
            {"keyboard": [["a"]], "inline_keyboard": []},
            "can't parse reply keyboard markup JSON object",
        ),
        ("not json", "can't parse reply keyboard markup JSON object"),
    ],
)
async def test_reply_markup_validation(
    api: Api, anna: SimUser, emu: Emulator, markup: object, description: str
) -> None:
    result = await api.error("sendMessage", chat_id=anna.id, text="x", reply_markup=markup)
    assert result == (400, f"Bad Request: {description}")
    assert emu.errors[-1].description == f"Bad Request: {description}"


async def test_callback_data_limit_is_64_utf8_bytes(api: Api, anna: SimUser) -> None:
    markup = {"inline_keyboard": [[{"text": "é", "callback_data": "é" * 32}]]}
    sent = await api.ok("sendMessage", chat_id=anna.id, text="x", reply_markup=markup)
    assert sent["reply_markup"] == markup


async def test_reply_keyboard_is_recorded_but_not_returned(
    api: Api, anna: SimUser, emu: Emulator
) -> None:
    keyboard = {"keyboard": [[{"text": "Deel locatie", "request_location": True}]]}
    sent = await api.ok("sendMessage", chat_id=anna.id, text="Waar?", reply_markup=keyboard)
    assert "reply_markup" not in sent
    view = emu.last_message(anna)
    assert view is not None
    assert view.reply_keyboard == keyboard


async def test_chat_permissions(emu: Emulator, api: Api) -> None:
    bram = emu.add_user("Bram")
    assert await api.error("sendMessage", chat_id=-12345, text="x") == (
        400,
        "Bad Request: chat not found",
    )
    assert await api.error("sendMessage", chat_id=bram.id, text="x") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    await emu.send_text(bram, "/start")
    await emu.block_bot(bram)
    for method, extra in [
        ("sendMessage", {"text": "x"}),
        ("sendChatAction", {"action": "typing"}),
    ]:
        assert await api.error(method, chat_id=bram.id, **extra) == (
            403,
            "Forbidden: bot was blocked by the user",
        )
    await emu.unblock_bot(bram)
    await api.ok("sendMessage", chat_id=bram.id, text="welkom terug")


async def test_group_membership_errors(emu: Emulator, api: Api) -> None:
    anna = emu.add_user("Anna")
    outside = emu.add_group("Buiten", members=[anna], with_bot=False)
    assert await api.error("sendMessage", chat_id=outside.id, text="x") == (
        403,
        "Forbidden: bot is not a member of the group chat",
    )
    inside = emu.add_group("Binnen", members=[anna], supergroup=True)
    await api.ok("sendMessage", chat_id=inside.id, text="hallo groep")
    await emu.remove_bot_from_group(inside, by=anna)
    assert await api.error("sendMessage", chat_id=inside.id, text="x") == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )
    assert await api.error("getChat", chat_id=inside.id) == (
        403,
        "Forbidden: bot was kicked from the supergroup chat",
    )


# -- edits, deletions, callback answers --------------------------------------------------------


async def test_edits_and_deletions_show_in_messages(
    api: Api, anna: SimUser, emu: Emulator
) -> None:
    sent = await api.ok("sendMessage", chat_id=anna.id, text="Kies", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    edited = await api.ok(
        "editMessageText",
        chat_id=anna.id,
        message_id=mid,
        text="<i>Gekozen</i>",
        parse_mode="HTML",
    )
    assert isinstance(edited["edit_date"], int)
    assert "reply_markup" not in edited  # an edit without reply_markup drops the keyboard
    view = emu.messages(anna)[-1]
    assert (view.text, view.html, view.reply_markup, view.edit_count) == (
        "Gekozen",
        "<i>Gekozen</i>",
        None,
        1,
    )
    await api.ok("editMessageReplyMarkup", chat_id=anna.id, message_id=mid, reply_markup=KEYBOARD)
    assert emu.messages(anna)[-1].buttons == [["Ja"]]
    assert await api.ok("deleteMessage", chat_id=anna.id, message_id=mid) is True
    assert emu.messages(anna)[-1].deleted
    assert emu.last_message(anna) is None


async def test_edit_and_delete_errors(api: Api, anna: SimUser) -> None:
    sent = await api.ok("sendMessage", chat_id=anna.id, text="Zelfde", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    not_modified = (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    same = {"chat_id": anna.id, "message_id": mid, "text": "Zelfde", "reply_markup": KEYBOARD}
    assert await api.error("editMessageText", **same) == (400, not_modified)
    assert await api.error(
        "editMessageReplyMarkup", chat_id=anna.id, message_id=mid, reply_markup=KEYBOARD
    ) == (400, not_modified)
    assert await api.error("editMessageText", chat_id=anna.id, message_id=99, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    assert await api.error("editMessageText", chat_id=anna.id, message_id=1, text="x") == (
        400,
        "Bad Request: message can't be edited",
    )
    await api.ok("deleteMessage", chat_id=anna.id, message_id=mid)
    for _ in range(2):
        assert await api.error("deleteMessage", chat_id=anna.id, message_id=mid) == (
            400,
            "Bad Request: message to delete not found",
        )
    assert await api.error("editMessageText", chat_id=anna.id, message_id=mid, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )


async def test_deleting_group_messages_needs_admin_rights_and_a_recent_message(
    emu: Emulator, api: Api
) -> None:
    anna = emu.add_user("Anna")
    member = emu.add_group("Lid", members=[anna], supergroup=True)
    admin = emu.add_group("Beheerder", members=[anna], supergroup=True, bot_admin=True)
    in_member = await emu.send_text(anna, "hallo", member)
    assert await api.error(
        "deleteMessage", chat_id=member.id, message_id=in_member["message_id"]
    ) == (400, "Bad Request: message can't be deleted")
    old = await emu.send_text(anna, "van eergisteren", admin)
    recent = await emu.send_text(anna, "van net", admin)
    emu.world.chats[admin.id].messages[old["message_id"]].date -= 48 * 3600
    assert await api.error("deleteMessage", chat_id=admin.id, message_id=old["message_id"]) == (
        400,
        "Bad Request: message can't be deleted for everyone",
    )
    assert await api.ok("deleteMessage", chat_id=admin.id, message_id=recent["message_id"])
    assert [m.deleted for m in emu.history(admin)] == [False, True]


async def test_callback_answers(api: Api, anna: SimUser, emu: Emulator) -> None:
    sent = await api.ok("sendMessage", chat_id=anna.id, text="Kies", reply_markup=KEYBOARD)
    query_id = await emu.press_button(anna, sent["message_id"], "Ja")
    invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert await api.error("answerCallbackQuery", callback_query_id="123") == (400, invalid)
    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Top", show_alert=True)
    answer = await emu.wait_for_callback_answer(query_id, timeout=1)
    assert (answer.text, answer.show_alert) == ("Top", True)
    assert await api.error("answerCallbackQuery", callback_query_id=query_id) == (400, invalid)


# -- flood control -----------------------------------------------------------------------------


async def test_too_many_requests(emu: Emulator, api: Api, anna: SimUser, clock: FakeClock) -> None:
    emu.set_limits(Limits(per_chat_burst=2))
    await api.ok("sendMessage", chat_id=anna.id, text="1")
    await api.ok("sendMessage", chat_id=anna.id, text="2")
    status, body = await api("sendMessage", chat_id=anna.id, text="3")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert [m.text for m in emu.messages(anna)] == ["1", "2"]
    await api.ok("editMessageText", chat_id=anna.id, message_id=2, text="edits are free")
    clock.advance(1)
    await api.ok("sendMessage", chat_id=anna.id, text="3")


# -- getUpdates --------------------------------------------------------------------------------


async def test_offset_confirms_and_unconfirmed_updates_come_back(api: Api, emu: Emulator) -> None:
    anna = emu.add_user("Anna")
    for text in ("een", "twee", "drie"):
        await emu.send_text(anna, text)
    first = await api.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["een", "twee"]
    again = await api.ok("getUpdates")
    assert [u["message"]["text"] for u in again] == ["een", "twee", "drie"]
    rest = await api.ok("getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["drie"]
    assert emu.pending_updates == 1
    assert await api.ok("getUpdates", offset=rest[-1]["update_id"] + 1) == []
    assert emu.pending_updates == 0
    # Confirmed means gone for good, even for an old offset.
    assert await api.ok("getUpdates", offset=1) == []


async def test_update_ids_grow_across_emulator_restarts() -> None:
    first_ids = []
    for _ in range(2):
        async with Emulator() as emu:
            await emu.send_text(emu.add_user("Anna"), "hallo")
            first_ids.append(emu.world.updates.pending[0].update_id)
    assert 0 < first_ids[0] < first_ids[1] < 2**31
    async with Emulator(first_update_id=1) as emu:
        await emu.send_text(emu.add_user("Anna"), "hallo")
        assert emu.world.updates.pending[0].update_id == 1


async def test_negative_offset_keeps_only_the_newest(api: Api, emu: Emulator) -> None:
    anna = emu.add_user("Anna")
    for text in ("een", "twee", "drie"):
        await emu.send_text(anna, text)
    newest = await api.ok("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in newest] == ["drie"]
    assert emu.pending_updates == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(api: Api, emu: Emulator) -> None:
    anna = emu.add_user("Anna")

    async def user_writes_soon() -> None:
        await asyncio.sleep(0.1)
        await emu.send_text(anna, "hallo")

    writer = asyncio.create_task(user_writes_soon())
    started = time.monotonic()
    updates = await api.ok("getUpdates", timeout=5)
    elapsed = time.monotonic() - started
    await writer
    assert [u["message"]["text"] for u in updates] == ["hallo"]
    assert 0.05 < elapsed < 2


async def test_long_poll_waits_for_the_timeout(api: Api) -> None:
    started = time.monotonic()
    assert await api.ok("getUpdates", timeout=0.3) == []
    assert 0.25 < time.monotonic() - started < 2


async def test_a_second_poller_terminates_the_first(api: Api, emu: Emulator) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=5))
    await emu.wait_for(
        lambda: any(e.method == "getUpdates" for e in emu.events), what="the first long poll"
    )
    assert await api.ok("getUpdates", timeout=0) == []
    status, body = await first
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )


def _kinds(updates: list[dict[str, object]]) -> list[str]:
    return [next(key for key in update if key != "update_id") for update in updates]


async def test_allowed_updates(api: Api, emu: Emulator, anna: SimUser) -> None:
    start = await api.ok("getUpdates", allowed_updates=["message"])
    offset = start[-1]["update_id"] + 1
    sent = await api.ok("sendMessage", chat_id=anna.id, text="Kies", reply_markup=KEYBOARD)
    await emu.press_button(anna, sent["message_id"], "Ja")  # dropped: not allowed
    await emu.send_text(anna, "tekst")
    updates = await api.ok("getUpdates", offset=offset)
    assert _kinds(updates) == ["message"]
    offset = updates[-1]["update_id"] + 1
    await api.ok("getUpdates", offset=offset, allowed_updates=[])  # back to the default set
    await emu.press_button(anna, sent["message_id"], "Ja")
    assert _kinds(await api.ok("getUpdates", offset=offset)) == ["callback_query"]
