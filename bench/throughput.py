"""Updates per second through the emulator: the real bot against two baselines, and what each
update costs it (database transactions, SQL statements, Bot API calls).

Three runs on the same machine, same emulator settings (flood limits off), same polling and
the same simulated people doing the same steps:
  app     the real Buurtbot Application with its SQLite database (1,000 residents, 5,000 open
          posts by default), on a mix of resident actions: every simulated newcomer goes
          through onboarding, then rounds of /buurt, posting a request (/vraag, the request
          as free text, two draft buttons, "Plaatsen", which also runs the matching step for
          the request) and /help. Everyone chose not to be invited (pace "nooit"), so no
          invitation interrupts a scripted step. The emulator records every Bot API call the
          bot makes, per person and step.
  replay  a stub Application with no database and no logic that answers each update with
          exactly the Bot API calls the app made for it (same methods, same parameters: HTML
          texts, keyboards, edits, callback answers): the framework and HTTP cost of the app's
          own conversation, so app/replay is what the bot's logic and database cost.
  echo    a bare Application that answers every text with the same text (as many updates).
Neither uses PTB's rate limiter: this measures processing cost, not Telegram's send limits.

A step is done for a person when their newest bot message shows the expected text or button
and, for a button press, the bot has answered the callback query. Transactions and statements
are counted with SQLAlchemy engine events on the app's engine (a transaction is each BEGIN with
its commit or rollback, read-only ones included); Bot API calls are counted by the emulator
(getUpdates excluded). Background jobs run every 30 seconds and are counted with the step they
fall in.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import warnings
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import h3
from sqlalchemy import event
from sqlalchemy.engine import Engine
from telegram import Message, Update
from telegram.ext import Application, ContextTypes, MessageHandler, TypeHandler, filters
from telegram.warnings import PTBUserWarning

from bot.context import Clock
from bot.harness import running_bot
from bot.settings import Settings
from botapi_emulator import Emulator, Limits, SimUser
from botapi_emulator.harness import polling, running_emulator
from matching.area import area_cell
from matching.categories import CATEGORY_KEYS
from storage import migrate, repo
from storage.db import make_engine, session_scope
from storage.models import Post, Resident

WAIT_SECONDS = 120.0
BENCH_WIJK = "Transvaalbuurt"
BENCH_LOCATION = (52.3548, 4.9267)
# Bot API calls that are the polling itself, not an answer to an update.
NOT_ANSWERS = frozenset({"getUpdates"})
# After the last step: time for the bot to finish what it still does for it.
SETTLE_SECONDS = 0.2


@dataclass(frozen=True)
class Step:
    """What each person does in one phase, and what they then see on their newest message."""

    label: str  # what the simulated user does, for the report
    action: str  # "send" or "press"
    value: str  # the text sent or the button label pressed
    expected: str  # a text or button label on the newest bot message that marks it done


# The mix: what each simulated newcomer does, one step per phase.
NEWCOMER_STEPS: tuple[Step, ...] = (
    Step("onboarding: /start", "send", "/start", "✓ Nederlands"),
    Step("onboarding: language button", "press", "✓ Nederlands", BENCH_WIJK),
    Step("onboarding: wijk button", "press", BENCH_WIJK, "locatie"),
    Step("onboarding: skips location", "send", "Overslaan", "Hoe vaak mag ik je vragen"),
    # "Nooit": an invitation arriving between two scripted steps would be pressed instead of
    # the step's button. Every request still runs the matching step (candidate query, plan).
    # (With "nooit" there are no quiet hours to ask about.)
    Step("onboarding: pace button", "press", "Nooit", "Wat doe je graag"),
    Step("onboarding: interest button", "press", "Boodschappen", "✓ Boodschappen"),
    Step("onboarding: done button", "press", "Klaar", "Klaar, fijn dat je er bent!"),
)
ROUND_STEPS: tuple[Step, ...] = (
    Step("/buurt (browse nearby)", "send", "/buurt", "Open in je buurt"),
    Step("/vraag (start a request)", "send", "/vraag", "Wat kan een buur voor je doen?"),
    Step(
        "free text (the request)",
        "send",
        "Wie kan zaterdag mijn boodschapen doen?",
        "Ik denk dat het over",
    ),
    Step("draft button: category ok", "press", "✓ Ja, klopt", "Wanneer?"),
    Step("draft button: time ok", "press", "✓ Ja, klopt", "✅ Plaatsen"),
    # Posting runs the matching step at once; with everyone on "nooit" it finds nobody and
    # says so, after the "Je vraag is geplaatst!" edit: that message is the end of the update.
    Step('"Plaatsen" (post + matching)', "press", "✅ Plaatsen", "nog niemand die ik kan vragen"),
    Step("/help", "send", "/help", "Dit kun je doen"),
)

# One Bot API call as the bot made it: method and parameters as they arrived.
Call = tuple[str, dict[str, Any]]


@dataclass
class StepResult:
    """One step taken by every person: time and what it cost."""

    label: str
    updates: int
    seconds: float
    transactions: int = 0
    statements: int = 0
    api_calls: int = 0
    # Per person (chat id): the Bot API calls the bot made for their update, in order.
    calls: dict[int, list[Call]] = field(default_factory=dict)
    # This step's callback query ids, to the chat they were pressed in.
    queries: dict[str, int] = field(default_factory=dict)


class SqlCounter:
    """Transactions and statements on an engine, from SQLAlchemy's engine events."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.begins = 0
        self.ends = 0  # commits and rollbacks: each transaction ends once
        self.statements = 0
        self._listeners = (
            ("begin", self._on_begin),
            ("commit", self._on_end),
            ("rollback", self._on_end),
            ("before_cursor_execute", self._on_statement),
        )
        for name, listener in self._listeners:
            event.listen(engine, name, listener)

    def _on_begin(self, *_: Any) -> None:
        self.begins += 1

    def _on_end(self, *_: Any) -> None:
        self.ends += 1

    def _on_statement(self, *_: Any) -> None:
        self.statements += 1

    def close(self) -> None:
        for name, listener in self._listeners:
            event.remove(self.engine, name, listener)


class CallLog:
    """The Bot API calls the emulator received since the last `take()` (from its event log)."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.seq = max((e.seq for e in emu.events), default=0)

    def take(self) -> list[Call]:
        events = self.emu.events
        # The log is bounded: it must still hold the first event after the last take.
        assert not events or events[0].seq <= self.seq + 1, "event log overflowed; take sooner"
        new = [e for e in events if e.seq > self.seq]
        if new:
            self.seq = new[-1].seq
        return [
            (e.method, dict(e.data["params"]))
            for e in new
            if e.kind == "call" and e.method is not None and e.method not in NOT_ANSWERS
        ]


def _shows(emu: Emulator, chat_id: int, expected: str) -> bool:
    newest = emu.peek_last(chat_id)
    return newest is not None and (expected in newest[0] or expected in newest[1])


async def _step_for_all(emu: Emulator, people: list[SimUser], step: Step) -> StepResult:
    """Every person takes `step`; the time until each one's newest message shows its result
    (and their button press is answered)."""
    waiting = {person.id: person for person in people}
    query_of: dict[int, str] = {}  # chat id -> callback query id of this step's press
    with emu.watch_chats() as watch:
        started = time.perf_counter()
        for person in people:
            if step.action == "send":
                await emu.send_text(person, step.value)
            else:
                message = emu.last_message(person.id)
                assert message is not None
                query_of[person.id] = await emu.press_button(
                    person, message.message_id, step.value
                )
        first_check = [True]

        def done(chat_id: int) -> bool:
            if not _shows(emu, chat_id, step.expected):
                return False
            query = query_of.get(chat_id)
            return query is None or emu.callback_answer(query) is not None

        def all_done() -> bool:
            changed = watch.take()
            if first_check:  # the first check looks at everyone; later ones at what changed
                first_check.clear()
                changed = set(waiting)
            for chat_id in [c for c in changed if c in waiting]:
                if done(chat_id):
                    del waiting[chat_id]
            return not waiting

        await emu.wait_for(all_done, WAIT_SECONDS, what=f"{step.label}: {step.expected!r}")
        seconds = time.perf_counter() - started
    result = StepResult(step.label, len(people), seconds)
    result.calls = {person.id: [] for person in people}
    result.queries = {query: chat for chat, query in query_of.items()}
    return result


async def _run_steps(
    emu: Emulator, people: list[SimUser], steps: tuple[Step, ...], sql: SqlCounter | None
) -> list[StepResult]:
    """Every step for everyone, one result per step. A step's Bot API calls and SQL are what
    happens from its first action until the next step's (a call made just after the person
    saw the result still counts for their update), so the script for the replay is complete."""
    calls = CallLog(emu)  # from here on: what the bot did at startup is not an answer
    results: list[StepResult] = []
    marks = (0, 0)

    def close(result: StepResult) -> None:
        for method, params in calls.take():
            result.api_calls += 1
            if "chat_id" in params:
                chat = int(params["chat_id"])
            else:
                chat = result.queries.get(str(params.get("callback_query_id")), 0)
            result.calls.setdefault(chat, []).append((method, params))
        if sql is not None:
            result.transactions = sql.begins - marks[0]
            result.statements = sql.statements - marks[1]

    for step in steps:
        if results:
            close(results[-1])
        if sql is not None:
            marks = (sql.begins, sql.statements)
        results.append(await _step_for_all(emu, people, step))
    await asyncio.sleep(SETTLE_SECONDS)
    close(results[-1])
    return results


# -- echo ------------------------------------------------------------------------------------


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


async def measure_echo(users: int, rounds: int) -> float:
    """Updates/s of a bare echo handler."""
    async with running_emulator(limits=Limits.unlimited()) as emu:
        application = Application.builder().token(emu.token).base_url(emu.base_url).build()
        application.add_handler(MessageHandler(filters.TEXT, _echo))
        people = [emu.add_user(f"Echo{i}") for i in range(users)]
        total = 0.0
        async with polling(application):
            for round_number in range(rounds):
                text = f"hallo {round_number}"
                step = Step("echo", "send", text, text)
                total += (await _step_for_all(emu, people, step)).seconds
    return users * rounds / total


# -- the app ---------------------------------------------------------------------------------


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


def _daytime_clock() -> Clock:
    """The bot's clock for the run: today at noon in the bot's time zone, ticking from now.

    The simulated newcomers keep the default quiet hours (21:00-08:00), and "nobody found"
    waits for their morning: on the wall clock a run in the evening would never see the
    "Plaatsen" step finish. Noon makes every run the same, whenever it is started."""
    zone = ZoneInfo(Settings.model_fields["timezone"].default)
    noon = datetime.now(zone).replace(hour=12, minute=0, second=0, microsecond=0)
    started = time.monotonic()
    return lambda: (noon + timedelta(seconds=time.monotonic() - started)).astimezone(UTC)


def _people(emu: Emulator, users: int) -> list[SimUser]:
    # The same names in the same order give the same user (and chat) ids in every run, so
    # the replay's recorded chat ids and message ids fit its own emulator.
    return [emu.add_user(f"Buur{i}", language_code="nl") for i in range(users)]


def _raise_on_errors(emu: Emulator, who: str) -> None:
    if emu.errors:
        raise RuntimeError(f"{who} caused {len(emu.errors)} Bot API errors: {emu.errors[:3]}")


async def measure_app(
    users: int,
    steps: tuple[Step, ...],
    residents: int,
    posts: int,
    folder: Path,
    database_inline: bool = False,
) -> list[StepResult]:
    """The real bot on the mix: one result per step, with its calls for the replay."""
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    _seed_neighbourhood(engine, residents, posts)
    results: list[StepResult] = []
    counter = SqlCounter(engine)
    try:
        async with running_bot(
            engine=engine,
            database_url=url,
            clock=_daytime_clock(),
            limits=Limits.unlimited(),
            rate_limit=False,
            database_inline=database_inline,
        ) as running:
            emu = running.emulator
            people = _people(emu, users)
            results = await _run_steps(emu, people, steps, counter)
            _raise_on_errors(emu, "the bot")
    finally:
        counter.close()
        engine.dispose()
    return results


# -- replay ----------------------------------------------------------------------------------


# The stub calls methods by name (Bot.do_api_request), which PTB warns about for methods it
# has its own function for; here that is the point.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)
_RETURNS_MESSAGE = ("send", "edit")


class Replay:
    """Answers each update with the Bot API calls the app made for it, nothing else."""

    def __init__(self, results: list[StepResult]) -> None:
        self.scripts: dict[int, deque[list[Call]]] = defaultdict(deque)
        for result in results:
            for chat, calls in result.calls.items():
                if chat:
                    self.scripts[chat].append(calls)

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        query = update.callback_query
        for method, params in self.scripts[chat.id].popleft():
            kwargs = dict(params)
            if method == "answerCallbackQuery" and query is not None:
                kwargs["callback_query_id"] = query.id  # this run's query, same answer
            returns = Message if method.startswith(_RETURNS_MESSAGE) else None
            await context.bot.do_api_request(method, api_kwargs=kwargs, return_type=returns)


async def measure_replay(
    users: int, steps: tuple[Step, ...], recorded: list[StepResult]
) -> list[StepResult]:
    """The stub replaying the app's calls, on the same steps; one result per step."""
    replay = Replay(recorded)
    async with running_emulator(limits=Limits.unlimited()) as emu:
        application = Application.builder().token(emu.token).base_url(emu.base_url).build()
        application.add_handler(TypeHandler(Update, replay.answer))
        people = _people(emu, users)
        async with polling(application):
            results = await _run_steps(emu, people, steps, None)
        _raise_on_errors(emu, "the replay")
    return results


def _methods(results: list[StepResult]) -> Counter[str]:
    return Counter(method for r in results for calls in r.calls.values() for method, _ in calls)


# -- report ----------------------------------------------------------------------------------


def _per_type_table(app: list[StepResult], replay: list[StepResult]) -> list[str]:
    rows: dict[str, list[tuple[StepResult, StepResult]]] = {}
    for ours, theirs in zip(app, replay, strict=True):
        rows.setdefault(ours.label, []).append((ours, theirs))
    head = (
        f"{'what the simulated user does':<30} {'updates':>7} {'app/s':>8} {'replay/s':>8} "
        f"{'tx/upd':>7} {'stmt/upd':>8} {'api/upd':>7}"
    )
    lines = [head, "-" * len(head)]
    for label, pairs in rows.items():
        updates = sum(a.updates for a, _ in pairs)
        app_seconds = sum(a.seconds for a, _ in pairs)
        replay_seconds = sum(r.seconds for _, r in pairs)
        lines.append(
            f"{label:<30} {updates:>7} {updates / app_seconds:>8.1f} "
            f"{updates / replay_seconds:>8.1f} "
            f"{sum(a.transactions for a, _ in pairs) / updates:>7.2f} "
            f"{sum(a.statements for a, _ in pairs) / updates:>8.2f} "
            f"{sum(a.api_calls for a, _ in pairs) / updates:>7.2f}"
        )
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--users", type=int, default=200, help="simulated people (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of actions (default 3)")
    parser.add_argument("--residents", type=int, default=1000, help="residents in the database")
    parser.add_argument("--posts", type=int, default=5000, help="open posts in the database")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, median reported")
    parser.add_argument("--small", action="store_true", help="a quick run for CI")
    parser.add_argument(
        "--database-inline",
        action="store_true",
        help="run the bot's database work on the event loop instead of its worker thread "
        "(to measure what the thread costs)",
    )
    args = parser.parse_args(argv)
    if args.small:
        args.users, args.rounds, args.repeat, args.residents, args.posts = 50, 1, 1, 200, 1000
    steps = NEWCOMER_STEPS + ROUND_STEPS * args.rounds
    updates = args.users * len(steps)

    echo_runs, replay_runs, app_runs = [], [], []
    app: list[StepResult] = []
    replay: list[StepResult] = []
    with tempfile.TemporaryDirectory(prefix="buurtbot-bench-") as folder:
        for run in range(args.repeat):
            run_folder = Path(folder) / f"run{run}"
            run_folder.mkdir()
            app = asyncio.run(
                measure_app(
                    args.users,
                    steps,
                    args.residents,
                    args.posts,
                    run_folder,
                    args.database_inline,
                )
            )
            replay = asyncio.run(measure_replay(args.users, steps, app))
            if _methods(replay) != _methods(app):
                raise RuntimeError(
                    f"the replay made other calls: {_methods(replay)} vs {_methods(app)}"
                )
            # The echo run handles as many updates, so all three see the same queue lengths.
            echo_ups = asyncio.run(measure_echo(args.users, updates // args.users))
            app_ups = updates / sum(r.seconds for r in app)
            replay_ups = updates / sum(r.seconds for r in replay)
            print(f"run {run + 1}: echo   {echo_ups:8.1f} updates/s", flush=True)
            print(f"run {run + 1}: replay {replay_ups:8.1f} updates/s", flush=True)
            print(f"run {run + 1}: app    {app_ups:8.1f} updates/s ({updates} updates)")
            echo_runs.append(echo_ups)
            replay_runs.append(replay_ups)
            app_runs.append(app_ups)

    echo_ups = statistics.median(echo_runs)
    replay_ups = statistics.median(replay_runs)
    app_ups = statistics.median(app_runs)
    ratio, ratio_echo = app_ups / replay_ups, app_ups / echo_ups
    tx = sum(r.transactions for r in app) / updates
    statements = sum(r.statements for r in app) / updates
    api_calls = sum(r.api_calls for r in app) / updates
    methods = ", ".join(f"{method} {count}" for method, count in _methods(app).most_common())
    print(
        f"\n{args.users} simulated newcomers (onboarding, then {args.rounds} round(s) of /buurt, "
        f"a request and /help), {args.residents} residents and {args.posts} open posts in "
        f"the database, median of {args.repeat} run(s); per update type, last run:\n"
    )
    print("\n".join(_per_type_table(app, replay)))
    print(f"\nBot API calls of the app (replayed the same): {methods}")
    print(f"bare echo handler      : {echo_ups:8.1f} updates/s")
    print(f"replay of the app calls: {replay_ups:8.1f} updates/s")
    print(
        f"real bot (mix)         : {app_ups:8.1f} updates/s  ({ratio:.2f} of replay, "
        f"{ratio_echo:.2f} of echo)"
    )
    print(
        f"RESULT throughput replay_ups={replay_ups:.1f} echo_ups={echo_ups:.1f} "
        f"app_ups={app_ups:.1f} ratio={ratio:.2f} ratio_echo={ratio_echo:.2f} "
        f"tx_per_update={tx:.2f} statements_per_update={statements:.2f} "
        f"api_calls_per_update={api_calls:.2f}"
    )
    return 0
