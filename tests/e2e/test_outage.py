"""The database away for a while: each person hears one clear sentence (no database needed
for it), the log says so once, and every update of the outage runs once it is back."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot import outage, runner
from bot.harness import RunningBot
from botapi_emulator.scenario import Scene

APOLOGY = "Het lukt nu even niet, probeer het zo nog eens."
HELP = "Dit kun je doen"


async def test_an_outage_is_apologised_for_logged_once_and_caught_up_after(
    scene: Scene,
    running: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = {"now": True}
    real = runner._run_unit

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if down["now"]:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "_run_unit", flaky)
    monkeypatch.setattr(outage, "RETRY_FIRST", 0.2)
    monkeypatch.setattr(outage, "RETRY_MAX", 0.5)
    caplog.set_level(logging.INFO)
    people = [scene.resident(name) for name in ("Anna", "Ben", "Carla")]
    for person in people:
        await person.sends("/help")
    for person in people:
        await person.sees(APOLOGY)
    # A second update of the outage gets its own apology (one per update, not per retry).
    # Waited for explicitly: "idle" can come before a busy machine has handled it.
    await people[0].sends("/help")
    await running.emulator.wait_for(
        lambda: (
            sum(APOLOGY in m.content for m in running.emulator.messages(people[0].chat_id)) == 2
        ),
        10,
        what="Anna's second /help apologised for",
    )
    await running.emulator.wait_until_idle()
    down["now"] = False
    for person in people:
        await person.sees(HELP, timeout=10)
    await running.emulator.wait_for(
        lambda: sum(HELP in m.content for m in running.emulator.messages(people[0].chat_id)) == 2,
        10,
        what="Anna's second /help answered too",
    )
    texts = Counter(
        message.content
        for person in people
        for message in running.emulator.messages(person.chat_id)
    )
    assert texts[APOLOGY] == 4, "one apology per update, never again on its retries"
    lines = [record.getMessage() for record in caplog.records]
    assert sum("the database is unavailable" in line for line in lines) == 1
    assert sum("the database is back" in line for line in lines) == 1
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR and "unavailable" not in r.getMessage()
    ]
    assert running.emulator.errors == []
