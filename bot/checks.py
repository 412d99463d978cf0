"""`buurtbot check`: is this deployment fit to run? One ✓ or ✗ line per check, exit 0 or 1.

A check is a function `(CheckContext) -> Iterable[CheckResult]`, registered with `@check` (in
the order they run). Checks that need the database are skipped when it is not reachable. To add
one from another module, decorate it with `@check(needs_schema=True)` and import that module
in `load_checks` below.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from bot.settings import ConfigError, Settings
from bot.startup import (
    StartupError,
    TransientError,
    check_database_url,
    database_location,
    describe_url,
    identify_bot,
    ping_database,
    sqlite_file,
)
from storage import migrate, repo
from storage.db import make_engine
from storage.models import OutboxMessage, OutboxStatus, RoleKind

OK, FAIL, SKIP = "✓", "✗", "-"
# Due messages older than this mean the sender is not keeping up (or not running).
BACKLOG_LATE = timedelta(minutes=10)


@dataclass(frozen=True)
class CheckResult:
    ok: bool | None  # None: skipped, counts as neither
    text: str

    @property
    def line(self) -> str:
        mark = SKIP if self.ok is None else OK if self.ok else FAIL
        return f"{mark} {self.text}"


@dataclass
class CheckContext:
    settings: Settings
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    engine: Engine | None = None  # set once the database answered
    schema_current: bool = False  # set once the migrations are known to be applied

    def session(self) -> Session:
        assert self.engine is not None
        return Session(self.engine)


CheckFunction = Callable[[CheckContext], Iterable[CheckResult]]


@dataclass(frozen=True)
class Registered:
    run: CheckFunction
    needs_database: bool
    needs_schema: bool


CHECKS: list[Registered] = []


def check(
    *, needs_database: bool = False, needs_schema: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        CHECKS.append(Registered(function, needs_database or needs_schema, needs_schema))
        return function

    return register


@check()
def configuration(context: CheckContext) -> Iterable[CheckResult]:
    settings = context.settings
    yield CheckResult(True, "configuration read (BUURTBOT_* variables and .env)")
    # The token's form is checked with the token itself (below), so it is said once.
    if settings.mode == "webhook":
        try:
            url = settings.require_webhook()
        except ConfigError as error:
            yield CheckResult(False, str(error))
        else:
            yield CheckResult(True, f"webhook mode: Telegram posts to {url.rstrip('/')}/telegram")
        if settings.webhook_secret is None:
            yield CheckResult(
                False, "webhook mode without BUURTBOT_WEBHOOK_SECRET: set a long random secret"
            )
    elif settings.webhook_url:
        yield CheckResult(
            False, "BUURTBOT_WEBHOOK_URL is set but BUURTBOT_MODE is polling; one of them is off"
        )


@check()
def database(context: CheckContext) -> Iterable[CheckResult]:
    url = context.settings.database_url
    try:
        check_database_url(url)
        file = sqlite_file(url)
        if file is not None and not file.exists():
            # Connecting would create an empty file there: a check must not change anything.
            yield CheckResult(
                False,
                f"no database at {file} yet: `buurtbot migrate` or the first `buurtbot run` "
                "creates it there",
            )
            return
        ping_database(url)
    except (ConfigError, TransientError) as error:
        yield CheckResult(False, f"database {describe_url(url)}: {error}")
        return
    context.engine = make_engine(url)
    yield CheckResult(True, f"database reachable ({database_location(url)})")


@check(needs_database=True)
def migrations(context: CheckContext) -> Iterable[CheckResult]:
    assert context.engine is not None
    current = migrate.current_revision(context.engine)
    head = migrate.head_revision(context.settings.database_url)
    context.schema_current = current == head
    if current == head:
        yield CheckResult(True, f"database schema current (revision {head})")
    else:
        yield CheckResult(
            False,
            (
                f"database schema at {current}, newest is {head}"
                if current
                else f"database has no schema yet (newest is {head})"
            )
            + ": run `buurtbot migrate`",
        )


@check()
def token(context: CheckContext) -> Iterable[CheckResult]:
    settings = context.settings
    # An empty BUURTBOT_TOKEN= (as deploy/env.example has it) is as good as none.
    if settings.token is None or not settings.token.get_secret_value().strip():
        yield CheckResult(None, "bot token not set (BUURTBOT_TOKEN), getMe skipped")
        return
    quick = settings.model_copy(update={"startup_wait": 0.0})
    try:
        me = asyncio.run(identify_bot(quick))
    except (ConfigError, StartupError) as error:
        yield CheckResult(False, str(error).rstrip("."))
        return
    yield CheckResult(True, f"token accepted by Telegram: @{me.username} ({me.id})")


@check(needs_schema=True)
def outbox(context: CheckContext) -> Iterable[CheckResult]:
    with context.session() as session:
        dead = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED.value)
        ).one()
        late = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                col(OutboxMessage.status).in_(
                    [OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]
                ),
                OutboxMessage.due_at < context.now - BACKLOG_LATE,
            )
        ).one()
    yield CheckResult(
        True, f"outbox: {dead} dead letter(s) (could not be delivered, kept until pruned)"
    )
    if late:
        yield CheckResult(
            False, f"outbox: {late} message(s) overdue by more than 10 minutes (is the bot up?)"
        )
    else:
        yield CheckResult(True, "outbox: no backlog")


@check(needs_schema=True)
def wijken(context: CheckContext) -> Iterable[CheckResult]:
    with context.session() as session:
        all_wijken = repo.list_wijken(session)
        if not all_wijken:
            yield CheckResult(False, 'no wijken yet: buurtbot wijk add "Name"')
            return
        for wijk in all_wijken:
            if not repo.wijk_has_role(session, wijk_id=wijk.id, kind=RoleKind.BUURTWERKER):
                yield CheckResult(
                    False,
                    f"wijk {wijk.name} has no buurtwerker: "
                    f"buurtbot role grant TELEGRAM_USER_ID buurtwerker {wijk.code}",
                )
        yield CheckResult(True, f"wijken in the database: {len(all_wijken)}")


MATCHING_SAMPLE = 20


@check(needs_schema=True)
def matching_pool(context: CheckContext) -> Iterable[CheckResult]:
    """A sample of open requests planned with a freshly loaded candidate pool and by a full
    scan of the database."""
    from storage.candidate_pool import compare_with_full_scan

    with context.session() as session:
        same, total = compare_with_full_scan(session, sample=MATCHING_SAMPLE, now=context.now)
    if total == 0:
        yield CheckResult(None, "matching pool: no open requests to compare")
    elif same == total:
        yield CheckResult(True, f"matching pool agrees with a full scan ({same}/{total})")
    else:
        yield CheckResult(
            False,
            f"matching pool differs from a full scan ({same}/{total} agree): please report it",
        )


def load_checks() -> list[Registered]:
    """Every registered check; modules with more checks are imported here."""
    return list(CHECKS)


def run_checks(settings: Settings, *, now: datetime | None = None) -> tuple[list[str], bool]:
    """Run every check; return the report lines and whether all passed."""
    context = CheckContext(settings=settings, now=now or datetime.now(UTC))
    lines, ok = [], True
    try:
        for registered in load_checks():
            # Named as its own lines name it ("matching pool: ...", not "matching_pool").
            name = registered.run.__name__.replace("_", " ")
            if registered.needs_database and context.engine is None:
                lines.append(CheckResult(None, f"{name}: skipped (no database)").line)
                continue
            if registered.needs_schema and not context.schema_current:
                lines.append(CheckResult(None, f"{name}: skipped (schema not current)").line)
                continue
            try:
                results = list(registered.run(context))
            except Exception as error:  # a broken check is a failed check, not a crash
                results = [CheckResult(False, f"{name}: {error}")]
            for result in results:
                lines.append(result.line)
                ok = ok and result.ok is not False
    finally:
        if context.engine is not None:
            context.engine.dispose()
    return lines, ok
