"""Logging set-up: one line per event, one time zone (UTC), never the token or secret, and no
personal message contents unless BUURTBOT_LOG_PERSONAL=1 is set for debugging.

Three guards, applied to every record that reaches our handler, whichever library wrote it:
- secrets (the bot token, the webhook secret) are replaced in the message, in exception texts
  and tracebacks (httpx and PTB put the token in request URLs);
- python-telegram-bot's DEBUG records that carry payloads (request parameters, return values,
  webhook bodies: names and message texts) keep their shape but lose their contents;
- library chatter (httpx request lines, APScheduler's "job executed", Alembic's "Context impl")
  is raised to WARNING unless the level is DEBUG.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from collections.abc import Iterable
from typing import Any

REDACTED = "<token>"
HIDDEN = "<hidden>"

_secrets: list[str] = []

# Loggers that say something at INFO on every request or every job run.
CHATTY = ("httpx", "httpcore", "apscheduler", "tornado")
# PTB DEBUG templates whose arguments after the first are payloads (texts, names, updates).
PAYLOAD_TEMPLATES = (
    "with parameters",
    "finished with return value",
    "received data",
    "Received data was",
    "wrong secret token",
)


def register_secrets(*secrets: str | None) -> None:
    """Remember values that must never be written anywhere (also used by the CLI's errors)."""
    for secret in secrets:
        if secret and secret not in _secrets:
            _secrets.append(secret)
            # The part after the colon is the actual secret of a bot token.
            if ":" in secret:
                tail = secret.split(":", 1)[1]
                if len(tail) >= 8 and tail not in _secrets:
                    _secrets.append(tail)
    _secrets.sort(key=len, reverse=True)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def format_exception(error: BaseException) -> str:
    """A traceback as text, redacted (for --debug)."""
    return redact("".join(traceback.format_exception(error)))


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        register_secrets(*secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Exceptions from httpx carry the URL too; render them now, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class HidePersonal(logging.Filter):
    """Payloads in python-telegram-bot's DEBUG records are replaced by <hidden>."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram") or not isinstance(record.msg, str):
            return True
        if not record.args:
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        if any(marker in record.msg for marker in PAYLOAD_TEMPLATES):
            # Keep the endpoint name (first argument) where there is one, hide the rest.
            keep = args[:1] if len(args) > 1 else ()
            record.args = keep + (HIDDEN,) * (len(args) - len(keep))
        else:
            # Updates, messages, users and request data are objects: hide them; ids, counts
            # and names of endpoints are plain values and stay.
            record.args = tuple(arg if _plain(arg) else HIDDEN for arg in args)
        return True


def _plain(value: object) -> bool:
    return (
        value is None
        or isinstance(value, int | float | bool)
        or (isinstance(value, str) and len(value) <= 64 and "{" not in value)
    )


class OneLine(logging.Formatter):
    """`2026-12-02T18:30:00Z INFO bot.app: message`; a traceback stays indented below."""

    converter = time.gmtime  # type: ignore[assignment]  # (typeshed: no argument)

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        head, _, rest = text.partition("\n")
        head = head.replace("\r", " ")
        return head if not rest else head + "\n" + rest


class JsonLines(logging.Formatter):
    """One JSON object per line (BUURTBOT_LOG_FORMAT=json)."""

    converter = time.gmtime  # type: ignore[assignment]  # (typeshed: no argument)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(
    level: str,
    *,
    secrets: Iterable[str] = (),
    json_format: bool = False,
    personal: bool = False,
) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if json_format else OneLine())
    if not personal:
        handler.addFilter(HidePersonal())
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    if level == "DEBUG":
        # httpcore's DEBUG lines are connection plumbing; httpx's request lines stay.
        logging.getLogger("httpcore").setLevel(logging.INFO)
    # Alembic says "Context impl" per connection; `run` logs the upgrade itself.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if personal:
        logging.getLogger(__name__).warning(
            "BUURTBOT_LOG_PERSONAL=1: message contents may be written to the logs; "
            "use only for debugging"
        )
