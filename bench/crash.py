"""`kill -9` during a fan-out, several times: the emulator's log judges what was lost or doubled.

1,000 outbox messages (by default) to 300 residents are queued in a SQLite database; the real
`buurtbot run` process is started against an in-process emulator (Telegram's flood limits on),
killed with SIGKILL at a random moment while it sends, and started again, `--kills` times; the
last run is left to finish. A message that was on its way at a kill is an unknown send: it is
sent once more after its lease (2 minutes) runs out, so it may arrive twice; none may be lost.

`--processes 2 --database-url postgresql+psycopg://...` runs two bot processes on one
PostgreSQL database, as two replicas would; each kill takes one of them (at random) and starts
it again. Both send from the same outbox, so a message sent by both would show as a duplicate.
(Both also poll for updates; Telegram, and the emulator, answer the second poller 409, which
PTB retries: there are no updates in this run, so that costs nothing here.)

  seconds     from the first start to the last message delivered
  duplicates  messages that arrived twice (at most the ones in flight at each kill)
  lost        messages that never arrived
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from botapi_emulator import Emulator, Limits
from storage import migrate, outbox, repo
from storage.db import make_engine, session_scope
from storage.models import Resident

REPO = Path(__file__).resolve().parents[1]
TEXT = "Bericht {n} voor de buurt"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench crash", description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--processes", type=int, default=1, help="bot processes at once")
    parser.add_argument(
        "--database-url",
        help="a database to use (it is emptied first: use a throwaway one); "
        "default a new SQLite file",
    )
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-crash-") as tmp:
        return asyncio.run(_run(args, Path(tmp)))


async def _start(emulator: Emulator, url: str, cwd: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env |= {
        "PYTHONPATH": str(REPO),
        "BUURTBOT_TOKEN": emulator.token,
        "BUURTBOT_API_BASE_URL": emulator.base_url,
        "BUURTBOT_DATABASE_URL": url,
        "BUURTBOT_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def _delivered(emulator: Emulator, chats: list[int]) -> Counter[str]:
    return Counter(message.text or "" for chat in chats for message in emulator.messages(chat))


async def _run(args: argparse.Namespace, tmp: Path) -> int:
    rng = random.Random(args.seed)
    url = args.database_url or f"sqlite:///{tmp / 'crash.db'}"
    if args.database_url:
        empty_database(url)
    migrate.upgrade(url)
    engine = make_engine(url)
    emulator = Emulator(limits=Limits())
    await emulator.start()
    try:
        users = [emulator.add_user(f"Buur{n}") for n in range(args.chats)]
        for user in users:
            emulator.chat(user.id).started = True
        chats = [user.id for user in users]
        expected = _queue(engine, args, chats)
        engine.dispose()
        print(f"queued {len(expected)} messages to {args.chats} residents")
        started = time.monotonic()
        processes = [await _start(emulator, url, tmp) for _ in range(args.processes)]
        for kill in range(args.kills):
            before = sum(_delivered(emulator, chats).values())
            target = before + rng.randint(50, max(51, len(expected) // (args.kills + 1)))

            def far_enough(target: int = target) -> bool:
                return sum(_delivered(emulator, chats).values()) >= target

            await emulator.wait_for(far_enough, 120, what="sending under way")
            victim = rng.randrange(len(processes))
            processes[victim].send_signal(signal.SIGKILL)
            await processes[victim].wait()
            calls = sum(
                1
                for event in emulator.events
                if event.kind == "call" and "send" in str(event.method)
            )
            done = sum(_delivered(emulator, chats).values())
            print(
                f"kill {kill + 1}: SIGKILL to process {victim + 1} after {done} delivered "
                f"({calls - done} send calls without a delivered message so far)"
            )
            processes[victim] = await _start(emulator, url, tmp)
        try:
            await emulator.wait_for(
                lambda: set(_delivered(emulator, chats)) >= expected,
                args.timeout,
                what="every message delivered",
            )
            seconds = time.monotonic() - started
            await asyncio.sleep(3.0)  # anything sent twice late would show now
        finally:
            for process in processes:
                process.send_signal(signal.SIGINT)
            for process in processes:
                await process.wait()
        seen = _delivered(emulator, chats)
        duplicates = sum(count - 1 for text, count in seen.items() if text in expected)
        lost = len(expected - set(seen))
        http_429 = sum(1 for error in emulator.errors if error.error_code == 429)
        print(
            f"RESULT crash messages={len(expected)} chats={args.chats} kills={args.kills} "
            f"processes={args.processes} database={url.split(':', 1)[0]} "
            f"seconds={seconds:.1f} duplicates={duplicates} lost={lost} http_429={http_429}"
        )
        return 0 if lost == 0 else 1
    finally:
        await emulator.stop()


def empty_database(url: str) -> None:
    """Drop every table of a throwaway database, so the run starts from a fresh migration."""
    from sqlalchemy import MetaData

    engine = make_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
    finally:
        engine.dispose()


def _queue(engine: object, args: argparse.Namespace, chats: list[int]) -> set[str]:
    from sqlalchemy.engine import Engine

    assert isinstance(engine, Engine)
    now = datetime.now(UTC)
    texts: set[str] = set()
    with session_scope(engine) as session:
        wijk = repo.add_wijk(session, name="Crashwijk", center_cell=None, reach_m=1500, now=now)
        residents = [
            Resident(
                telegram_user_id=chat,
                first_name=f"Buur{n}",
                wijk_id=wijk.id,
                onboarded=True,
                quiet_start="00:00",
                quiet_end="00:00",
            )
            for n, chat in enumerate(chats)
        ]
        session.add_all(residents)
        session.flush()
        for n in range(args.messages):
            resident = residents[n % len(residents)]
            text = TEXT.format(n=n)
            outbox.enqueue(
                session,
                chat_id=resident.telegram_user_id,
                text=text,
                reply_markup=None,
                due_at=now,
                resident_id=resident.id,
            )
            texts.add(text)
    return texts
