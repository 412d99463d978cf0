"""The posting dialog as a service: limits, the draft's steps, placing once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot import callbacks
from bot.services import dialogs, posting
from bot.services.dialogs import DialogState, PostDraft
from matching.posting_rules import MAX_OPEN_POSTS, Hold
from storage import repo
from storage.db import session_scope
from storage.models import Post, PostKind, RequestFlow
from tests.bot.services.post_units import press, run
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

ANNA = 1
NOBODY = 9


@pytest.fixture(autouse=True)
def anna(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", now)
        add_resident(session, telegram_user_id=ANNA, first_name="Anna", wijk=wijk, now=now)


def draft(engine: Engine, now: datetime, step: str, data: PostDraft) -> None:
    with session_scope(engine) as session:
        dialogs.save(session, ANNA, DialogState(posting.FLOW, step, data), now)


def stored(engine: Engine) -> DialogState[dialogs.DialogData] | dialogs.StaleDialog | None:
    with session_scope(engine) as session:
        return dialogs.load(session, ANNA)


def test_someone_who_never_started_is_asked_for_the_wijk_first(
    engine: Engine, now: datetime
) -> None:
    screen, _ = run(engine, now, NOBODY, posting.start_draft, PostKind.REQUEST)
    assert "kies je eerst je wijk. Daarna gaan we verder" in screen.text
    assert "/instellingen" not in screen.text
    with session_scope(engine) as session:
        state = dialogs.load(session, NOBODY)
    assert isinstance(state, DialogState)
    assert (state.flow, state.step) == ("onboarding", "wijk")


def test_starting_a_request_waits_for_its_words(engine: Engine, now: datetime) -> None:
    run(engine, now, ANNA, posting.start_draft, PostKind.REQUEST)
    state = stored(engine)
    assert isinstance(state, DialogState)
    assert (state.flow, state.step) == (posting.FLOW, posting.STEP_TEXT)
    assert state.data == PostDraft(kind=PostKind.REQUEST)


def test_too_many_open_posts_hold_a_new_one(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        anna = repo.find_resident(session, telegram_user_id=ANNA)
        assert anna is not None
        for number in range(MAX_OPEN_POSTS):
            add_post(session, anna, f"vraag {number}", now - timedelta(days=2))
        assert posting.hold_for(session, anna, now) is Hold.TOO_MANY_OPEN
    run(engine, now, ANNA, posting.start_draft, PostKind.OFFER)
    assert stored(engine) is None


def test_words_propose_the_category_they_read_on_a_screen_to_remember(
    engine: Engine, now: datetime
) -> None:
    draft(engine, now, posting.STEP_TEXT, PostDraft(kind=PostKind.REQUEST))
    state = stored(engine)
    assert isinstance(state, DialogState)
    screen, _ = run(
        engine, now, ANNA, posting.words_received, state, "Wie doet mijn boodschappen?"
    )
    assert screen.remember == posting.FLOW
    assert screen.keyboard is not None
    assert screen.keyboard[0][0].data == callbacks.DRAFT_CATEGORY("groceries")
    saved = stored(engine)
    assert isinstance(saved, DialogState)
    assert saved.step == posting.STEP_CATEGORY


def test_a_press_on_another_message_than_the_drafts_is_stale(
    engine: Engine, now: datetime
) -> None:
    draft(
        engine,
        now,
        posting.STEP_CATEGORY,
        PostDraft(kind=PostKind.REQUEST, text="x", message_id=5),
    )
    result, _ = run(
        engine, now, ANNA, posting.press_draft, press(callbacks.DRAFT_CATEGORY("groceries")), 6
    )
    assert result.notice is not None
    assert result.screen is None


def test_any_time_counts_as_a_settled_time(engine: Engine, now: datetime) -> None:
    draft(engine, now, posting.STEP_TIME, PostDraft(kind=PostKind.REQUEST, text="x", message_id=5))
    result, _ = run(engine, now, ANNA, posting.press_draft, press(callbacks.DRAFT_TIME("any")), 5)
    state = stored(engine)
    assert isinstance(state, DialogState)
    assert isinstance(state.data, PostDraft)
    assert (state.step, state.data.window, state.data.window_chosen) == (
        posting.STEP_PREVIEW,
        None,
        True,
    )
    assert result.screen is not None


def test_a_new_category_after_the_time_was_settled_goes_back_to_the_preview(
    engine: Engine, now: datetime
) -> None:
    data = PostDraft(kind=PostKind.REQUEST, text="x", message_id=5, window_chosen=True)
    draft(engine, now, posting.STEP_CATEGORY, data)
    run(engine, now, ANNA, posting.press_draft, press(callbacks.DRAFT_CATEGORY("transport")), 5)
    state = stored(engine)
    assert isinstance(state, DialogState)
    assert state.step == posting.STEP_PREVIEW


def test_placing_a_request_creates_it_with_its_flow_once(engine: Engine, now: datetime) -> None:
    data = PostDraft(
        kind=PostKind.REQUEST,
        text="Wie helpt?",
        category="groceries",
        message_id=5,
        window_chosen=True,
    )
    draft(engine, now, posting.STEP_PREVIEW, data)
    first, _ = run(engine, now, ANNA, posting.press_draft, press(callbacks.DRAFT_PLACE()), 5)
    second, _ = run(engine, now, ANNA, posting.press_draft, press(callbacks.DRAFT_PLACE()), 5)
    assert first.placed is not None
    assert second.placed is None
    with session_scope(engine) as session:
        assert len(session.exec(select(Post)).all()) == 1
        flows = session.exec(select(RequestFlow)).all()
        assert [flow.post_id for flow in flows] == [first.placed.id]
    assert stored(engine) is None


def test_a_draft_past_its_own_time_asks_for_the_time_again(engine: Engine, now: datetime) -> None:
    passed = (now - timedelta(hours=3), now - timedelta(hours=1))
    data = PostDraft(
        kind=PostKind.OFFER,
        text="Ladder",
        message_id=5,
        read_time=passed,
        window=passed,
        window_chosen=True,
    )
    draft(engine, now, posting.STEP_PREVIEW, data)
    result, _ = run(engine, now, ANNA, posting.press_draft, press(callbacks.DRAFT_PLACE()), 5)
    assert result.alert
    state = stored(engine)
    assert isinstance(state, DialogState)
    assert isinstance(state.data, PostDraft)
    assert (state.step, state.data.read_time) == (posting.STEP_TIME, None)


def test_the_screens_message_id_is_remembered_only_while_its_dialog_lasts(
    engine: Engine, now: datetime
) -> None:
    draft(engine, now, posting.STEP_CATEGORY, PostDraft(kind=PostKind.REQUEST))
    with session_scope(engine) as session:
        dialogs.remember_message(session, ANNA, "settings", 7)
        dialogs.remember_message(session, ANNA, posting.FLOW, 8)
    state = stored(engine)
    assert isinstance(state, DialogState)
    assert isinstance(state.data, PostDraft)
    assert state.data.message_id == 8


def test_drafts_stored_with_a_window_key_count_as_settled() -> None:
    older = PostDraft.model_validate({"kind": "offer", "text": "x", "window": None})
    assert older.window_chosen
    assert not PostDraft.model_validate({"kind": "offer"}).window_chosen
