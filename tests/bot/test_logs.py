"""The bot token never reaches the logs."""

from __future__ import annotations

import logging

import pytest

from bot.logs import REDACTED, setup_logging

TOKEN = "123456789:AAEsecretsecretsecretsecretsecret12"


def test_token_in_messages_and_exceptions_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", secrets=[TOKEN])
    log = logging.getLogger("test.redaction")
    log.info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"connect failed for /bot{TOKEN}/getUpdates")
    except RuntimeError:
        log.exception("network trouble")
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert err.count(REDACTED) == 2
    assert "network trouble" in err


def test_httpx_request_lines_are_not_logged_at_info() -> None:
    setup_logging("INFO", secrets=[TOKEN])
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
