"""`Emulator`: the simulation plus its HTTP server and webhook delivery, on one event loop.

Tests and the demo run the real python-telegram-bot Application against ``emu.base_url`` while
driving users through the in-process simulation API; another process can use ``/sim`` instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from botapi_emulator.limits import Limits
from botapi_emulator.server import create_app
from botapi_emulator.sim import Simulation
from botapi_emulator.webhook import WebhookDeliverer


class Emulator(Simulation):
    """A local, strict Telegram Bot API server with a simulated world behind it.

    Usage::

        async with Emulator(limits=Limits(), bot_username="buurtbot_test_bot") as emu:
            bot = telegram.Bot(emu.token, base_url=emu.base_url)
            anna = emu.add_user("Anna")
            await emu.send_text(anna, "/start")

    ``webhook_retry_base``/``webhook_retry_max`` bound the exponential backoff between failed
    webhook deliveries (Telegram's own is much slower; short defaults keep tests fast).
    """

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        bot_username: str = "buurtbot_test_bot",
        bot_first_name: str = "Buurtbot",
        token: str | None = None,
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        max_events: int = 100_000,
        first_update_id: int | None = None,
        webhook_retry_base: float = 0.1,
        webhook_retry_max: float = 2.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        super().__init__(
            limits=limits,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            token=token,
            privacy_mode=privacy_mode,
            clock=clock,
            wall_clock=wall_clock,
            max_events=max_events,
            first_update_id=first_update_id,
        )
        self._webhooks = WebhookDeliverer(
            self.world,
            retry_base=webhook_retry_base,
            retry_max=webhook_retry_max,
            request_timeout=webhook_timeout,
        )
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free port; see `port`)."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        # handler_cancellation: a long poll whose client went away stops waiting, so it can
        # neither hold updates nor be reported as "terminated by other getUpdates request".
        runner = web.AppRunner(create_app(self), handler_cancellation=True, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        self._webhooks.start()

    async def stop(self) -> None:
        await self._webhooks.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._port = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not running; await start() first")
        return self._port

    @property
    def root_url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The value for python-telegram-bot's ``base_url`` (the token is appended to it)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """The value for python-telegram-bot's ``base_file_url``."""
        return f"{self.root_url}/file/bot"

    @property
    def sim_url(self) -> str:
        """Root of the HTTP simulation API."""
        return f"{self.root_url}/sim"


async def serve(
    host: str = "127.0.0.1",
    port: int = 9000,
    limits: Limits | None = None,
    *,
    token: str | None = None,
    bot_username: str = "buurtbot_test_bot",
    privacy_mode: bool = True,
    ready: Callable[[Emulator], None] | None = None,
) -> None:
    """Run an emulator on ``host:port`` until cancelled; ``ready`` is called once it listens."""
    emulator = Emulator(
        limits=limits, token=token, bot_username=bot_username, privacy_mode=privacy_mode
    )
    await emulator.start(host, port)
    try:
        if ready is not None:
            ready(emulator)
        await asyncio.Event().wait()
    finally:
        await emulator.stop()
