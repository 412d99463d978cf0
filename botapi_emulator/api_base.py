"""Shared plumbing for the Bot API methods: chat lookup, permissions, text and markup.

Each method validates in Telegram's order of concerns: the chat (400 chat not found, 403 not
allowed to write), then the content (400), then flood control (429), and only then changes
state. A refused request therefore never leaves a half-sent message behind.
"""

from __future__ import annotations

import re
from typing import Any

from botapi_emulator.errors import ApiError
from botapi_emulator.html_check import FormattedText, HtmlParseError, parse_html, strip_formatted
from botapi_emulator.jsontypes import JSONDict
from botapi_emulator.limits import RateLimiter
from botapi_emulator.markup import ReplyMarkup, parse_reply_markup
from botapi_emulator.params import Params
from botapi_emulator.state import SimChat, StoredMessage, World, escape_plain

MAX_TEXT = 4096
MAX_CAPTION = 1024
UNPARSABLE_MARKUP = "can't parse reply keyboard markup JSON object"
UNPARSABLE_REPLY = "can't parse reply parameters JSON object"


class ApiBase:
    """State and checks every group of methods needs."""

    def __init__(self, world: World, limiter: RateLimiter) -> None:
        self.world = world
        self.limiter = limiter

    def _chat(self, raw: object) -> SimChat:
        chat_id: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            chat_id = raw
        elif isinstance(raw, str) and re.fullmatch(r"-?\d+", raw.strip()):
            chat_id = int(raw.strip())
        elif raw is None or raw == "":
            raise ApiError.bad_request("chat_id is empty")
        chat = None if chat_id is None else self.world.chats.get(chat_id)
        if chat is None:
            raise ApiError.bad_request("chat not found")
        return chat

    def _param_chat(self, params: Params) -> SimChat:
        return self._chat(params.values.get("chat_id"))

    @staticmethod
    def _require_member(chat: SimChat) -> None:
        """Groups: the bot must be in the group to do anything there."""
        if not chat.is_group:
            return
        kind = f"{chat.type} chat"
        if chat.bot_status == "kicked":
            raise ApiError.forbidden(f"bot was kicked from the {kind}")
        if chat.bot_status not in ("member", "administrator", "creator"):
            raise ApiError.forbidden(f"bot is not a member of the {kind}")

    def _require_writable(self, chat: SimChat) -> None:
        self._require_member(chat)
        if chat.is_group:
            return
        if chat.bot_status == "kicked":
            raise ApiError.forbidden("bot was blocked by the user")
        if not chat.started:
            raise ApiError.forbidden("bot can't initiate conversation with a user")

    def _format(
        self,
        params: Params,
        field: str,
        *,
        entities_field: str = "entities",
        limit: int,
        too_long: str,
    ) -> tuple[FormattedText, str]:
        """Parse text per parse_mode, trim it like Telegram and enforce the length limit.

        Returns the formatted (plain) text and the HTML source: the raw HTML as sent with
        parse_mode HTML, otherwise the escaped plain text.
        """
        source = params.string(field) or ""
        mode = (params.string("parse_mode") or "").strip()
        if mode.lower() == "html":
            try:
                formatted = parse_html(source)
            except HtmlParseError as error:
                raise ApiError.bad_request(f"can't parse entities: {error}") from None
            html = source
        elif not mode:
            entities = params.json(entities_field, unparsable="can't parse entities JSON object")
            formatted = FormattedText(source, _validate_entities(entities))
            html = escape_plain(source)
        elif mode.lower() in ("markdown", "markdownv2"):
            raise ApiError.bad_request(
                f"parse_mode {mode} is not supported by this emulator; use HTML"
            )
        else:
            raise ApiError.bad_request("unsupported parse_mode")
        formatted = strip_formatted(formatted)
        if len(formatted.text) > limit:
            raise ApiError.bad_request(too_long, f"{len(formatted.text)} characters, max {limit}")
        return formatted, html

    def _markup(self, params: Params) -> ReplyMarkup:
        raw = params.json("reply_markup", unparsable=UNPARSABLE_MARKUP)
        return ReplyMarkup() if raw is None else parse_reply_markup(raw)

    def _inline_markup(self, params: Params) -> JSONDict | None:
        markup = self._markup(params)
        if markup.reply_keyboard is not None:
            raise ApiError.bad_request("inline keyboard expected")
        return markup.inline

    def _reply_target(self, params: Params, chat: SimChat) -> StoredMessage | None:
        reply_id = params.integer("reply_to_message_id")
        allow_missing = params.flag("allow_sending_without_reply")
        reply = params.json("reply_parameters", unparsable=UNPARSABLE_REPLY)
        if reply is not None:
            if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
                raise ApiError.bad_request(UNPARSABLE_REPLY)
            reply_id = reply["message_id"]
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
            if "chat_id" in reply:
                chat = self._chat(reply["chat_id"])
        if reply_id is None:
            return None
        target = chat.messages.get(reply_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise ApiError.bad_request("message to be replied not found")
        return target

    def _message(self, params: Params, chat: SimChat, not_found: str) -> StoredMessage:
        message_id = params.integer("message_id", missing="message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise ApiError.bad_request(not_found)
        return message

    def _throttle(self, chat: SimChat) -> None:
        retry_after = self.limiter.try_send(chat.id, chat.is_group)
        if retry_after is not None:
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )

    def _send(
        self, chat: SimChat, markup: ReplyMarkup, reply_to: StoredMessage | None, **fields: Any
    ) -> JSONDict:
        self._throttle(chat)
        message = self.world.new_message(
            chat,
            from_user=None,
            reply_markup=markup.inline,
            reply_keyboard=markup.reply_keyboard,
            reply_to=reply_to,
            **fields,
        )
        self.world.changed()
        return message.to_api()


def _validate_entities(raw: object) -> list[JSONDict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError.bad_request("can't parse entities JSON object")
    entities: list[JSONDict] = []
    for entity in raw:
        valid = (
            isinstance(entity, dict)
            and isinstance(entity.get("type"), str)
            and isinstance(entity.get("offset"), int)
            and isinstance(entity.get("length"), int)
        )
        if not valid:
            raise ApiError.bad_request("can't parse entities JSON object")
        entities.append(dict(entity))
    return entities
