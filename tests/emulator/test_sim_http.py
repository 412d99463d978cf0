"""The simulation API over HTTP (/sim), as a separate process would drive it."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest

from botapi_emulator import Emulator, make_png
from tests.emulator.helpers import Api


class Sim:
    def __init__(self, emu: Emulator, http: httpx.AsyncClient) -> None:
        self.url = emu.sim_url
        self.http = http

    async def post(self, path: str, **body: Any) -> tuple[int, dict[str, Any]]:
        response = await self.http.post(f"{self.url}{path}", json=body)
        return response.status_code, response.json()

    async def get(self, path: str, **query: Any) -> tuple[int, dict[str, Any]]:
        response = await self.http.get(f"{self.url}{path}", params=query)
        return response.status_code, response.json()

    async def ok(self, method: str, path: str, **body: Any) -> Any:
        status, reply = await (
            self.post(path, **body) if method == "POST" else self.get(path, **body)
        )
        assert status == 200, reply
        return reply["result"]


@pytest.fixture
def sim(emu: Emulator, http: httpx.AsyncClient) -> Sim:
    return Sim(emu, http)


async def test_a_conversation_over_http(sim: Sim, api: Api) -> None:
    anna = await sim.ok("POST", "/users", first_name="Anna", language_code="en")
    message = await sim.ok("POST", "/send_text", user_id=anna["id"], text="/start")
    assert message["entities"][0]["type"] == "bot_command"
    (update,) = await api.ok("getUpdates")
    assert update["message"]["text"] == "/start"
    keyboard = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}

    async def bot_replies_soon() -> None:
        await asyncio.sleep(0.05)
        await api.ok(
            "sendMessage",
            chat_id=anna["id"],
            text="<b>Welkom</b>",
            parse_mode="HTML",
            reply_markup=keyboard,
        )

    replier = asyncio.create_task(bot_replies_soon())
    view = await sim.ok(
        "POST", "/wait_for_message", chat_id=anna["id"], contains="Welkom", timeout=5
    )
    await replier
    assert (view["text"], view["html"], view["message"]["from"]["is_bot"]) == (
        "Welkom",
        "<b>Welkom</b>",
        True,
    )
    pressed = await sim.ok(
        "POST", "/press_button", user_id=anna["id"], message_id=view["message_id"], button="Ja"
    )
    query_id = pressed["callback_query_id"]
    assert await sim.ok("GET", f"/callback_answers/{query_id}") is None
    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Dank")
    answer = await sim.ok("GET", f"/callback_answers/{query_id}", timeout=1)
    assert answer == {"text": "Dank", "show_alert": False, "url": None, "cache_time": 0}
    messages = await sim.ok("GET", f"/chats/{anna['id']}/messages", all=1)
    assert [m["from_bot"] for m in messages] == [False, True]
    transcript = await sim.ok("GET", f"/chats/{anna['id']}/transcript")
    assert "#2 bot: 'Welkom' [Ja|cb=yes]" in transcript


async def test_errors_are_http_errors(sim: Sim, api: Api) -> None:
    anna = await sim.ok("POST", "/users", first_name="Anna")
    await sim.ok("POST", "/send_text", user_id=anna["id"], text="/start")
    sent = await api.ok("sendMessage", chat_id=anna["id"], text="Geen knoppen")
    status, reply = await sim.post(
        "/press_button", user_id=anna["id"], message_id=sent["message_id"], button="Ja"
    )
    assert status == 400
    assert "no button 'Ja'" in reply["error"]
    status, reply = await sim.post(
        "/wait_for_message", chat_id=anna["id"], contains="x", timeout=0.05
    )
    assert status == 408
    assert "#2 bot: 'Geen knoppen'" in reply["error"]
    status, reply = await sim.post("/send_text", text="zonder gebruiker")
    assert status == 400
    await api.error("sendMessage", chat_id=anna["id"], text="")
    errors = await sim.ok("GET", "/errors")
    assert errors[-1]["description"] == "Bad Request: message text is empty"


async def test_groups_blocks_photos_and_state(sim: Sim, api: Api, emu: Emulator) -> None:
    anna = await sim.ok("POST", "/users", first_name="Anna")
    bram = await sim.ok("POST", "/users", first_name="Bram")
    group = await sim.ok(
        "POST", "/groups", title="Buurt", members=[bram["id"]], admins=[anna["id"]], with_bot=False
    )
    assert group["bot_status"] == "left"
    await sim.ok("POST", f"/groups/{group['id']}/add_bot", by=anna["id"])
    photo = base64.b64encode(make_png(10, 10)).decode()
    message = await sim.ok(
        "POST",
        "/send_photo",
        user_id=bram["id"],
        chat_id=group["id"],
        photo_base64=photo,
        caption="/kijk",
    )
    assert message["photo"][-1]["width"] == 10
    await sim.ok("POST", "/send_location", user_id=anna["id"], latitude=52.0, longitude=5.0)
    await sim.ok("POST", f"/users/{anna['id']}/block")
    state = await sim.ok("GET", "/state")
    assert state["pending_updates"] == emu.pending_updates == 5
    assert [c["title"] for c in state["chats"]] == ["Buurt"]
    await sim.ok("POST", f"/users/{anna['id']}/unblock")
    await api.ok("getUpdates", offset=-1)
    await api.ok("getUpdates", offset=(await api.ok("getUpdates"))[-1]["update_id"] + 1)
    assert await sim.ok("POST", "/wait_until_idle", timeout=1) is True
    events = await sim.ok("GET", "/events", since=0)
    assert any(e["kind"] == "update" for e in events)
    await api.ok("setMyCommands", commands=[{"command": "start", "description": "Begin"}])
    assert await sim.ok("GET", f"/users/{anna['id']}/commands") == [
        {"command": "start", "description": "Begin"}
    ]
