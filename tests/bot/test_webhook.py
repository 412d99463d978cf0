"""The webhook secret: compared in constant time, configured or generated once and kept."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.settings import ConfigError, load_settings
from bot.webhook import SECRET_PATTERN, secret_matches, webhook_secret


@pytest.mark.parametrize(
    ("given", "accepted"),
    [(None, False), ("", False), ("wrong", False), ("s3cret-", False), ("s3cret", True)],
)
def test_only_the_exact_secret_matches(given: str | None, accepted: bool) -> None:
    assert secret_matches(given, "s3cret") is accepted


def test_an_empty_expected_secret_matches_nothing() -> None:
    assert not secret_matches("", "")
    assert not secret_matches("anything", "")


def test_odd_headers_do_not_raise() -> None:
    assert not secret_matches("s3cr\udcffet", "s3cret")
    assert not secret_matches("ë" * 300, "s3cret")


@pytest.mark.usefixtures("clean_env")
def test_a_secret_is_generated_once_and_kept(engine: Engine) -> None:
    settings = load_settings(mode="webhook")
    first = webhook_secret(settings, engine)
    assert SECRET_PATTERN.match(first)
    assert len(first) >= 32
    assert webhook_secret(settings, engine) == first
    assert webhook_secret(load_settings(mode="webhook", webhook_secret=""), engine) == first


@pytest.mark.usefixtures("clean_env")
def test_a_configured_secret_is_used_as_it_is(engine: Engine) -> None:
    settings = load_settings(mode="webhook", webhook_secret="mine_1-2")
    assert webhook_secret(settings, engine) == "mine_1-2"


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("bad", ["with space", "slash/", "x" * 257])
def test_a_secret_telegram_would_refuse_is_a_config_error(engine: Engine, bad: str) -> None:
    with pytest.raises(ConfigError, match="BUURTBOT_WEBHOOK_SECRET"):
        webhook_secret(load_settings(mode="webhook", webhook_secret=bad), engine)
