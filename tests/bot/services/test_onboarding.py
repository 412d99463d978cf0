"""Onboarding's rules, straight on the service with a real database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import callbacks
from bot.services import dialogs, onboarding
from bot.services.onboarding import StartLink
from bot.services.preferences import Outcome
from bot.services.unit import Incoming, Unit
from matching.area import area_cell
from storage import repo
from storage.db import session_scope
from storage.models import ChatState, Resident
from tests.bot.services.helpers import run
from tests.storage.neighbourhood import OOST, add_wijk

SAM = 7


def resident(engine: Engine) -> Resident:
    with Session(engine) as session:
        found = repo.find_resident(session, telegram_user_id=SAM)
        assert found is not None
        return found


def dialog(engine: Engine) -> ChatState | None:
    with Session(engine) as session:
        return session.get(ChatState, SAM)


def at_step(engine: Engine, now: datetime, step: str, message_id: int) -> None:
    with session_scope(engine) as session:
        state = dialogs.DialogState(
            onboarding.FLOW, step, dialogs.OnboardingData(message_id=message_id)
        )
        dialogs.save(session, SAM, state, now)


def test_a_newcomer_is_asked_their_language_on_a_message_that_drives_the_dialog(
    engine: Engine, now: datetime
) -> None:
    outcome = run(engine, now, SAM, lambda unit: onboarding.start(unit, StartLink()))
    (welcome,) = outcome.replies
    assert welcome.drives_dialog
    assert welcome.keyboard is not None
    pressed = [callbacks.decode(b.data) for row in welcome.keyboard for b in row]
    assert all(p is not None and p.action is callbacks.ONBOARDING for p in pressed)
    state = dialog(engine)
    assert state is not None
    assert (state.flow, state.step) == ("onboarding", "lang")
    assert resident(engine).language == "en", "their Telegram app's language until they choose"


def test_a_newcomer_from_a_wijk_link_belongs_to_that_wijk_at_once(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Dapperbuurt", now)
        code, wijk_id = wijk.code, wijk.id
    run(engine, now, SAM, lambda unit: onboarding.start(unit, StartLink("wijk", code)))
    assert resident(engine).wijk_id == wijk_id


def test_an_unknown_wijk_link_is_explained_before_the_welcome(
    engine: Engine, now: datetime
) -> None:
    outcome = run(engine, now, SAM, lambda unit: onboarding.start(unit, StartLink("wijk", "x")))
    assert len(outcome.replies) == 2
    assert outcome.replies[1].drives_dialog


def test_a_press_on_another_message_than_the_current_question_changes_nothing(
    engine: Engine, now: datetime
) -> None:
    run(engine, now, SAM, lambda unit: onboarding.start(unit, StartLink()))
    at_step(engine, now, "lang", message_id=10)
    outcome = run(engine, now, SAM, lambda unit: onboarding.press(unit, "lang", "nl", 11))
    assert outcome.stale
    assert resident(engine).language == "en"


def test_choosing_never_as_pace_skips_the_quiet_hours_question(
    engine: Engine, now: datetime
) -> None:
    run(engine, now, SAM, lambda unit: onboarding.start(unit, StartLink()))
    at_step(engine, now, "pace", message_id=10)
    outcome = run(engine, now, SAM, lambda unit: onboarding.press(unit, "pace", "never", 10))
    assert not outcome.stale
    assert outcome.answered is not None
    assert resident(engine).pace == "never"
    state = dialog(engine)
    assert state is not None
    assert state.step == "likes"
    assert "message_id" not in state.data, "the next question's id is remembered once sent"


def test_a_shared_location_keeps_only_its_coarse_cell(engine: Engine, now: datetime) -> None:
    run(engine, now, SAM, lambda unit: onboarding.start(unit, StartLink()))
    at_step(engine, now, "area", message_id=10)

    def share(unit: Unit) -> Outcome:
        state = unit.state(onboarding.FLOW)
        assert state is not None
        return onboarding.share_location(unit, state, Incoming(1, location=OOST))

    outcome = run(engine, now, SAM, share)
    assert outcome.replies[0].remove_reply_keyboard
    assert resident(engine).area_cell == area_cell(*OOST)


def test_the_id_of_a_sent_question_is_remembered_only_while_its_dialog_lasts(
    engine: Engine, now: datetime
) -> None:
    at_step(engine, now, "pace", message_id=10)
    with session_scope(engine) as session:
        dialogs.remember_message(session, SAM, onboarding.FLOW, 12)
        dialogs.remember_message(session, SAM, "settings", 13)
    state = dialog(engine)
    assert state is not None
    assert state.data == {"message_id": 12}
