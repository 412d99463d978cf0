"""What it costs to keep the database off the event loop: one unit of work, three ways.

The bot's units of work are synchronous SQLModel code. Three ways to run one typical unit (claim
an update id, read the resident and the chat state, write the chat state, commit: what a dialog
step does), measured in the same run on the same database:
  inline   on the event loop itself (the old way: a lock wait freezes every other update)
  thread   the whole unit in the database worker thread (bot/runner.py: one hop per unit)
  async    SQLAlchemy's asyncio engine (aiosqlite, or psycopg's async mode on PostgreSQL) running
           the same storage functions (AsyncSession.run_sync): every statement is awaited, a hop
           to the driver's own thread or socket each time
Every run awaits its units one after the other, as the handlers of one chat do.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import migrate, repo
from storage.db import make_engine, normalise_url, session_scope
from storage.models import Resident

USERS = 200


def _seed(engine: Engine) -> None:
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for number in range(USERS):
            session.add(
                Resident(
                    telegram_user_id=10_000 + number,
                    first_name=f"Buur{number}",
                    language="nl",
                    created_at=now,
                    updated_at=now,
                )
            )


def _unit_body(session: Session, update_id: int) -> None:
    user = 10_000 + update_id % USERS
    now = datetime.now(UTC)
    repo.claim_update(session, update_id=update_id, now=now)
    repo.find_resident(session, telegram_user_id=user)
    repo.get_chat_state(session, chat_id=user)
    repo.save_chat_state(
        session, chat_id=user, flow="post", step="text", data={"kind": "request"}, now=now
    )


def _unit(engine: Engine, update_id: int) -> None:
    with session_scope(engine) as session:
        _unit_body(session, update_id)


async def _async_unit(engine: AsyncEngine, update_id: int) -> None:
    """The same storage functions on the asyncio engine (each statement awaited)."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        # SQLModel's AsyncSession hands run_sync a SQLModel Session; its stubs say otherwise.
        await session.run_sync(_unit_body, update_id)  # type: ignore[arg-type]
        await session.commit()


async def _timed(units: int, start: int, run: Callable[[int], Awaitable[None]]) -> float:
    """Microseconds per unit."""
    began = time.perf_counter()
    for number in range(start, start + units):
        await run(number)
    return (time.perf_counter() - began) / units * 1e6


async def measure(url: str, units: int, rounds: int) -> dict[str, float]:
    migrate.upgrade(url)
    engine = make_engine(url)
    _seed(engine)
    parsed = make_url(normalise_url(url))
    async_url = (
        parsed.set(drivername="sqlite+aiosqlite")
        if parsed.get_backend_name() == "sqlite"
        else parsed.set(drivername="postgresql+psycopg_async")
    )
    async_engine = create_async_engine(async_url)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
    loop = asyncio.get_running_loop()

    async def inline(number: int) -> None:
        _unit(engine, number)

    async def threaded(number: int) -> None:
        await loop.run_in_executor(executor, _unit, engine, number)

    async def awaited(number: int) -> None:
        await _async_unit(async_engine, number)

    ways = {"inline": inline, "thread": threaded, "async": awaited}
    samples: dict[str, list[float]] = {name: [] for name in ways}
    next_id = 1
    try:
        for _ in range(rounds):
            for name, run in ways.items():  # interleaved, so drift hits all three alike
                samples[name].append(await _timed(units, next_id, run))
                next_id += units
    finally:
        executor.shutdown()
        await async_engine.dispose()
        engine.dispose()
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench database", description=__doc__)
    parser.add_argument("--small", action="store_true", help="fewer units")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database")
    args = parser.parse_args(argv)
    units, rounds = (200, 3) if args.small else (1000, 5)
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{Path(folder) / 'bench.db'}"
        kind = "postgresql" if args.postgres else "sqlite"
        print(f"{kind}: {rounds} rounds of {units} units of work each (median per unit)")
        result = asyncio.run(measure(url, units, rounds))
    for name, micros in result.items():
        print(f"  {name:<7} {micros:8.1f} µs per unit  ({micros / result['inline']:.2f}× inline)")
    print(
        f"RESULT database kind={kind} inline_us={result['inline']:.1f}"
        f" thread_us={result['thread']:.1f} async_us={result['async']:.1f}"
        f" thread_ratio={result['thread'] / result['inline']:.2f}"
        f" async_ratio={result['async'] / result['inline']:.2f}"
    )
    return 0
