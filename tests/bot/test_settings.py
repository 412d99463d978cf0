"""Settings: defaults, environment overrides, and clear errors for bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import TELEGRAM_API_BASE_URL, ConfigError, load_settings

GOOD_TOKEN = "123456789:AAEexampleexampleexampleexample1234"


@pytest.mark.usefixtures("clean_env")
def test_defaults_suit_a_dutch_deployment_on_sqlite() -> None:
    settings = load_settings()
    assert settings.token is None
    assert settings.database_url == "sqlite:///buurtbot.db"
    assert settings.api_base_url == TELEGRAM_API_BASE_URL
    assert settings.mode == "polling"
    assert settings.default_language == "nl"
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.admins == []
    assert settings.log_level == "INFO"


def test_environment_overrides_defaults(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUURTBOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("BUURTBOT_DATABASE_URL", "postgresql://bot@db/buurt")
    monkeypatch.setenv("BUURTBOT_API_BASE_URL", "http://127.0.0.1:9000/bot")
    monkeypatch.setenv("BUURTBOT_ADMINS", "11, 22")
    monkeypatch.setenv("BUURTBOT_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("BUURTBOT_LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.require_token() == GOOD_TOKEN
    assert settings.database_url == "postgresql://bot@db/buurt"
    assert settings.api_base_url == "http://127.0.0.1:9000/bot"
    assert settings.admins == [11, 22]
    assert settings.default_language == "en"
    assert settings.log_level == "DEBUG"


def test_dotenv_file_is_read(clean_env: Path) -> None:
    (clean_env / ".env").write_text("BUURTBOT_TIMEZONE=Europe/Brussels\n", encoding="utf-8")
    assert load_settings().timezone == "Europe/Brussels"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BUURTBOT_TIMEZONE", "Mars/Olympus"),
        ("BUURTBOT_MODE", "carrier-pigeon"),
        ("BUURTBOT_ADMINS", "anna"),
        ("BUURTBOT_DEFAULT_LANGUAGE", "fr"),
    ],
)
def test_bad_values_give_one_readable_error(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()


@pytest.mark.parametrize("token", [None, "", "   "])
@pytest.mark.usefixtures("clean_env")
def test_missing_token_is_explained(token: str | None) -> None:
    settings = load_settings(token=token)
    with pytest.raises(ConfigError, match="No bot token"):
        settings.require_token()


@pytest.mark.parametrize("token", ["abc", "123:short", "not-a-number:AAEexampleexampleexample"])
@pytest.mark.usefixtures("clean_env")
def test_malformed_token_is_explained(token: str) -> None:
    with pytest.raises(ConfigError, match="does not look like a bot token"):
        load_settings(token=token).require_token()


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("token", "expected"),
    [(None, "No bot token"), ("12345", "does not look like a bot token")],
)
def test_cli_run_without_a_usable_token_exits_2_with_one_sentence(
    tmp_path: Path, token: str | None, expected: str
) -> None:
    env = cli_env() if token is None else cli_env(BUURTBOT_TOKEN=token)
    result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "buurtbot.db").exists(), "no database is created before the check"


@pytest.mark.parametrize(
    "command",
    [[], ["run"], ["migrate"], ["wijk"], ["wijk", "add"], ["wijk", "list"], ["role"], ["demo"]],
)
def test_every_command_explains_itself(tmp_path: Path, command: list[str]) -> None:
    result = run_cli(*command, "--help", env=cli_env(), cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: buurtbot" in result.stdout
    assert len(result.stdout.splitlines()) >= 3


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        (None, False),
        ("http://bot.example.org", False),
        ("https://bot.example.org", True),
        ("http://127.0.0.1:8443", True),  # local Bot API servers and the emulator
    ],
)
@pytest.mark.usefixtures("clean_env")
def test_webhook_mode_needs_an_https_url(url: str | None, accepted: bool) -> None:
    settings = load_settings(mode="webhook", webhook_url=url)
    if accepted:
        assert settings.require_webhook() == url
    else:
        with pytest.raises(ConfigError, match="BUURTBOT_WEBHOOK_URL"):
            settings.require_webhook()
