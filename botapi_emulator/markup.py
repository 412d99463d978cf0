"""Validation of ``reply_markup`` the way Telegram checks it.

Inline keyboards get the strictest treatment because they are what tests press: every button
needs text and exactly one action, ``callback_data`` must be 1-64 bytes of UTF-8. Telegram
answers all of these with the terse ``BUTTON_DATA_INVALID``; the precise reason travels in
`ApiError.detail` so it shows up in the emulator's error log.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from botapi_emulator.errors import ApiError
from botapi_emulator.jsontypes import JSONDict

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
_INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_URL_SCHEMES = ("http://", "https://", "tg://")
_MARKUP_KINDS = ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")


@dataclass(frozen=True)
class ReplyMarkup:
    """A validated markup: the inline keyboard (shown on the message) or a reply keyboard."""

    inline: JSONDict | None = None
    reply_keyboard: JSONDict | None = None


def _button_invalid(detail: str) -> ApiError:
    return ApiError.bad_request("BUTTON_DATA_INVALID", detail)


def _unparsable(detail: str) -> ApiError:
    return ApiError.bad_request("can't parse reply keyboard markup JSON object", detail)


def parse_reply_markup(raw: object) -> ReplyMarkup:
    """Validate decoded ``reply_markup`` JSON; an empty inline keyboard means no keyboard."""
    if not isinstance(raw, dict):
        raise _unparsable("reply_markup must be a JSON object")
    kinds = [kind for kind in _MARKUP_KINDS if kind in raw]
    if len(kinds) != 1:
        raise _unparsable(f"expected exactly one of {', '.join(_MARKUP_KINDS)}")
    kind = kinds[0]
    if kind == "inline_keyboard":
        inline = _validate_inline(raw["inline_keyboard"])
        return ReplyMarkup(inline=inline)
    if kind == "keyboard":
        _validate_reply_keyboard(raw["keyboard"])
    elif raw[kind] is not True:
        raise _unparsable(f"{kind} must be true")
    return ReplyMarkup(reply_keyboard=copy.deepcopy(raw))


def _validate_inline(rows: object) -> JSONDict | None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _button_invalid("inline_keyboard must be an array of arrays of buttons")
    total = sum(len(row) for row in rows)
    if total > MAX_INLINE_BUTTONS:
        raise ApiError.bad_request("reply markup is too long", f"{total} buttons")
    for r, row in enumerate(rows, start=1):
        for c, button in enumerate(row, start=1):
            _validate_inline_button(button, f"row {r}, button {c}")
    cleaned = [row for row in rows if row]
    if not cleaned:
        return None
    return {"inline_keyboard": copy.deepcopy(cleaned)}


def _validate_inline_button(button: object, where: str) -> None:
    if not isinstance(button, dict):
        raise _button_invalid(f"{where}: a button must be an object")
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _button_invalid(f"{where}: text must be a non-empty string")
    actions = sorted(_INLINE_ACTIONS.intersection(button))
    if len(actions) != 1:
        raise _button_invalid(
            f"{where} ({text!r}): needs exactly one action field, got {actions or 'none'}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not data:
            raise _button_invalid(f"{where} ({text!r}): callback_data must be a non-empty string")
        size = len(data.encode("utf-8"))
        if size > MAX_CALLBACK_DATA_BYTES:
            raise _button_invalid(
                f"{where} ({text!r}): callback_data is {size} bytes, max {MAX_CALLBACK_DATA_BYTES}"
            )
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(_URL_SCHEMES) or " " in url:
            raise ApiError.bad_request("BUTTON_URL_INVALID", f"{where}: url {url!r}")


def _validate_reply_keyboard(rows: object) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _unparsable("keyboard must be an array of arrays of buttons")
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise _unparsable(f"keyboard button {button!r} has no text")
