"""Storage for /signalen's spikes and report pick-ups (run on SQLite and, with
BUURTBOT_TEST_POSTGRES_URL, on PostgreSQL): one spike row per wijk, category and month; "ik pak
het op" is won once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from storage import signals
from storage.db import session_scope
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


def test_a_spike_is_claimed_once_and_handled_once(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        assert oost.id is not None
        spike = signals.spike(session, wijk_id=oost.id, category="pets", month="2026-11", now=now)
        assert signals.claim_spike(session, spike=spike, by=WILLEM, now=now)
        assert not signals.claim_spike(session, spike=spike, by=XANDRA, now=now)
        assert (spike.claimed_by, spike.claimed_at) == (WILLEM, now)
        later = now + timedelta(hours=1)
        assert signals.finish_spike(session, spike=spike, now=later)
        assert not signals.finish_spike(session, spike=spike, now=later + timedelta(hours=1))
        assert spike.handled_at == later


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
