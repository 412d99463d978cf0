"""Queries behind posting, one's own posts and looking around (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import posts, repo
from storage.db import session_scope
from storage.models import (
    Block,
    ChatState,
    Invitation,
    InvitationStatus,
    Post,
    PostKind,
    PostStatus,
    Resident,
)
from tests.storage.neighbourhood import add_invitation, add_post, add_resident, add_wijk


@pytest.fixture
def people(engine: Engine, now: datetime) -> dict[str, Resident]:
    """Anna and Ben in the Transvaalbuurt, Carla in another wijk."""
    with session_scope(engine) as session:
        transvaal = add_wijk(session, "Transvaalbuurt", now)
        other = add_wijk(session, "Dapperbuurt", now)
        return {
            "anna": add_resident(
                session, telegram_user_id=1, first_name="Anna", wijk=transvaal, now=now
            ),
            "ben": add_resident(
                session, telegram_user_id=2, first_name="Ben", wijk=transvaal, now=now
            ),
            "carla": add_resident(
                session, telegram_user_id=3, first_name="Carla", wijk=other, now=now
            ),
        }


def test_a_new_post_is_open_in_the_authors_wijk_and_area(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna = people["anna"]
    with session_scope(engine) as session:
        post = posts.create_post(
            session,
            resident=anna,
            kind=PostKind.OFFER,
            category="lending",
            text="Ik heb een ladder te leen",
            window_start=None,
            window_end=None,
            now=now,
        )
    with session_scope(engine) as session:
        stored = session.get(Post, post.id)
        assert stored is not None
        assert (stored.wijk_id, stored.area_cell, stored.status) == (
            anna.wijk_id,
            anna.area_cell,
            PostStatus.OPEN.value,
        )
        assert (stored.kind, stored.category, stored.created_at) == ("offer", "lending", now)


def test_only_residents_of_a_wijk_can_post(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        loner = add_resident(session, telegram_user_id=9, first_name="Lou", wijk=None, now=now)
        with pytest.raises(ValueError, match="wijk"):
            posts.create_post(
                session,
                resident=loner,
                kind=PostKind.REQUEST,
                category="other",
                text="Hallo",
                window_start=None,
                window_end=None,
                now=now,
            )


def test_counting_open_posts_and_recent_ones(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna, ben = people["anna"], people["ben"]
    assert anna.id is not None
    with session_scope(engine) as session:
        add_post(session, anna, "old and open", now - timedelta(hours=1))
        add_post(session, anna, "new and open", now - timedelta(minutes=2))
        add_post(session, anna, "new, withdrawn", now - timedelta(minutes=1), status="withdrawn")
        add_post(session, ben, "someone else's", now)
    with session_scope(engine) as session:
        assert posts.count_open_posts(session, resident_id=anna.id) == 2
        since = now - timedelta(minutes=10)
        assert posts.count_posts_since(session, resident_id=anna.id, since=since) == 2


def test_own_open_posts_newest_first(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna, ben = people["anna"], people["ben"]
    assert anna.id is not None
    with session_scope(engine) as session:
        add_post(session, anna, "first", now)
        add_post(session, anna, "second", now + timedelta(minutes=1))
        add_post(session, anna, "done", now + timedelta(minutes=2), status="done")
        add_post(session, ben, "ben's", now + timedelta(minutes=3))
    with session_scope(engine) as session:
        texts = [post.text for post in posts.open_posts_of(session, resident_id=anna.id)]
    assert texts == ["second", "first"]


def test_own_open_post_refuses_other_peoples_closed_and_missing_posts(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna, ben = people["anna"], people["ben"]
    assert anna.id is not None
    with session_scope(engine) as session:
        mine = add_post(session, anna, "mine", now)
        closed = add_post(session, anna, "closed", now, status="done")
        theirs = add_post(session, ben, "theirs", now)
    with session_scope(engine) as session:
        assert mine.id is not None
        assert closed.id is not None
        assert theirs.id is not None
        assert posts.own_open_post(session, resident_id=anna.id, post_id=mine.id) is not None
        assert posts.own_open_post(session, resident_id=anna.id, post_id=closed.id) is None
        assert posts.own_open_post(session, resident_id=anna.id, post_id=theirs.id) is None
        assert posts.own_open_post(session, resident_id=anna.id, post_id=999_999) is None


def test_closing_and_editing(engine: Engine, now: datetime, people: dict[str, Resident]) -> None:
    later = now + timedelta(hours=1)
    with session_scope(engine) as session:
        done = add_post(session, people["anna"], "done", now)
        gone = add_post(session, people["anna"], "gone", now)
        edited = add_post(session, people["anna"], "old words", now)
    with session_scope(engine) as session:
        posts.close_post(session, post=done, status=PostStatus.DONE, now=later)
        posts.close_post(session, post=gone, status=PostStatus.WITHDRAWN, now=later)
        posts.set_post_text(session, post=edited, text="new words", now=later)
        with pytest.raises(ValueError, match="cannot set"):
            posts.close_post(session, post=edited, status=PostStatus.HIDDEN, now=later)
    with session_scope(engine) as session:
        stored = {p.id: p for p in session.exec(select(Post)).all()}
    assert stored[done.id].status == "done"
    assert stored[gone.id].status == "withdrawn"
    assert (stored[edited.id].text, stored[edited.id].status) == ("new words", "open")
    assert stored[edited.id].updated_at == later


def test_looking_around_shows_only_what_the_viewer_may_see(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna, ben, carla = people["anna"], people["ben"], people["carla"]
    with session_scope(engine) as session:
        wijk = repo.find_wijk(session, code_or_name="Transvaalbuurt")
        paused = add_resident(
            session, telegram_user_id=4, first_name="Dirk", wijk=wijk, now=now, paused=True
        )
        paused_for_a_day = add_resident(
            session,
            telegram_user_id=9,
            first_name="Ida",
            wijk=wijk,
            now=now,
            paused=True,
            paused_until=now + timedelta(days=1),
        )
        pause_over = add_resident(
            session,
            telegram_user_id=10,
            first_name="Hans",
            wijk=wijk,
            now=now,
            paused=True,
            paused_until=now - timedelta(minutes=1),
        )
        stopped = add_resident(
            session, telegram_user_id=5, first_name="Eva", wijk=wijk, now=now, stopped=True
        )
        blocked_by_anna = add_resident(
            session, telegram_user_id=6, first_name="Fred", wijk=wijk, now=now
        )
        blocks_anna = add_resident(
            session, telegram_user_id=7, first_name="Gina", wijk=wijk, now=now
        )
        session.add(
            Block(blocker_id=anna.id or 0, blocked_id=blocked_by_anna.id or 0, created_at=now)
        )
        session.add(Block(blocker_id=blocks_anna.id or 0, blocked_id=anna.id or 0, created_at=now))
        add_post(session, ben, "ben open", now)
        add_post(session, ben, "ben soon", now, window_end=now + timedelta(hours=2))
        add_post(session, ben, "ben passed", now, window_end=now - timedelta(minutes=1))
        add_post(session, ben, "ben done", now, status="done")
        add_post(session, ben, "ben hidden", now, status="hidden")
        add_post(session, anna, "anna own", now)
        add_post(session, carla, "carla other wijk", now)
        add_post(session, paused, "dirk paused", now)
        add_post(session, paused_for_a_day, "ida paused today", now)
        add_post(session, pause_over, "hans pause over", now)
        add_post(session, stopped, "eva stopped", now)
        add_post(session, blocked_by_anna, "fred blocked", now)
        add_post(session, blocks_anna, "gina blocks", now)
    with session_scope(engine) as session:
        seen = {
            post.text: author.first_name
            for post, author in posts.visible_posts(session, viewer=anna, now=now)
        }
        by_id = {post.text: post.id for post in session.exec(select(Post)).all()}
        single = {
            text: posts.visible_post(session, viewer=anna, post_id=post_id, now=now) is not None
            for text, post_id in by_id.items()
            if post_id is not None
        }
    # Paused authors' posts are out of sight while the pause lasts.
    assert seen == {"ben open": "Ben", "ben soon": "Ben", "hans pause over": "Hans"}
    assert {text for text, visible in single.items() if visible} == set(seen)


def test_a_paused_authors_post_can_still_be_found_to_say_they_are_away(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna = people["anna"]
    with session_scope(engine) as session:
        wijk = repo.find_wijk(session, code_or_name="Transvaalbuurt")
        dirk = add_resident(
            session, telegram_user_id=4, first_name="Dirk", wijk=wijk, now=now, paused=True
        )
        post = add_post(session, dirk, "dirk paused", now)
        post_id = post.id
    assert post_id is not None
    with session_scope(engine) as session:
        assert posts.visible_post(session, viewer=anna, post_id=post_id, now=now) is None
        found = posts.visible_post(
            session, viewer=anna, post_id=post_id, now=now, include_paused=True
        )
        assert found is not None
        assert found[1].first_name == "Dirk"


def test_blocks_hide_posts_for_the_blocked_side_too(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna, ben = people["anna"], people["ben"]
    with session_scope(engine) as session:
        add_post(session, anna, "anna asks", now)
        session.add(Block(blocker_id=anna.id or 0, blocked_id=ben.id or 0, created_at=now))
    with session_scope(engine) as session:
        assert posts.visible_posts(session, viewer=ben, now=now) == []


def test_a_viewer_without_a_wijk_sees_nothing(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    with session_scope(engine) as session:
        add_post(session, people["anna"], "anna asks", now)
        loner = add_resident(session, telegram_user_id=8, first_name="Lou", wijk=None, now=now)
    with session_scope(engine) as session:
        assert posts.visible_posts(session, viewer=loner, now=now) == []


def test_volunteering_twice_records_once(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna, ben = people["anna"], people["ben"]
    assert ben.id is not None
    with session_scope(engine) as session:
        post = add_post(session, anna, "anna asks", now)
    with session_scope(engine) as session:
        first, news = posts.volunteer(session, post=post, resident_id=ben.id, now=now)
    with session_scope(engine) as session:
        second, again = posts.volunteer(session, post=post, resident_id=ben.id, now=now)
    assert (news, again) == (True, False)
    assert first.id == second.id
    with session_scope(engine) as session:
        rows = session.exec(select(Invitation)).all()
    assert [(r.post_id, r.resident_id, r.status) for r in rows] == [
        (post.id, ben.id, InvitationStatus.ACCEPTED.value)
    ]


def test_volunteering_after_an_invitation_accepts_it(
    engine: Engine, now: datetime, people: dict[str, Resident]
) -> None:
    anna, ben = people["anna"], people["ben"]
    assert ben.id is not None
    with session_scope(engine) as session:
        post = add_post(session, anna, "anna asks", now)
        invited = add_invitation(session, post, ben, now)
    later = now + timedelta(hours=1)
    with session_scope(engine) as session:
        invitation, news = posts.volunteer(session, post=post, resident_id=ben.id, now=later)
    assert news
    assert invitation.id == invited.id
    assert (invitation.status, invitation.answered_at) == ("accepted", later)


def test_a_draft_is_taken_once(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        repo.save_chat_state(session, chat_id=42, flow="post", step="preview", data={}, now=now)
    with session_scope(engine) as session:
        assert not posts.take_chat_state(session, chat_id=42, flow="post", step="time")
        assert not posts.take_chat_state(session, chat_id=42, flow="other", step="preview")
    with session_scope(engine) as session:
        assert posts.take_chat_state(session, chat_id=42, flow="post", step="preview")
    with session_scope(engine) as session:
        assert not posts.take_chat_state(session, chat_id=42, flow="post", step="preview")
        assert session.get(ChatState, 42) is None
