"""/ikben, and errors reported to the bot's owners (BUURTBOT_ADMINS): once per error per
hour, with the kind and place of the error but never anyone's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from telegram import Bot

from bot.handlers import basics
from bot.harness import RunningBot
from bot.owners import ErrorReporter, error_place, is_owner
from botapi_emulator.scenario import Scene


async def test_ikben_answers_with_ones_telegram_id(scene: Scene) -> None:
    anna = scene.resident("Anna", language="nl")
    await anna.sends("/ikben")
    answer = await anna.sees("Je Telegram-id is")
    assert str(anna.user.id) in answer.content
    ben = scene.resident("Ben", language="en")
    await ben.sends("/whoami")
    assert str(ben.user.id) in (await ben.sees("Your Telegram id is")).content


async def test_owners_hear_of_an_error_once_without_the_words(
    scene: Scene, running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = scene.resident("Olga", language="en")
    await owner.sends("/ikben")
    await owner.sees("Your Telegram id is")
    running.settings.admins.append(owner.user.id)

    def broken(language: str, names: tuple[str, ...]) -> list[object]:
        raise RuntimeError("Zwanhilde wrote something private")

    monkeypatch.setattr(basics, "command_menu", broken)
    dana = scene.resident("Dana", language="en")
    await dana.sends("/help")
    await dana.sees("something went wrong")
    report = await owner.sees("Er ging iets mis in de bot: RuntimeError in test_owners.py:")
    assert "Zwanhilde" not in report.content
    assert "private" not in report.content
    await dana.sends("/help")
    await count(running, dana.chat_id, "something went wrong", 2)
    await owner.sends("/ikben")
    await count(running, owner.chat_id, "Your Telegram id is", 2)
    reports = [m for m in running.emulator.messages(owner.chat_id) if "Er ging" in m.content]
    assert len(reports) == 1, "the same error again within the hour is not reported again"


async def count(running: RunningBot, chat_id: int, text: str, wanted: int) -> None:
    emulator = running.emulator
    await emulator.wait_for(
        lambda: sum(text in m.content for m in emulator.messages(chat_id)) >= wanted,
        10.0,
        what=f"{wanted} x {text!r}",
        chat=chat_id,
    )


class FakeBot:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        self.sent.append((chat_id, text))


async def test_one_report_per_distinct_error_per_hour(running: RunningBot) -> None:
    settings = running.settings.model_copy(update={"admins": [11, 12]})
    bot, reporter = FakeBot(), ErrorReporter()
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)

    def fail(kind: type[Exception]) -> Exception:
        try:
            raise kind("words of a resident")
        except Exception as error:
            return error

    first, again, other = fail(ValueError), fail(ValueError), fail(KeyError)
    assert error_place(first)[0] == "ValueError"
    assert await reporter.report(cast(Bot, bot), settings, first, now) == 2
    assert await reporter.report(cast(Bot, bot), settings, again, now + timedelta(minutes=59)) == 0
    assert await reporter.report(cast(Bot, bot), settings, other, now) == 2
    assert await reporter.report(cast(Bot, bot), settings, again, now + timedelta(hours=1)) == 2
    assert all("words of a resident" not in text for _, text in bot.sent)
    assert {chat for chat, _ in bot.sent} == {11, 12}
    assert is_owner(settings, 11)
    assert not is_owner(settings, 13)
    assert not is_owner(settings, None)
