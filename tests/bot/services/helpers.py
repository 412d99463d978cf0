"""Units of work built by hand around a real database, for service tests without Telegram."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.services import dialogs
from bot.services.unit import Caller, Unit
from bot.settings import Settings, load_settings
from storage.db import session_scope

SETTINGS = Settings(_env_file=None)
R = TypeVar("R")


def unit_for(session: Session, user_id: int, now: datetime, first_name: str = "Anna") -> Unit:
    """The unit the runner would open for an update from `user_id` in their private chat.

    Tests run several units in one session; flushing first makes what the earlier ones wrote
    visible as their commits would (a deleted dialog row really gone, for one)."""
    session.flush()
    unit = Unit(
        session=session,
        now=now,
        settings=SETTINGS,
        caller=Caller(user_id=user_id, chat_id=user_id, first_name=first_name),
    )
    unit.load_caller()
    return unit


def dialog_of(session: Session, chat_id: int) -> object:
    """The chat's dialog as the next unit would see it (after the last one's "commit")."""
    session.flush()
    return dialogs.load(session, chat_id)


def run(engine: Engine, now: datetime, user_id: int, service: Callable[[Unit], R]) -> R:
    """Run `service` for the person `user_id` in one committed unit of work, as the runner does."""
    with session_scope(engine) as session:
        unit = Unit(
            session=session,
            now=now,
            settings=load_settings(),
            caller=Caller(user_id=user_id, chat_id=user_id, first_name="Sam", language_code="en"),
        )
        unit.load_caller()
        return service(unit)
