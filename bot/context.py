"""Services shared by all handlers, and a typed context to reach them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from telegram import User
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import normalise_language
from bot.settings import Settings
from storage import repo
from storage.db import session_scope

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    clock: Clock


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handler context, with the services as a typed attribute instead of a dict key."""

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services


BotApplication = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]


def language_for(services: Services, user: User | None) -> str:
    """The language to answer a user in: their choice, else their Telegram app's, else ours."""
    default = services.settings.default_language
    if user is None:
        return default
    with session_scope(services.engine) as session:
        resident = repo.find_resident(session, telegram_user_id=user.id)
        if resident is not None:
            return resident.language
    return normalise_language(user.language_code, default)
