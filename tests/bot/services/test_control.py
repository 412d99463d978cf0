"""bot/services/control.py without Telegram: pausing, leaving, blocking and reporting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import callbacks
from bot.services import control, delivery, dialogs
from bot.services.reply import Show
from bot.services.unit import Incoming
from storage import outbox
from storage.db import session_scope
from storage.models import (
    Block,
    InvitationStatus,
    OutboxMessage,
    OutboxStatus,
    Report,
    Resident,
)
from tests.bot.services.helpers import SETTINGS, dialog_of, unit_for
from tests.storage.neighbourhood import add_invitation, add_post, add_resident, add_wijk

ANNA, BEN = 101, 102  # Telegram user ids


@dataclass
class Street:
    anna_id: int
    ben_id: int
    ben_post_id: int


@pytest.fixture
def street(engine: Engine, now: datetime) -> Street:
    with session_scope(engine) as session:
        oost = add_wijk(session, "Oost", now)
        anna = add_resident(session, telegram_user_id=ANNA, first_name="Anna", wijk=oost, now=now)
        ben = add_resident(session, telegram_user_id=BEN, first_name="Ben", wijk=oost, now=now)
        post = add_post(session, ben, "Wie gaat er mee wandelen?", now)
        assert anna.id
        assert ben.id
        assert post.id
        return Street(anna.id, ben.id, post.id)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


def test_a_week_long_pause_holds_at_once_and_offers_resuming(
    session: Session, street: Street, now: datetime
) -> None:
    reply = control.pause(unit_for(session, ANNA, now), "week")
    anna = session.get(Resident, street.anna_id)
    assert anna is not None
    assert anna.paused
    assert anna.paused_until == now + timedelta(weeks=1)
    assert reply.keyboard is not None
    assert reply.keyboard[0][0].data == callbacks.RESUME()


def test_someone_the_bot_does_not_know_can_pause_too(session: Session, now: datetime) -> None:
    control.pause(unit_for(session, 999, now, first_name="Xander"), "open")
    xander = session.exec(select(Resident).where(Resident.telegram_user_id == 999)).one()
    assert xander.paused
    assert xander.paused_until is None


def test_pauze_shows_the_pause_that_holds_and_resuming_ends_it(
    session: Session, street: Street, now: datetime
) -> None:
    control.pause(unit_for(session, ANNA, now), "open")
    holding = control.offer_pause(unit_for(session, ANNA, now))
    assert holding.keyboard == control.resume_keyboard("nl")
    control.resume(unit_for(session, ANNA, now))
    anna = session.get(Resident, street.anna_id)
    assert anna is not None
    assert not anna.paused
    assert control.offer_pause(unit_for(session, ANNA, now)).keyboard == control.pause_keyboard(
        "nl"
    )


def test_stop_leaves_at_once_and_ends_a_dialog(
    session: Session, street: Street, now: datetime
) -> None:
    unit = unit_for(session, ANNA, now)
    unit.set_dialog("report", "reason", dialogs.ReportRef(post_id=street.ben_post_id))
    reply = control.stop(unit_for(session, ANNA, now))
    anna = session.get(Resident, street.anna_id)
    assert anna is not None
    assert anna.stopped
    assert dialog_of(session, ANNA) is None
    assert reply.keyboard is not None
    assert reply.keyboard[0][0].data == callbacks.DELETE_ASK()


def test_asking_to_block_blocks_nobody_yet(
    session: Session, street: Street, now: datetime
) -> None:
    reply = control.ask_block(unit_for(session, ANNA, now), "p", street.ben_post_id)
    assert reply.show is Show.MESSAGE
    assert reply.text.startswith("Blokkeer Ben?")
    assert session.exec(select(Block)).all() == []


def test_someone_not_in_the_bot_cannot_block(
    session: Session, street: Street, now: datetime
) -> None:
    reply = control.block(unit_for(session, 999, now), "p", street.ben_post_id)
    assert reply.show is Show.POPUP
    assert session.exec(select(Block)).all() == []


def test_a_block_ends_the_invitations_between_the_two(
    session: Session, street: Street, now: datetime
) -> None:
    anna, ben = session.get(Resident, street.anna_id), session.get(Resident, street.ben_id)
    assert anna is not None
    assert ben is not None
    post = add_post(session, ben, "Koffie?", now)
    invitation = add_invitation(session, post, anna, now)
    control.block(unit_for(session, ANNA, now), "p", street.ben_post_id)
    assert [(b.blocker_id, b.blocked_id) for b in session.exec(select(Block))] == [
        (street.anna_id, street.ben_id)
    ]
    session.refresh(invitation)
    assert invitation.status == InvitationStatus.DECLINED.value


def queue_for_anna(session: Session, street: Street, about: str, now: datetime) -> int:
    """A message to Anna about something of Ben's, as a unit of work queues it."""
    message = outbox.enqueue(
        session,
        chat_id=ANNA,
        text="Ben vraagt iets",
        reply_markup=None,
        due_at=now,
        resident_id=street.anna_id,
        about=about,
        counterpart_id=street.ben_id,
    )
    assert message.id is not None
    return message.id


def test_an_invitation_waiting_for_quiet_hours_to_end_is_dropped_after_a_block(
    session: Session, street: Street, now: datetime
) -> None:
    anna = session.get(Resident, street.anna_id)
    ben = session.get(Resident, street.ben_id)
    assert anna is not None
    assert ben is not None
    # 10:00 in Amsterdam: Anna's quiet hours hold the invitation until noon.
    anna.quiet_start, anna.quiet_end = "09:00", "12:00"
    post = add_post(session, ben, "Koffie?", now)
    invitation = add_invitation(session, post, anna, now)
    message_id = queue_for_anna(session, street, f"inv:{invitation.id}", now)
    assert delivery.claim(session, SETTINGS, now, ids=[message_id]) == []
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    assert message.status == OutboxStatus.PENDING.value

    control.block(unit_for(session, ANNA, now), "p", street.ben_post_id)

    assert delivery.claim(session, SETTINGS, now + timedelta(hours=3)) == []
    session.flush()
    session.refresh(message)
    assert message.status == OutboxStatus.FAILED.value


def test_what_answers_the_callers_own_action_skips_their_quiet_hours_only_right_away(
    session: Session, street: Street, now: datetime
) -> None:
    anna = session.get(Resident, street.anna_id)
    ben = session.get(Resident, street.ben_id)
    assert anna is not None
    assert ben is not None
    anna.quiet_start, anna.quiet_end = "09:00", "12:00"  # 10:00 in Amsterdam: quiet
    answer = unit_for(session, ANNA, now).enqueue(to=anna, text="Niemand nu")
    from_ben = unit_for(session, BEN, now).enqueue(to=anna, text="Ben schrijft")
    assert answer.answers_caller
    assert not from_ben.answers_caller

    assert delivery.verdict(session, answer, SETTINGS, now)[0] is delivery.Verdict.SEND
    assert delivery.verdict(session, from_ben, SETTINGS, now)[0] is delivery.Verdict.LATER
    # Still waiting ten minutes on (the bot was down): it waits for the morning like the rest.
    later = now + delivery.ANSWER_GRACE + timedelta(minutes=1)
    assert delivery.verdict(session, answer, SETTINGS, later)[0] is delivery.Verdict.LATER


def test_an_offer_card_in_the_outbox_is_not_delivered_after_a_block(
    session: Session, street: Street, now: datetime
) -> None:
    message_id = queue_for_anna(session, street, f"post:{street.ben_post_id}", now)
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    assert delivery.verdict(session, message, SETTINGS, now)[0] is delivery.Verdict.SEND

    control.block(unit_for(session, ANNA, now), "p", street.ben_post_id)

    assert delivery.claim(session, SETTINGS, now) == []
    session.flush()
    session.refresh(message)
    assert (message.status, message.last_error) == (OutboxStatus.FAILED.value, "blocked")


def test_a_report_with_a_reason_button_is_filed_once(
    session: Session, street: Street, now: datetime
) -> None:
    question = control.ask_report(unit_for(session, ANNA, now), street.ben_post_id)
    assert question.show is Show.MESSAGE
    control.report_reason(unit_for(session, ANNA, now), street.ben_post_id, "spam")
    assert [r.reason for r in session.exec(select(Report))] == ["spam"]
    again = control.ask_report(unit_for(session, ANNA, now), street.ben_post_id)
    assert again.show is Show.POPUP


def test_an_unknown_reason_is_a_stale_button(
    session: Session, street: Street, now: datetime
) -> None:
    reply = control.report_reason(unit_for(session, ANNA, now), street.ben_post_id, "boos")
    assert reply.show is Show.POPUP
    assert session.exec(select(Report)).all() == []


def test_something_else_waits_for_the_reporters_own_words(
    session: Session, street: Street, now: datetime
) -> None:
    control.report_reason(unit_for(session, ANNA, now), street.ben_post_id, control.OTHER_REASON)
    unit = unit_for(session, ANNA, now)
    state = unit.state(control.REPORT_FLOW)
    assert state is not None
    assert isinstance(state.data, dialogs.ReportRef)
    typed = dialogs.DialogState(state.flow, state.step, state.data)
    control.report_in_own_words(unit, typed, Incoming(message_id=5, text="Niet  aardig"))
    assert [r.reason for r in session.exec(select(Report))] == ["Niet aardig"]
    assert dialog_of(session, ANNA) is None


def test_cancelling_a_report_leaves_another_dialog_alone(
    session: Session, street: Street, now: datetime
) -> None:
    unit = unit_for(session, ANNA, now)
    unit.set_dialog("settings", "menu", dialogs.SettingsData())
    control.cancel_report(unit_for(session, ANNA, now))
    assert isinstance(dialog_of(session, ANNA), dialogs.DialogState)
