"""The operator's commands: `check`, `backup`, and the CLI's input checks."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.engine import Engine

from bot.cli import build_parser, main
from botapi_emulator import Emulator
from storage import migrate
from storage.db import make_engine, session_scope
from storage.models import OutboxMessage, OutboxStatus


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean folder with no BUURTBOT_* settings but a SQLite file in it."""
    for name in list(os.environ):
        if name.startswith("BUURTBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BUURTBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_check_where_there_is_no_database_yet_says_so_and_creates_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "check")
    assert code == 1
    assert not (workdir / "bot.db").exists(), "a check made a database file"
    assert (
        f"✗ no database at {workdir.resolve() / 'bot.db'} yet: `buurtbot migrate` or the first "
        "`buurtbot run` creates it there" in out
    )
    assert "- migrations: skipped (no database)" in out
    assert "reachable" not in out


def test_check_on_an_empty_database_fails_and_says_what_to_do(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "bot.db").touch()  # an empty SQLite database
    code, out = run(capsys, "check")
    assert code == 1
    assert "✓ database reachable" in out
    assert "✗ database has no schema yet (newest is" in out
    assert "run `buurtbot migrate`" in out
    assert "- outbox: skipped (schema not current)" in out
    assert "- matching pool: skipped (schema not current)" in out, "named as in its own lines"
    assert "matching_pool" not in out


def test_check_says_a_malformed_token_once_and_names_the_pool(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUURTBOT_TOKEN", "123:abc")
    assert run(capsys, "wijk", "add", "Oost")[0] == 0
    code, out = run(capsys, "check")
    assert code == 1
    assert out.count("does not look like a bot token") == 1, out
    assert "matching pool" in out
    assert "matching_index" not in out
    assert "wijk(en)" not in out
    assert "wijken in the database: 1" in out


def test_check_passes_once_set_up(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "wijk", "add", "Transvaalbuurt")[0] == 0
    code, out = run(capsys, "check")
    assert code == 1
    assert "✗ wijk Transvaalbuurt has no buurtwerker" in out
    assert run(capsys, "role", "grant", "42", "buurtwerker", "transvaalbuurt")[0] == 0
    code, out = run(capsys, "check")
    assert code == 0, out
    assert "✗" not in out
    assert "✓ database schema current" in out
    assert "- bot token not set" in out
    assert "- matching pool: no open requests to compare" in out


def test_check_takes_an_empty_token_as_not_set(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`BUURTBOT_TOKEN=` as deploy/env.example has it: not set, not a malformed token."""
    monkeypatch.setenv("BUURTBOT_TOKEN", "")
    _, out = run(capsys, "check")
    assert "- bot token not set (BUURTBOT_TOKEN), getMe skipped" in out
    assert "token" not in "".join(line for line in out.splitlines() if line.startswith("✗"))


def test_check_reports_an_outbox_backlog(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{workdir / 'bot.db'}"
    migrate.upgrade(url)
    engine: Engine = make_engine(url)
    old = datetime.now(UTC) - timedelta(hours=1)
    with session_scope(engine) as session:
        session.add(OutboxMessage(chat_id=1, text="x", due_at=old))
        session.add(OutboxMessage(chat_id=2, text="y", due_at=old, status=OutboxStatus.FAILED))
    engine.dispose()
    code, out = run(capsys, "check")
    assert code == 1
    assert "✗ outbox: 1 message(s) overdue" in out
    assert "✓ outbox: 1 dead letter(s)" in out


@pytest.fixture
async def strict_emulator() -> AsyncIterator[Emulator]:
    async with Emulator(token="123456789:TheOnlyTokenThisEmulatorAccepts") as emu:
        yield emu


@pytest.mark.parametrize("accepted", [True, False])
async def test_check_asks_telegram_about_the_token(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    strict_emulator: Emulator,
    accepted: bool,
) -> None:
    token = strict_emulator.token if accepted else "123456789:SomeRevokedTokenXXXXXXXXXXXXX"
    monkeypatch.setenv("BUURTBOT_TOKEN", token)
    monkeypatch.setenv("BUURTBOT_API_BASE_URL", strict_emulator.base_url)
    code, out = await asyncio.to_thread(run, capsys, "check")
    assert token not in out
    if accepted:
        assert "✓ token accepted by Telegram: @buurtbot_test_bot" in out
    else:
        assert "✗ Telegram refused the token in BUURTBOT_TOKEN" in out
        assert code == 1


def test_check_finds_incoherent_webhook_settings(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUURTBOT_MODE", "webhook")
    code, out = run(capsys, "check")
    assert code == 1
    assert "✗ Webhook mode needs BUURTBOT_WEBHOOK_URL" in out
    assert "✗ webhook mode without BUURTBOT_WEBHOOK_SECRET" in out


def test_backup_copies_a_running_sqlite_database(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "wijk", "add", "Transvaalbuurt")[0] == 0
    holder = sqlite3.connect(workdir / "bot.db")  # another connection keeps it open
    try:
        code, out = run(capsys, "backup", "copy.db")
    finally:
        holder.close()
    assert code == 0, out
    with sqlite3.connect(workdir / "copy.db") as copy:
        assert copy.execute("SELECT name FROM wijk").fetchall() == [("Transvaalbuurt",)]
    code, out = run(capsys, "backup", "copy.db")
    assert code == 2
    assert "exists already" in out


def test_a_failed_pg_dump_is_told_by_its_error_line_not_its_hint() -> None:
    from storage.backup import pg_dump_reason

    stderr = (
        'pg_dump: error: connection to server at "db.example" (10.0.0.5), port 5432 failed: '
        "Connection refused\n"
        "\tIs the server running on that host and accepting TCP/IP connections?\n"
    )
    assert pg_dump_reason(stderr) == (
        'connection to server at "db.example" (10.0.0.5), port 5432 failed: Connection refused'
    )
    assert pg_dump_reason("") == "it failed without saying why"


def test_pg_dump_gets_the_password_in_its_environment_not_on_its_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.backup import backup

    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$SEEN/argv"\n'
        'printf "%s" "$PGPASSWORD" > "$SEEN/password"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SEEN", str(tmp_path))

    kind = backup("postgresql://buurt:s3cret@db.example:5432/buurtbot", tmp_path / "copy.dump")

    assert kind.startswith("pg_dump")
    argv = (tmp_path / "argv").read_text()
    assert "s3cret" not in argv
    assert "--dbname=postgresql://buurt@db.example:5432/buurtbot" in argv
    assert (tmp_path / "password").read_text() == "s3cret"


def test_role_grant_takes_only_positive_telegram_ids(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "wijk", "add", "Transvaalbuurt")[0] == 0
    for bad in ("-5", "0", "anna"):
        with pytest.raises(SystemExit) as exited:
            main(["role", "grant", bad, "buurtwerker", "transvaalbuurt"])
        assert exited.value.code == 2
        assert "is not a Telegram user id" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["wijk", "add", ""],
        ["wijk", "add", "   "],
        ["wijk", "add", "x" * 101],
        ["wijk", "add", "Transvaalbuurt", "--reach", "0"],
        ["wijk", "add", "Transvaalbuurt", "--location", "north"],
        ["role", "grant", "42", "buurtwerker", ""],
        ["role", "grant", "-5", "buurtwerker", "transvaalbuurt"],
    ],
)
def test_bad_arguments_are_refused_before_a_database_is_made(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exited:
        code = int(exited.code or 0)
    assert code == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert not (workdir / "bot.db").exists(), "no database file for a refused command"


def test_check_says_which_database_it_used(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUURTBOT_DATABASE_URL", "sqlite:///bot.db")  # relative to the folder
    (workdir / "bot.db").touch()
    _, out = run(capsys, "check")
    assert f"file {workdir.resolve() / 'bot.db'}" in out
    monkeypatch.setenv(
        "BUURTBOT_DATABASE_URL", "postgresql://buurtbot:s3cret-pw@127.0.0.1:1/buurtbot"
    )
    _, out = run(capsys, "check")
    assert "buurtbot:***@127.0.0.1:1/buurtbot" in out
    assert "s3cret-pw" not in out


def test_wijk_add_suggests_the_existing_wijk_and_list_has_a_header(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "wijk", "add", "Transvaalbuurt")[0] == 0
    code, out = run(capsys, "wijk", "add", "transváalbuurt")
    assert code == 2
    assert "There is already a wijk called 'Transvaalbuurt'" in out
    code, out = run(capsys, "wijk", "list")
    lines = out.splitlines()
    header = next(line for line in lines if "CODE" in line)
    assert header.split()[:3] == ["CODE", "NAME", "JOIN"]


def test_emulator_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["emulator", "--help"])
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--token", "--bot-username", "--no-limits", "--no-privacy"):
        assert option in out
    assert "BUURTBOT_API_BASE_URL" in out


class _Application:
    """Stands in for the built Application: remembers how it was started."""

    def __init__(self) -> None:
        # (The configured webhook secret is used as it is: no database needed.)
        self.bot_data: dict[str, object] = {"services": SimpleNamespace(engine=None)}
        self.started: tuple[str, dict[str, object]] | None = None

    def run_polling(self, **kwargs: object) -> None:
        self.started = ("polling", kwargs)

    def run_webhook(self, **kwargs: object) -> None:
        self.started = ("webhook", kwargs)


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_run_retries_the_applications_first_calls(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """A setWebhook (or deleteWebhook) that times out once, on a busy machine or a flaky
    network, is retried instead of ending `run` with exit code 1."""
    import bot.app
    import bot.ops

    application = _Application()
    monkeypatch.setattr(bot.ops, "prepare_run", lambda settings, secrets: None)
    monkeypatch.setattr(bot.app, "build_application", lambda settings: application)
    monkeypatch.setenv("BUURTBOT_TOKEN", "7000000001:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    monkeypatch.setenv("BUURTBOT_MODE", mode)
    monkeypatch.setenv("BUURTBOT_WEBHOOK_URL", "https://bot.example.org")
    monkeypatch.setenv("BUURTBOT_WEBHOOK_SECRET", "a-secret")
    assert main(["run"]) == 0
    assert application.started is not None
    started, kwargs = application.started
    assert started == mode
    retries = kwargs["bootstrap_retries"]
    assert isinstance(retries, int)
    assert retries > 0


@pytest.mark.parametrize("argv", [["--foo"], ["--debug", "--foo"], ["--foo=1", "run"]])
def test_an_unknown_option_is_named_and_the_commands_are_listed(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "unknown option --foo" in last
    assert "the commands are: run, migrate," in last
    assert "arguments are required" not in last


def test_no_command_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "give a command; the commands are: run, migrate," in last


def test_a_commands_own_options_and_negative_numbers_are_left_to_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--foo"])
    assert "unrecognized arguments: --foo" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["role", "grant", "-5", "buurtwerker", "oost"])
    assert "is not a Telegram user id" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "debug"),
    [
        (["run"], False),
        (["--debug", "run"], True),
        (["run", "--debug"], True),
        (["demo", "--chat", "--debug"], True),
        (["wijk", "add", "Oost", "--debug"], True),
        (["--debug", "wijk", "list"], True),
    ],
)
def test_debug_goes_before_or_after_the_command(argv: list[str], debug: bool) -> None:
    assert build_parser().parse_args(argv).debug is debug
