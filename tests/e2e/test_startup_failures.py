"""`buurtbot run` that cannot start: one sentence naming the setting, the right exit code, and
never the token, also at DEBUG (where the redacted traceback is shown)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from botapi_emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
TOKEN = "7000000002:SomeOtherRevokedTokenXXXXXXXXXX"
SECRET_PART = TOKEN.split(":", 1)[1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def buurtbot(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env |= {"PYTHONPATH": str(REPO), "BUURTBOT_STARTUP_WAIT": "0", **settings}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_sentence_without_token(
    result: subprocess.CompletedProcess[str], code: int, *words: str
) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert TOKEN not in output
    assert SECRET_PART not in output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("buurtbot: "), output
    for word in words:
        assert word in last, output


@pytest.fixture
async def strict_emulator() -> AsyncIterator[Emulator]:
    """An emulator that accepts only its own token: any other is "revoked"."""
    async with Emulator(token="123456789:TheOnlyTokenThisEmulatorAccepts") as emu:
        yield emu


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_a_refused_token_is_a_configuration_error(
    strict_emulator: Emulator, tmp_path: Path, level: str
) -> None:
    result = await asyncio.to_thread(
        buurtbot,
        tmp_path,
        "run",
        BUURTBOT_TOKEN=TOKEN,
        BUURTBOT_API_BASE_URL=strict_emulator.base_url,
        BUURTBOT_LOG_LEVEL=level,
    )
    assert_one_sentence_without_token(result, 2, "BUURTBOT_TOKEN", "refused")
    left = await asyncio.to_thread(lambda: list(tmp_path.iterdir()))
    assert left == [], "a failed start leaves no (empty) database behind"
    if level == "DEBUG":
        assert "Traceback" in result.stderr
        assert "<token>" in result.stderr, "the debug traceback is shown, redacted"
    else:
        assert "Traceback" not in result.stderr


def test_an_api_url_without_bot_names_the_setting(tmp_path: Path) -> None:
    result = buurtbot(
        tmp_path,
        "run",
        BUURTBOT_TOKEN=TOKEN,
        BUURTBOT_API_BASE_URL="http://127.0.0.1:9123",
        BUURTBOT_LOG_LEVEL="DEBUG",
    )
    assert_one_sentence_without_token(result, 2, "BUURTBOT_API_BASE_URL", "/bot")


@pytest.mark.parametrize("level", ["ERROR", "DEBUG"])
def test_an_unreachable_bot_api_is_retried_then_one_sentence(tmp_path: Path, level: str) -> None:
    result = buurtbot(
        tmp_path,
        "run",
        BUURTBOT_TOKEN=TOKEN,
        BUURTBOT_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/bot",
        BUURTBOT_LOG_LEVEL=level,
        BUURTBOT_STARTUP_WAIT="1.5",
    )
    assert_one_sentence_without_token(result, 1, "BUURTBOT_API_BASE_URL", "not reachable")
    assert list(tmp_path.iterdir()) == [], "a failed start leaves no (empty) database behind"
    if level == "DEBUG":
        assert "retrying for up to 2 s" in result.stderr
        assert result.stderr.count("retrying for up to") == 1, "one log line, not one per attempt"
    else:
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "code", "word"),
    [
        ("mysql://user:pw@localhost/buurtbot", 2, "'mysql'"),
        ("notaurl", 2, "not a database URL"),
        ("sqlite:////no/such/dir/x.db", 2, "does not exist"),
        ("postgresql://user:pw@127.0.0.1:{port}/buurtbot", 1, "not reachable"),
        ("sqlite://", 2, "in-memory"),
        ("sqlite:///", 2, "sqlite:///buurtbot.db"),
    ],
)
def test_bad_database_urls_are_one_sentence(
    tmp_path: Path, url: str, code: int, word: str
) -> None:
    result = buurtbot(
        tmp_path,
        "run",
        BUURTBOT_TOKEN=TOKEN,
        BUURTBOT_DATABASE_URL=url.format(port=closed_port()),
        BUURTBOT_LOG_LEVEL="DEBUG",
    )
    assert_one_sentence_without_token(result, code, "BUURTBOT_DATABASE_URL", word)
    assert "pw@" not in result.stderr.splitlines()[-1], "no password in the sentence"


@pytest.mark.parametrize(
    "command",
    [
        ("migrate",),
        ("wijk", "list"),
        ("wijk", "add", "Oost"),
        ("role", "grant", "1", "buurtwerker", "Oost"),
        ("reindex",),
        ("backup", "copy.dump"),
    ],
)
@pytest.mark.parametrize(
    ("url", "code", "word"),
    [
        ("sqlite:////no/such/dir/x.db", 2, "does not exist"),
        ("postgresql://user:pw@127.0.0.1:{port}/buurtbot", 1, "not reachable"),
        ("sqlite://", 2, "in-memory"),
    ],
)
def test_one_off_commands_on_a_bad_database_say_one_sentence(
    tmp_path: Path, command: tuple[str, ...], url: str, code: int, word: str
) -> None:
    result = buurtbot(tmp_path, *command, BUURTBOT_DATABASE_URL=url.format(port=closed_port()))
    assert_one_sentence_without_token(result, code, "BUURTBOT_DATABASE_URL", word)
    assert "unexpected" not in result.stderr
    assert "pw@" not in result.stderr


def test_the_emulator_on_a_busy_port_says_so(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = buurtbot(tmp_path, "emulator", "--port", str(port))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize("port", ["80000", "-1", "http"])
def test_the_emulator_refuses_a_port_that_is_not_one(tmp_path: Path, port: str) -> None:
    result = buurtbot(tmp_path, "emulator", "--port", port)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "argument --port:" in result.stderr
    assert "1 to 65535" in result.stderr


WEBHOOK = {"BUURTBOT_MODE": "webhook", "BUURTBOT_WEBHOOK_URL": "https://bot.example.org"}


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({**WEBHOOK, "BUURTBOT_WEBHOOK_PORT": "{busy}"}, ("already in use", "WEBHOOK_PORT")),
        ({**WEBHOOK, "BUURTBOT_HEALTH_PORT": "{busy}"}, ("already in use", "HEALTH_PORT")),
        ({"BUURTBOT_HEALTH_PORT": "{busy}"}, ("Port {busy} on 127.0.0.1", "HEALTH_PORT")),
        (
            {"BUURTBOT_HEALTH_PORT": "8080", "BUURTBOT_HEALTH_LISTEN": "192.0.2.7"},
            ("HEALTH_LISTEN",),
        ),
        ({**WEBHOOK, "BUURTBOT_HEALTH_PORT": "8443"}, ("BUURTBOT_HEALTH_PORT is 8443",)),
    ],
)
def test_ports_that_cannot_be_listened_on_name_the_setting_at_once(
    tmp_path: Path, settings: dict[str, str], words: tuple[str, ...]
) -> None:
    """Before the database is made or Telegram asked (192.0.2.7: a documentation address,
    not this machine's; a name that does not resolve: tests/bot/test_startup.py, no DNS)."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = buurtbot(
            tmp_path,
            "run",
            BUURTBOT_TOKEN=TOKEN,
            BUURTBOT_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/bot",
            **{name: value.format(busy=port) for name, value in settings.items()},
        )
    words = tuple(word.format(busy=port) for word in words)
    assert_one_sentence_without_token(result, 2, *words)
    assert list(tmp_path.iterdir()) == [], "nothing is made before the ports are checked"
