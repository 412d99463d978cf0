"""Run any python-telegram-bot Application against a local emulator, in this process.

    async with running_emulator(limits=Limits.unlimited()) as emu:
        application = Application.builder().token(emu.token).base_url(emu.base_url).build()
        async with polling(application):
            ...  # act as users through `emu`

Used by end-to-end tests, demos and benchmarks; it knows nothing of the bot being run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from telegram.ext import Application

from botapi_emulator.emulator import Emulator
from botapi_emulator.limits import Limits

# How long one getUpdates call waits for news. Short, so stopping the bot is quick.
LONG_POLL_SECONDS = 1

AnyApplication = TypeVar("AnyApplication", bound=Application[Any, Any, Any, Any, Any, Any])


@asynccontextmanager
async def running_emulator(
    emulator: Emulator | None = None, *, limits: Limits | None = None
) -> AsyncIterator[Emulator]:
    """Start an emulator on 127.0.0.1 (any free port) and stop it afterwards; a given
    `emulator` is used as it is and left running."""
    if emulator is not None:
        yield emulator
        return
    emu = Emulator(limits=limits or Limits())
    await emu.start(host="127.0.0.1", port=0)
    try:
        yield emu
    finally:
        await emu.stop()


@asynccontextmanager
async def polling(
    application: AnyApplication,
    *,
    post_init: Callable[[AnyApplication], Awaitable[None]] | None = None,
) -> AsyncIterator[AnyApplication]:
    """Initialize and start `application`, poll for updates until the block ends, then stop
    and shut it down. `post_init` runs after initialize(), where run_polling() would call the
    application's own post_init (starting by hand, that is the caller's to pass)."""
    try:
        await application.initialize()
        if post_init is not None:
            await post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=LONG_POLL_SECONDS)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
