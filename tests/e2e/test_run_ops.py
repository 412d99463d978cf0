"""`buurtbot run` for real: its log (who it runs as first, never the token, no personal
contents even at DEBUG unless BUURTBOT_LOG_PERSONAL=1), health endpoints, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.health import readiness
from botapi_emulator import Emulator
from botapi_emulator.scenario import Scene
from storage import migrate, outbox
from storage.db import make_engine, session_scope
from storage.models import OutboxMessage
from tests.e2e.test_run_command import START_TIMEOUT, free_port, run_bot, stop
from tests.e2e.test_run_command import emulator as emulator  # the fixture

NAME = "Zwanhilde"


async def chat_once(emulator: Emulator, database_url: str, tmp_path: Path, **extra: str) -> str:
    process = await run_bot(emulator, database_url, tmp_path, **extra)
    try:
        resident = Scene(emulator).resident(NAME, language="nl")
        await resident.sends("/start")
        await resident.sees(f"Hoi {NAME}!", timeout=START_TIMEOUT)
    finally:
        log = await stop(process)
    assert process.returncode == 0, log
    return log


async def test_debug_log_has_no_token_and_no_personal_contents(
    emulator: Emulator, database_url: str, tmp_path: Path
) -> None:
    log = await chat_once(emulator, database_url, tmp_path, BUURTBOT_LOG_LEVEL="DEBUG")
    assert "Calling Bot API endpoint `sendMessage`" in log, "DEBUG is really on"
    assert emulator.token not in log
    assert emulator.token.split(":", 1)[1] not in log
    assert NAME not in log, "names and texts stay out of the log"
    assert "Context impl" not in log


async def test_first_info_line_says_who_and_how(
    emulator: Emulator, database_url: str, tmp_path: Path
) -> None:
    log = await chat_once(emulator, database_url, tmp_path)
    first = log.strip().splitlines()[0]
    assert " INFO bot.run: running as @buurtbot_test_bot (" in first, log
    assert ", polling, database " in first
    assert "Context impl" not in log
    assert "apscheduler" not in log, "jobs are quiet at INFO"
    assert NAME not in log


async def test_json_log_lines_and_the_personal_switch(
    emulator: Emulator, database_url: str, tmp_path: Path
) -> None:
    log = await chat_once(
        emulator,
        database_url,
        tmp_path,
        BUURTBOT_LOG_LEVEL="DEBUG",
        BUURTBOT_LOG_FORMAT="json",
        BUURTBOT_LOG_PERSONAL="1",
    )
    entries = [json.loads(line) for line in log.strip().splitlines()]
    assert entries[0]["level"] == "WARNING"
    assert "BUURTBOT_LOG_PERSONAL" in entries[0]["message"]
    assert any(NAME in entry["message"] for entry in entries), "personal logging is on"
    assert emulator.token not in log


async def test_health_endpoints_and_sigterm(
    emulator: Emulator, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    process = await run_bot(emulator, database_url, tmp_path, BUURTBOT_HEALTH_PORT=str(port))
    try:
        resident = Scene(emulator).resident(NAME, language="nl")
        await resident.sends("/start")
        await resident.sees(f"Hoi {NAME}!", timeout=START_TIMEOUT)
        async with httpx.AsyncClient() as http:
            alive = await http.get(f"http://127.0.0.1:{port}/healthz")
            ready = await http.get(f"http://127.0.0.1:{port}/readyz")
        assert (alive.status_code, alive.text) == (200, "ok\n")
        assert (ready.status_code, ready.text) == (200, "ready\n")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=START_TIMEOUT)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log


def test_readiness_reports_a_schema_behind(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert readiness(engine, head="0005") == "database schema at empty, expected 0005"
        migrate.upgrade(database_url)
        assert readiness(engine, head=migrate.head_revision(database_url)) is None
    finally:
        engine.dispose()


def test_shutdown_hands_back_held_outbox_rows(engine: Engine) -> None:
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        held = outbox.enqueue(session, chat_id=1, text="a", reply_markup=None, due_at=now)
        other = outbox.enqueue(session, chat_id=2, text="b", reply_markup=None, due_at=now)
        claimed = outbox.claim_due(session, now=now)
        assert {message.id for message in claimed} == {held.id, other.id}
        ids = [held.id or 0]
    with session_scope(engine) as session:
        assert outbox.release(session, ids=ids, now=now) == 1
    with session_scope(engine) as session:
        statuses = {m.id: m.status for m in session.exec(select(OutboxMessage)).all()}
    assert statuses == {held.id: "pending", other.id: "sending"}
