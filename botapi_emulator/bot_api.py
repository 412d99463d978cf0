"""The Bot API dispatcher: token check, method lookup, error recording.

The methods themselves live in api_updates.py, api_messages.py and api_chats.py.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from botapi_emulator.api_chats import ChatMethods
from botapi_emulator.api_messages import MessageMethods
from botapi_emulator.api_updates import UpdateMethods
from botapi_emulator.errors import ApiError
from botapi_emulator.events import ApiErrorRecord
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.limits import RateLimiter
from botapi_emulator.params import Params
from botapi_emulator.state import World

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")

Handler = Callable[[Params], Awaitable[Any]]


def is_valid_token(token: str) -> bool:
    return TOKEN_RE.match(token) is not None


class BotApi(UpdateMethods, MessageMethods, ChatMethods):
    """Dispatches Bot API calls against a `World`, recording every call and error."""

    def __init__(self, world: World, limiter: RateLimiter, token: str | None) -> None:
        super().__init__(world, limiter)
        self.token: str | None = None
        if token is not None:
            self.bind(token)
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": self.log_out,
            "close": self.log_out,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendLocation": self.send_location,
            "sendChatAction": self.send_chat_action,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getFile": self.get_file,
        }
        self._handlers = {name.lower(): handler for name, handler in handlers.items()}

    def bind(self, token: str) -> None:
        """Serve the bot with this token from now on; its numeric prefix is the bot's id."""
        if not is_valid_token(token):
            raise ValueError(f"{token!r} does not look like a Telegram bot token")
        self.token = token
        self.world.bot_id = int(token.split(":", 1)[0])
        self.world.record("sim", "bind_token", bot_id=self.world.bot_id)

    async def call(
        self, token: str, method: str, read_params: Callable[[], Awaitable[Params]]
    ) -> tuple[int, JSONDict]:
        """Run one call; returns the HTTP status and the Telegram-shaped response body.

        Reading the parameters happens inside so that a malformed body is an error response
        recorded like any other, never an exception escaping into the web server.
        """
        world = self.world
        params = Params()
        try:
            try:
                params = await read_params()
            finally:
                world.record("call", method, params=params.summary())
            if not is_valid_token(token):
                raise ApiError(401, "Unauthorized", detail="malformed bot token")
            if self.token is None:
                self.bind(token)
            elif token != self.token:
                raise ApiError(
                    401, "Unauthorized", detail=f"this emulator serves the bot {self.token}"
                )
            handler = self._handlers.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            try:
                result = await handler(params)
            except ApiError:
                raise
            except Exception as bug:  # an emulator bug must surface as a response, not a hang
                raise ApiError(500, "Internal Server Error", detail=repr(bug)) from bug
        except ApiError as error:
            record = ApiErrorRecord(
                method=method,
                error_code=error.error_code,
                description=error.description,
                params=params.summary(),
                detail=error.detail,
                retry_after=error.retry_after,
            )
            world.log.add_error(world.wall_clock(), record)
            world.changed()
            body: JSONDict = {
                "ok": False,
                "error_code": error.error_code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return error.error_code, body
        return 200, {"ok": True, "result": result}
