"""/signalen: where a buurtwerker can make a difference. Requests that found nobody (category,
week, reach; the request and the asker only when the asker ticked "een buurtwerker mag contact
met me opnemen"), categories with unusually many of them this month, and open reports. Each
signal has "ik pak het op" (the first press wins, so two buurtwerkers don't both act; the
asker hears it only with consent) and "afgehandeld".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import update
from sqlmodel import col, func, select

from bot import callbacks
from bot.i18n import Html, t
from bot.post_views import category_in_sentence, shortened
from bot.services.buurtwerk import may_manage, team_wijk
from bot.services.markup import Button, keyboard
from bot.services.reply import Reply, Show
from bot.services.unit import Unit
from storage import buurtwerk, repo
from storage.models import Post, Report, Resident, Signal, Wijk

SHOWN: Final = 5
LOOK_BACK: Final = timedelta(weeks=8)
MANY: Final = 3  # unanswered requests in one category this month that count as "many"
QUOTE_LENGTH: Final = 120
REACH_NAMES = {
    "buurt": "signals.reach.buurt",
    "wijk": "signals.reach.wijk",
    "straat": "signals.reach.straat",
}


def _caller_id(unit: Unit) -> int:
    assert unit.caller is not None
    return unit.caller.user_id


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _who(unit: Unit, telegram_user_id: int) -> str:
    resident = repo.find_resident(unit.session, telegram_user_id=telegram_user_id)
    return str(telegram_user_id) if resident is None else resident.first_name


def show_signals(unit: Unit, args: list[str]) -> Reply:
    """/signalen [wijk]."""
    wijk = team_wijk(unit, args, not_here="signals.not_here", which_wijk="signals.which_wijk")
    if isinstance(wijk, str):
        return Reply(wijk)
    assert wijk.id is not None
    if not may_manage(unit, _caller_id(unit), wijk.id):
        return Reply(t(unit.language, "reports.not_allowed"))
    return _list(unit, wijk)


def _list(unit: Unit, wijk: Wijk) -> Reply:
    session, language, now = unit.session, unit.language, unit.now
    open_signals = session.exec(
        select(Signal)
        .where(
            Signal.wijk_id == wijk.id,
            col(Signal.handled_at).is_(None),
            col(Signal.created_at) >= now - LOOK_BACK,
        )
        .order_by(col(Signal.created_at).desc(), col(Signal.id).desc())
        .limit(SHOWN)
    ).all()
    lines = [t(language, "signals.title", wijk=wijk.name)]
    lines += _many_this_month(unit, wijk)
    open_reports = session.exec(
        select(func.count())
        .select_from(Report)
        .where(Report.wijk_id == wijk.id, Report.status == "open")
    ).one()
    if open_reports:
        lines.append(t(language, "signals.open_reports", count=open_reports))
    rows = []
    for number, signal in enumerate(open_signals, start=1):
        assert signal.id is not None
        lines.append(_line(unit, number, signal))
        row = []
        if signal.claimed_by is None:
            row.append(
                Button(
                    t(language, "signals.button.claim", n=number),
                    callbacks.SIGNAL_CLAIM(signal.id),
                )
            )
        row.append(
            Button(t(language, "signals.button.done", n=number), callbacks.SIGNAL_DONE(signal.id))
        )
        rows.append(row)
    if not open_signals:
        lines.append(t(language, "signals.none"))
    return Reply("\n".join(lines), keyboard(*rows) if rows else None)


def _line(unit: Unit, number: int, signal: Signal) -> str:
    language = unit.language
    week = signal.created_at.astimezone(unit.settings.tz).isocalendar().week
    reach = t(language, REACH_NAMES.get(signal.reach or "buurt", "signals.reach.buurt"))
    line = t(
        language,
        "signals.line",
        n=number,
        category=category_in_sentence(language, signal.category),
        week=week,
        reach=reach,
    )
    if signal.claimed_by is not None:
        line += t(language, "signals.claimed", who=_who(unit, signal.claimed_by))
    post = None if signal.post_id is None else unit.session.get(Post, signal.post_id)
    asker = None if post is None else unit.session.get(Resident, post.resident_id)
    if post is not None and asker is not None and post.contact_ok:
        mention = Html(
            f'<a href="tg://user?id={asker.telegram_user_id}">{_escape(asker.first_name)}</a>'
        )
        line += t(
            language, "signals.contact", name=mention, quote=shortened(post.text, QUOTE_LENGTH)
        )
    return line


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _many_this_month(unit: Unit, wijk: Wijk) -> list[str]:
    """Categories with unusually many unanswered requests this month: at least MANY, and more
    than the month before."""
    session, now = unit.session, unit.now
    start = _month_start(now)
    previous = _month_start(start - timedelta(days=1))

    def counts(since: datetime, until: datetime) -> dict[str, int]:
        rows = session.exec(
            select(Signal.category, func.count())
            .where(
                Signal.wijk_id == wijk.id,
                col(Signal.created_at) >= since,
                col(Signal.created_at) < until,
            )
            .group_by(col(Signal.category))
        ).all()
        return {str(category): int(count) for category, count in rows}

    this_month, last_month = counts(start, now + timedelta(seconds=1)), counts(previous, start)
    return [
        t(
            unit.language,
            "signals.many",
            category=category_in_sentence(unit.language, category),
            count=count,
        )
        for category, count in sorted(this_month.items())
        if count >= MANY and count > last_month.get(category, 0)
    ]


def _signal(unit: Unit, signal_id: int) -> Signal | Reply:
    signal = unit.session.get(Signal, signal_id)
    if signal is None:
        return Reply(t(unit.language, "error.stale_button"), show=Show.POPUP)
    if not may_manage(unit, _caller_id(unit), signal.wijk_id):
        return Reply(t(unit.language, "reports.not_allowed"), show=Show.POPUP)
    return signal


def claim(unit: Unit, signal_id: int) -> Reply:
    """ "Ik pak het op": the first buurtwerker wins; the asker hears it only with consent."""
    signal = _signal(unit, signal_id)
    if isinstance(signal, Reply):
        return signal
    user_id = _caller_id(unit)
    result = unit.session.execute(
        update(Signal)
        .where(col(Signal.id) == signal_id, col(Signal.claimed_by).is_(None))
        .values(claimed_by=user_id, claimed_at=unit.now)
    )
    unit.session.refresh(signal)
    if not result.rowcount:  # type: ignore[attr-defined]
        who = _who(unit, signal.claimed_by or 0)
        return Reply(t(unit.language, "signals.taken", who=who), show=Show.POPUP)
    buurtwerk.log_action(
        unit.session, wijk_id=signal.wijk_id, actor=user_id, action="signal_claim", now=unit.now
    )
    post = None if signal.post_id is None else unit.session.get(Post, signal.post_id)
    asker = None if post is None else unit.session.get(Resident, post.resident_id)
    wijk = unit.session.get(Wijk, signal.wijk_id)
    if post is not None and asker is not None and post.contact_ok and wijk is not None:
        unit.enqueue(
            to=asker,
            text=t(
                asker.language,
                "signals.asker_told",
                who=_who(unit, user_id),
                wijk=wijk.name,
                quote=shortened(post.text, QUOTE_LENGTH),
            ),
            about=f"work:signal:{signal.id}",
        )
    assert wijk is not None
    return _list(unit, wijk)


def done(unit: Unit, signal_id: int) -> Reply:
    """ "Afgehandeld": off the list."""
    signal = _signal(unit, signal_id)
    if isinstance(signal, Reply):
        return signal
    if signal.handled_at is None:
        signal.handled_at = unit.now
        unit.session.add(signal)
        buurtwerk.log_action(
            unit.session,
            wijk_id=signal.wijk_id,
            actor=_caller_id(unit),
            action="signal_done",
            now=unit.now,
        )
    wijk = unit.session.get(Wijk, signal.wijk_id)
    assert wijk is not None
    unit.session.flush()
    return _list(unit, wijk)
