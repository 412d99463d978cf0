"""Retention with an injected clock: what goes after its period, and what stays."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from matching.activities import Repeat, RoleSpec
from storage import activities
from storage.db import session_scope
from storage.models import (
    ChatState,
    Invitation,
    InvitationStatus,
    Match,
    MatchStatus,
    MatchTally,
    OutboxMessage,
    OutboxStatus,
    Post,
    PostStatus,
    Report,
    RequestFlow,
    Resident,
    Signup,
    Wijk,
)
from storage.retention import Periods, purge
from tests.storage.neighbourhood import add_resident, add_wijk

DAY = timedelta(days=1)


def post(
    session: Session, wijk: Wijk, author: Resident, status: str, age: timedelta, now: datetime
) -> Post:
    made = Post(
        resident_id=author.id or 0,
        wijk_id=wijk.id or 0,
        kind="request",
        category="boodschappen",
        text=f"{status} {age.days}",
        status=status,
        created_at=now - age,
        updated_at=now - age,
    )
    session.add(made)
    session.flush()
    return made


def message(
    session: Session, status: str, age: timedelta, now: datetime, about: str | None = None
) -> OutboxMessage:
    sent = now - age if status == OutboxStatus.SENT.value else None
    row = OutboxMessage(
        chat_id=1,
        text=f"{status} {age.days} {about}",
        status=status,
        due_at=now - age,
        sent_at=sent,
        about=about,
    )
    session.add(row)
    session.flush()
    return row


def test_retention_removes_what_is_old_and_closed_and_keeps_the_rest(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        wijk = Wijk(code="t", name="T")
        anna, ben = Resident(telegram_user_id=1), Resident(telegram_user_id=2)
        session.add_all([wijk, anna, ben])
        session.flush()
        old_done = post(session, wijk, anna, PostStatus.DONE.value, 200 * DAY, now)
        old_withdrawn = post(session, wijk, anna, PostStatus.WITHDRAWN.value, 181 * DAY, now)
        recent_done = post(session, wijk, anna, PostStatus.DONE.value, 179 * DAY, now)
        old_open = post(session, wijk, anna, PostStatus.OPEN.value, 300 * DAY, now)
        old_matched = post(session, wijk, anna, PostStatus.MATCHED.value, 300 * DAY, now)
        invitation = Invitation(
            post_id=old_done.id or 0,
            resident_id=ben.id or 0,
            status=InvitationStatus.ACCEPTED.value,
            sent_at=now - 200 * DAY,
            answered_at=now - 200 * DAY,
        )
        answered_old = Invitation(
            post_id=old_open.id or 0,
            resident_id=ben.id or 0,
            status=InvitationStatus.DECLINED.value,
            sent_at=now - 91 * DAY,
            answered_at=now - 91 * DAY,
        )
        unanswered_old = Invitation(
            post_id=old_matched.id or 0, resident_id=ben.id or 0, sent_at=now - 300 * DAY
        )
        answered_recent = Invitation(
            post_id=recent_done.id or 0,
            resident_id=ben.id or 0,
            status=InvitationStatus.DECLINED.value,
            sent_at=now - 89 * DAY,
            answered_at=now - 89 * DAY,
        )
        session.add_all([invitation, answered_old, unanswered_old, answered_recent])
        match = Match(
            post_id=old_done.id or 0,
            asker_id=anna.id or 0,
            helper_id=ben.id or 0,
            status=MatchStatus.ENDED.value,
            created_at=now - 200 * DAY,
            asker_worked=True,
        )
        session.add(match)
        session.add(RequestFlow(post_id=old_done.id or 0, started_at=now - 200 * DAY))
        session.flush()
        report = Report(wijk_id=wijk.id, post_id=old_done.id, reporter_id=ben.id, reason="x")
        session.add(report)
        relayed = message(session, OutboxStatus.SENT.value, 200 * DAY, now, f"match:{match.id}")
        pending_about_old = message(
            session, OutboxStatus.PENDING.value, 1 * DAY, now, f"inv:{invitation.id}"
        )
        old_sent = message(session, OutboxStatus.SENT.value, 31 * DAY, now)
        old_dead = message(session, OutboxStatus.FAILED.value, 31 * DAY, now)
        recent_sent = message(session, OutboxStatus.SENT.value, 29 * DAY, now)
        old_pending = message(session, OutboxStatus.PENDING.value, 40 * DAY, now)
        session.add(ChatState(chat_id=1, flow="f", step="s", updated_at=now - 31 * DAY))
        session.add(ChatState(chat_id=2, flow="f", step="s", updated_at=now - 29 * DAY))
        ids = {
            name: row.id
            for name, row in locals().items()
            if isinstance(row, Post | Invitation | OutboxMessage | Report)
        }

    with session_scope(engine) as session:
        purged = purge(session, now=now, periods=Periods())
    assert (purged.posts, purged.matches, purged.dialogs) == (2, 1, 1)

    with Session(engine) as session:
        posts = {row.id for row in session.exec(select(Post)).all()}
        assert posts == {ids["recent_done"], ids["old_open"], ids["old_matched"]}
        invitations = {row.id for row in session.exec(select(Invitation)).all()}
        assert invitations == {ids["unanswered_old"], ids["answered_recent"]}
        messages = {row.id for row in session.exec(select(OutboxMessage)).all()}
        assert messages == {ids["recent_sent"], ids["old_pending"]}
        assert session.exec(select(Match)).all() == []
        assert session.exec(select(RequestFlow)).all() == []
        kept_report = session.get(Report, ids["report"])
        assert kept_report is not None
        assert kept_report.post_id is None
        assert [state.chat_id for state in session.exec(select(ChatState)).all()] == [2]
        tally = session.exec(select(MatchTally)).one()
        month = (now - 200 * DAY).strftime("%Y-%m")
        assert (tally.month, tally.matches, tally.worked) == (month, 1, 1)

    with session_scope(engine) as session:
        assert purge(session, now=now, periods=Periods()).total == 0, "nothing left to do"
    with session_scope(engine) as session:
        later = purge(session, now=now + 2 * DAY, periods=Periods())
    assert later.posts == 1, "the done post of 179 days goes once it is past 180"


async def test_the_daily_job_uses_the_configured_periods(
    engine: Engine, database_url: str
) -> None:
    from bot.harness import running_bot
    from tests.e2e.neighbours import NOW, Clock

    async with running_bot(
        engine=engine, database_url=database_url, clock=Clock(NOW), keep_posts_days=10
    ) as running:
        with session_scope(engine) as session:
            wijk, anna = Wijk(code="t", name="T"), Resident(telegram_user_id=1)
            session.add_all([wijk, anna])
            session.flush()
            post(session, wijk, anna, PostStatus.DONE.value, 11 * DAY, NOW)
            post(session, wijk, anna, PostStatus.DONE.value, 9 * DAY, NOW)
        job_queue = running.application.job_queue
        assert job_queue is not None
        (job,) = job_queue.get_jobs_by_name("retention")
        assert job.job.trigger.interval == DAY
        await job.run(running.application)
        with Session(engine) as session:
            assert [p.text for p in session.exec(select(Post)).all()] == ["done 9"]


def test_quotes_of_handled_reports_go_after_the_messages_period(
    engine: Engine, now: datetime
) -> None:
    """A reported message's quote (and who wrote it) goes 30 days after the report was
    handled or dismissed, like the relayed messages themselves; an open report keeps it."""
    with session_scope(engine) as session:
        wijk = Wijk(name="Oost", code="oost", created_at=now)
        session.add(wijk)
        session.flush()
        assert wijk.id is not None

        def group_report(message_id: int, status: str, handled: timedelta | None) -> Report:
            report = Report(
                wijk_id=wijk.id,
                group_chat_id=-100,
                group_message_id=message_id,
                quote=f"bericht {message_id}",
                quote_author_telegram_id=9000 + message_id,
                status=status,
                handled_at=None if handled is None else now - handled,
                created_at=now - 300 * DAY,
            )
            session.add(report)
            return report

        group_report(1, "handled", 31 * DAY)  # its quote goes
        group_report(2, "handled", 29 * DAY)  # not yet
        group_report(3, "open", None)  # still being looked at
    with session_scope(engine) as session:
        assert purge(session, now=now, periods=Periods()).quotes == 1
    with Session(engine) as session:
        quotes = {
            r.group_message_id: (r.quote, r.quote_author_telegram_id)
            for r in session.exec(select(Report)).all()
        }
    assert quotes == {1: ("", None), 2: ("bericht 2", 9002), 3: ("bericht 3", 9003)}


def test_retention_removes_sign_ups_of_dates_long_past(engine: Engine, now: datetime) -> None:
    start = now - 100 * DAY
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", start)
        olga = add_resident(session, telegram_user_id=1, first_name="Olga", wijk=wijk, now=start)
        guest = add_resident(session, telegram_user_id=2, first_name="Gast", wijk=wijk, now=start)
        assert wijk.id is not None
        assert olga.id is not None
        assert guest.id is not None
        made = []
        for first_day, created in ((start + 2 * DAY, start), (now + 2 * DAY, now)):
            activity = activities.create_activity(
                session,
                wijk_id=wijk.id,
                organiser_id=olga.id,
                title="Kookavond",
                description="",
                place="",
                place_private=False,
                first_day=first_day.date(),
                starts_local=clock_time(18, 0),
                duration=timedelta(hours=2),
                repeat=Repeat.NONE,
                repeat_until=None,
                roles=[RoleSpec("gasten", 8)],
                zone=ZoneInfo("Europe/Amsterdam"),
                now=created,
            )
            assert activity.id is not None
            row = activities.dates_of(session, activity_id=activity.id, after=created)[0]
            role = activities.roles_of(session, activity_id=activity.id)[0]
            assert row.id is not None
            activities.take_place(
                session, date_id=row.id, role=role, resident_id=guest.id, now=created
            )
            made.append(row.id)
        purged = purge(session, now=now, periods=Periods())
        assert purged.signups == 1
        left = session.exec(select(Signup)).all()
        assert [signup.date_id for signup in left] == [made[1]]
