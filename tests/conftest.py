"""Shared fixtures. The database is SQLite unless BUURTBOT_TEST_POSTGRES_URL names a PostgreSQL
server (CI runs the suite once each way); with PostgreSQL every test gets its own fresh database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from storage import migrate
from storage.db import make_engine, normalise_url

POSTGRES_ENV = "BUURTBOT_TEST_POSTGRES_URL"
# As the bot does (bot/app.py): RetryAfter.retry_after is a timedelta, and PTB does not warn.
os.environ.setdefault("PTB_TIMEDELTA", "1")


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database of the selected kind."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    name = f"buurtbot_test_{secrets.token_hex(6)}"
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield (
            make_url(normalise_url(admin_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database migrated to the newest schema."""
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No BUURTBOT_* variables and no .env file: what a fresh shell in a new folder sees."""
    for name in list(os.environ):
        if name.startswith("BUURTBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
