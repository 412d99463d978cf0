"""The bot's owners (BUURTBOT_ADMINS): errors are reported to them in their private chat.

A report names the kind of error and where in the code it happened, never the exception's
message or the update (those may hold someone's words or name); the log has the rest. Each
distinct error (kind and place) is reported at most once per REPORT_EVERY per process.
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram import Bot

from bot.i18n import t
from bot.settings import Settings

log = logging.getLogger(__name__)

REPORT_EVERY = timedelta(hours=1)


def is_owner(settings: Settings, telegram_user_id: int | None) -> bool:
    return telegram_user_id is not None and telegram_user_id in settings.admins


def error_place(error: BaseException) -> tuple[str, str]:
    """(kind, place): the exception's type and the innermost frame of our own code."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "/site-packages/" not in frame.filename] or frames
    if not ours:
        return type(error).__name__, "?"
    frame = ours[-1]
    return type(error).__name__, f"{Path(frame.filename).name}:{frame.lineno} ({frame.name})"


class ErrorReporter:
    """Remembers what it reported when, so a storm of one error is one message an hour."""

    def __init__(self, every: timedelta = REPORT_EVERY) -> None:
        self.every = every
        self.last: dict[tuple[str, str], datetime] = {}

    def due(self, key: tuple[str, str], now: datetime) -> bool:
        previous = self.last.get(key)
        if previous is not None and now - previous < self.every:
            return False
        self.last[key] = now
        return True

    async def report(
        self, bot: Bot, settings: Settings, error: BaseException, now: datetime | None = None
    ) -> int:
        """Tell every owner; return how many were told."""
        if not settings.admins:
            return 0
        now = now or datetime.now(UTC)
        kind, place = error_place(error)
        if not self.due((kind, place), now):
            return 0
        text = t(
            settings.default_language,
            "ops.error_report",
            kind=kind,
            place=place,
            time=now.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        )
        told = 0
        for owner in settings.admins:
            try:
                await bot.send_message(owner, text)
                told += 1
            except Exception as problem:  # an owner who never started the bot, a network hiccup
                log.warning("could not report an error to owner %s: %s", owner, problem)
        return told
