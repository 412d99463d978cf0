"""Updates per second through the emulator and a real python-telegram-bot Application.

Two runs on the same machine, same emulator settings (flood limits off) and same polling:
  echo  a bare Application that answers every text with the same text: the framework's ceiling;
  app   the real Buurtbot Application with its database, on a mix of resident actions
        (/start, pressing a language button, /help, /taal).
Neither uses PTB's rate limiter: this measures processing cost, not Telegram's send limits.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.emulator import Emulator, Limits, SimUser
from bot.harness import LONG_POLL_SECONDS, running_bot
from storage import migrate
from storage.db import make_engine, session_scope
from storage.models import Resident

WAIT_SECONDS = 120.0


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def _bot_messages(emu: Emulator, users: list[SimUser]) -> int:
    return sum(len(emu.messages(user.id)) for user in users)


async def _send_to_all(emu: Emulator, people: list[SimUser], text: str) -> float:
    """Every person sends `text`; seconds until each has one more bot message."""
    expected = _bot_messages(emu, people) + len(people)
    started = time.perf_counter()
    for person in people:
        await emu.send_text(person, text)
    await emu.wait_for(lambda: _bot_messages(emu, people) >= expected, WAIT_SECONDS, what=text)
    return time.perf_counter() - started


async def _press_for_all(emu: Emulator, people: list[SimUser], label: str) -> float:
    """Every person presses `label` on their newest message; seconds until all are answered."""
    started = time.perf_counter()
    query_ids = []
    for person in people:
        message = emu.last_message(person.id)
        assert message is not None
        query_ids.append(await emu.press_button(person, message.message_id, label))
    await emu.wait_for(
        lambda: all(emu.callback_answer(q) is not None for q in query_ids),
        WAIT_SECONDS,
        what=f"answers to [{label}]",
    )
    return time.perf_counter() - started


async def measure_echo(users: int, rounds: int) -> float:
    """Updates/s of a bare echo handler."""
    async with Emulator(limits=Limits.unlimited()) as emu:
        application = Application.builder().token(emu.token).base_url(emu.base_url).build()
        application.add_handler(MessageHandler(filters.TEXT, _echo))
        people = [emu.add_user(f"Echo{i}") for i in range(users)]
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=LONG_POLL_SECONDS)
            total = 0.0
            for round_number in range(rounds):
                total += await _send_to_all(emu, people, f"hallo {round_number}")
            await application.updater.stop()
            await application.stop()
    return users * rounds / total


def _seed_residents(engine: Engine, count: int) -> None:
    with session_scope(engine) as session:
        session.add_all(
            Resident(telegram_user_id=10_000_000 + i, first_name=f"Buur{i}", onboarded=True)
            for i in range(count)
        )


async def measure_app(users: int, rounds: int, residents: int, folder: Path) -> float:
    """Updates/s of the real bot on a mix of resident actions."""
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    _seed_residents(engine, residents)
    updates = 0
    total = 0.0
    try:
        async with running_bot(
            engine=engine, database_url=url, limits=Limits.unlimited(), rate_limit=False
        ) as running:
            emu = running.emulator
            people = [emu.add_user(f"Buur{i}", language_code="nl") for i in range(users)]
            for _ in range(rounds):
                for command in ("/start", "/help", "/taal"):
                    total += await _send_to_all(emu, people, command)
                total += await _press_for_all(emu, people, "English")
                updates += 4 * users
            errors = len(emu.errors)
            if errors:
                raise RuntimeError(f"the bot caused {errors} Bot API errors: {emu.errors[:3]}")
    finally:
        engine.dispose()
    return updates / total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench throughput", description=__doc__)
    parser.add_argument("--users", type=int, default=200, help="simulated people (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of actions (default 3)")
    parser.add_argument("--residents", type=int, default=1000, help="residents in the database")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, median reported")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args(argv)
    if args.small:
        args.users, args.rounds, args.repeat = 50, 1, 1

    echo_runs, app_runs = [], []
    with tempfile.TemporaryDirectory(prefix="buurtbot-bench-") as folder:
        for run in range(args.repeat):
            echo = asyncio.run(measure_echo(args.users, args.rounds * 4))
            print(f"run {run + 1}: echo {echo:8.1f} updates/s", flush=True)
            run_folder = Path(folder) / f"run{run}"
            run_folder.mkdir()
            app = asyncio.run(measure_app(args.users, args.rounds, args.residents, run_folder))
            print(f"run {run + 1}: app  {app:8.1f} updates/s", flush=True)
            echo_runs.append(echo)
            app_runs.append(app)
    echo_ups, app_ups = statistics.median(echo_runs), statistics.median(app_runs)
    ratio = app_ups / echo_ups
    print(
        f"\n{args.users} simulated people, {args.residents} residents in the database, "
        f"median of {args.repeat} run(s)"
    )
    print(f"bare echo handler : {echo_ups:8.1f} updates/s")
    print(f"real bot (mix)    : {app_ups:8.1f} updates/s  ({ratio:.2f} of echo; target ≥ 0.5)")
    print(f"RESULT throughput echo_ups={echo_ups:.1f} app_ups={app_ups:.1f} ratio={ratio:.2f}")
    return 0
