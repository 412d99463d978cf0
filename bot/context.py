"""Services shared by all handlers, and a typed context to reach them."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import Application, CallbackContext, ExtBot

from bot.services.unit import Outgoing
from bot.settings import Settings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    clock: Clock
    # The database worker thread(s): every unit of work runs there (bot/runner.py). None runs
    # it on the event loop instead: only for the throughput benchmark's comparison.
    executor: ThreadPoolExecutor | None


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handler context, with the services as a typed attribute instead of a dict key.

    python-telegram-bot makes one context per update (and per job run), so it also carries
    what the update's units of work did: whether one claimed the update id, and the outbox
    messages they claimed for delivery after the handler answered.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.update_claimed = False
        self.outgoing: list[Outgoing] = []
        # Writes that need what Telegram answered (a sent message's id), done together with
        # the delivery record after the handler: bot/sender.py.
        self.after_send: list[Callable[[Session], None]] = []

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services


BotApplication = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
