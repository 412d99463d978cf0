"""Settings: defaults, environment overrides, and clear errors for bad configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import TELEGRAM_API_BASE_URL, ConfigError, load_settings, setting_warnings

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
    ("url", "refusal"),
    [
        (None, "needs BUURTBOT_WEBHOOK_URL"),
        ("http://bot.example.org", "must start with https://"),
        ("https://bot.example.org", None),
        ("http://127.0.0.1:8443", None),  # local Bot API servers and the emulator
        ("https://exa mple", "is not a valid URL"),
        ("https://", "is not a valid URL"),
    ],
)
@pytest.mark.usefixtures("clean_env")
def test_webhook_mode_needs_an_https_url(url: str | None, refusal: str | None) -> None:
    settings = load_settings(mode="webhook", webhook_url=url)
    if refusal is None:
        assert settings.require_webhook() == url
    else:
        with pytest.raises(ConfigError, match="BUURTBOT_WEBHOOK_URL") as raised:
            settings.require_webhook()
        assert refusal in str(raised.value)


@pytest.mark.parametrize(("value", "culprit"), [("abc,12", "'abc'"), ("12, -3", "'-3'")])
def test_admins_that_are_not_user_ids_are_named(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, value: str, culprit: str
) -> None:
    monkeypatch.setenv("BUURTBOT_ADMINS", value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value) == (
        "Invalid configuration: BUURTBOT_ADMINS: must be Telegram user ids separated by "
        f"commas; {culprit} is not one."
    )


def test_unknown_variables_are_warned_about_with_the_likely_name(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUURTBOT_POLLINTERVAL", "3")
    monkeypatch.setenv("BUURTBOT_TEST_POSTGRES_URL", "postgresql://ci@db/test")  # CI's, not ours
    monkeypatch.setenv("BUURTBOT_LOG_LEVEL", "INFO")
    (clean_env / ".env").write_text(
        "BUURTBOT_TOKN=1\nnot a statement\nBUURTBOT_WHATEVER=1\nOTHER_APP=1\n", encoding="utf-8"
    )
    env_file = clean_env.resolve() / ".env"
    assert setting_warnings() == [
        f"{env_file} line 2 is not NAME=value; it is ignored.",
        "BUURTBOT_POLLINTERVAL (in the environment) is not a Buurtbot setting and is ignored; "
        "did you mean BUURTBOT_POLL_INTERVAL?",
        f"BUURTBOT_TOKN (in {env_file}) is not a Buurtbot setting and is ignored; "
        "did you mean BUURTBOT_TOKEN?",
        f"BUURTBOT_WHATEVER (in {env_file}) is not a Buurtbot setting and is ignored.",
    ]


def test_the_cli_warns_about_an_unknown_variable_before_it_runs(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BUURTBOT_TIMEZONE=Europe/Brussels\n= oops\n")
    result = run_cli("run", env=cli_env(BUURTBOT_TOKN=GOOD_TOKEN), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"buurtbot: warning: {tmp_path.resolve() / '.env'} line 2 ")
    assert "did you mean BUURTBOT_TOKEN?" in lines[1]
    assert "could not parse" not in result.stderr, "python-dotenv's vaguer warning is not shown"
    assert lines[-1].startswith("buurtbot: No bot token")
