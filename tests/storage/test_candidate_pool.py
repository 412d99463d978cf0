"""The in-process candidate pool stays in step through the change feed, forgets what was
rolled back, and a stale pool can cost optimality but never a pace promise.

Two engines on one database stand for two bot processes: each has its own pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.engine import RequestInfo
from storage import privacy, retention
from storage.candidate_pool import pool_for, warm_up
from storage.candidates import full_scan_plan, plan_for, same_plan
from storage.db import make_engine, session_scope
from storage.models import CandidateChange, Invitation, Post, Resident
from tests.storage.neighbourhood import add_post, add_resident, add_wijk
from tests.storage.test_candidate_index import request_of

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a weekday morning, nobody's quiet hours


@pytest.fixture
def other(database_url: str, engine: Engine) -> Iterator[Engine]:
    """A second engine on the same database: another process with its own pool."""
    second = make_engine(database_url)
    yield second
    second.dispose()


def _city(engine: Engine, *, others: int = 0) -> tuple[RequestInfo, list[int]]:
    """A wijk with an asker, one request and five neighbours who like groceries ("whenever"
    pace, so one invitation a day at most). With `others`, that many more who like company
    and were never invited, while the five were invited two months ago: the search then
    reaches the five first and stops before the others."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", NOW)
        asker = add_resident(session, telegram_user_id=1, first_name="A", wijk=wijk, now=NOW)
        last = NOW - timedelta(days=60) if others else None
        helpers = [
            add_resident(
                session,
                telegram_user_id=10 + n,
                first_name=f"H{n}",
                wijk=wijk,
                now=NOW,
                likes=["groceries"],
                last_invited_at=last,
            )
            for n in range(5)
        ]
        for n in range(others):
            add_resident(
                session,
                telegram_user_id=100 + n,
                first_name=f"C{n}",
                wijk=wijk,
                now=NOW,
                likes=["company"],
            )
        post = add_post(session, asker, "boodschappen doen", NOW, reach="wijk")
        ids = [helper.id for helper in helpers if helper.id is not None]
        return request_of(post), ids


def _plan(engine: Engine, request: RequestInfo, batch: int = 3) -> tuple[int, ...]:
    with Session(engine) as session:
        fast = plan_for(session, request=request, now=NOW, batch_size=batch)
        full = full_scan_plan(session, request=request, now=NOW, batch_size=batch)
        assert same_plan(fast, full), (fast, full)
        return fast.invite


def test_a_second_process_follows_changes_through_the_feed(engine: Engine, other: Engine) -> None:
    request, helpers = _city(engine, others=10)
    with Session(other) as session:
        assert warm_up(session, NOW) == 16  # the asker, five helpers and ten others
    first = _plan(other, request)
    assert len(first) == 3
    # In the first process: the first chosen stops liking groceries and another pauses.
    with session_scope(engine) as session:
        changed = session.get(Resident, first[0])
        assert changed is not None
        changed.likes = ["company"]
        paused = session.get(Resident, first[1])
        assert paused is not None
        paused.paused = True
        # And one of the others starts liking groceries: only the feed can tell the pool.
        convert = session.get(Resident, max(helpers) + 5)
        assert convert is not None
        convert.likes = ["groceries"]
    # The second process's pool hears of it and plans what a full scan plans.
    again = _plan(other, request)
    assert first[1] not in again
    assert again[0] == max(helpers) + 5  # liked groceries, never invited
    assert pool_for(Session(other)).fallbacks == 0


def test_a_rolled_back_change_is_forgotten(engine: Engine) -> None:
    request, helpers = _city(engine, others=10)
    before = _plan(engine, request)
    assert set(before) <= set(helpers)
    with Session(engine) as session:
        for resident_id in before:
            helper = session.get(Resident, resident_id)
            assert helper is not None
            helper.likes = ["company"]
        session.flush()
        # Planned inside the transaction: the pool reads its uncommitted changes...
        inside = plan_for(session, request=request, now=NOW)
        assert inside.invite != before
        session.rollback()
    # ...and starts over once it rolled back, so the committed state counts again.
    assert _plan(engine, request) == before


def test_a_stale_pool_never_breaks_a_pace_promise(engine: Engine) -> None:
    request, helpers = _city(engine)
    chosen = _plan(engine, request, batch=1)
    assert len(chosen) == 1
    # An invitation the feed never heard of (written behind the pool's back) uses up the
    # chosen one's pace for today: the pool still thinks they are free.
    with session_scope(engine) as session:
        other_post = add_post(session, session.get(Resident, helpers[4]), "tuin", NOW)  # type: ignore[arg-type]
        session.execute(
            insert(Invitation.__table__),  # type: ignore[attr-defined]
            [
                {
                    "post_id": other_post.id,
                    "resident_id": chosen[0],
                    "sent_at": NOW,
                    "status": "sent",
                }
            ],
        )
        session.execute(delete(CandidateChange.__table__))  # type: ignore[attr-defined]
    # The plan reads the examined from the database: the one whose pace is used is not asked.
    again = _plan(engine, request, batch=1)
    assert again
    assert again[0] != chosen[0]


def test_an_erased_resident_leaves_every_pool(engine: Engine, other: Engine) -> None:
    request, _helpers = _city(engine)
    first = _plan(other, request, batch=1)
    with Session(other) as session:
        assert first[0] in pool_for(session).filed
    with session_scope(engine) as session:
        person = session.get(Resident, first[0])
        assert person is not None
        privacy.delete_person(session, telegram_user_id=person.telegram_user_id, now=NOW)
    again = _plan(other, request, batch=1)
    with Session(other) as session:
        assert first[0] not in pool_for(session).filed
    assert again
    assert again[0] != first[0]


def test_a_pool_loaded_at_one_moment_plans_an_earlier_one_exactly(engine: Engine) -> None:
    request, helpers = _city(engine)
    with session_scope(engine) as session:
        post = session.get(Post, request.post_id)
        assert post is not None
        for day, resident_id in enumerate(helpers[:3]):
            helper = session.get(Resident, resident_id)
            assert helper is not None
            invitation_at = NOW - timedelta(days=40 - day)
            session.add(
                Invitation(post_id=request.post_id, resident_id=resident_id, sent_at=invitation_at)
            )
            helper.last_invited_at = invitation_at
    with Session(engine) as session:
        warm_up(session, NOW + timedelta(days=20))
        for moment in (NOW - timedelta(days=20), NOW, NOW + timedelta(days=20)):
            fast = plan_for(session, request=request, now=moment)
            full = full_scan_plan(session, request=request, now=moment)
            assert same_plan(fast, full), moment


def test_retention_prunes_the_change_feed_after_two_days(engine: Engine) -> None:
    moment = datetime.now(UTC)
    with session_scope(engine) as session:
        session.execute(
            insert(CandidateChange.__table__),  # type: ignore[attr-defined]
            [
                {"resident_id": 7, "changed_at": moment - timedelta(days=3)},
                {"resident_id": 8, "changed_at": moment - timedelta(hours=1)},
            ],
        )
        purged = retention.purge(session, now=moment, periods=retention.Periods())
        left = session.execute(
            select(CandidateChange.resident_id)  # type: ignore[call-overload]
        ).scalars()
        assert purged.changes == 1
        assert sorted(left) == [8]
