"""Units of work built by hand on a real (migrated) database, without Telegram or the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.services.unit import Caller, Unit
from bot.settings import Settings
from storage.db import session_scope
from storage.matchmaking import start_flow
from storage.models import Post, Resident, Wijk
from tests.storage.neighbourhood import add_post, add_resident, add_wijk


@dataclass
class Street:
    session: Session
    now: datetime
    wijk: Wijk
    anna: Resident
    neighbours: list[Resident]

    def unit(self, caller: Resident | None = None) -> Unit:
        """A unit of work as the runner makes it, for a press or message by `caller`."""
        who = (
            None
            if caller is None
            else Caller(user_id=caller.telegram_user_id, chat_id=caller.telegram_user_id)
        )
        unit = Unit(session=self.session, now=self.now, settings=Settings(), caller=who)
        unit.load_caller()
        return unit

    def request(
        self, text: str = "Wie kan zaterdag mijn boodschappen doen?", **fields: Any
    ) -> Post:
        post = add_post(self.session, self.anna, text, self.now, **fields)
        start_flow(self.session, post=post, now=self.now)
        return post


@pytest.fixture
def street(engine: Engine, now: datetime) -> Iterator[Street]:
    """Anna asks; Ben, Carla, Dirk and Eva live in her street and are open to being asked."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", now)
        people = [
            add_resident(
                session,
                telegram_user_id=6000 + number,
                first_name=name,
                wijk=wijk,
                now=now,
                pace="weekly",
            )
            for number, name in enumerate(("Anna", "Ben", "Carla", "Dirk", "Eva"))
        ]
        yield Street(session, now, wijk, people[0], people[1:])
