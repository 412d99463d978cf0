"""Updates per second through the emulator and a real python-telegram-bot Application.

Two runs on the same machine, same emulator settings (flood limits off) and same polling:
  echo  a bare Application that answers every text with the same text: the framework's ceiling;
  app   the real Buurtbot Application with its SQLite database (1,000 residents, 5,000 open
        posts by default), on a mix of resident actions: every simulated newcomer goes through
        onboarding, then rounds of /buurt, posting a request (/vraag, text, two confirmations,
        "Plaatsen", which also runs the matching step for the request) and /help. Everyone
        chose not to be invited (pace "nooit"), so no invitation interrupts a scripted step.
Neither uses PTB's rate limiter: this measures processing cost, not Telegram's send limits.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h3
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.harness import running_bot
from botapi_emulator import Emulator, Limits, SimUser
from botapi_emulator.harness import LONG_POLL_SECONDS
from matching.area import area_cell
from matching.categories import CATEGORY_KEYS
from storage import migrate, repo
from storage.db import make_engine, session_scope
from storage.models import Post, Resident

WAIT_SECONDS = 120.0
BENCH_WIJK = "Transvaalbuurt"
BENCH_LOCATION = (52.3548, 4.9267)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


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
                text = f"hallo {round_number}"
                total += await _step_for_all(emu, people, ("send", text, text))
            await application.updater.stop()
            await application.stop()
    return users * rounds / total


# The mix: what each simulated newcomer does, one step per phase. A step is an action and
# what the person then sees on their newest message (a text or a button), which marks it done.
Step = tuple[str, str, str]  # ("send" | "press", text or button label, expected text/button)
NEWCOMER_STEPS: tuple[Step, ...] = (
    ("send", "/start", "✓ Nederlands"),
    ("press", "✓ Nederlands", BENCH_WIJK),
    ("press", BENCH_WIJK, "locatie"),
    ("send", "Overslaan", "Hoe vaak mag ik je vragen"),
    # "Nooit": an invitation arriving between two scripted steps would be pressed instead of
    # the step's button. Every request still runs the matching step (candidate query, plan).
    # (With "nooit" there are no quiet hours to ask about.)
    ("press", "Nooit", "Wat doe je graag"),
    ("press", "Boodschappen", "✓ Boodschappen"),
    ("press", "Klaar", "Klaar, fijn dat je er bent!"),
)
ROUND_STEPS: tuple[Step, ...] = (
    ("send", "/buurt", "Open in je buurt"),
    ("send", "/vraag", "Wat kan een buur voor je doen?"),
    ("send", "Wie kan zaterdag mijn boodschapen doen?", "Ik denk dat het over"),
    ("press", "✓ Ja, klopt", "Wanneer?"),
    ("press", "✓ Ja, klopt", "✅ Plaatsen"),
    ("press", "✅ Plaatsen", "Je vraag staat erin!"),
    ("send", "/help", "Dit kun je doen"),
)


def _shows(emu: Emulator, person: SimUser, expected: str) -> bool:
    newest = emu.peek_last(person.id)
    return newest is not None and (expected in newest[0] or expected in newest[1])


async def _step_for_all(emu: Emulator, people: list[SimUser], step: Step) -> float:
    """Every person takes `step`; seconds until each one's newest message shows its result."""
    action, value, expected = step
    waiting = set(range(len(people)))

    def all_done() -> bool:
        waiting.difference_update([i for i in waiting if _shows(emu, people[i], expected)])
        return not waiting

    started = time.perf_counter()
    for person in people:
        if action == "send":
            await emu.send_text(person, value)
        else:
            message = emu.last_message(person.id)
            assert message is not None
            await emu.press_button(person, message.message_id, value)
    await emu.wait_for(all_done, WAIT_SECONDS, what=f"{action} {value!r} -> {expected!r}")
    return time.perf_counter() - started


def _seed_neighbourhood(engine: Engine, residents: int, posts: int) -> None:
    """A wijk with `residents` onboarded residents and `posts` open posts spread around it."""
    now = datetime.now(UTC)
    randomness = random.Random(8)
    centre = area_cell(*BENCH_LOCATION)
    cells = sorted(h3.grid_disk(centre, 4))
    with session_scope(engine) as session:
        wijk = repo.add_wijk(session, name=BENCH_WIJK, center_cell=centre, reach_m=2000, now=now)
        people = [
            Resident(
                telegram_user_id=10_000_000 + i,
                first_name=f"Buur{i}",
                wijk_id=wijk.id,
                pace="never",  # they exist for /buurt; they have no chat in the emulator
                area_cell=randomness.choice(cells),
                onboarded=True,
            )
            for i in range(residents)
        ]
        session.add_all(people)
        session.flush()
        resident_ids = [person.id for person in people if person.id is not None]
        assert wijk.id is not None
        session.add_all(
            Post(
                resident_id=randomness.choice(resident_ids),
                wijk_id=wijk.id,
                kind=randomness.choice(("request", "offer")),
                category=randomness.choice(CATEGORY_KEYS),
                text=f"Bericht {i} uit de buurt",
                area_cell=randomness.choice(cells),
                created_at=now - timedelta(minutes=i),
            )
            for i in range(posts)
        )


async def measure_app(
    users: int, rounds: int, residents: int, posts: int, folder: Path
) -> tuple[float, int]:
    """Updates/s of the real bot on a mix of resident actions; also the number of updates."""
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    _seed_neighbourhood(engine, residents, posts)
    steps = NEWCOMER_STEPS + ROUND_STEPS * rounds
    total = 0.0
    try:
        async with running_bot(
            engine=engine, database_url=url, limits=Limits.unlimited(), rate_limit=False
        ) as running:
            emu = running.emulator
            people = [emu.add_user(f"Buur{i}", language_code="nl") for i in range(users)]
            for step in steps:
                total += await _step_for_all(emu, people, step)
            errors = len(emu.errors)
            if errors:
                raise RuntimeError(f"the bot caused {errors} Bot API errors: {emu.errors[:3]}")
    finally:
        engine.dispose()
    updates = users * len(steps)
    return updates / total, updates


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench throughput", description=__doc__)
    parser.add_argument("--users", type=int, default=200, help="simulated people (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of actions (default 3)")
    parser.add_argument("--residents", type=int, default=1000, help="residents in the database")
    parser.add_argument("--posts", type=int, default=5000, help="open posts in the database")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, median reported")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    args = parser.parse_args(argv)
    if args.small:
        args.users, args.rounds, args.repeat, args.residents, args.posts = 50, 1, 1, 200, 1000

    echo_runs, app_runs = [], []
    with tempfile.TemporaryDirectory(prefix="buurtbot-bench-") as folder:
        for run in range(args.repeat):
            run_folder = Path(folder) / f"run{run}"
            run_folder.mkdir()
            app, updates = asyncio.run(
                measure_app(args.users, args.rounds, args.residents, args.posts, run_folder)
            )
            # The echo run handles as many updates, so both see the same queue lengths.
            echo = asyncio.run(measure_echo(args.users, updates // args.users))
            print(f"run {run + 1}: echo {echo:8.1f} updates/s", flush=True)
            print(f"run {run + 1}: app  {app:8.1f} updates/s ({updates} updates)", flush=True)
            echo_runs.append(echo)
            app_runs.append(app)
    echo_ups, app_ups = statistics.median(echo_runs), statistics.median(app_runs)
    ratio = app_ups / echo_ups
    print(
        f"\n{args.users} simulated newcomers (onboarding, then {args.rounds} round(s) of /buurt, "
        f"a request and /help), {args.residents} residents and {args.posts} open posts in "
        f"the database, median of {args.repeat} run(s)"
    )
    print(f"bare echo handler : {echo_ups:8.1f} updates/s")
    print(f"real bot (mix)    : {app_ups:8.1f} updates/s  ({ratio:.2f} of echo; target ≥ 0.5)")
    print(f"RESULT throughput echo_ups={echo_ups:.1f} app_ups={app_ups:.1f} ratio={ratio:.2f}")
    return 0
