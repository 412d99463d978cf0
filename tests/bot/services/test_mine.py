"""One's own posts as a service: only one's own open posts, closing, new words."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from bot import callbacks
from bot.services import dialogs, mine
from bot.services.dialogs import DialogState, PostRef
from matching.posting_rules import MAX_TEXT_LENGTH
from storage import repo
from storage.db import session_scope
from storage.models import Post, PostStatus
from tests.bot.services.post_units import press, run
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

ANNA, BEN = 1, 2


@pytest.fixture
def post_id(engine: Engine, now: datetime) -> int:
    """Anna's open request; Ben lives in the same wijk."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", now)
        anna = add_resident(session, telegram_user_id=ANNA, first_name="Anna", wijk=wijk, now=now)
        add_resident(session, telegram_user_id=BEN, first_name="Ben", wijk=wijk, now=now)
        post = add_post(session, anna, "Wie doet mijn boodschappen?", now)
        assert post.id is not None
        return post.id


def status_of(engine: Engine, post_id: int) -> tuple[str, str]:
    with session_scope(engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post.status, post.text


def test_someone_elses_post_cannot_be_closed(engine: Engine, now: datetime, post_id: int) -> None:
    result, _ = run(engine, now, BEN, mine.press, press(callbacks.MINE_DONE(post_id)))
    assert result.screen is None
    assert status_of(engine, post_id)[0] == PostStatus.OPEN.value


def test_withdrawing_ones_own_post_closes_it(engine: Engine, now: datetime, post_id: int) -> None:
    result, _ = run(engine, now, ANNA, mine.press, press(callbacks.MINE_WITHDRAW(post_id)))
    assert result.screen is not None
    assert status_of(engine, post_id)[0] == PostStatus.WITHDRAWN.value


def test_asking_for_new_words_waits_for_them_in_a_new_message(
    engine: Engine, now: datetime, post_id: int
) -> None:
    result, _ = run(engine, now, ANNA, mine.press, press(callbacks.MINE_EDIT(post_id)))
    assert result.message is not None
    with session_scope(engine) as session:
        state = dialogs.load(session, ANNA)
    assert isinstance(state, DialogState)
    assert (state.flow, state.data) == (mine.FLOW_EDIT, PostRef(post_id=post_id))


def test_new_words_replace_the_text_and_end_the_dialog(
    engine: Engine, now: datetime, post_id: int
) -> None:
    state = DialogState(mine.FLOW_EDIT, mine.STEP_EDIT_TEXT, PostRef(post_id=post_id))
    with session_scope(engine) as session:
        dialogs.save(session, ANNA, state, now)
    run(engine, now, ANNA, mine.new_words, state, "  Wie haalt zaterdag mijn boodschappen?  ")
    assert status_of(engine, post_id)[1] == "Wie haalt zaterdag mijn boodschappen?"
    with session_scope(engine) as session:
        assert repo.get_chat_state(session, chat_id=ANNA) is None


def test_too_many_new_words_keep_the_old_text_and_the_dialog(
    engine: Engine, now: datetime, post_id: int
) -> None:
    state = DialogState(mine.FLOW_EDIT, mine.STEP_EDIT_TEXT, PostRef(post_id=post_id))
    with session_scope(engine) as session:
        dialogs.save(session, ANNA, state, now)
    run(engine, now, ANNA, mine.new_words, state, "x" * (MAX_TEXT_LENGTH + 1))
    assert status_of(engine, post_id)[1] == "Wie doet mijn boodschappen?"
    with session_scope(engine) as session:
        assert repo.get_chat_state(session, chat_id=ANNA) is not None
