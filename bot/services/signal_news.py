"""The daily signal message: once a day, from BUURTBOT_SIGNAL_NEWS_HOUR (09:00) on (never later
than SEND_WINDOW after it), each wijk with a team chat or a buurtwerker hears what is new among
its signals since the last message (requests that found nobody, per category; categories with
unusually many this month), with a button that opens /signalen. Counts and categories only: the
request and the asker appear in /signalen itself, and only where the asker agreed. Nothing new,
no message.

It goes to the team chat, or else to each buurtwerker privately, through the outbox: their
quiet hours hold it until morning, a group's limit is kept, and the wijk's turn is taken by a
conditional update plus a dedupe key per day, so a restart or a second process never sends
it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from bot import callbacks
from bot.i18n import t
from bot.post_views import category_in_sentence
from bot.services.delivery import WORK
from bot.services.digest import latest_slot
from bot.services.markup import Button, Keyboard, keyboard
from bot.services.reports import language_of
from bot.services.signals import many_this_month
from bot.services.unit import Unit
from storage import buurtwerk
from storage import signals as signal_rows
from storage.models import Wijk

FIRST_LOOK_BACK: Final = timedelta(days=1)
# A message not sent by then (the bot was down, or just started at night) waits for the next
# morning, which then names everything since the last one: never a team chat at 03:00.
SEND_WINDOW: Final = timedelta(hours=11)


def send_due(unit: Unit) -> int:
    """The periodic job: each wijk whose message for today is due gets it, if anything is new.
    Returns how many messages were queued."""
    slot = latest_slot("daily", unit.settings.signal_news_hour, unit.now, unit.settings.tz)
    assert slot is not None
    if unit.now - slot > SEND_WINDOW:
        return 0
    queued = 0
    for wijk in signal_rows.wijken_with_someone(unit.session):
        previous = wijk.signal_news_sent_at
        if previous is not None and previous >= slot:
            continue
        taken = signal_rows.take_news_turn(
            unit.session, wijk=wijk, previous=previous, now=unit.now
        )
        if not taken:
            continue  # another process took it
        queued += _tell(unit, wijk, previous or slot - FIRST_LOOK_BACK, slot)
    return queued


def _tell(unit: Unit, wijk: Wijk, since: datetime, slot: datetime) -> int:
    assert wijk.id is not None
    unanswered = signal_rows.new_unanswered(
        unit.session, wijk_id=wijk.id, since=since, until=unit.now
    )
    spikes = [
        (spike.category, count)
        for spike, count in many_this_month(unit, wijk)
        if spike.created_at > since and spike.claimed_by is None
    ]
    if not unanswered and not spikes:
        return 0
    day = slot.date().isoformat()
    if wijk.team_chat_id is not None:
        language: str = unit.settings.default_language
        text, buttons = _message(language, wijk, unanswered, spikes)
        unit.enqueue_chat(
            chat_id=wijk.team_chat_id,
            text=text,
            keyboard=buttons,
            key=f"signalnews:{wijk.id}:{day}",
            about=f"{WORK}signals",
        )
        return 1
    workers = buurtwerk.buurtwerkers_of(unit.session, wijk_id=wijk.id)
    for worker in workers:
        language = language_of(unit, worker)
        text, buttons = _message(language, wijk, unanswered, spikes)
        unit.enqueue_chat(
            chat_id=worker,
            text=text,
            keyboard=buttons,
            key=f"signalnews:{wijk.id}:{worker}:{day}",
            about=f"{WORK}signals",
        )
    return len(workers)


def _message(
    language: str, wijk: Wijk, unanswered: dict[str, int], spikes: list[tuple[str, int]]
) -> tuple[str, Keyboard]:
    assert wijk.id is not None
    lines = [t(language, "signals.news.title", wijk=wijk.name)]
    for category, count in sorted(unanswered.items()):
        name = category_in_sentence(language, category)
        lines.append(t(language, "signals.news.unanswered", category=name, count=count))
    for category, count in spikes:
        name = category_in_sentence(language, category)
        lines.append(t(language, "signals.news.many", category=name, count=count))
    lines.append(t(language, "signals.news.footer"))
    button = Button(t(language, "signals.news.button"), callbacks.SIGNALS_OPEN(wijk.id))
    return "\n".join(lines), keyboard([button])
