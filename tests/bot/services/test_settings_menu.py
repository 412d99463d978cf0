"""/instellingen's rules, straight on the service with a real database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import callbacks
from bot.services import dialogs, settings_menu
from bot.services.preferences import Outcome
from storage import moderation, repo
from storage.db import session_scope
from storage.models import Block, ChatState, Resident
from tests.bot.services.helpers import run
from tests.storage.neighbourhood import add_resident

FINN = 7
MENU_MESSAGE = 20


def resident(engine: Engine) -> Resident:
    with Session(engine) as session:
        found = repo.find_resident(session, telegram_user_id=FINN)
        assert found is not None
        return found


def dialog(engine: Engine) -> ChatState | None:
    with Session(engine) as session:
        return session.get(ChatState, FINN)


def open_menu(engine: Engine, now: datetime) -> None:
    """Open the settings and pretend the menu went out as message MENU_MESSAGE."""
    run(engine, now, FINN, settings_menu.open_settings)
    with session_scope(engine) as session:
        dialogs.remember_message(session, FINN, settings_menu.FLOW, MENU_MESSAGE)


def press(engine: Engine, now: datetime, screen: str, value: str) -> Outcome:
    return run(
        engine, now, FINN, lambda unit: settings_menu.press(unit, screen, value, MENU_MESSAGE)
    )


def test_opening_the_settings_creates_a_first_time_visitor_and_shows_the_menu(
    engine: Engine, now: datetime
) -> None:
    outcome = run(engine, now, FINN, settings_menu.open_settings)
    (menu,) = outcome.replies
    assert menu.drives_dialog
    assert menu.keyboard is not None
    assert callbacks.SETTINGS("menu", "pace") in [b.data for row in menu.keyboard for b in row]
    assert resident(engine).language == "en"


def test_a_screen_opens_in_place_on_the_menu_message(engine: Engine, now: datetime) -> None:
    open_menu(engine, now)
    outcome = press(engine, now, "menu", "pace")
    assert outcome.edit is not None
    assert not outcome.replies
    state = dialog(engine)
    assert state is not None
    assert state.step == "pace"
    assert state.data == {"message_id": MENU_MESSAGE}


def test_a_choice_for_another_screen_than_the_one_shown_changes_nothing(
    engine: Engine, now: datetime
) -> None:
    open_menu(engine, now)
    assert press(engine, now, "pace", "weekly").stale
    assert resident(engine).pace != "weekly"


def test_choosing_a_pace_stores_it_and_returns_to_the_menu(engine: Engine, now: datetime) -> None:
    open_menu(engine, now)
    press(engine, now, "menu", "pace")
    outcome = press(engine, now, "pace", "weekly")
    assert outcome.edit is not None
    assert resident(engine).pace == "weekly"
    state = dialog(engine)
    assert state is not None
    assert state.step == "menu"


def test_sharing_a_new_area_asks_for_the_location_under_a_new_message(
    engine: Engine, now: datetime
) -> None:
    open_menu(engine, now)
    press(engine, now, "menu", "area")
    outcome = press(engine, now, "area", "share")
    assert outcome.drop_buttons
    (ask,) = outcome.replies
    assert ask.location_prompt is not None
    assert ask.drives_dialog
    state = dialog(engine)
    assert state is not None
    assert state.step == settings_menu.AREA_SHARE


def test_a_block_lifted_meanwhile_is_said_to_be_gone(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        finn = add_resident(session, telegram_user_id=FINN, first_name="Finn", wijk=None, now=now)
        hanna = add_resident(session, telegram_user_id=8, first_name="Hanna", wijk=None, now=now)
        assert finn.id is not None
        assert hanna.id is not None
        moderation.add_block(session, blocker_id=finn.id, blocked_id=hanna.id, now=now)
    open_menu(engine, now)
    press(engine, now, "menu", "blocks")
    with session_scope(engine) as session:
        block = session.exec(select(Block)).one()
        block_id = block.id
        session.delete(block)
    outcome = press(engine, now, "blocks", str(block_id))
    assert not outcome.stale
    assert outcome.notice is not None
    assert outcome.edit is None
