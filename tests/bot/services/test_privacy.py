"""bot/services/privacy.py without Telegram: what /mijngegevens shows, and /verwijder."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.services import privacy
from bot.services.reply import Show
from storage.db import session_scope
from tests.bot.services.helpers import dialog_of, unit_for
from tests.storage.neighbourhood import build_rich_resident, leftovers

ZERLINDE = 7001


def test_someone_the_bot_does_not_know_gets_no_file(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        data = privacy.my_data(unit_for(session, 999, now))
    assert data.document is None
    assert data.summary == "Ik bewaar niets over jou."


def test_the_file_holds_everything_and_the_summary_names_it(engine: Engine, now: datetime) -> None:
    build_rich_resident(engine, now, telegram_user_id=ZERLINDE)
    with session_scope(engine) as session:
        data = privacy.my_data(unit_for(session, ZERLINDE, now))
    assert data.document is not None
    exported = json.loads(data.document)
    assert exported["resident"][0]["first_name"] == "Zerlinde"
    assert len(exported["post"]) == 2
    assert "Zerlinde" in data.summary
    assert "Carla" in data.summary  # whom she blocked, by first name


def test_looking_at_ones_data_leaves_a_dialog_in_progress(engine: Engine, now: datetime) -> None:
    build_rich_resident(engine, now, telegram_user_id=ZERLINDE)
    with session_scope(engine) as session:
        privacy.my_data(unit_for(session, ZERLINDE, now))
        assert dialog_of(session, ZERLINDE) is not None


def test_verwijder_asks_first_and_ends_a_dialog(engine: Engine, now: datetime) -> None:
    build_rich_resident(engine, now, telegram_user_id=ZERLINDE)
    with session_scope(engine) as session:
        reply = privacy.ask_delete(unit_for(session, ZERLINDE, now))
        assert dialog_of(session, ZERLINDE) is None
    assert reply.keyboard == privacy.confirm_delete_keyboard("nl")


def test_the_button_under_the_goodbye_asks_in_a_new_message(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        reply = privacy.ask_delete_pressed(unit_for(session, ZERLINDE, now))
    assert reply.show is Show.MESSAGE


def test_deleting_leaves_nothing_and_says_goodbye_in_their_language(
    engine: Engine, now: datetime
) -> None:
    rich = build_rich_resident(engine, now, telegram_user_id=ZERLINDE, language="en")
    with session_scope(engine) as session:
        privacy.ask_delete(unit_for(session, ZERLINDE, now))
    with session_scope(engine) as session:
        reply = privacy.delete_everything(unit_for(session, ZERLINDE, now))
    assert reply.text.startswith("Everything about you has been deleted.")
    assert leftovers(engine, rich.traces) == []


def test_keeping_everything_changes_nothing(engine: Engine, now: datetime) -> None:
    rich = build_rich_resident(engine, now, telegram_user_id=ZERLINDE)
    before = leftovers(engine, rich.traces)
    with session_scope(engine) as session:
        privacy.keep_everything(unit_for(session, ZERLINDE, now))
    assert leftovers(engine, rich.traces) == before


def test_a_yes_without_the_question_deletes_nothing(engine: Engine, now: datetime) -> None:
    rich = build_rich_resident(engine, now, telegram_user_id=ZERLINDE)
    before = leftovers(engine, rich.traces)
    with session_scope(engine) as session:
        reply = privacy.delete_everything(unit_for(session, ZERLINDE, now))
    assert reply.text.startswith("Die vraag stond niet meer open, dus ik heb niets gewist.")
    assert reply.keyboard == privacy.confirm_delete_keyboard("nl")
    assert leftovers(engine, rich.traces) == before
    # That reply asked again: a yes to it deletes.
    with session_scope(engine) as session:
        privacy.delete_everything(unit_for(session, ZERLINDE, now))
    assert leftovers(engine, rich.traces) == []


def test_a_yes_to_an_old_or_answered_question_deletes_nothing(
    engine: Engine, now: datetime
) -> None:
    rich = build_rich_resident(engine, now, telegram_user_id=ZERLINDE)
    with session_scope(engine) as session:
        privacy.ask_delete(unit_for(session, ZERLINDE, now))
    before = leftovers(engine, rich.traces)
    later = now + timedelta(hours=2)
    with session_scope(engine) as session:
        reply = privacy.delete_everything(unit_for(session, ZERLINDE, later))
    assert reply.keyboard is not None
    assert leftovers(engine, rich.traces) == before
    with session_scope(engine) as session:
        privacy.keep_everything(unit_for(session, ZERLINDE, later))
    with session_scope(engine) as session:
        privacy.delete_everything(unit_for(session, ZERLINDE, later))
    assert leftovers(engine, rich.traces) == before
