"""When the database is away: say so once in the log (and once when it is back), apologise to
each person without needing the database, and process their update again once it is back.

The unit of work claims the update id in the same transaction as its effects (bot/runner.py),
so an update whose unit failed left nothing behind and may simply run again: the error handler
puts it back on the update queue after a pause (growing to RETRY_MAX), for as long as
RETRY_FOR; an update that did commit is skipped as a redelivery. (In polling mode Telegram has
already counted these updates as delivered: only this process can still handle them.)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import exc

log = logging.getLogger(__name__)

RETRY_FIRST = 2.0
RETRY_MAX = 30.0
# How long an update is kept for another try (afterwards it is given up, with a log line).
RETRY_FOR = 600.0


def is_database_down(error: BaseException | None) -> bool:
    """Whether an error means the database cannot be reached (or is locked), not a bug."""
    if isinstance(error, exc.DBAPIError):
        return isinstance(error, exc.OperationalError | exc.InterfaceError) or bool(
            error.connection_invalidated
        )
    return isinstance(error, exc.DisconnectionError | exc.TimeoutError)


@dataclass
class _Pending:
    first_failed: float
    tries: int = 0


@dataclass
class Outage:
    """The process's view of the database: up, or down since when (for one log line each)."""

    clock: Callable[[], float] = time.monotonic
    down_since: float | None = None
    retries: dict[int, _Pending] = field(default_factory=dict)

    def failed(self, error: BaseException) -> None:
        if self.down_since is None:
            self.down_since = self.clock()
            log.error(
                "the database is unavailable (%s: %s); apologising and retrying updates "
                "until it is back",
                type(error).__name__,
                str(error).splitlines()[0] if str(error) else "",
            )

    def working(self) -> None:
        if self.down_since is not None:
            log.warning(
                "the database is back after %.0f s", max(0.0, self.clock() - self.down_since)
            )
            self.down_since = None

    def retry_delay(self, update_id: int) -> float | None:
        """Seconds until the update's next try; None when it waited long enough (given up).
        The first failure of an update is the one the person hears about."""
        now = self.clock()
        pending = self.retries.setdefault(update_id, _Pending(first_failed=now))
        if now - pending.first_failed > RETRY_FOR:
            del self.retries[update_id]
            log.error("gave up on update %s after the database was away too long", update_id)
            return None
        pending.tries += 1
        delay: float = min(RETRY_MAX, RETRY_FIRST * 2.0 ** (pending.tries - 1))
        return delay

    def refuses_updates(self) -> bool:
        """Whether webhook mode should answer new updates 503, so Telegram keeps them and
        delivers them again later (kept in Telegram, they survive a restart of this process).
        Only while an update of ours is still being retried: its retry is what notices the
        database is back, so there is always someone to end the refusal."""
        return self.down_since is not None and bool(self.retries)

    def is_retry(self, update_id: int) -> bool:
        pending = self.retries.get(update_id)
        return pending is not None and pending.tries > 0

    def done(self, update_id: int) -> None:
        self.retries.pop(update_id, None)


async def later(delay: float, put: Callable[[], object]) -> None:
    await asyncio.sleep(delay)
    put()


OUTAGE_KEY = "database_outage"


def outage_of(bot_data: dict[object, object]) -> Outage:
    """The application's Outage (made on first use)."""
    outage = bot_data.get(OUTAGE_KEY)
    if not isinstance(outage, Outage):
        outage = bot_data[OUTAGE_KEY] = Outage()
    return outage
