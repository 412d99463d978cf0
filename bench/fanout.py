"""The outbox draining a fan-out against Telegram's enforced limits: how close to the
configured rate it gets, with no 429, nothing twice and nothing lost.

2,000 outbox messages (by default) to 500 private chats and 3 groups are queued in the
database, then the real bot (`buurtbot run`'s Application, with python-telegram-bot's rate
limiter as in production) is started against the emulator, whose flood control answers 429
like Telegram (30/s overall, 1/s per chat with bursts of 4, 20/min per group). The emulator's
log is the judge: every message must arrive exactly once.

  seconds            from the first send to the last
  rate               messages per second over that time
  fraction_of_limit  the least time any sender could take within the configured limits
                     (BUURTBOT_SEND_RATE 25/s overall, 1/s per chat, 20/min per group)
                     divided by the time taken; with the defaults the overall rate is the
                     bound (the 20 messages per group fit in 20/min), so it is rate / 25
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.harness import running_bot
from botapi_emulator import Emulator, Limits
from storage import migrate, outbox, repo
from storage.db import make_engine, session_scope
from storage.models import Resident

TEXT = "Bericht {n} van de buurt"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench fanout", description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=500, help="private chats")
    parser.add_argument("--groups", type=int, default=3)
    parser.add_argument(
        "--group-messages", type=int, default=20, help="messages to each group (within 20/min)"
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per Bot API send")
    parser.add_argument("--timeout", type=float, default=600.0)
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'fanout.db'}"
        return asyncio.run(_run(args, url))


async def _run(args: argparse.Namespace, url: str) -> int:
    migrate.upgrade(url)
    engine = make_engine(url)
    emulator = Emulator(limits=Limits())
    await emulator.start()
    try:
        now = datetime.now(UTC)
        users = [emulator.add_user(f"Buur{n}") for n in range(args.chats)]
        for user in users:
            emulator.chat(user.id).started = True
        groups = [
            emulator.add_group(f"Wijkgroep {n}", members=[users[n % len(users)]])
            for n in range(args.groups)
        ]
        expected = _queue(engine, args, [user.id for user in users], [g.id for g in groups], now)
        print(
            f"queued {len(expected)} messages to {args.chats} private chats and "
            f"{args.groups} groups"
        )
        emulator.send_latency = args.latency
        started, wall_started = time.monotonic(), time.time()
        async with running_bot(engine=engine, database_url=url, emulator=emulator) as running:
            rate = running.settings.send_rate
            deadline = started + args.timeout
            await emulator.wait_for(
                lambda: _sent_count(emulator) >= len(expected),
                max(1.0, deadline - time.monotonic()),
                what="every message sent",
            )
            await asyncio.sleep(2.0)  # anything sent twice would show now
        seen = Counter(
            message.text or ""
            for chat in [*(u.id for u in users), *(g.id for g in groups)]
            for message in emulator.messages(chat)
        )
        times = [
            event.time
            for event in emulator.events
            if event.kind == "call" and event.method == "sendMessage"
        ]
        seconds = max(times) - min(times) if len(times) > 1 else 0.0
        achieved = (len(times) - 1) / seconds if seconds else 0.0
        # The fastest any sender could go within the limits: the overall rate, or a group's
        # 20/min (or a chat's 1/s) if that one chat's messages take longer.
        per_chat = Counter(
            event.data.get("params", {}).get("chat_id")
            for event in emulator.events
            if event.kind == "call" and event.method == "sendMessage"
        )
        limiter = running.application.bot_data["send_limiter"]
        bound = max(
            [(len(times) - 1) / rate]
            + [(n - 1) * limiter.interval(int(chat)) for chat, n in per_chat.items() if chat]
        )
        duplicates = sum(count - 1 for text, count in seen.items() if text in expected)
        lost = len(expected - set(seen))
        http_429 = sum(1 for error in emulator.errors if error.error_code == 429)
        other_errors = [str(e) for e in emulator.errors if e.error_code != 429]
        print(f"sendMessage calls: {len(times)}; other errors: {other_errors[:3]}")
        last = max(times, default=wall_started)
        print(f"from start of the bot to the last send: {last - wall_started:.1f} s")
        fraction = bound / seconds if seconds else 0.0
        print(
            f"RESULT fanout messages={len(expected)} chats={args.chats} groups={args.groups} "
            f"seconds={seconds:.1f} rate={achieved:.2f} fraction_of_limit={fraction:.3f} "
            f"http_429={http_429} duplicates={duplicates} lost={lost}"
        )
        return 0 if duplicates == lost == http_429 == 0 else 1
    finally:
        await emulator.stop()
        engine.dispose()


def _sent_count(emulator: Emulator) -> int:
    return sum(
        1 for event in emulator.events if event.kind == "call" and event.method == "sendMessage"
    )


def _queue(
    engine: object,
    args: argparse.Namespace,
    user_ids: list[int],
    group_ids: list[int],
    now: datetime,
) -> set[str]:
    """Round-robin over the chats, as a real fan-out (one announcement to everyone, then the
    next) would queue them; the groups get their share first."""
    from sqlalchemy.engine import Engine

    assert isinstance(engine, Engine)
    texts: set[str] = set()
    with session_scope(engine) as session:
        wijk = repo.add_wijk(session, name="Benchwijk", center_cell=None, reach_m=1500, now=now)
        residents = []
        for n, user_id in enumerate(user_ids):
            resident = Resident(
                telegram_user_id=user_id,
                first_name=f"Buur{n}",
                wijk_id=wijk.id,
                onboarded=True,
                quiet_start="00:00",
                quiet_end="00:00",
            )
            session.add(resident)
            residents.append(resident)
        session.flush()
        targets: list[tuple[int, int | None]] = []
        for _ in range(args.group_messages):
            targets += [(group_id, None) for group_id in group_ids]
        private = args.messages - len(targets)
        targets += [
            (residents[n % len(residents)].telegram_user_id, residents[n % len(residents)].id)
            for n in range(private)
        ]
        for count, (chat_id, resident_id) in enumerate(targets):
            text = TEXT.format(n=count)
            outbox.enqueue(
                session,
                chat_id=chat_id,
                text=text,
                reply_markup=None,
                due_at=now,
                resident_id=resident_id,
            )
            texts.add(text)
    return texts
