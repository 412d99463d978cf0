"""/signalen: where a buurtwerker can make a difference. Requests that found nobody (category,
week, reach; the request and the asker only when the asker ticked "een buurtwerker mag contact
met me opnemen"), categories with unusually many of them this month, and open reports. Each
signal has "ik pak het op" (the first press wins, so two buurtwerkers don't both act; the
asker hears it only with consent) and "afgehandeld" (for a report: the moderation action
"done", which asks a reason, is logged, can be undone and tells the reporter). Every press
re-checks in the database that the presser is a buurtwerker of that wijk (or an owner).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final, TypeVar

from sqlmodel import col, func, select

from bot import callbacks
from bot.i18n import Html, t
from bot.post_views import category_in_sentence, shortened
from bot.services import reports
from bot.services.buurtwerk import actor_name, may_manage, team_wijk
from bot.services.markup import Button, keyboard
from bot.services.reply import Reply, Show
from bot.services.unit import Unit
from matching.names import first_word
from storage import buurtwerk, repo
from storage import signals as signal_rows
from storage.models import Post, Report, Resident, Signal, SignalSpike, Wijk

SHOWN: Final = 5
LOOK_BACK: Final = timedelta(weeks=8)
MANY: Final = 3  # unanswered requests in one category this month that count as "many"
QUOTE_LENGTH: Final = 120
REACH_NAMES = {
    "buurt": "signals.reach.buurt",
    "wijk": "signals.reach.wijk",
    "straat": "signals.reach.straat",
}


Row = TypeVar("Row", Signal, SignalSpike)


def _caller_id(unit: Unit) -> int:
    assert unit.caller is not None
    return unit.caller.user_id


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def show_signals(unit: Unit, args: list[str]) -> Reply:
    """/signalen [wijk]."""
    wijk = team_wijk(unit, args, not_here="signals.not_here", which_wijk="signals.which_wijk")
    if isinstance(wijk, str):
        return Reply(wijk)
    assert wijk.id is not None
    if not may_manage(unit, _caller_id(unit), wijk.id):
        return Reply(t(unit.language, "reports.not_allowed"))
    return _list(unit, wijk)


def open_list(unit: Unit, wijk_id: int) -> Reply:
    """The daily signal message's button: the /signalen list, for a buurtwerker of the wijk
    (the message may sit in a team chat with other members)."""
    wijk = unit.session.get(Wijk, wijk_id)
    if wijk is None:
        return Reply(t(unit.language, "error.stale_button"), show=Show.POPUP)
    if not may_manage(unit, _caller_id(unit), wijk.id):
        return Reply(t(unit.language, "reports.not_allowed"), show=Show.POPUP)
    return _list(unit, wijk)


def _list(unit: Unit, wijk: Wijk) -> Reply:
    """Every signal with its own "ik pak het op" (until someone did) and "afgehandeld", in one
    numbering: the categories with many unanswered requests, the open reports, then the
    requests that found nobody."""
    session, language, now = unit.session, unit.language, unit.now
    assert wijk.id is not None
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
    rows: list[list[Button]] = []

    def buttons(number: int, claimed: bool, claim: str, done: str) -> None:
        row = [] if claimed else [Button(t(language, "signals.button.claim", n=number), claim)]
        row.append(Button(t(language, "signals.button.done", n=number), done))
        rows.append(row)

    number = 0
    for spike, count in many_this_month(unit, wijk):
        assert spike.id is not None
        number += 1
        line = t(
            language,
            "signals.many",
            n=number,
            category=category_in_sentence(language, spike.category),
            count=count,
        )
        lines.append(line + _claimed(unit, spike.claimed_by))
        claimed = spike.claimed_by is not None
        buttons(number, claimed, callbacks.SPIKE_CLAIM(spike.id), callbacks.SPIKE_DONE(spike.id))
    shown_reports = signal_rows.open_reports(session, wijk_id=wijk.id, limit=SHOWN)
    for report in shown_reports:
        assert report.id is not None
        number += 1
        quote, reason = reports.summary(unit, language, report, QUOTE_LENGTH)
        line = t(language, "signals.report", n=number, quote=quote, reason=reason)
        lines.append(line + _claimed(unit, report.claimed_by))
        claimed = report.claimed_by is not None
        buttons(
            number,
            claimed,
            callbacks.REPORT_PICKUP(report.id),
            callbacks.MODERATE(report.id, "done"),
        )
    open_reports = session.exec(
        select(func.count())
        .select_from(Report)
        .where(Report.wijk_id == wijk.id, Report.status == "open")
    ).one()
    if open_reports > len(shown_reports):
        lines.append(t(language, "signals.more_reports", count=open_reports - len(shown_reports)))
    for signal in open_signals:
        assert signal.id is not None
        number += 1
        lines.append(_line(unit, number, signal))
        claimed = signal.claimed_by is not None
        buttons(
            number, claimed, callbacks.SIGNAL_CLAIM(signal.id), callbacks.SIGNAL_DONE(signal.id)
        )
    if not open_signals:
        lines.append(t(language, "signals.none"))
    return Reply("\n".join(lines), keyboard(*rows) if rows else None)


def _claimed(unit: Unit, claimed_by: int | None) -> str:
    return (
        ""
        if claimed_by is None
        else t(unit.language, "signals.claimed", who=actor_name(unit, claimed_by))
    )


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
    line += _claimed(unit, signal.claimed_by)
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


def many_this_month(unit: Unit, wijk: Wijk) -> list[tuple[SignalSpike, int]]:
    """Categories with unusually many unanswered requests this month (at least MANY, and more
    than the month before) that nobody marked handled, each with its count. The first time
    one shows, its row is made, so its buttons have something to act on."""
    session, now = unit.session, unit.now
    assert wijk.id is not None
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
    found = []
    for category, count in sorted(this_month.items()):
        if count < MANY or count <= last_month.get(category, 0):
            continue
        spike = signal_rows.spike(
            session, wijk_id=wijk.id, category=category, month=start.strftime("%Y-%m"), now=now
        )
        if spike.handled_at is None:
            found.append((spike, count))
    return found


def _row(unit: Unit, table: type[Row], row_id: int) -> Row | Reply:
    """A signal or spike a button names, if the presser is a buurtwerker of its wijk."""
    row = unit.session.get(table, row_id)
    if row is None:
        return Reply(t(unit.language, "error.stale_button"), show=Show.POPUP)
    if not may_manage(unit, _caller_id(unit), row.wijk_id):
        return Reply(t(unit.language, "reports.not_allowed"), show=Show.POPUP)
    return row


def _taken(unit: Unit, claimed_by: int | None) -> Reply:
    who = actor_name(unit, claimed_by or 0)
    return Reply(t(unit.language, "signals.taken", who=who), show=Show.POPUP)


def claim(unit: Unit, signal_id: int) -> Reply:
    """ "Ik pak het op": the first buurtwerker wins; the asker hears it only with consent."""
    signal = _row(unit, Signal, signal_id)
    if isinstance(signal, Reply):
        return signal
    user_id = _caller_id(unit)
    if not signal_rows.claim(unit.session, row=signal, by=user_id, now=unit.now):
        return _taken(unit, signal.claimed_by)
    _log(unit, signal.wijk_id, "signal_claim", {})
    post = None if signal.post_id is None else unit.session.get(Post, signal.post_id)
    asker = None if post is None else unit.session.get(Resident, post.resident_id)
    wijk = unit.session.get(Wijk, signal.wijk_id)
    if post is not None and asker is not None and post.contact_ok and wijk is not None:
        # The asker learns the buurtwerker's first name, never a Telegram id (an owner may have
        # no resident row); the message names them, so their /verwijder removes it too.
        worker = repo.find_resident(unit.session, telegram_user_id=user_id)
        name = None if worker is None else first_word(worker.first_name)
        quote = shortened(post.text, QUOTE_LENGTH)
        unit.enqueue(
            to=asker,
            text=t(asker.language, "signals.asker_told", who=name, wijk=wijk.name, quote=quote)
            if name
            else t(asker.language, "signals.asker_told_unnamed", wijk=wijk.name, quote=quote),
            about=f"work:signal:{signal.id}",
            counterpart_id=None if worker is None else worker.id,
        )
    assert wijk is not None
    return _list(unit, wijk)


def done(unit: Unit, signal_id: int) -> Reply:
    """ "Afgehandeld": off the list."""
    signal = _row(unit, Signal, signal_id)
    if isinstance(signal, Reply):
        return signal
    if signal_rows.finish(unit.session, row=signal, now=unit.now):
        _log(unit, signal.wijk_id, "signal_done", {})
    return _list_of(unit, signal.wijk_id)


def claim_spike(unit: Unit, spike_id: int) -> Reply:
    """ "Ik pak het op" on a category with many unanswered requests: the first press wins."""
    spike = _row(unit, SignalSpike, spike_id)
    if isinstance(spike, Reply):
        return spike
    user_id = _caller_id(unit)
    if not signal_rows.claim(unit.session, row=spike, by=user_id, now=unit.now):
        return _taken(unit, spike.claimed_by)
    _log(unit, spike.wijk_id, "signal_claim", {"spike_id": spike_id})
    return _list_of(unit, spike.wijk_id)


def done_spike(unit: Unit, spike_id: int) -> Reply:
    """ "Afgehandeld": off the list for this month."""
    spike = _row(unit, SignalSpike, spike_id)
    if isinstance(spike, Reply):
        return spike
    if signal_rows.finish(unit.session, row=spike, now=unit.now):
        _log(unit, spike.wijk_id, "signal_done", {"spike_id": spike_id})
    return _list_of(unit, spike.wijk_id)


def claim_report(unit: Unit, report_id: int) -> Reply:
    """ "Ik pak het op" on a report: the first press wins; acting on it stays the report's own
    buttons (or "afgehandeld"), so nothing is done to anyone by this press."""
    report = unit.session.get(Report, report_id)
    if report is None or report.wijk_id is None:
        return Reply(t(unit.language, "error.stale_button"), show=Show.POPUP)
    user_id = _caller_id(unit)
    if not may_manage(unit, user_id, report.wijk_id):
        return Reply(t(unit.language, "reports.not_allowed"), show=Show.POPUP)
    if not signal_rows.claim_report(unit.session, report=report, by=user_id, now=unit.now):
        if report.status != "open":
            return reports.done_already(unit, report)
        return _taken(unit, report.claimed_by)
    buurtwerk.log_action(
        unit.session,
        wijk_id=report.wijk_id,
        actor=user_id,
        action="report_claim",
        now=unit.now,
        report_id=report.id,
    )
    listed = _list_of(unit, report.wijk_id)
    return replace(listed, edits=reports.picked_up_edits(unit, report, user_id))


def _log(unit: Unit, wijk_id: int, action: str, data: dict[str, object]) -> None:
    buurtwerk.log_action(
        unit.session,
        wijk_id=wijk_id,
        actor=_caller_id(unit),
        action=action,
        now=unit.now,
        data=data,
    )


def _list_of(unit: Unit, wijk_id: int) -> Reply:
    wijk = unit.session.get(Wijk, wijk_id)
    assert wijk is not None
    unit.session.flush()
    return _list(unit, wijk)
