"""Typed access to Bot API parameters, whatever body encoding the client used.

python-telegram-bot sends most calls as form fields whose values are JSON-encoded (numbers as
``"123"``, objects as JSON strings, plain strings raw) and uploads as multipart; other clients
send a JSON body with native types. Telegram accepts all of these, so each accessor accepts
both the native and the string form and turns anything else into a Telegram-like 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

from botapi_emulator.errors import ApiError

_INT_RE = re.compile(r"^-?\d+$")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """Request parameters plus uploaded files, with Telegram-style coercion and errors."""

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        files: Mapping[str, UploadedFile] | None = None,
    ) -> None:
        self.values: dict[str, Any] = {k: v for k, v in (values or {}).items() if v is not None}
        self.files: dict[str, UploadedFile] = dict(files or {})

    def has(self, name: str) -> bool:
        return name in self.values or name in self.files

    def summary(self) -> dict[str, Any]:
        """The parameters for the event log, with uploads reduced to name and size."""
        described: dict[str, Any] = dict(self.values)
        for name, upload in self.files.items():
            described[name] = f"<upload {upload.filename!r}, {len(upload.data)} bytes>"
        return described

    def _required(self, name: str, missing: str | None) -> Any:
        value = self.values.get(name)
        if value is None and missing is not None:
            raise ApiError.bad_request(missing)
        return value

    @overload
    def string(self, name: str) -> str | None: ...
    @overload
    def string(self, name: str, *, missing: str) -> str: ...
    def string(self, name: str, *, missing: str | None = None) -> str | None:
        """A string parameter; ``missing`` is the 400 description when it is required."""
        value = self._required(name, missing)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ApiError.bad_request(f'field "{name}" must be of type String')
        return str(value)

    @overload
    def integer(self, name: str) -> int | None: ...
    @overload
    def integer(self, name: str, *, missing: str) -> int: ...
    def integer(self, name: str, *, missing: str | None = None) -> int | None:
        value = self._required(name, missing)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value.strip())
        raise ApiError.bad_request(f'field "{name}" must be of type Integer')

    @overload
    def number(self, name: str) -> float | None: ...
    @overload
    def number(self, name: str, *, missing: str) -> float: ...
    def number(self, name: str, *, missing: str | None = None) -> float | None:
        value = self._required(name, missing)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise ApiError.bad_request(f'field "{name}" must be of type Float')

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        if isinstance(value, int):
            return value != 0
        raise ApiError.bad_request(f'field "{name}" must be of type Boolean')

    def json(self, name: str, *, unparsable: str) -> Any:
        """An object/array parameter, JSON-decoding it when it arrived as a string."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError.bad_request(unparsable, f"{name} is not valid JSON") from None
        return value

    def upload(self, name: str) -> UploadedFile | None:
        """An uploaded file sent as part ``name`` or referenced as ``attach://<part>``."""
        if name in self.files:
            return self.files[name]
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self.files.get(value.removeprefix("attach://"))
            if attached is None:
                raise ApiError.bad_request(f"file {value!r} not found in the request")
            return attached
        return None
