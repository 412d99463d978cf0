"""Running a service of the post conversations the way the runner does, without Telegram."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from bot import callbacks
from bot.services.unit import Caller, Unit
from bot.settings import Settings
from storage.db import session_scope

R = TypeVar("R")


def run(
    engine: Engine, now: datetime, user_id: int, service: Callable[..., R], *args: Any
) -> tuple[R, Unit]:
    """One unit of work for `user_id` (in a private chat), committed; its result and unit."""
    with session_scope(engine) as session:
        unit = Unit(
            session=session,
            now=now,
            settings=Settings(_env_file=None),
            caller=Caller(user_id=user_id, chat_id=user_id, first_name="Someone"),
        )
        unit.load_caller()
        return service(unit, *args), unit


def press(data: str) -> callbacks.Press:
    decoded = callbacks.decode(data)
    assert decoded is not None
    return decoded
