"""Exceptions raised by the emulator.

Two families on purpose: `ApiError` is what the *bot* sees (it becomes a Telegram-shaped
error response), the others are what a *test* sees when it drives the simulation wrongly or
waits in vain. Mixing them up would let a broken test look like a misbehaving bot.
"""

from __future__ import annotations


class ApiError(Exception):
    """A Bot API error, rendered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        # Telegram's descriptions are terse (e.g. BUTTON_DATA_INVALID); ``detail`` says which
        # part of the request was wrong. It goes to the event log, never to the bot.
        self.detail = detail

    @classmethod
    def bad_request(cls, what: str, detail: str | None = None) -> ApiError:
        return cls(400, f"Bad Request: {what}", detail=detail)

    @classmethod
    def forbidden(cls, what: str) -> ApiError:
        return cls(403, f"Forbidden: {what}")


class SimulationError(Exception):
    """The test asked the simulated world for something a real user could not do."""


class ButtonNotFoundError(SimulationError):
    """A simulated user tried to press a button that is not on the message's current keyboard."""


class EmulatorTimeoutError(AssertionError):
    """A wait helper ran out of time; the message carries a transcript for easy debugging.

    It subclasses AssertionError so pytest reports it as a failed expectation, not a crash.
    """
