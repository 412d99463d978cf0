"""Webhook mode's secret: every update Telegram posts must carry it, or it is refused.

Without a secret anyone who can reach the port could post forged updates (any `from.id`: accept
matches, withdraw posts, /verwijder). So webhook mode always has one: BUURTBOT_WEBHOOK_SECRET
when set, else one generated on first start and kept in the database (bot_fact
"webhook_secret"), so a restart registers the same one. `buurtbot run` passes it to setWebhook
(Telegram then sends it in the X-Telegram-Bot-Api-Secret-Token header) and to the webhook
server, whose check is replaced here by a constant-time comparison that never logs the header.

While the database is away, updates are refused with 503 (bot/outage.py): Telegram keeps
them and delivers them again, so they are not lost if this process stops meanwhile.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Callable
from http import HTTPStatus

import tornado.web
from sqlalchemy.engine import Engine
from telegram.ext._utils.webhookhandler import TelegramHandler

from bot.outage import Outage
from bot.settings import ConfigError, Settings
from storage import repo
from storage.db import session_scope

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FACT = "webhook_secret"
# Telegram's rule for secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def secret_matches(given: str | None, expected: str) -> bool:
    """Whether the header carries the secret, compared in constant time (no timing oracle)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


def webhook_secret(settings: Settings, engine: Engine) -> str:
    """The configured secret, or the stored one, or a new one (stored for the next start)."""
    configured = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if configured.strip():
        if not SECRET_PATTERN.match(configured):
            raise ConfigError(
                "BUURTBOT_WEBHOOK_SECRET may only hold letters, digits, _ and - "
                "(1 to 256 characters), as Telegram asks."
            )
        return configured
    with session_scope(engine) as session:
        stored = repo.get_fact(session, key=SECRET_FACT)
        if stored:
            return stored
        generated = secrets.token_urlsafe(32)
        repo.set_fact(session, key=SECRET_FACT, value=generated)
    log.info("generated a webhook secret and stored it in the database")
    return generated


def _checker(outage: Outage | None) -> Callable[[TelegramHandler], None]:
    def _validate_post(self: TelegramHandler) -> None:
        """The webhook server's request check: JSON only, the secret in constant time, and
        while the database is away 503, so Telegram delivers the update again later."""
        if self.request.headers.get("Content-Type", None) != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        expected = self.secret_token
        if not expected or not secret_matches(self.request.headers.get(SECRET_HEADER), expected):
            raise tornado.web.HTTPError(
                HTTPStatus.FORBIDDEN, reason="Wrong or missing secret token"
            )
        if outage is not None and outage.refuses_updates():
            raise tornado.web.HTTPError(
                HTTPStatus.SERVICE_UNAVAILABLE, reason="Database unavailable, try again later"
            )

    return _validate_post


def install_secret_check(outage: Outage | None = None) -> None:
    """Replace python-telegram-bot's check (a plain != that logs the wrong token it got, and
    lets everything through when no secret is set) with ours; with `outage`, updates that
    arrive while the database is away are refused with 503 for Telegram to retry."""
    TelegramHandler._validate_post = _checker(outage)  # type: ignore[method-assign,assignment]
