"""Looking around as a service: pages, and interest told to the author through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot import callbacks
from bot.services import browse
from storage.db import session_scope
from storage.models import OutboxMessage, Post, PostKind, PostStatus, Resident
from tests.bot.services.post_units import press, run
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

ANNA, BEN = 1, 2


@pytest.fixture
def posts(engine: Engine, now: datetime) -> dict[str, int]:
    """Anna's offer and request; Ben looks around in the same wijk."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", now)
        anna = add_resident(session, telegram_user_id=ANNA, first_name="Anna", wijk=wijk, now=now)
        add_resident(session, telegram_user_id=BEN, first_name="Ben", wijk=wijk, now=now)
        offer = add_post(
            session, anna, "Ladder te leen", now, kind=PostKind.OFFER, category="tools"
        )
        request = add_post(session, anna, "Wie doet mijn boodschappen?", now)
        assert offer.id is not None
        assert request.id is not None
        return {"offer": offer.id, "request": request.id}


def outbox(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def test_interest_in_an_offer_is_queued_for_its_author_once(
    engine: Engine, now: datetime, posts: dict[str, int]
) -> None:
    first, unit = run(engine, now, BEN, browse.press, press(callbacks.BROWSE_HELP(posts["offer"])))
    second, _ = run(engine, now, BEN, browse.press, press(callbacks.BROWSE_HELP(posts["offer"])))
    # Due now (the reminder a day later, if the author has not chosen, waits in the outbox).
    [queued] = [m for m in outbox(engine) if m.due_at <= now]
    [reminder] = [m for m in outbox(engine) if m.due_at > now]
    assert reminder.due_at == now + timedelta(hours=24)
    assert reminder.about == queued.about
    # A proposal for the author to choose on, like a yes to a request (about its match).
    assert queued.chat_id == ANNA
    assert (queued.about or "").startswith("match:")
    assert "Graag, breng ons in contact" in str(queued.reply_markup)
    assert unit.resident is not None
    assert queued.counterpart_id == unit.resident.id
    assert "Ben" in queued.text
    assert first.message is not None
    assert second.message is None


def test_a_yes_to_a_request_takes_it_and_queues_the_card_for_the_asker_in_the_same_unit(
    engine: Engine, now: datetime, posts: dict[str, int]
) -> None:
    result, _ = run(engine, now, BEN, browse.press, press(callbacks.BROWSE_HELP(posts["request"])))
    assert result.yes is not None
    assert not result.yes.stale
    # Due now (the reminder a day later, if the asker has not chosen, waits in the outbox).
    [card] = [m for m in outbox(engine) if m.due_at <= now]
    assert card.chat_id == ANNA
    assert "Ben" in card.text
    with session_scope(engine) as session:
        post = session.get(Post, posts["request"])
        assert post is not None
        assert post.status == PostStatus.MATCHED.value


def test_a_yes_to_a_paused_asker_is_refused_at_once(
    engine: Engine, now: datetime, posts: dict[str, int]
) -> None:
    with session_scope(engine) as session:
        anna = session.exec(select(Resident).where(Resident.telegram_user_id == ANNA)).one()
        anna.paused, anna.paused_until = True, now + timedelta(days=7)
    result, _ = run(engine, now, BEN, browse.press, press(callbacks.BROWSE_HELP(posts["request"])))
    assert result.yes is None
    assert result.alert


def test_a_page_beyond_any_real_list_is_stale(
    engine: Engine, now: datetime, posts: dict[str, int]
) -> None:
    result, _ = run(
        engine, now, BEN, browse.press, press(callbacks.BROWSE_PAGE(browse.MAX_PAGE + 1))
    )
    assert result.screen is None
    assert result.notice is not None


def test_ones_own_posts_are_not_in_the_list(
    engine: Engine, now: datetime, posts: dict[str, int]
) -> None:
    own, _ = run(engine, now, ANNA, browse.look_around)
    theirs, _ = run(engine, now, BEN, browse.look_around)
    assert own.keyboard is not None
    assert theirs.keyboard is not None
    shown = [button.data for row in theirs.keyboard for button in row]
    assert callbacks.BROWSE_SHOW(posts["offer"], 1) in shown
    assert all(not button.data.startswith("nb:show") for row in own.keyboard for button in row)
