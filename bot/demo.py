"""`buurtbot demo`: the real bot against the local emulator, on a throwaway SQLite file.

Needs no token and no network. The scripted run plays a few neighbours through every flow that
exists; `--chat` lets a person play a resident in the terminal.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.emulator import EmulatorTimeoutError, Limits
from bot.harness import RunningBot, running_bot
from bot.scenario import Person, Scene, render
from storage import migrate, repo
from storage.db import make_engine, session_scope

DEMO_WIJK = "Transvaalbuurt"
# Reply wait in --chat mode: long enough for a slow machine, short enough to feel responsive.
CHAT_REPLY_TIMEOUT = 3.0


def run_demo(*, chat: bool = False) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="buurtbot-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with session_scope(engine) as session:
                repo.add_wijk(
                    session,
                    name=DEMO_WIJK,
                    center_cell=None,
                    reach_m=1500,
                    now=datetime.now(UTC),
                )
            play = _chat if chat else _script
            return asyncio.run(_with_bot(url, engine, play))
        finally:
            engine.dispose()


Play = Callable[[RunningBot], Awaitable[int]]


async def _with_bot(url: str, engine: Engine, play: Play) -> int:
    async with running_bot(engine=engine, database_url=url, limits=Limits()) as running:
        return await play(running)


async def _script(running: RunningBot) -> int:
    started = time.perf_counter()
    print("Buurtbot demo: the real bot, a local Telegram emulator and a throwaway database.")
    print(f"Wijk: {DEMO_WIJK}. Three neighbours say hello.\n")
    scene = Scene(running.emulator, narrate=print)

    anna = scene.resident("Anna", language="nl")
    await anna.sends("/start")
    await anna.sees("Welke taal")
    await anna.presses("✓ Nederlands")
    await anna.sees("ik praat Nederlands met je")
    print()

    ben = scene.resident("Ben", language="en")
    await ben.sends("/start")
    await ben.sees("Which language")
    await ben.presses("✓ English")
    await ben.sees("talk to you in English")
    await ben.sends("/help")
    await ben.sees("Here is what you can do")
    print()

    fatima = scene.resident("Fatima", language="en")
    await fatima.sends("/start")
    await fatima.sees("Which language")
    await fatima.presses("Nederlands")
    await fatima.sees("ik praat Nederlands met je")
    await fatima.sends("/help")
    await fatima.sees("Dit kun je doen")

    people = [anna, ben, fatima]
    sent = sum(len(running.emulator.messages(p.chat_id)) for p in people)
    errors = len(running.emulator.errors)
    seconds = time.perf_counter() - started
    print(
        f"\nDemo finished: {len(people)} residents, {sent} bot messages, "
        f"{errors} Bot API errors, {seconds:.1f} s."
    )
    return 0 if errors == 0 else 1


async def _chat(running: RunningBot) -> int:
    print("Buurtbot chat demo. You are 'Buurtbewoner' in a private chat with the bot.")
    print("Type a message or a command (/start, /help, /taal); type a number to press a button;")
    print("an empty line or Ctrl-D ends the demo.\n")
    scene = Scene(running.emulator)
    you = scene.resident("Buurtbewoner", language="nl")
    shown: dict[int, int] = {}
    while True:
        try:
            line = (await asyncio.to_thread(input, "> ")).strip()
        except EOFError:
            line = ""
        if not line:
            print("Tot ziens!")
            return 0
        before = _snapshot(running, you)
        if line.isdigit():
            if not await _press_numbered(you, int(line)):
                continue
        else:
            await running.emulator.send_text(you.user, line)

        def changed(before: object = before) -> bool:
            return _snapshot(running, you) != before

        try:
            await running.emulator.wait_for(changed, CHAT_REPLY_TIMEOUT, what="a reply")
        except EmulatorTimeoutError:
            print("(no reply)")
        _print_news(running, you, shown)


def _snapshot(running: RunningBot, person: Person) -> list[tuple[int, int, bool]]:
    return [
        (m.message_id, m.edit_count, m.deleted) for m in running.emulator.messages(person.chat_id)
    ]


def _print_news(running: RunningBot, person: Person, shown: dict[int, int]) -> None:
    for message in running.emulator.messages(person.chat_id):
        if message.deleted or shown.get(message.message_id) == message.edit_count:
            continue
        shown[message.message_id] = message.edit_count
        print(f"Buurtbot: {render(message)}")
        labels = [label for row in message.buttons for label in row]
        for number, label in enumerate(labels, start=1):
            print(f"   {number}. {label}")


async def _press_numbered(person: Person, number: int) -> bool:
    message = person.emulator.last_message(person.chat_id)
    labels = [label for row in message.buttons for label in row] if message else []
    if not 1 <= number <= len(labels):
        print("(no button with that number on the last message)", file=sys.stderr)
        return False
    await person.presses(labels[number - 1])
    return True
