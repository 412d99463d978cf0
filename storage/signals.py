"""What /signalen shows besides the Signal rows themselves: a category with unusually many
unanswered requests in a month (a SignalSpike row, made when it is first shown) and the open
reports of a wijk. "Ik pak het op" is a conditional update everywhere: of two buurtwerkers
pressing at once exactly one wins. And what the daily signal message of a wijk needs: the
wijken it goes to, what is new, and the day's turn taken once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, or_, select

from storage.models import Report, Role, RoleKind, Signal, SignalSpike, Wijk


def spike(
    session: Session, *, wijk_id: int, category: str, month: str, now: datetime
) -> SignalSpike:
    """The spike of this category in this month, made now if it is new (a savepoint: another
    buurtwerker may open /signalen at the same moment)."""
    statement = select(SignalSpike).where(
        SignalSpike.wijk_id == wijk_id,
        SignalSpike.category == category,
        SignalSpike.month == month,
    )
    found = session.exec(statement).first()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            made = SignalSpike(wijk_id=wijk_id, category=category, month=month, created_at=now)
            session.add(made)
        return made
    except IntegrityError:
        return session.exec(statement).one()


def claim(session: Session, *, row: Signal | SignalSpike, by: int, now: datetime) -> bool:
    """ "Ik pak het op" on a signal or a spike; False when someone else was first."""
    table = type(row)
    result = session.execute(
        update(table)
        .where(col(table.id) == row.id, col(table.claimed_by).is_(None))
        .values(claimed_by=by, claimed_at=now)
    )
    session.refresh(row)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(session: Session, *, row: Signal | SignalSpike, now: datetime) -> bool:
    """ "Afgehandeld" on a signal or a spike; False when it was already (two presses at once
    are logged once)."""
    table = type(row)
    result = session.execute(
        update(table)
        .where(col(table.id) == row.id, col(table.handled_at).is_(None))
        .values(handled_at=now)
    )
    session.refresh(row)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def open_reports(session: Session, *, wijk_id: int, limit: int) -> list[Report]:
    """The wijk's open reports, oldest first (they have waited longest)."""
    statement = (
        select(Report)
        .where(Report.wijk_id == wijk_id, Report.status == "open")
        .order_by(col(Report.created_at), col(Report.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def claim_report(session: Session, *, report: Report, by: int, now: datetime) -> bool:
    """ "Ik pak het op" on an open report; False when someone else was first or it was acted
    on meanwhile (the report's own actions stay open to every buurtwerker of the wijk)."""
    result = session.execute(
        update(Report)
        .where(
            col(Report.id) == report.id,
            col(Report.claimed_by).is_(None),
            col(Report.status) == "open",
        )
        .values(claimed_by=by, claimed_at=now)
    )
    session.refresh(report)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def wijken_with_someone(session: Session) -> list[Wijk]:
    """The wijken with a team chat or at least one buurtwerker: only they hear of signals."""
    with_buurtwerker = select(Role.wijk_id).where(Role.kind == RoleKind.BUURTWERKER.value)
    statement = (
        select(Wijk)
        .where(or_(col(Wijk.team_chat_id).is_not(None), col(Wijk.id).in_(with_buurtwerker)))
        .order_by(col(Wijk.id))
    )
    return list(session.exec(statement).all())


def take_news_turn(
    session: Session, *, wijk: Wijk, previous: datetime | None, now: datetime
) -> bool:
    """The wijk's daily signal message is sent by whoever moves signal_news_sent_at on from
    `previous` (a conditional update): of two bot processes only one sends it."""
    sent_at = col(Wijk.signal_news_sent_at)
    unchanged = sent_at.is_(None) if previous is None else sent_at == previous
    result = session.execute(
        update(Wijk).where(col(Wijk.id) == wijk.id, unchanged).values(signal_news_sent_at=now)
    )
    session.refresh(wijk)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def new_unanswered(
    session: Session, *, wijk_id: int, since: datetime, until: datetime
) -> dict[str, int]:
    """Requests that found nobody, made after `since` up to `until` and not handled yet:
    how many per category (counts only, never which request)."""
    rows = session.exec(
        select(Signal.category, func.count())
        .where(
            Signal.wijk_id == wijk_id,
            col(Signal.handled_at).is_(None),
            col(Signal.created_at) > since,
            col(Signal.created_at) <= until,
        )
        .group_by(col(Signal.category))
    ).all()
    return {str(category): int(count) for category, count in rows}
