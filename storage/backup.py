"""`buurtbot backup FILE`: a consistent copy of the database while the bot keeps running."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from storage.db import normalise_url


class BackupError(Exception):
    """The backup could not be made; one sentence."""


def pg_dump_reason(stderr: str) -> str:
    """pg_dump's error as one line: its "error:" line without the prefix (the lines after it
    are tab-indented hints such as "Is the server running on that host ...?")."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line]
    if not errors:
        return lines[-1] if lines else "it failed without saying why"
    return errors[0].split("error:", 1)[1].strip()


def backup(database_url: str, target: str | Path) -> str:
    """Copy the database to `target`; return what kind of copy it is."""
    path = Path(target)
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new file name.")
    if not path.parent.resolve().is_dir():
        raise BackupError(f"the folder of {path} does not exist.")
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        source = url.database or ""
        if not source or source == ":memory:" or not Path(source).exists():
            raise BackupError(f"there is no SQLite database at {source or '(none)'} to back up.")
        # sqlite3's online backup API: a consistent snapshot, also while the bot writes.
        with sqlite3.connect(source) as origin, sqlite3.connect(path) as copy:
            origin.backup(copy)
        origin.close()
        copy.close()
        return "SQLite online backup"
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed; install the PostgreSQL client tools.")
        # The password goes in pg_dump's environment, not on its command line, where any
        # local user could read it in the process list.
        libpq_url = URL.create(
            "postgresql",
            username=url.username,
            host=url.host,
            port=url.port,
            database=url.database,
            query=url.query,
        ).render_as_string(hide_password=False)
        environment = dict(os.environ)
        if url.password is not None:
            environment["PGPASSWORD"] = str(url.password)
        result = subprocess.run(
            [pg_dump, "--format=custom", f"--file={path}", f"--dbname={libpq_url}"],
            capture_output=True,
            text=True,
            check=False,
            env=environment,
        )
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            reason = pg_dump_reason(result.stderr)
            raise BackupError(f"pg_dump could not make the backup: {reason}")
        return "pg_dump custom format; restore with pg_restore"
    raise BackupError(f"backing up {url.get_backend_name()} databases is not supported.")
