"""Command menu, chat information and file methods."""

from __future__ import annotations

import re
from typing import Any

from botapi_emulator.api_base import ApiBase
from botapi_emulator.errors import ApiError
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.params import Params
from botapi_emulator.state import chat_member

MAX_COMMANDS = 100
_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_PLAIN_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)


class ChatMethods(ApiBase):
    """setMyCommands/getMyCommands/deleteMyCommands, getChat, getChatMember,
    getChatAdministrators, getFile."""

    def _command_key(self, params: Params) -> tuple[tuple[Any, ...], str]:
        language = params.string("language_code") or ""
        if language and not _LANGUAGE_RE.match(language):
            raise ApiError.bad_request("invalid language code specified", language)
        scope = params.json("scope", unparsable="can't parse BotCommandScope JSON object")
        if scope is None:
            return ("default",), language
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise ApiError.bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in _PLAIN_SCOPES:
            return (kind,), language
        if kind not in ("chat", "chat_administrators", "chat_member"):
            raise ApiError.bad_request("wrong bot command scope type specified", kind)
        chat = self._chat(scope.get("chat_id"))
        if kind == "chat_member":
            user_id = scope.get("user_id")
            if not isinstance(user_id, int) or user_id not in self.world.users:
                raise ApiError.bad_request("user not found")
            return (kind, chat.id, user_id), language
        return (kind, chat.id), language

    async def set_my_commands(self, params: Params) -> bool:
        key = self._command_key(params)
        raw = params.json("commands", unparsable="can't parse commands JSON object")
        if not isinstance(raw, list):
            raise ApiError.bad_request("can't parse commands JSON object")
        if len(raw) > MAX_COMMANDS:
            raise ApiError.bad_request("too many commands", f"{len(raw)}, max {MAX_COMMANDS}")
        commands: list[JSONDict] = []
        for item in raw:
            if not isinstance(item, dict):
                raise ApiError.bad_request("can't parse commands JSON object")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not _COMMAND_NAME_RE.match(command):
                raise ApiError.bad_request("BOT_COMMAND_INVALID", repr(command))
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID", repr(command))
            commands.append({"command": command, "description": description})
        if commands:
            self.world.commands[key] = commands
        else:
            self.world.commands.pop(key, None)
        self.world.changed()
        return True

    async def get_my_commands(self, params: Params) -> list[JSONDict]:
        return [dict(c) for c in self.world.commands.get(self._command_key(params), [])]

    async def delete_my_commands(self, params: Params) -> bool:
        self.world.commands.pop(self._command_key(params), None)
        self.world.changed()
        return True

    # -- chats and files -----------------------------------------------------------------------

    async def get_chat(self, params: Params) -> JSONDict:
        chat = self._param_chat(params)
        self._require_member(chat)
        info = chat.to_api()
        info.update(
            accent_color_id=abs(chat.id) % 7,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

    async def get_chat_member(self, params: Params) -> JSONDict:
        chat = self._param_chat(params)
        self._require_member(chat)
        user_id = params.integer("user_id", missing="user_id is empty")
        if user_id == self.world.bot_id:
            return chat_member(self.world.bot_user, chat.bot_status)
        user = self.world.users.get(user_id)
        if user is None or (not chat.is_group and user.id != chat.id):
            raise ApiError.bad_request("user not found")
        status = chat.members.get(user.id, "left") if chat.is_group else "member"
        return chat_member(user.to_api(), status)

    async def get_chat_administrators(self, params: Params) -> list[JSONDict]:
        chat = self._param_chat(params)
        if not chat.is_group:
            raise ApiError.bad_request("there are no administrators in the private chat")
        self._require_member(chat)
        admins = [
            chat_member(self.world.users[user_id].to_api(), status)
            for user_id, status in chat.members.items()
            if status in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(chat_member(self.world.bot_user, "administrator"))
        return admins

    async def get_file(self, params: Params) -> JSONDict:
        file_id = params.string("file_id", missing="file_id is empty")
        stored = self.world.files.get(file_id)
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }
