"""A strict local Telegram Bot API emulator for end-to-end tests, demos and manual use.

The real python-telegram-bot client talks to it over HTTP (``base_url=emu.base_url``) while
tests act as Telegram users through the simulation API. It is deliberately as strict as
Telegram (HTML parsing, limits, flood control, blocked users, stale callback queries) so that
bugs fail in tests instead of in production.
"""

from bot.emulator.emulator import Emulator, serve
from bot.emulator.errors import (
    ApiError,
    ButtonNotFoundError,
    EmulatorTimeoutError,
    SimulationError,
)
from bot.emulator.events import ApiErrorRecord, Event
from bot.emulator.limits import Limits
from bot.emulator.media import make_png
from bot.emulator.sim import DEFAULT_TOKEN, Simulation
from bot.emulator.state import CallbackAnswer, MessageView, SimChat, SimUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ApiErrorRecord",
    "ButtonNotFoundError",
    "CallbackAnswer",
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
