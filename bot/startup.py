"""What `buurtbot run` checks before it starts: each problem becomes one sentence naming the
setting to fix (ConfigError, exit code 2) or saying what is not reachable (StartupError, exit
code 1). TransientError trouble (a network that is briefly down, a database that is still starting)
is retried with backoff for BUURTBOT_STARTUP_WAIT seconds, announced in one log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
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
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        # The schema made by the migrations would live in a connection of its own: every
        # other connection sees another, empty database ("no such table").
        raise ConfigError(
            "BUURTBOT_DATABASE_URL names an in-memory SQLite database, which Buurtbot cannot "
            "use (each connection sees a new, empty one); name a file, like "
            "sqlite:///buurtbot.db."
        )
    if backend == "sqlite" and parsed.database:
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise ConfigError(
                f"BUURTBOT_DATABASE_URL points to a SQLite file in {folder}, a folder that "
                "does not exist; create it or choose another path."
            )


def check_sqlite_writable(url: str) -> None:
    """Refuse a SQLite file this user cannot write, or one in a folder it cannot write in
    (SQLite puts its -wal and -journal files next to it): there is no server to wait for, and
    SQLite would only say "attempt to write a readonly database", at the first write."""
    file = sqlite_file(url)
    if file is None or not file.exists():
        return  # a file still to be made: wait_for_database checks its folder
    if not os.access(file, os.W_OK) or not os.access(file.parent, os.W_OK | os.X_OK):
        raise _read_only(url)


def _read_only(url: str) -> ConfigError:
    return ConfigError(
        f"BUURTBOT_DATABASE_URL points to the SQLite file {sqlite_file(url)}, which this user "
        "may not write, or which lies in a folder it may not write in; change the permissions "
        "or choose another path."
    )


def check_listening(settings: Settings) -> None:
    """Bind the webhook and health ports once, before anything else: a busy port or an
    address that is not this machine's would otherwise only fail once the bot has connected,
    migrated and called setWebhook, as an OSError or gaierror without a setting's name."""
    from bot.health import health_port  # aiohttp: only for `run`

    ports = []
    if settings.mode == "webhook":
        ports.append(("WEBHOOK", settings.webhook_listen, settings.webhook_port))
    port = health_port(settings)
    if port is not None:
        ports.append(("HEALTH", settings.health_listen, port))
    if len(ports) == 2 and ports[0][2] == ports[1][2]:
        raise ConfigError(
            f"BUURTBOT_HEALTH_PORT is {port}, the webhook's port too; choose another."
        )
    for name, host, number in ports:
        _try_listening(name, host, number)


def _try_listening(name: str, host: str, port: int) -> None:
    not_ours = ConfigError(
        f"BUURTBOT_{name}_LISTEN ({host}) is not an address of this machine; use 127.0.0.1, "
        "0.0.0.0 (every address) or one of its own."
    )
    try:
        addresses = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as error:
        raise not_ours from error
    for family, kind, protocol, _name, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            # As the servers do: a port the last run left in TIME_WAIT is free to use.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRNOTAVAIL:
                    raise not_ours from error
                if error.errno == errno.EADDRINUSE:
                    reason = "is already in use"
                elif error.errno == errno.EACCES:
                    reason = "may not be used by this user (below 1024 needs privileges)"
                else:
                    reason = f"cannot be used ({error.strerror})"
                raise ConfigError(
                    f"Port {port} on {host} {reason}; choose another with "
                    f"BUURTBOT_{name}_PORT or stop what uses it."
                ) from error


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
        if "readonly database" in reason:  # what check_sqlite_writable cannot see (?mode=ro)
            raise _read_only(url) from error
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
    check_sqlite_writable(url)
    try:
        ping_database(url)
    except TransientError as error:
        raise _unreachable(url, error) from error


def wait_for_database(settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
    url = settings.database_url
    check_database_url(url)
    check_sqlite_writable(url)
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
