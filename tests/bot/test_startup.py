"""Start-up checks that need a situation a test cannot make for real: a name that does not
resolve (without asking DNS) and SQLite permissions as a user who is not root sees them."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from bot import startup
from bot.settings import ConfigError, load_settings


def test_a_listen_name_that_does_not_resolve_names_the_setting(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_such_name(*_args: object, **_kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    settings = load_settings(
        mode="webhook", webhook_url="https://bot.example.org", webhook_listen="notahost"
    )
    with pytest.raises(ConfigError) as raised:
        startup.check_listening(settings)
    assert str(raised.value).startswith(
        "BUURTBOT_WEBHOOK_LISTEN (notahost) is not an address of this machine"
    )


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    file = tmp_path / "buurtbot.db"
    file.touch()
    return file


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_sqlite_file_that_cannot_be_written_is_refused_at_once(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, database_file: Path, read_only: str
) -> None:
    """As os.access answers a user who is not root for a mode 444 file, or a file in a
    mode 555 folder: refused before connecting, and not waited for (no server to start)."""
    locked = database_file if read_only == "file" else database_file.parent
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode)
    )
    url = f"sqlite:///{database_file}"

    def no_waiting(_seconds: float) -> None:
        raise AssertionError("a read-only SQLite file is not retried")

    with pytest.raises(ConfigError) as for_migrate:
        startup.require_database(url)
    with pytest.raises(ConfigError) as for_run:
        startup.wait_for_database(load_settings(database_url=url), sleep=no_waiting)
    for raised in (for_migrate, for_run):
        assert str(raised.value).startswith(
            f"BUURTBOT_DATABASE_URL points to the SQLite file {database_file.resolve()}, "
            "which this user may not write"
        )


def test_sqlite_saying_readonly_is_a_configuration_error_not_a_wait(
    clean_env: Path, database_file: Path
) -> None:
    """A read-only open (also what a read-only mount gives) fails on the first write."""
    url = f"sqlite:///file:{database_file}?mode=ro&uri=true"
    with pytest.raises(ConfigError, match="may not write"):  # not a TransientError
        startup.ping_database(url)
