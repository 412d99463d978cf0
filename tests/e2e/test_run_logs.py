"""What `buurtbot run` writes to its log: who it runs as first, never the token, and no
personal contents (names, message texts) even at DEBUG unless BUURTBOT_LOG_PERSONAL=1."""

from __future__ import annotations

import json
from pathlib import Path

from botapi_emulator import Emulator
from botapi_emulator.scenario import Scene
from tests.e2e.test_run_command import START_TIMEOUT, run_bot, stop
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
