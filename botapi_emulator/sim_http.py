"""The simulation API over HTTP (``/sim/...``, JSON), for driving the emulator from another
process, e.g. a demo script or a manual session with curl.

Responses are ``{"ok": true, "result": ...}``; a request no real user could make gives 400 and
a wait that times out gives 408, both as ``{"ok": false, "error": "..."}`` (the timeout error
includes the chat transcript).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from botapi_emulator.errors import EmulatorTimeoutError, SimulationError
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.sim import Simulation
from botapi_emulator.state import CallbackAnswer, SimChat

Endpoint = Callable[[web.Request], Awaitable[Any]]


def _endpoint(handler: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Wrap a handler's result as JSON and map simulation errors to HTTP errors."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.Response:
        try:
            result = await handler(request)
        except EmulatorTimeoutError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=408)
        except SimulationError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        except (KeyError, TypeError, ValueError) as error:
            message = f"bad request: {type(error).__name__}: {error}"
            return web.json_response({"ok": False, "error": message}, status=400)
        return web.json_response({"ok": True, "result": result})

    return wrapped


async def _body(request: web.Request) -> JSONDict:
    raw = await request.read()
    body = json.loads(raw) if raw else {}
    if not isinstance(body, dict):
        raise TypeError("the request body must be a JSON object")
    return body


def _chat_json(chat: SimChat) -> JSONDict:
    return {**chat.to_api(), "bot_status": chat.bot_status, "members": chat.members}


def _answer_json(answer: CallbackAnswer | None) -> JSONDict | None:
    if answer is None:
        return None
    return {
        "text": answer.text,
        "show_alert": answer.show_alert,
        "url": answer.url,
        "cache_time": answer.cache_time,
    }


class SimRoutes:
    """Registers the /sim endpoints for one `Simulation`."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim

    def register(self, router: web.UrlDispatcher) -> None:
        routes: list[tuple[str, str, Endpoint]] = [
            ("GET", "/sim/state", self.state),
            ("POST", "/sim/users", self.add_user),
            ("POST", "/sim/users/{user_id}/block", self.block),
            ("POST", "/sim/users/{user_id}/unblock", self.unblock),
            ("POST", "/sim/groups", self.add_group),
            ("POST", "/sim/groups/{chat_id}/add_bot", self.add_bot),
            ("POST", "/sim/groups/{chat_id}/remove_bot", self.remove_bot),
            ("POST", "/sim/groups/{chat_id}/join", self.join),
            ("POST", "/sim/send_text", self.send_text),
            ("POST", "/sim/send_location", self.send_location),
            ("POST", "/sim/send_photo", self.send_photo),
            ("POST", "/sim/press_button", self.press_button),
            ("GET", "/sim/callback_answers/{query_id}", self.callback_answer),
            ("GET", "/sim/chats/{chat_id}/messages", self.messages),
            ("GET", "/sim/chats/{chat_id}/transcript", self.transcript),
            ("GET", "/sim/users/{user_id}/commands", self.commands),
            ("POST", "/sim/wait_for_message", self.wait_for_message),
            ("POST", "/sim/wait_until_idle", self.wait_until_idle),
            ("GET", "/sim/errors", self.errors),
            ("GET", "/sim/events", self.events),
        ]
        for method, path, handler in routes:
            router.add_route(method, path, _endpoint(handler))

    async def state(self, request: web.Request) -> JSONDict:
        world = self.sim.world
        return {
            "bot": world.bot_user,
            "token": self.sim.token,
            "users": [user.to_api() for user in world.users.values()],
            "chats": [_chat_json(chat) for chat in world.chats.values() if chat.is_group],
            "pending_updates": self.sim.pending_updates,
            "webhook_url": self.sim.webhook_url,
        }

    async def add_user(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        user = self.sim.add_user(
            str(body["first_name"]),
            language_code=body.get("language_code", "nl"),
            username=body.get("username"),
            last_name=body.get("last_name"),
        )
        return user.to_api()

    async def block(self, request: web.Request) -> bool:
        await self.sim.block_bot(int(request.match_info["user_id"]))
        return True

    async def unblock(self, request: web.Request) -> bool:
        await self.sim.unblock_bot(int(request.match_info["user_id"]))
        return True

    async def add_group(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        chat = self.sim.add_group(
            str(body["title"]),
            members=[self.sim.user(int(u)) for u in body.get("members", [])],
            admins=[self.sim.user(int(u)) for u in body.get("admins", [])],
            with_bot=bool(body.get("with_bot", True)),
            bot_admin=bool(body.get("bot_admin", False)),
            supergroup=bool(body.get("supergroup", False)),
        )
        return _chat_json(chat)

    async def add_bot(self, request: web.Request) -> bool:
        body = await _body(request)
        chat_id = int(request.match_info["chat_id"])
        await self.sim.add_bot_to_group(
            chat_id, int(body["by"]), as_admin=bool(body.get("as_admin", False))
        )
        return True

    async def remove_bot(self, request: web.Request) -> bool:
        body = await _body(request)
        await self.sim.remove_bot_from_group(int(request.match_info["chat_id"]), int(body["by"]))
        return True

    async def join(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        return await self.sim.join_group(int(body["user_id"]), int(request.match_info["chat_id"]))

    @staticmethod
    def _chat_arg(body: JSONDict) -> int | None:
        return None if body.get("chat_id") is None else int(body["chat_id"])

    async def send_text(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        return await self.sim.send_text(
            int(body["user_id"]),
            str(body["text"]),
            self._chat_arg(body),
            reply_to=body.get("reply_to"),
        )

    async def send_location(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        return await self.sim.send_location(
            int(body["user_id"]),
            float(body["latitude"]),
            float(body["longitude"]),
            self._chat_arg(body),
        )

    async def send_photo(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        data = None
        if body.get("photo_base64"):
            try:
                data = base64.b64decode(body["photo_base64"], validate=True)
            except binascii.Error as error:
                raise ValueError(f"photo_base64 is not base64: {error}") from None
        return await self.sim.send_photo(
            int(body["user_id"]), data, body.get("caption"), self._chat_arg(body)
        )

    async def press_button(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        query_id = await self.sim.press_button(
            int(body["user_id"]),
            int(body["message_id"]),
            str(body["button"]),
            self._chat_arg(body),
        )
        return {"callback_query_id": query_id}

    async def callback_answer(self, request: web.Request) -> JSONDict | None:
        query_id = request.match_info["query_id"]
        timeout = float(request.query.get("timeout", "0"))
        if timeout > 0:
            return _answer_json(await self.sim.wait_for_callback_answer(query_id, timeout))
        return _answer_json(self.sim.callback_answer(query_id))

    async def messages(self, request: web.Request) -> list[JSONDict]:
        chat_id = int(request.match_info["chat_id"])
        every = request.query.get("all") in ("1", "true")
        views = self.sim.history(chat_id) if every else self.sim.messages(chat_id)
        return [view.to_json() for view in views]

    async def transcript(self, request: web.Request) -> str:
        return self.sim.transcript(int(request.match_info["chat_id"]))

    async def commands(self, request: web.Request) -> list[JSONDict]:
        chat = request.query.get("chat_id")
        user_id = int(request.match_info["user_id"])
        return self.sim.visible_commands(user_id, None if chat is None else int(chat))

    async def wait_for_message(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        view = await self.sim.wait_for_message(
            int(body["chat_id"]),
            body.get("contains"),
            after=body.get("after"),
            timeout=float(body.get("timeout", 5.0)),
        )
        return view.to_json()

    async def wait_until_idle(self, request: web.Request) -> bool:
        body = await _body(request)
        await self.sim.wait_until_idle(float(body.get("timeout", 5.0)))
        return True

    async def errors(self, request: web.Request) -> list[JSONDict]:
        return [
            {
                "method": e.method,
                "error_code": e.error_code,
                "description": e.description,
                "detail": e.detail,
                "retry_after": e.retry_after,
            }
            for e in self.sim.errors
        ]

    async def events(self, request: web.Request) -> list[JSONDict]:
        since = int(request.query.get("since", "0"))
        return [
            {
                "seq": e.seq,
                "time": e.time,
                "kind": e.kind,
                "method": e.method,
                "data": json.loads(json.dumps(e.data, default=str)),
            }
            for e in self.sim.events
            if e.seq > since
        ]
