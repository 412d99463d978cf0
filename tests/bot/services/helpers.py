"""Units of work built by hand on a real database, to test services without the emulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.engine import Engine

from bot.services.unit import Caller, Unit
from bot.settings import load_settings
from storage.db import session_scope

R = TypeVar("R")


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
