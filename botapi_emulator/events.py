"""The emulator's event log: every Bot API call, error, update and simulated action.

When an end-to-end test fails, the question is nearly always "what did the bot actually call,
and what did it get back?"; the log answers it without a debugger.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from botapi_emulator.jsontypes import JSONDict


@dataclass(frozen=True)
class Event:
    """One log entry. ``kind`` is call, error, update, confirm, webhook or sim."""

    seq: int
    time: float
    kind: str
    method: str | None
    data: JSONDict

    def __str__(self) -> str:
        where = f" {self.method}" if self.method else ""
        return f"#{self.seq} {self.kind}{where} {self.data}"


@dataclass(frozen=True)
class ApiErrorRecord:
    """An error response the emulator sent to the bot."""

    method: str
    error_code: int
    description: str
    params: JSONDict
    detail: str | None = None
    retry_after: int | None = None

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.method}: {self.error_code} {self.description}{extra}"


class EventLog:
    """Bounded event history plus the full list of errors (errors are rare and precious)."""

    def __init__(self, max_events: int = 100_000) -> None:
        self._events: deque[Event] = deque(maxlen=max_events)
        self.errors: list[ApiErrorRecord] = []
        self._seq = 0

    @property
    def events(self) -> list[Event]:
        return list(self._events)

    def add(self, time: float, kind: str, method: str | None, **data: Any) -> None:
        self._seq += 1
        self._events.append(Event(self._seq, time, kind, method, data))

    def add_error(self, time: float, record: ApiErrorRecord) -> None:
        self.errors.append(record)
        self.add(
            time,
            "error",
            record.method,
            error_code=record.error_code,
            description=record.description,
            detail=record.detail,
        )
