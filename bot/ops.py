"""Running the bot for real: what `buurtbot run` does before the Application starts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from bot.logs import setup_logging
from bot.settings import Settings
from bot.startup import check_listening, describe_url, identify_bot, wait_for_database
from storage import migrate

log = logging.getLogger("bot.run")


def start_logging(settings: Settings, *, secrets: Iterable[str]) -> None:
    setup_logging(
        settings.log_level,
        secrets=secrets,
        json_format=settings.log_format == "json",
        personal=settings.log_personal,
    )


def prepare_run(settings: Settings, *, secrets: Iterable[str]) -> None:
    """Logging, the database (waited for), the token (getMe), then pending migrations.

    Raises ConfigError or StartupError with one sentence; the first INFO line says who we are.
    """
    start_logging(settings, secrets=secrets)
    check_listening(settings)
    wait_for_database(settings)
    me = asyncio.run(identify_bot(settings))
    log.info(
        "running as @%s (%d), %s, database %s",
        me.username,
        me.id,
        settings.mode,
        describe_url(settings.database_url),
    )
    before, after = migrate.upgrade(settings.database_url)
    if before != after:
        log.info("database upgraded from %s to %s", before or "empty", after)
