"""Run the real bot against the local Bot API emulator, in this process.

Used by the end-to-end tests, `buurtbot demo` and the benchmarks: the Application is the one
`buurtbot run` builds; only the Bot API base URL points at 127.0.0.1. Starting the emulator
and polling it are generic (`botapi_emulator.harness`); this adds the bot's settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.app import announce_bot, build_application
from bot.context import BotApplication, Clock, system_clock
from bot.settings import Settings
from botapi_emulator import Emulator, Limits
from botapi_emulator.harness import LONG_POLL_SECONDS, polling, running_emulator

__all__ = ["LONG_POLL_SECONDS", "RunningBot", "running_bot"]


@dataclass
class RunningBot:
    emulator: Emulator
    application: BotApplication
    engine: Engine
    settings: Settings


@asynccontextmanager
async def running_bot(
    *,
    engine: Engine,
    database_url: str,
    limits: Limits | None = None,
    clock: Clock = system_clock,
    rate_limit: bool = True,
    database_inline: bool = False,
    chat_spacing: bool = True,
    emulator: Emulator | None = None,
    **settings_overrides: object,
) -> AsyncIterator[RunningBot]:
    """Start an emulator (unless given one) and the bot polling it; stop both afterwards."""
    async with running_emulator(emulator, limits=limits) as emu:
        settings = Settings.model_validate(
            {
                "token": emu.token,
                "api_base_url": emu.base_url,
                "database_url": database_url,
                **settings_overrides,
            }
        )
        application = build_application(
            settings,
            engine=engine,
            clock=clock,
            rate_limit=rate_limit,
            database_inline=database_inline,
            chat_spacing=chat_spacing,
        )
        async with polling(application, post_init=announce_bot):
            yield RunningBot(emu, application, engine, settings)
