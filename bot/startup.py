"""What `buurtbot run` checks before it starts: each problem becomes one sentence naming the
setting to fix (ConfigError, exit code 2) or saying what is not reachable (StartupError, exit
code 1). TransientError trouble (a network that is briefly down, a database that is still starting)
is retried with backoff for BUURTBOT_STARTUP_WAIT seconds, announced in one log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.logs import redact
from bot.settings import ConfigError, Settings
from storage.db import make_engine, normalise_url

log = logging.getLogger("bot.startup")

MAX_DELAY = 30.0
DATABASE_EXAMPLE = "sqlite:///buurtbot.db or postgresql://user:password@host/database"
# Database errors that waiting will not fix: the URL names the wrong thing.
PERMANENT_DATABASE_ERRORS = (
    "password authentication failed",
    "does not exist",
    "no password supplied",
    "unable to open database file",
    "permission denied",
    "invalid dsn",
    "invalid connection option",
)


class StartupError(Exception):
    """Something needed is not reachable; the message is one sentence."""


class TransientError(Exception):
    """Worth another try after a pause."""


@dataclass(frozen=True)
class BotIdentity:
    id: int
    username: str


T = TypeVar("T")


def describe_url(url: str) -> str:
    """The database URL without its password, for logs."""
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "<not a database URL>"


def database_location(url: str) -> str:
    """Where the database is, for `check`: the URL without its password, and for SQLite the
    full path of its file (a relative URL depends on the folder the command ran in)."""
    shown = describe_url(url)
    file = sqlite_file(url)
    return shown if file is None else f"{shown}, file {file}"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (resolved against the current folder); None for any other
    database, or one in memory."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def check_database_url(url: str) -> None:
    """Refuse URLs that can never work, before trying to connect."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError as error:
        raise ConfigError(
            f"BUURTBOT_DATABASE_URL is not a database URL; expected {DATABASE_EXAMPLE}."
        ) from error
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"BUURTBOT_DATABASE_URL uses {backend!r}, which Buurtbot does not support; "
            f"use {DATABASE_EXAMPLE}."
        )
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise ConfigError(
                f"BUURTBOT_DATABASE_URL points to a SQLite file in {folder}, a folder that "
                "does not exist; create it or choose another path."
            )


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return redact(lines[0].strip() if lines else type(original).__name__)


def ping_database(url: str) -> None:
    """Connect once and SELECT 1: TransientError when waiting may help, ConfigError if not."""
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        raise ConfigError(
            f"BUURTBOT_DATABASE_URL cannot be used ({_first_line(error)}); "
            f"expected {DATABASE_EXAMPLE}."
        ) from error
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        reason = _first_line(error)
        if any(marker in reason.lower() for marker in PERMANENT_DATABASE_ERRORS):
            raise ConfigError(
                f"The database in BUURTBOT_DATABASE_URL ({describe_url(url)}) refused us: "
                f"{reason}."
            ) from error
        raise TransientError(reason) from error
    finally:
        engine.dispose()


def _delays(wait: float) -> list[float]:
    delays, total, delay = [], 0.0, 1.0
    while total < wait:
        step = min(delay, wait - total, MAX_DELAY)
        delays.append(step)
        total += step
        delay *= 2
    return delays


def _unreachable(url: str, error: TransientError) -> StartupError:
    return StartupError(
        f"The database at {describe_url(url)} is not reachable "
        f"({error}); check BUURTBOT_DATABASE_URL and that the server runs."
    )


def require_database(url: str) -> None:
    """For one-off commands (migrate, wijk, role, reindex): the URL checked and one connection
    tried, so a bad setting is one sentence (ConfigError or StartupError), at once."""
    check_database_url(url)
    try:
        ping_database(url)
    except TransientError as error:
        raise _unreachable(url, error) from error


def wait_for_database(settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
    url = settings.database_url
    check_database_url(url)
    file = sqlite_file(url)
    if file is not None and not file.exists():
        # Connecting would create the file, and a start that fails later (Telegram away, a
        # wrong token) would leave it behind, empty; the migrations create it once Telegram
        # has answered. There is no server to wait for, only the folder to check.
        if not os.access(file.parent, os.W_OK | os.X_OK):
            raise ConfigError(
                f"BUURTBOT_DATABASE_URL points to a SQLite file in {file.parent}, a folder "
                "Buurtbot may not write in; choose another path or change its permissions."
            )
        return
    delays = _delays(settings.startup_wait)
    for attempt in range(len(delays) + 1):
        try:
            ping_database(url)
            return
        except TransientError as error:
            if attempt == len(delays):
                raise _unreachable(url, error) from error
            if attempt == 0:
                log.warning(
                    "database not reachable yet (%s); retrying for up to %.0f s "
                    "(BUURTBOT_STARTUP_WAIT)",
                    error,
                    settings.startup_wait,
                )
            sleep(delays[attempt])


async def _retrying(
    what: str,
    wait: float,
    attempt: Callable[[], Awaitable[T]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    delays = _delays(wait)
    for number in range(len(delays) + 1):
        try:
            return await attempt()
        except TransientError as error:
            if number == len(delays):
                raise StartupError(f"{what} is not reachable ({error}).") from error
            if number == 0:
                log.warning(
                    "%s not reachable yet (%s); retrying for up to %.0f s (BUURTBOT_STARTUP_WAIT)",
                    what,
                    error,
                    wait,
                )
            await sleep(delays[number])
    raise AssertionError("unreachable")  # pragma: no cover


async def identify_bot(settings: Settings) -> BotIdentity:
    """getMe with the configured token: who we are, or why Telegram will not have us."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    token = settings.require_token()

    async def get_me() -> BotIdentity:
        base = settings.api_base_url
        bot = Bot(token, base_url=base, base_file_url=base.removesuffix("bot") + "file/bot")
        try:
            await bot.initialize()  # calls getMe
            me = bot.bot
        except InvalidToken as error:
            raise ConfigError(
                "Telegram refused the token in BUURTBOT_TOKEN (revoked or mistyped?); "
                "get the current one from @BotFather."
            ) from error
        except NetworkError as error:
            raise TransientError(redact(str(error))) from error
        except TelegramError as error:
            raise StartupError(
                f"The Bot API at BUURTBOT_API_BASE_URL answered getMe with an error: "
                f"{redact(str(error))}."
            ) from error
        finally:
            # closing a client that never connected: nothing to do
            with contextlib.suppress(Exception):
                await bot.shutdown()
        return BotIdentity(id=me.id, username=me.username or "")

    return await _retrying(
        f"The Bot API at {redact(settings.api_base_url)} (BUURTBOT_API_BASE_URL)",
        settings.startup_wait,
        get_me,
    )
