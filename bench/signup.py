"""A burst of sign-ups: 300 residents press "Ik doe mee" for one activity within a few seconds.

The real bot polls the emulator (flood limits off, so this measures the bot, not Telegram's
send limits) with its SQLite database (or --database-url). One one-off activity with a single
role of `--capacity` places; every resident first opens its card through the deep link
(`/start act_<id>`, not timed), then all press the role's button, spread evenly over
`--spread` seconds. Timed per press: from the press until the bot answered the callback query
(the answer comes after the unit of work committed). Afterwards the database is read: exactly
`capacity` sign-ups must hold a place, the others be on the waiting list, in the order their
presses got their turn (storage/activities.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.harness import running_bot
from botapi_emulator import Emulator, Limits, SimUser
from matching.activities import Repeat, RoleSpec
from storage import activities, migrate, repo
from storage.db import make_engine, session_scope
from storage.models import Resident, RoleKind, Signup, SignupStatus

# The bot's clock reads a Monday noon (outside anyone's quiet hours); the activity is Thursday.
NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
JOIN = "Ik doe mee: gasten"
WAIT_SECONDS = 60.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench signup", description=__doc__)
    parser.add_argument("--presses", type=int, default=300)
    parser.add_argument("--capacity", type=int, default=40)
    parser.add_argument("--spread", type=float, default=3.0, help="seconds over which to press")
    parser.add_argument("--database-url", default=None)
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-signup-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'signup.db'}"
        return asyncio.run(_run(args, url))


def _seed(url: str, users: list[SimUser], organiser: SimUser, capacity: int) -> int:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            wijk = repo.add_wijk(session, name="Oost", center_cell=None, reach_m=1500, now=NOW)
            assert wijk.id is not None
            repo.grant_role(
                session,
                telegram_user_id=organiser.id,
                kind=RoleKind.ORGANISER,
                wijk=wijk,
                now=NOW,
            )
            people = [
                Resident(
                    telegram_user_id=user.id,
                    first_name=user.first_name,
                    wijk_id=wijk.id,
                    onboarded=True,
                    created_at=NOW,
                    updated_at=NOW,
                )
                for user in [organiser, *users]
            ]
            session.add_all(people)
            session.flush()
            assert people[0].id is not None
            activity = activities.create_activity(
                session,
                wijk_id=wijk.id,
                organiser_id=people[0].id,
                title="Kookavond",
                description="Samen eten",
                place="Pauluskerk",
                place_private=False,
                first_day=date(2026, 11, 26),
                starts_local=clock_time(18, 0),
                duration=timedelta(hours=2),
                repeat=Repeat.NONE,
                repeat_until=None,
                roles=[RoleSpec("gasten", capacity)],
                zone=ZoneInfo("Europe/Amsterdam"),
                now=NOW,
            )
            assert activity.id is not None
            return activity.id
    finally:
        engine.dispose()


def _count(url: str) -> tuple[int, int, bool]:
    """How many hold a place, how many wait, and whether places went to the earliest turns."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            rows = session.exec(select(Signup).order_by(Signup.seq)).all()  # type: ignore[arg-type]
            statuses = [row.status for row in rows]
            admitted = statuses.count(SignupStatus.IN.value)
            waiting = statuses.count(SignupStatus.WAITING.value)
            in_order = statuses == sorted(statuses, key=lambda s: s != SignupStatus.IN.value)
            return admitted, waiting, in_order
    finally:
        engine.dispose()


async def _run(args: argparse.Namespace, url: str) -> int:
    emulator = Emulator(limits=Limits.unlimited())
    await emulator.start()
    users = [emulator.add_user(f"Buur{n}", language_code="nl") for n in range(args.presses)]
    organiser = emulator.add_user("Olga", language_code="nl")
    activity_id = _seed(url, users, organiser, args.capacity)
    engine = make_engine(url)
    errors = 0
    latencies: list[float] = []
    try:
        async with running_bot(
            engine=engine,
            database_url=url,
            emulator=emulator,
            clock=lambda: NOW,
            rate_limit=False,
        ):
            cards: dict[int, int] = {}

            async def open_card(user: SimUser) -> None:
                await emulator.send_text(user, f"/start act_{activity_id}")

                def shown() -> bool:
                    for message in emulator.messages(user.id):
                        if message.button(JOIN) is not None:
                            cards[user.id] = message.message_id
                            return True
                    return False

                await emulator.wait_for(shown, WAIT_SECONDS, what=f"{user.first_name}'s card")

            opening = time.monotonic()
            await asyncio.gather(*(open_card(user) for user in users))
            print(f"{len(users)} cards shown in {time.monotonic() - opening:.1f}s")

            async def press(user: SimUser, delay: float) -> None:
                nonlocal errors
                await asyncio.sleep(delay)
                started = time.monotonic()
                try:
                    query = await emulator.press_button(user, cards[user.id], JOIN)
                    await emulator.wait_for_callback_answer(query, timeout=WAIT_SECONDS)
                except Exception as error:  # counted and reported, the burst goes on
                    errors += 1
                    print(f"press by {user.first_name} failed: {error}")
                    return
                latencies.append((time.monotonic() - started) * 1000)

            step = args.spread / max(len(users), 1)
            burst = time.monotonic()
            await asyncio.gather(*(press(user, n * step) for n, user in enumerate(users)))
            print(f"{len(users)} presses answered in {time.monotonic() - burst:.1f}s")
            errors += len(emulator.errors)
    finally:
        engine.dispose()
        await emulator.stop()
    admitted, waiting, in_order = _count(url)
    if not in_order:
        errors += 1
        print("places did not go to the earliest turns")
    if waiting != args.presses - admitted:
        errors += 1
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) if ordered else 0.0
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0
    print(f"admitted {admitted} of capacity {args.capacity}; {waiting} on the waiting list")
    print(
        f"RESULT signup presses={args.presses} capacity={args.capacity} admitted={admitted} "
        f"p50_ms={p50:.0f} p95_ms={p95:.0f} errors={errors}"
    )
    return 0 if errors == 0 and admitted == min(args.capacity, args.presses) else 1
