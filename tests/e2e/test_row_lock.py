"""PostgreSQL only: one resident's locked row holds up that resident's update, nobody else's.

Units of work run in database worker threads and different chats' updates are processed
concurrently, so while Anna's pause waits for a lock another connection holds on her row, Ben's
/help is answered at once; Anna's pause goes through as soon as the lock is released.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import text

from bot.harness import RunningBot
from botapi_emulator.scenario import Scene
from storage.db import session_scope
from storage.models import Resident
from tests.conftest import postgres_admin_url
from tests.e2e.neighbours import NOW, resident_for
from tests.storage.neighbourhood import add_wijk

pytestmark = pytest.mark.skipif(
    postgres_admin_url() is None,
    reason="needs PostgreSQL (set BUURTBOT_TEST_POSTGRES_URL): SQLite has one writer and no "
    "row locks, so there is nothing to wait on",
)

LOCK_SECONDS = 3.0
# Well within the lock: Ben must not wait for Anna's row.
PROMPT_SECONDS = 1.5


class RowLock:
    """SELECT ... FOR UPDATE on one resident's row, held for a while in its own connection."""

    def __init__(self, running: RunningBot, resident_id: int) -> None:
        self.running, self.resident_id = running, resident_id
        self.taken = threading.Event()
        self.released_at = 0.0
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        with self.running.engine.connect() as connection, connection.begin():
            connection.execute(
                text("SELECT id FROM resident WHERE id = :id FOR UPDATE"), {"id": self.resident_id}
            )
            self.taken.set()
            time.sleep(LOCK_SECONDS)
            self.released_at = time.monotonic()

    async def take(self) -> None:
        self.thread.start()
        assert await asyncio.to_thread(self.taken.wait, 10), "the row lock was not taken"

    async def released(self) -> None:
        await asyncio.to_thread(self.thread.join, 10)


async def test_a_locked_row_holds_up_only_its_resident(scene: Scene, running: RunningBot) -> None:
    anna, ben = scene.resident("Anna"), scene.resident("Ben")
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", NOW)
    anna_id = resident_for(running, anna, oost, NOW)
    resident_for(running, ben, oost, NOW)
    await anna.sends("/pauze")
    await anna.sees_button("1 week")

    lock = RowLock(running, anna_id)
    await lock.take()
    started = time.monotonic()
    # Anna's press writes her row, so its unit of work waits for the lock.
    pressing = asyncio.create_task(anna.presses("1 week", timeout=LOCK_SECONDS + 10))
    await asyncio.sleep(0.2)
    await ben.sends("/help")
    await ben.sees("Buurtbot brengt buren bij elkaar", timeout=LOCK_SECONDS + 10)
    ben_waited = time.monotonic() - started
    assert not pressing.done(), "Anna's pause did not wait for the lock on her row"

    await pressing
    anna_answered = time.monotonic()
    await lock.released()
    await anna.sees("Je hebt pauze tot")
    assert ben_waited < PROMPT_SECONDS
    assert anna_answered >= lock.released_at
    with session_scope(running.engine) as session:
        paused = session.get(Resident, anna_id)
        assert paused is not None
        assert paused.paused
