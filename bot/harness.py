"""Run the real bot against the local Bot API emulator, in this process.

Used by the end-to-end tests, `buurtbot demo` and the benchmarks: the Application is the one
`buurtbot run` builds; only the Bot API base URL points at 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.app import announce_bot, build_application
from bot.context import BotApplication, Clock, system_clock
from bot.emulator import Emulator, Limits
from bot.settings import Settings

# How long one getUpdates call waits for news. Short, so stopping the bot is quick.
LONG_POLL_SECONDS = 1


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
    emulator: Emulator | None = None,
    **settings_overrides: object,
) -> AsyncIterator[RunningBot]:
    """Start an emulator (unless given one) and the bot polling it; stop both afterwards."""
    own_emulator = emulator is None
    emu = emulator or Emulator(limits=limits or Limits())
    if own_emulator:
        await emu.start(host="127.0.0.1", port=0)
    settings = Settings.model_validate(
        {
            "token": emu.token,
            "api_base_url": emu.base_url,
            "database_url": database_url,
            **settings_overrides,
        }
    )
    application = build_application(settings, engine=engine, clock=clock, rate_limit=rate_limit)
    try:
        await application.initialize()
        # run_polling() would call post_init; starting by hand, we call it ourselves.
        await announce_bot(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=LONG_POLL_SECONDS)
        try:
            yield RunningBot(emu, application, engine, settings)
        finally:
            await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if own_emulator:
            await emu.stop()
