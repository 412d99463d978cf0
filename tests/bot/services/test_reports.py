"""Reports and suspensions as services: the warning reaches the author, a suspension ends by
itself (its posts back), a suspended neighbour is not invited, and the report's thanks promise
a buurtwerker only where there is one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.services import control, dialogs, reports
from bot.services.reply import Show
from bot.services.unit import Incoming
from storage import buurtwerk
from storage.db import session_scope
from storage.models import (
    AuditEntry,
    OutboxMessage,
    Post,
    Report,
    Resident,
    Role,
    RoleKind,
    Wijk,
)
from storage.moderation import report_post
from tests.bot.services.conftest import Street
from tests.bot.services.helpers import unit_for
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

WORKER = 9_000_000_001


def _street(session: Session, now: datetime) -> tuple[Wijk, Resident, Resident, Post]:
    oost = add_wijk(session, "Oost", now)
    assert oost.id is not None
    anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=oost, now=now)
    ben = add_resident(session, telegram_user_id=2, first_name="Ben", wijk=oost, now=now)
    session.add(Role(telegram_user_id=WORKER, wijk_id=oost.id, kind=RoleKind.BUURTWERKER))
    return oost, anna, ben, add_post(session, ben, "Koop mijn spullen", now)


def _outbox(session: Session, chat_id: int) -> list[str]:
    session.flush()
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id)
        .order_by(col(OutboxMessage.id))
    ).all()
    return [row.text for row in rows]


def _act(session: Session, now: datetime, report_id: int, action: str, reason: str) -> str:
    unit = unit_for(session, WORKER, now, "Willem")
    reply = reports.choose(unit, report_id, action)
    assert reply.show.value == "message", reply.text
    unit = unit_for(session, WORKER, now, "Willem")
    state = unit.state(reports.FLOW)
    assert state is not None
    assert isinstance(state.data, dialogs.ModerationData)
    done = reports.apply(unit, state, Incoming(message_id=1, text=reason))  # type: ignore[arg-type]
    return done.text


def test_a_warning_is_the_buurtwerkers_own_words_to_the_author(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        _, anna, ben, post = _street(session, now)
        report = report_post(session, reporter=anna, post=post, reason="", now=now)
        assert report.id is not None
        text = _act(session, now, report.id, "warn", "Hou het gezellig <graag>")
        assert text.startswith("Gedaan: vriendelijk bericht gestuurd.")
        [warning] = _outbox(session, ben.telegram_user_id)
        assert "Hou het gezellig &lt;graag&gt;" in warning
        assert _outbox(session, anna.telegram_user_id) == [
            "Er is naar je melding gekeken. Dank je dat je het liet weten!"
        ]


def test_a_suspension_ends_by_itself_and_its_posts_come_back(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        _, anna, ben, post = _street(session, now)
        report = report_post(session, reporter=anna, post=post, reason="spam", now=now)
        assert report.id is not None
        _act(session, now, report.id, "sw", "Spam")
        assert post.status == "hidden"
        assert ben.id is not None
        assert buurtwerk.active_suspension(session, resident_id=ben.id, now=now) is not None
        # Not yet: nothing is lifted before the week is over.
        early = unit_for(session, WORKER, now + timedelta(days=6))
        assert reports.lift_ended_suspensions(early) == 0
        later = unit_for(session, WORKER, now + timedelta(days=8))
        assert reports.lift_ended_suspensions(later) == 1
        session.refresh(post)
        assert post.status == "open"
        assert reports.lift_ended_suspensions(later) == 0
        actions = session.exec(select(AuditEntry.action).order_by(col(AuditEntry.id))).all()
        assert list(actions) == ["sw", "suspension_ended"]
        assert _outbox(session, ben.telegram_user_id)[-1].startswith("Je kunt weer vragen")


def test_a_post_hidden_on_its_own_report_stays_hidden_when_the_suspension_ends(
    engine: Engine, now: datetime
) -> None:
    """Lifting restores only what the suspension hid: not a post a buurtwerker hid on its own
    report meanwhile (until that hide is undone)."""
    with session_scope(engine) as session:
        _, anna, ben, post = _street(session, now)
        second = add_post(session, ben, "Nog meer reclame", now)
        first_report = report_post(session, reporter=anna, post=post, reason="spam", now=now)
        second_report = report_post(session, reporter=anna, post=second, reason="spam", now=now)
        assert first_report.id is not None
        assert second_report.id is not None
        _act(session, now, first_report.id, "sw", "Spam")
        assert second.status == "hidden"  # the suspension hid it
        _act(session, now, second_report.id, "hide", "Ook reclame")
        later = now + timedelta(days=8)
        assert reports.lift_ended_suspensions(unit_for(session, WORKER, later)) == 1
        session.refresh(post)
        session.refresh(second)
        assert (post.status, second.status) == ("open", "hidden")
        # Undoing that hide now shows it again.
        [hide] = session.exec(select(AuditEntry).where(AuditEntry.action == "hide")).all()
        assert hide.id is not None
        reports.undo(unit_for(session, WORKER, later), hide.id)
        session.refresh(second)
        assert second.status == "open"


def test_undoing_a_hide_during_a_suspension_leaves_the_post_to_the_suspension(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        _, anna, ben, post = _street(session, now)
        second = add_post(session, ben, "Nog meer reclame", now)
        first_report = report_post(session, reporter=anna, post=second, reason="spam", now=now)
        second_report = report_post(session, reporter=anna, post=post, reason="spam", now=now)
        assert first_report.id is not None
        assert second_report.id is not None
        _act(session, now, first_report.id, "hide", "Reclame")
        _act(session, now, second_report.id, "sw", "Spam")
        [hide] = session.exec(select(AuditEntry).where(AuditEntry.action == "hide")).all()
        assert hide.id is not None
        reports.undo(unit_for(session, WORKER, now), hide.id)
        session.refresh(second)
        assert second.status == "hidden"  # Ben is suspended: not while that holds
        later = now + timedelta(days=8)
        assert reports.lift_ended_suspensions(unit_for(session, WORKER, later)) == 1
        session.refresh(post)
        session.refresh(second)
        assert (post.status, second.status) == ("open", "open")


def test_a_shorter_suspension_ending_leaves_the_posts_to_a_longer_one(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        _, anna, ben, post = _street(session, now)
        second = add_post(session, ben, "Nog meer reclame", now)
        week = report_post(session, reporter=anna, post=post, reason="spam", now=now)
        month = report_post(session, reporter=anna, post=second, reason="spam", now=now)
        assert week.id is not None
        assert month.id is not None
        _act(session, now, week.id, "sw", "Spam")
        _act(session, now, month.id, "sm", "Weer spam")
        told = len(_outbox(session, ben.telegram_user_id))
        # The week is over, the month is not: still suspended, nothing comes back yet.
        after_a_week = now + timedelta(days=8)
        assert reports.lift_ended_suspensions(unit_for(session, WORKER, after_a_week)) == 1
        session.refresh(post)
        session.refresh(second)
        assert (post.status, second.status) == ("hidden", "hidden")
        assert len(_outbox(session, ben.telegram_user_id)) == told
        after_the_month = now + timedelta(days=31)
        assert reports.lift_ended_suspensions(unit_for(session, WORKER, after_the_month)) == 1
        session.refresh(post)
        session.refresh(second)
        assert (post.status, second.status) == ("open", "open")
        assert _outbox(session, ben.telegram_user_id)[-1].startswith("Je kunt weer vragen")


def test_only_a_buurtwerker_of_the_wijk_is_promised(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        oost, *_ = _street(session, now)
        west = add_wijk(session, "West", now)
        unit = unit_for(session, 1, now)
        assert reports.has_buurtwerker(unit, oost.id)
        assert not reports.has_buurtwerker(unit, west.id)
        assert not reports.has_buurtwerker(unit, None)


def test_a_suspended_neighbour_is_not_invited(street: Street) -> None:
    from bot.services.request_steps import step_now
    from storage.models import Invitation

    *suspended, eva = street.neighbours
    assert street.wijk.id is not None
    for neighbour in suspended:
        buurtwerk.suspend(
            street.session,
            resident=neighbour,
            wijk_id=street.wijk.id,
            until=None,
            by=1,
            reason="",
            now=street.now,
        )
    post = street.request()
    step_now(street.unit(), post.id or 0)
    invited = {i.resident_id for i in street.session.exec(select(Invitation)).all()}
    assert invited == {eva.id}


# --- the reporter is named only when they agreed ---------------------------------------------


def test_a_report_is_anonymous_unless_the_reporter_agreed(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        _, _, _, post = _street(session, now)
        assert post.id is not None
        question = control.ask_report(unit_for(session, 1, now), post.id)
        assert question.keyboard is not None
        labels = [button.label for row in question.keyboard for button in row]
        assert "✓ Anoniem" in labels  # the default, marked
        assert "Mijn naam mag erbij" in labels
        control.report_reason(unit_for(session, 1, now), post.id, "spam")
        [card] = _outbox(session, WORKER)
        assert "Koop mijn spullen" in card
        assert "Anna" not in card
        [report] = session.exec(select(Report)).all()
        assert report.reporter_named is False


def test_a_reporter_who_agreed_is_named_by_first_name(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        _, anna, _, post = _street(session, now)
        anna.first_name = "Anna de Vries"
        assert post.id is not None
        marked = control.report_named(unit_for(session, 1, now), post.id, "y")
        assert marked.show is Show.EDIT
        assert "De buurtwerker ziet je voornaam" in marked.text
        assert marked.keyboard is not None
        buttons = [button for row in marked.keyboard for button in row]
        assert "✓ Mijn naam mag erbij" in [button.label for button in buttons]
        spam = next(button for button in buttons if button.label == "Reclame of spam")
        assert spam.data == f"rep:whyn:{post.id}:spam"
        # "Iets anders", then the reporter's own words: the choice is kept in the dialog.
        control.report_reason(unit_for(session, 1, now), post.id, control.OTHER_REASON, True)
        unit = unit_for(session, 1, now)
        state = unit.state(control.REPORT_FLOW)
        assert state is not None
        assert isinstance(state.data, dialogs.ReportRef)
        assert state.data.named is True
        typed = dialogs.DialogState(state.flow, state.step, state.data)
        control.report_in_own_words(unit, typed, Incoming(message_id=5, text="Reclame"))
        [card] = _outbox(session, WORKER)
        assert "Gemeld door Anna." in card
        assert "de Vries" not in card
