"""Storage for buurtwerkers: linked chats, the audit log, handled reports and suspensions
(run on SQLite and, with BUURTBOT_TEST_POSTGRES_URL, on PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from storage import buurtwerk
from storage.buurtwerk import ChatKind, LinkRefusal
from storage.db import session_scope
from storage.models import Post, PostStatus, Report, Suspension
from storage.moderation import report_post
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

GROUP = -1_002_000_000_001
TEAM = -4_000_000_001


def test_a_chat_serves_one_wijk_and_a_wijk_one_chat_of_each_kind(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        oost, west = add_wijk(session, "Oost", now), add_wijk(session, "West", now)
        assert buurtwerk.link_chat(session, wijk=oost, chat_id=GROUP, kind=ChatKind.GROUP) is None
        assert buurtwerk.link_chat(session, wijk=oost, chat_id=GROUP, kind=ChatKind.GROUP) is None
        assert (
            buurtwerk.link_chat(session, wijk=west, chat_id=GROUP, kind=ChatKind.GROUP)
            is LinkRefusal.CHAT_TAKEN
        )
        assert (
            buurtwerk.link_chat(session, wijk=oost, chat_id=GROUP, kind=ChatKind.TEAM)
            is LinkRefusal.CHAT_TAKEN
        )
        assert (
            buurtwerk.link_chat(session, wijk=oost, chat_id=GROUP - 1, kind=ChatKind.GROUP)
            is LinkRefusal.WIJK_TAKEN
        )
        assert buurtwerk.link_chat(session, wijk=oost, chat_id=TEAM, kind=ChatKind.TEAM) is None
    with session_scope(engine) as session:
        assert buurtwerk.wijk_of_chat(session, chat_id=TEAM) is not None
        linked = buurtwerk.unlink_chat(session, chat_id=GROUP)
        assert linked is not None
        assert linked[0].name == "Oost"
        assert linked[1] is ChatKind.GROUP
        assert buurtwerk.wijk_of_chat(session, chat_id=GROUP) is None
        assert buurtwerk.unlink_chat(session, chat_id=GROUP) is None


def test_audit_entries_newest_first_and_undone_once(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        assert oost.id is not None
        for minutes, action in enumerate(("link_group", "hide", "warn")):
            buurtwerk.log_action(
                session,
                wijk_id=oost.id,
                actor=7_000_000_000,
                action=action,
                reason="  te   veel  " + "x" * 300,
                data={"status": "open"},
                now=now + timedelta(minutes=minutes),
            )
    with session_scope(engine) as session:
        entries = buurtwerk.recent_entries(session, wijk_id=oost.id, limit=2)
        assert [e.action for e in entries] == ["warn", "hide"]
        assert entries[0].actor_telegram_id == 7_000_000_000
        assert entries[0].reason.startswith("te veel x")
        assert len(entries[0].reason) == buurtwerk.REASON_MAX
        assert entries[0].data == {"status": "open"}
        assert buurtwerk.mark_undone(session, entry=entries[1], by=1, now=now)
        assert not buurtwerk.mark_undone(session, entry=entries[1], by=2, now=now)
        assert entries[1].undone_by == 1


def test_the_first_action_on_a_report_wins(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=oost, now=now)
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        report = report_post(
            session,
            reporter=anna,
            post=add_post(session, ben, "Koop mijn spullen", now),
            reason="spam",
            now=now,
        )
        report_id = report.id
    with session_scope(engine) as first, session_scope(engine) as second:
        one, two = first.get(Report, report_id), second.get(Report, report_id)
        assert one is not None
        assert two is not None
        assert buurtwerk.claim_report(first, report=one, by=11, outcome="hide", now=now)
        first.commit()
        assert not buurtwerk.claim_report(second, report=two, by=12, outcome="dismiss", now=now)
        assert (two.handled_by, two.outcome, two.status) == (11, "hide", "handled")
        buurtwerk.reopen_report(second, report=two)
    with session_scope(engine) as session:
        again = session.get(Report, report_id)
        assert again is not None
        assert (again.status, again.handled_by) == ("open", None)


def test_lifting_a_suspension_restores_only_what_it_hid(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        assert oost.id is not None
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        assert ben.id is not None
        open_post = add_post(session, ben, "Wie wil schaken?", now)
        hidden_before = add_post(session, ben, "Iets onaardigs", now)
        assert buurtwerk.hide_post(session, post=hidden_before, now=now) == "open"
        done = add_post(session, ben, "Al geregeld", now)
        done.status = PostStatus.DONE.value
        session.add(done)
        suspension = buurtwerk.suspend(
            session,
            resident=ben,
            wijk_id=oost.id,
            until=now + timedelta(weeks=1),
            by=11,
            reason="spam",
            now=now,
        )
        assert suspension.hidden_post_ids == [open_post.id]
        ids = (open_post.id, hidden_before.id, done.id, ben.id, suspension.id)
    open_id, hidden_id, done_id, ben_id, suspension_id = ids
    with session_scope(engine) as session:
        assert buurtwerk.active_suspension(session, resident_id=ben_id, now=now) is not None
        later = now + timedelta(weeks=2)
        assert buurtwerk.active_suspension(session, resident_id=ben_id, now=later) is None
        assert buurtwerk.suspended_resident_ids(session, now=now) == {ben_id}
        held = session.get(Suspension, suspension_id)
        assert held is not None
        assert buurtwerk.lift(session, suspension=held, now=now) == [open_id]
        assert buurtwerk.lift(session, suspension=held, now=now) == []
    with session_scope(engine) as session:
        statuses = {p: session.get(Post, p) for p in (open_id, hidden_id, done_id)}
        assert {p: post.status for p, post in statuses.items() if post} == {
            open_id: "open",
            hidden_id: "hidden",
            done_id: "done",
        }
        assert buurtwerk.active_suspension(session, resident_id=ben_id, now=now) is None


def test_erasure_removes_suspensions_and_unnames_the_log(engine: Engine, now: datetime) -> None:
    from storage.models import AuditEntry
    from storage.privacy import delete_person

    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        assert oost.id is not None
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        assert ben.id is not None
        post = add_post(session, ben, "Wie wil schaken?", now)
        buurtwerk.suspend(
            session, resident=ben, wijk_id=oost.id, until=None, by=11, reason="x", now=now
        )
        buurtwerk.log_action(
            session,
            wijk_id=oost.id,
            actor=11,
            action="so",
            now=now,
            resident_id=ben.id,
            post_id=post.id,
        )
    with session_scope(engine) as session:
        delete_person(session, telegram_user_id=2, now=now)
    with session_scope(engine) as session:
        from sqlmodel import select

        assert session.exec(select(Suspension)).all() == []
        [entry] = session.exec(select(AuditEntry)).all()
        assert (entry.action, entry.resident_id, entry.post_id) == ("so", None, None)


def test_a_group_welcome_is_planned_once_and_taken_once_when_due(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        oost, west = add_wijk(session, "Oost", now), add_wijk(session, "West", now)
        assert oost.id is not None
        assert west.id is not None
        oost_id, west_id = oost.id, west.id
        due = now + timedelta(minutes=2)
        assert buurtwerk.plan_welcome(session, wijk_id=oost_id, due=due)
        # A second join before it went out is welcomed by the same message.
        assert not buurtwerk.plan_welcome(session, wijk_id=oost_id, due=due + timedelta(minutes=1))
        assert buurtwerk.plan_welcome(session, wijk_id=west_id, due=due + timedelta(minutes=5))
    with session_scope(engine) as session:
        assert buurtwerk.take_due_welcomes(session, now=due - timedelta(seconds=1)) == []
    with session_scope(engine) as session:
        taken = buurtwerk.take_due_welcomes(session, now=due)
        assert [(wijk.id, planned) for wijk, planned in taken] == [(oost_id, due)]
        assert taken[0][0].welcome_due_at is None
    with session_scope(engine) as session:
        assert buurtwerk.take_due_welcomes(session, now=due) == []
        # After it went out, the next join plans a new one.
        assert buurtwerk.plan_welcome(session, wijk_id=oost_id, due=due + timedelta(minutes=9))


def test_a_buurtwerker_who_erases_their_data_leaves_no_telegram_id_behind(
    engine: Engine, now: datetime
) -> None:
    """What they did stays, under a stand-in; what they only claimed is free again. Checked
    over every integer column of every table, so a new column that keeps an actor's id fails
    here too."""
    from sqlalchemy import BigInteger, Integer, or_
    from sqlalchemy import select as select_rows
    from sqlmodel import SQLModel, select

    from storage.matchmaking import add_signal
    from storage.models import AuditEntry, Signal, SignalSpike
    from storage.privacy import delete_person
    from storage.signals import claim, finish, spike
    from storage.signals import claim_report as pick_up_report

    worker = 987_654_321
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        assert oost.id is not None
        ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
        cor = add_resident(session, telegram_user_id=3, first_name="Cor", wijk=oost, now=now)
        add_resident(session, telegram_user_id=worker, first_name="Wil", wijk=oost, now=now)
        handled = report_post(
            session, reporter=cor, post=add_post(session, ben, "Eerste", now), reason="", now=now
        )
        assert pick_up_report(session, report=handled, by=worker, now=now)
        assert buurtwerk.claim_report(session, report=handled, by=worker, outcome="hide", now=now)
        claimed = report_post(
            session, reporter=cor, post=add_post(session, ben, "Tweede", now), reason="", now=now
        )
        assert pick_up_report(session, report=claimed, by=worker, now=now)
        done, waiting = (
            add_signal(session, post=add_post(session, ben, text, now), reason="r", now=now)
            for text in ("Derde", "Vierde")
        )
        for signal in (done, waiting):
            signal.claimed_by, signal.claimed_at = worker, now
        done.handled_at = now
        finished = spike(session, wijk_id=oost.id, category="pets", month="2026-12", now=now)
        assert claim(session, row=finished, by=worker, now=now)
        assert finish(session, row=finished, now=now)
        open_spike = spike(session, wijk_id=oost.id, category="garden", month="2026-12", now=now)
        assert claim(session, row=open_spike, by=worker, now=now)
        buurtwerk.suspend(
            session, resident=ben, wijk_id=oost.id, until=None, by=worker, reason="x", now=now
        )
        entry = buurtwerk.log_action(session, wijk_id=oost.id, actor=worker, action="so", now=now)
        assert buurtwerk.mark_undone(session, entry=entry, by=worker, now=now)
        buurtwerk.log_action(
            session,
            wijk_id=oost.id,
            actor=2,
            action="role_add_buurtwerker",
            now=now,
            subject_telegram_id=worker,
        )
        ids = (handled.id, claimed.id, done.id, waiting.id, finished.id, open_spike.id)
    with session_scope(engine) as session:
        delete_person(session, telegram_user_id=worker, now=now)
    with session_scope(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            numbers = [c for c in table.columns if isinstance(c.type, (Integer, BigInteger))]
            if numbers:
                left = session.execute(
                    select_rows(table).where(or_(*(c == worker for c in numbers)))
                ).all()
                assert left == [], table.name
        handled_id, claimed_id, done_id, waiting_id, finished_id, open_id = ids
        erased = buurtwerk.ERASED_ACTOR
        handled_report = session.get(Report, handled_id)
        assert handled_report is not None
        assert (handled_report.handled_by, handled_report.claimed_by) == (erased, None)
        # Undone later, it can be picked up again.
        buurtwerk.reopen_report(session, report=handled_report)
        assert pick_up_report(session, report=handled_report, by=2, now=now)
        assert session.get(Report, claimed_id).claimed_by is None  # type: ignore[union-attr]
        assert session.get(Signal, done_id).claimed_by == erased  # type: ignore[union-attr]
        assert session.get(Signal, waiting_id).claimed_by is None  # type: ignore[union-attr]
        assert session.get(SignalSpike, finished_id).claimed_by == erased  # type: ignore[union-attr]
        assert session.get(SignalSpike, open_id).claimed_by is None  # type: ignore[union-attr]
        [suspension] = session.exec(select(Suspension)).all()
        assert suspension.created_by == erased
        actors = session.exec(
            select(
                AuditEntry.actor_telegram_id, AuditEntry.undone_by, AuditEntry.subject_telegram_id
            )
        ).all()
        assert sorted(actors) == [(erased, erased, None), (2, None, None)]
