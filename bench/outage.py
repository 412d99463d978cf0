"""PostgreSQL stopped for a while under the real `buurtbot run` process: who hears what.

Needs a throwaway cluster started with `.ci/postgres.sh start DIR` (its tables are emptied):

    url=$(bash .ci/postgres.sh start /tmp/pg-outage)
    python -m bench outage --pg-dir /tmp/pg-outage
    bash .ci/postgres.sh stop /tmp/pg-outage

The bot process runs against an in-process emulator. Every simulated person sends /help once
to see it works; then the server is stopped (`pg_ctl stop -m fast`), each person sends /help
during the outage (spread over it), and after `--seconds` the server is started again. Judged
from the emulator's log:

  apologised  people who got the apology while the database was away (no database needed)
  answered    outage updates that were answered with the help text once it was back
  recovered   seconds from the server's restart to the last of those answers
  alive       whether the bot process was still running at the end
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.crash import empty_database
from botapi_emulator import Emulator, Limits
from storage import migrate

REPO = Path(__file__).resolve().parents[1]
POSTGRES_SH = REPO / ".ci" / "postgres.sh"
APOLOGY = "Het lukt nu even niet"
HELP = "Dit kun je doen"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench outage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pg-dir", required=True, help="a cluster from .ci/postgres.sh start")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long it is away")
    parser.add_argument("--people", type=int, default=12)
    parser.add_argument("--timeout", type=float, default=180.0)
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    port_file = Path(args.pg_dir) / "port"
    if not port_file.exists():
        print(f"no cluster in {args.pg_dir}: start one with bash .ci/postgres.sh start DIR")
        return 2
    url = f"postgresql://postgres@127.0.0.1:{port_file.read_text().strip()}/postgres"
    with tempfile.TemporaryDirectory(prefix="bench-outage-") as tmp:
        return asyncio.run(_run(args, url, Path(tmp)))


def _postgres(action: str, directory: str) -> None:
    subprocess.run(["bash", str(POSTGRES_SH), action, directory], check=True)


def _count(emulator: Emulator, chat: int, text: str) -> int:
    return sum(1 for message in emulator.messages(chat) if text in (message.text or ""))


async def _run(args: argparse.Namespace, url: str, tmp: Path) -> int:
    empty_database(url)
    migrate.upgrade(url)
    emulator = Emulator(limits=Limits())
    await emulator.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUURTBOT_")}
    env |= {
        "PYTHONPATH": str(REPO),
        "BUURTBOT_TOKEN": emulator.token,
        "BUURTBOT_API_BASE_URL": emulator.base_url,
        "BUURTBOT_DATABASE_URL": url,
        "BUURTBOT_LOG_LEVEL": "WARNING",
    }
    log_path = tmp / "bot.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp, stdout=log, stderr=log
        )
    try:
        people = [emulator.add_user(f"Buur{n}", language_code="nl") for n in range(args.people)]
        for person in people:
            await emulator.send_text(person, "/help")
        await emulator.wait_for(
            lambda: all(_count(emulator, p.id, HELP) == 1 for p in people),
            60,
            what="everyone's first /help answered",
        )
        print(f"{args.people} people got /help answered; stopping PostgreSQL")
        await asyncio.to_thread(_postgres, "pause", args.pg_dir)
        stopped = time.monotonic()
        for number, person in enumerate(people):
            await asyncio.sleep(
                max(0.0, stopped + number * args.seconds / args.people - time.monotonic())
            )
            await emulator.send_text(person, "/help")
        await asyncio.sleep(max(0.0, stopped + args.seconds - time.monotonic()))
        apologised = sum(1 for p in people if _count(emulator, p.id, APOLOGY) >= 1)
        answered_during = sum(1 for p in people if _count(emulator, p.id, HELP) >= 2)
        print(
            f"during the outage: {apologised} of {args.people} apologised to, "
            f"{answered_during} answered"
        )
        await asyncio.to_thread(_postgres, "resume", args.pg_dir)
        resumed = time.monotonic()
        print("PostgreSQL is back")
        try:
            await emulator.wait_for(
                lambda: all(_count(emulator, p.id, HELP) >= 2 for p in people),
                args.timeout,
                what="every outage update answered",
            )
        except Exception as error:  # the figures below say what is missing
            print(f"not everything was answered: {error}")
        recovered = time.monotonic() - resumed
        answered = sum(1 for p in people if _count(emulator, p.id, HELP) >= 2)
        twice = sum(1 for p in people if _count(emulator, p.id, HELP) > 2)
        alive = process.returncode is None
        print(
            f"RESULT outage people={args.people} seconds={args.seconds:.0f} "
            f"apologised={apologised} answered={answered} answered_twice={twice} "
            f"recovered_seconds={recovered:.1f} alive={alive}"
        )
        good = apologised == answered == args.people and twice == 0 and alive
        if not good:
            print(f"the bot's log: {log_path}\n{log_path.read_text()[-3000:]}")
        return 0 if good else 1
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
        await emulator.stop()
