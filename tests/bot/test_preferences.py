"""The pieces onboarding and /instellingen share: button data, join links, choice labels."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.i18n import t
from bot.services.onboarding import StartLink, parse_start_link
from bot.services.preferences import PACE_LABELS, pace_rows
from storage.models import Pace


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("ob:pace:weekly", ("pace", "weekly")),
        ("ob:likes:small_jobs", ("likes", "small_jobs")),
        ("ob:quiet:2200-0700", ("quiet", "2200-0700")),
        ("ob:wijk:12", ("wijk", "12")),
        ("ob:pace:", None),
        ("ob::weekly", None),
        ("ob:pace", None),
        ("ob:", None),
        ("set:pace:weekly", None),
        (None, None),
    ],
)
def test_button_data_splits_into_step_and_value(
    data: str | None, expected: tuple[str, str] | None
) -> None:
    press = callbacks.decode(data)
    if expected is None:
        assert press is None or press.action is not callbacks.ONBOARDING
    else:
        assert press is not None
        assert press.action is callbacks.ONBOARDING
        assert (press.text(0), press.text(1)) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["wijk_transvaalbuurt"], StartLink("wijk", "transvaalbuurt")),
        (["act_12"], StartLink("activity", "12")),
        (["wijk_"], StartLink()),
        (["something"], StartLink()),
        ([], StartLink()),
        (None, StartLink()),
    ],
)
def test_deep_link_payloads_are_recognised(args: list[str] | None, expected: StartLink) -> None:
    assert parse_start_link(args) == expected


def test_every_pace_has_a_label_and_a_button_in_both_languages() -> None:
    assert set(PACE_LABELS) == {pace.value for pace in Pace}
    for language in ("nl", "en"):
        rows = pace_rows(callbacks.SETTINGS, language, Pace.MONTHLY.value)
        assert [row[0].data for row in rows] == [f"set:pace:{p.value}" for p in Pace]
        assert rows[2][0].label == "✓ " + t(language, "pref.pace.monthly")


def test_the_wijk_search_echoes_a_short_escaped_excerpt_of_any_input() -> None:
    from bot import callbacks
    from bot.services.preferences import search_results

    for typed in ("a" * 4096, "<b>" * 2000, "x\udcff\ud800y" * 100, "\x00\u202e" * 50):
        text, _rows = search_results("nl", callbacks.ONBOARDING, typed, [], None)
        assert len(text) < 300
        text.encode("utf-8")  # nothing unsendable
        assert "<b>" not in text


def test_incoming_text_with_lone_surrogates_becomes_sendable() -> None:
    from datetime import UTC, datetime

    from telegram import Chat, Message

    from bot.dialog import incoming_of

    message = Message(
        message_id=1,
        date=datetime(2026, 1, 1, tzinfo=UTC),
        chat=Chat(id=5, type="private"),
        text="Trans\ud800vaal",
        caption="\udcff",
    )
    incoming = incoming_of(message)
    assert incoming.text == "Trans?vaal"
    assert incoming.caption == "?"
