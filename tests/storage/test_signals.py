"""Storage for /signalen's spikes and report pick-ups (run on SQLite and, with
BUURTBOT_TEST_POSTGRES_URL, on PostgreSQL): one spike row per wijk, category and month; "ik pak
het op" is won once; the daily signal message's turn is taken once per wijk, only where
someone hears it, with counts of what is new."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from storage import signals
from storage.db import session_scope
from storage.matchmaking import add_signal
from storage.models import Role, RoleKind, Wijk
from storage.moderation import report_post
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

WILLEM, XANDRA = 5001, 5002


def test_a_spike_is_one_row_per_wijk_category_and_month(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost, west = add_wijk(session, "Oost", now), add_wijk(session, "West", now)
        assert oost.id is not None
        assert west.id is not None
        first = signals.spike(session, wijk_id=oost.id, category="pets", month="2026-11", now=now)
        again = signals.spike(session, wijk_id=oost.id, category="pets", month="2026-11", now=now)
        other_month = signals.spike(
            session, wijk_id=oost.id, category="pets", month="2026-12", now=now
        )
        other_wijk = signals.spike(
            session, wijk_id=west.id, category="pets", month="2026-11", now=now
        )
        assert first.id == again.id
        assert len({first.id, other_month.id, other_wijk.id}) == 3


def test_a_spike_or_a_signal_is_claimed_once_and_handled_once(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        assert oost.id is not None
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        spike = signals.spike(session, wijk_id=oost.id, category="pets", month="2026-11", now=now)
        signal = add_signal(session, post=add_post(session, ben, "Wie?", now), reason="r", now=now)
        session.flush()
        for row in (spike, signal):
            assert signals.claim(session, row=row, by=WILLEM, now=now)
            assert not signals.claim(session, row=row, by=XANDRA, now=now)
            assert (row.claimed_by, row.claimed_at) == (WILLEM, now)
            later = now + timedelta(hours=1)
            assert signals.finish(session, row=row, now=later)
            assert not signals.finish(session, row=row, now=later + timedelta(hours=1))
            assert row.handled_at == later


def test_an_open_report_is_picked_up_once_and_not_after_it_was_acted_on(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        assert oost.id is not None
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=oost, now=now)
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        reports = [
            report_post(
                session, reporter=anna, post=add_post(session, ben, text, now), reason="", now=now
            )
            for text in ("een", "twee")
        ]
        session.flush()
        assert [r.id for r in signals.open_reports(session, wijk_id=oost.id, limit=5)] == [
            r.id for r in reports
        ]
        first, second = reports
        assert signals.claim_report(session, report=first, by=WILLEM, now=now)
        assert not signals.claim_report(session, report=first, by=XANDRA, now=now)
        assert first.claimed_by == WILLEM
        second.status = "handled"
        session.add(second)
        session.flush()
        assert not signals.claim_report(session, report=second, by=XANDRA, now=now)
        assert [r.id for r in signals.open_reports(session, wijk_id=oost.id, limit=5)] == [
            first.id
        ]


def test_the_daily_signal_message_goes_only_where_someone_hears_it(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        oost, west, zuid = (add_wijk(session, name, now) for name in ("Oost", "West", "Zuid"))
        assert oost.id is not None
        session.add(Role(telegram_user_id=WILLEM, wijk_id=oost.id, kind=RoleKind.BUURTWERKER))
        session.add(Role(telegram_user_id=XANDRA, wijk_id=oost.id, kind=RoleKind.BUURTWERKER))
        assert zuid.id is not None
        session.add(Role(telegram_user_id=WILLEM, wijk_id=zuid.id, kind=RoleKind.ORGANISER))
        west.team_chat_id = -100
        session.add(west)
        session.flush()
        assert [w.name for w in signals.wijken_with_someone(session)] == ["Oost", "West"]


def test_the_days_turn_is_taken_once(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk_id = add_wijk(session, "Oost", now).id
    # Two processes read the wijk before either took its turn: one of them wins.
    with session_scope(engine) as first, session_scope(engine) as second:
        mine, theirs = first.get(Wijk, wijk_id), second.get(Wijk, wijk_id)
        assert mine is not None
        assert theirs is not None
        assert signals.take_news_turn(first, wijk=mine, previous=None, now=now)
        first.commit()
        assert not signals.take_news_turn(second, wijk=theirs, previous=None, now=now)
        assert theirs.signal_news_sent_at == now
    with session_scope(engine) as session:
        wijk = session.get(Wijk, wijk_id)
        assert wijk is not None
        later = now + timedelta(days=1)
        assert signals.take_news_turn(session, wijk=wijk, previous=now, now=later)
        assert wijk.signal_news_sent_at == later


def test_what_is_new_counts_unhandled_requests_per_category(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        assert oost.id is not None
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        hours = timedelta(hours=1)
        for when, category in (
            (now - 30 * hours, "pets"),  # before `since`
            (now - hours, "pets"),
            (now - hours, "pets"),
            (now - hours, "garden"),
            (now + hours, "garden"),  # after `until`
        ):
            add_signal(
                session,
                post=add_post(session, ben, "x", now, category=category),
                reason="nobody",
                now=when,
            )
        handled = add_signal(
            session, post=add_post(session, ben, "y", now), reason="nobody", now=now
        )
        handled.handled_at = now
        session.flush()
        found = signals.new_unanswered(session, wijk_id=oost.id, since=now - 24 * hours, until=now)
        assert found == {"pets": 2, "garden": 1}
