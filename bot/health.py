"""/healthz (the process is alive) and /readyz (the database answers and its schema is
current), served by a small aiohttp server next to the bot: always in webhook mode (on
BUURTBOT_HEALTH_PORT, default the webhook port + 1), in polling mode when BUURTBOT_HEALTH_PORT
is set. Load balancers, Docker's HEALTHCHECK and systemd watchdogs can ask it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.settings import Settings
from storage import migrate

log = logging.getLogger(__name__)


def health_port(settings: Settings) -> int | None:
    if settings.health_port is not None:
        return settings.health_port
    if settings.mode == "webhook":
        return settings.webhook_port + 1
    return None


def readiness(engine: Engine, head: str | None) -> str | None:
    """None when ready, else the reason (one short phrase, no secrets)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except Exception as error:
        return f"database not reachable ({type(error).__name__})"
    if current != head:
        return f"database schema at {current or 'empty'}, expected {head}"
    return None


def make_app(check_ready: Callable[[], str | None], *, in_thread: bool = True) -> web.Application:
    import asyncio

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_request: web.Request) -> web.Response:
        reason = await asyncio.to_thread(check_ready) if in_thread else check_ready()
        if reason is None:
            return web.Response(text="ready\n")
        return web.Response(status=503, text=f"not ready: {reason}\n")

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


async def start(settings: Settings, engine: Engine) -> web.AppRunner | None:
    port = health_port(settings)
    if port is None:
        return None
    head = migrate.head_revision(settings.database_url)
    runner = web.AppRunner(make_app(lambda: readiness(engine, head)), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.health_listen, port)
    await site.start()
    log.info("health checks on http://%s:%d/healthz and /readyz", settings.health_listen, port)
    return runner
