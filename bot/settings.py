"""One Settings object for the whole bot, read from the environment and an optional .env file."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv.parser import parse_stream
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
# A BotFather token: the bot's numeric id, a colon, and a 35-character secret. Emulators accept
# shorter secrets, so only the shape is checked here, not the exact length.
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
LANGUAGES = ("nl", "en")
LOCAL_HTTP = "http://127.0.0.1"
# Our prefix, but not settings: the test suite's own variables (CI sets them).
TEST_VARIABLES = "BUURTBOT_TEST_"


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one sentence for the person running us."""


class Settings(BaseSettings):
    """Everything configurable, as environment variables with the prefix BUURTBOT_."""

    model_config = SettingsConfigDict(
        env_prefix="BUURTBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    database_url: str = "sqlite:///buurtbot.db"
    api_base_url: str = TELEGRAM_API_BASE_URL
    poll_interval: float = Field(default=0.0, ge=0)
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    admins: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_language: Literal["nl", "en"] = "nl"
    timezone: str = "Europe/Amsterdam"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    # Message texts and names in the logs, for debugging only (a warning at start says so).
    log_personal: bool = False
    # How long `run` waits for a database or Bot API that is not reachable yet (seconds).
    startup_wait: float = Field(default=120.0, ge=0)
    # Polling mode: serve /healthz and /readyz on this port too (webhook mode always does).
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_listen: str = "127.0.0.1"
    # Retention (days): see README "Retention".
    keep_posts_days: int = Field(default=180, ge=1)
    keep_invitations_days: int = Field(default=90, ge=1)
    keep_messages_days: int = Field(default=30, ge=1)
    # Telegram redelivers an unconfirmed update for at most 24 hours.
    keep_updates_days: int = Field(default=2, ge=2)
    # The outbox drains at these rates (Telegram allows about 30/s, 1/s per chat, 20/min per
    # group; staying a little below means no 429s).
    send_rate: float = Field(default=25.0, gt=0, le=30)
    send_rate_per_chat: float = Field(default=1.0, gt=0, le=1)
    send_rate_per_group_per_minute: float = Field(default=20.0, gt=0, le=20)
    # Days after a help that worked before the gentle word about offering something oneself.
    reciprocity_after_days: int = Field(default=5, ge=1, le=60)
    # The hour (bot's time zone) of the daily signal message to a wijk's team chat or
    # buurtwerkers: after the default quiet hours, when a working day starts.
    signal_news_hour: int = Field(default=9, ge=0, le=23)

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        """Accept "123,456" (the natural way to write a list in an env file) as well as a list,
        and name the part that is not a user id (pydantic would say "BUURTBOT_ADMINS_0")."""
        if isinstance(value, str):
            value = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        if not isinstance(value, list):
            return value
        admins = []
        for part in value:
            try:
                admin = int(part)
            except (TypeError, ValueError):
                admin = 0
            if admin <= 0:
                raise ValueError(
                    f"must be Telegram user ids separated by commas; {part!r} is not one"
                )
            admins.append(admin)
        return admins

    @field_validator("api_base_url")
    @classmethod
    def _bot_api_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("https://", "http://")) or not value.endswith("/bot"):
            raise ValueError(
                "expected the Bot API address ending in /bot, like https://api.telegram.org/bot"
            )
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_log_format(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        """Return the bot token, or explain in one sentence why it cannot be used."""
        if self.token is None or not self.token.get_secret_value().strip():
            raise ConfigError(
                "No bot token: set BUURTBOT_TOKEN to the token BotFather gave you "
                "(or try `buurtbot demo`, which needs no token)."
            )
        token = self.token.get_secret_value().strip()
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                "BUURTBOT_TOKEN does not look like a bot token: expected digits, a colon "
                "and the secret part, like 123456789:AAE... from BotFather."
            )
        return token

    def require_webhook(self) -> str:
        """Return the public webhook URL, or explain why webhook mode cannot start.

        Telegram only posts to https://; plain http:// is accepted for 127.0.0.1 so the bot can
        be run in webhook mode against a local Bot API server or the emulator.
        """
        url = (self.webhook_url or "").strip()
        if not url:
            raise ConfigError(
                "Webhook mode needs BUURTBOT_WEBHOOK_URL, the public https:// address "
                "Telegram should post updates to."
            )
        if not url.startswith(("https://", LOCAL_HTTP)):
            raise ConfigError(
                f"BUURTBOT_WEBHOOK_URL ({url}) must start with https://: Telegram posts "
                "updates to https:// addresses only."
            )
        # A space or a missing host would only show up later, as setWebhook's error.
        if any(char.isspace() for char in url) or not urlsplit(url).hostname:
            raise ConfigError(
                f"BUURTBOT_WEBHOOK_URL ({url!r}) is not a valid URL: expected "
                "https://host/path, without spaces."
            )
        return url


def load_settings(**overrides: object) -> Settings:
    """Read Settings, turning validation errors into one readable ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(
            # loc[0] is the setting; a list's index after it (admins, 0) names no variable.
            f"BUURTBOT_{str(item['loc'][0]).upper()}: {item['msg'].removeprefix('Value error, ')}"
            for item in error.errors()
        )
        raise ConfigError(f"Invalid configuration: {problems}.") from error


def setting_warnings(environ: Mapping[str, str] = os.environ) -> list[str]:
    """What Settings passes over without a word, as sentences: a BUURTBOT_ variable that no
    setting reads (a typo would silently keep the default) and a .env line that is not
    NAME=value (python-dotenv's own warning does not say which file)."""
    fields = [name.upper() for name in Settings.model_fields]
    env_file = Path(str(Settings.model_config.get("env_file"))).resolve()
    # Upper case: pydantic-settings reads names regardless of case.
    warnings, where = [], dict.fromkeys((name.upper() for name in environ), "the environment")
    if env_file.is_file():
        with env_file.open(encoding="utf-8", errors="replace") as stream:
            for binding in parse_stream(stream):
                if binding.error:
                    line = binding.original.line
                    warnings.append(f"{env_file} line {line} is not NAME=value; it is ignored.")
                elif binding.key:
                    where.setdefault(binding.key.upper(), str(env_file))
    for name, source in sorted(where.items()):
        field = name.removeprefix("BUURTBOT_")
        if field == name or field in fields or name.startswith(TEST_VARIABLES):
            continue
        # Compared without the prefix, which every name shares and would make all look close.
        close = difflib.get_close_matches(field, fields, n=1, cutoff=0.75)
        hint = f"; did you mean BUURTBOT_{close[0]}?" if close else "."
        warnings.append(f"{name} (in {source}) is not a Buurtbot setting and is ignored{hint}")
    return warnings
