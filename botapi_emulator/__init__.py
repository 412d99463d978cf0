"""A strict local Telegram Bot API emulator for end-to-end tests, demos and manual use.

The real python-telegram-bot client talks to it over HTTP (``base_url=emu.base_url``) while
tests act as Telegram users through the simulation API. It is deliberately as strict as
Telegram (HTML parsing, limits, flood control, blocked users, stale callback queries) so that
bugs fail in tests instead of in production.
"""

from botapi_emulator.emulator import Emulator, serve
from botapi_emulator.errors import (
    ApiError,
    ButtonNotFoundError,
    EmulatorTimeoutError,
    SimulationError,
)
from botapi_emulator.events import ApiErrorRecord, Event
from botapi_emulator.limits import Limits
from botapi_emulator.media import make_png
from botapi_emulator.notifier import ChatWatch
from botapi_emulator.sim import DEFAULT_TOKEN, Simulation
from botapi_emulator.state import CallbackAnswer, MessageView, SimChat, SimUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ApiErrorRecord",
    "ButtonNotFoundError",
    "CallbackAnswer",
    "ChatWatch",
    "Emulator",
    "EmulatorTimeoutError",
    "Event",
    "Limits",
    "MessageView",
    "SimChat",
    "SimUser",
    "Simulation",
    "SimulationError",
    "make_png",
    "serve",
]
