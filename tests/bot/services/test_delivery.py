"""The outbox's send-time check: a message goes out only while it is still wanted."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.services import delivery
from bot.services.unit import Unit
from bot.settings import Settings
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus, Post, PostStatus, Resident
from storage.moderation import add_block
from tests.storage.neighbourhood import add_invitation, add_post, add_resident, add_wijk

SETTINGS = Settings(_env_file=None)


def _neighbours(session: Session, now: datetime) -> tuple[Resident, Resident]:
    wijk = add_wijk(session, "Transvaalbuurt", now)
    anna = add_resident(session, telegram_user_id=1001, first_name="Anna", wijk=wijk, now=now)
    karim = add_resident(session, telegram_user_id=1002, first_name="Karim", wijk=wijk, now=now)
    return anna, karim


def _invite(session: Session, now: datetime) -> tuple[int, Resident, Resident, int]:
    """Anna asks; Karim's invitation is queued. Returns (message id, anna, karim, post id)."""
    anna, karim = _neighbours(session, now)
    post = add_post(session, anna, "Wie kan mijn boodschappen doen?", now)
    invitation = add_invitation(session, post, karim, now)
    unit = Unit(session=session, now=now, settings=SETTINGS)
    message = unit.enqueue(
        to=karim,
        text="Zin om te helpen?",
        about=f"inv:{invitation.id}",
        counterpart_id=anna.id,
    )
    assert message.id is not None
    assert post.id is not None
    return message.id, anna, karim, post.id


def _claim(engine: Engine, now: datetime, ids: list[int] | None = None) -> list[int]:
    with session_scope(engine) as session:
        return [out.id for out in delivery.claim(session, SETTINGS, now, ids=ids)]


def _status(engine: Engine, message_id: int) -> str:
    with session_scope(engine) as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        return message.status


def test_a_queued_invitation_is_claimed_for_sending(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        message_id, *_ = _invite(session, now)
    assert _claim(engine, now, [message_id]) == [message_id]
    assert _status(engine, message_id) == OutboxStatus.SENDING.value


def test_an_invitation_waiting_in_the_outbox_is_dropped_after_a_block(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        message_id, anna, karim, _ = _invite(session, now)
        assert anna.id is not None
        assert karim.id is not None
        add_block(session, blocker_id=anna.id, blocked_id=karim.id, now=now)
    assert _claim(engine, now) == []
    assert _status(engine, message_id) == OutboxStatus.FAILED.value


def test_an_invitation_for_a_request_that_closed_meanwhile_is_dropped(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        message_id, _, _, post_id = _invite(session, now)
    with session_scope(engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.status = PostStatus.WITHDRAWN.value
        session.add(post)
    assert _claim(engine, now) == []
    assert _status(engine, message_id) == OutboxStatus.FAILED.value


def test_a_paused_person_gets_nothing(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        message_id, _, karim, _ = _invite(session, now)
        karim.paused = True
        session.add(karim)
    assert _claim(engine, now) == []
    assert _status(engine, message_id) == OutboxStatus.FAILED.value


def test_quiet_hours_postpone_without_counting_a_failure(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        message_id, _, karim, _ = _invite(session, now)
        # 09:00 UTC is 10:00 in Amsterdam: quiet from 08:00 to 12:00 covers it.
        karim.quiet_start, karim.quiet_end = "08:00", "12:00"
        session.add(karim)
    assert _claim(engine, now) == []
    with session_scope(engine) as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        assert message.status == OutboxStatus.PENDING.value
        assert message.attempts == 0
        assert message.due_at > now
    assert _claim(engine, now + timedelta(hours=3)) == [message_id]


def test_a_sent_message_keeps_its_telegram_id_and_a_blocked_bot_is_final(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        first, *_ = _invite(session, now)
    with session_scope(engine) as session:
        delivery.record(session, [delivery.Outcome(first, message_id=77)], now)
    with session_scope(engine) as session:
        message = session.get(OutboxMessage, first)
        assert message is not None
        assert (message.status, message.message_id) == (OutboxStatus.SENT.value, 77)
        forbidden = delivery.Outcome(first, error="Forbidden", result=delivery.Result.FORBIDDEN)
        assert forbidden.final
        delivery.record(session, [forbidden], now)
    assert _status(engine, first) == OutboxStatus.DEAD.value


def test_a_403_makes_the_resident_unreachable_until_they_write_again(
    engine: Engine, now: datetime
) -> None:
    from bot.services.unit import Caller

    with session_scope(engine) as session:
        first, _anna, karim, _ = _invite(session, now)
        karim_user = karim.telegram_user_id
    assert _claim(engine, now, [first]) == [first]
    with session_scope(engine) as session:
        outcome = delivery.Outcome(first, error="Forbidden", result=delivery.Result.FORBIDDEN)
        delivery.record(session, [outcome], now)
    with session_scope(engine) as session:
        _, _, karim_again, _ = _invite_again(session, now)
    with session_scope(engine) as session:
        resident = session.get(Resident, karim_again)
        assert resident is not None
        assert resident.unreachable_since == now
    assert _claim(engine, now) == [], "nothing goes to someone who blocked the bot"
    with session_scope(engine) as session:
        unit = Unit(
            session=session,
            now=now,
            settings=SETTINGS,
            caller=Caller(user_id=karim_user, chat_id=karim_user, first_name="Karim"),
        )
        unit.load_caller()
    with session_scope(engine) as session:
        resident = session.get(Resident, karim_again)
        assert resident is not None
        assert resident.unreachable_since is None


def _invite_again(session: Session, now: datetime) -> tuple[int, int, int, int]:
    """One more invitation for Karim (the neighbours exist already)."""
    from sqlmodel import select

    anna = session.exec(select(Resident).where(Resident.first_name == "Anna")).one()
    karim = session.exec(select(Resident).where(Resident.first_name == "Karim")).one()
    post = add_post(session, anna, "Wie heeft een ladder?", now)
    invitation = add_invitation(session, post, karim, now)
    unit = Unit(session=session, now=now, settings=SETTINGS)
    message = unit.enqueue(
        to=karim, text="Zin om te helpen?", about=f"inv:{invitation.id}", counterpart_id=anna.id
    )
    assert message.id is not None
    assert anna.id is not None
    assert karim.id is not None
    assert post.id is not None
    return message.id, anna.id, karim.id, post.id


def test_each_answer_of_telegram_settles_the_row_its_own_way(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        first, *_ = _invite(session, now)
    cases = [
        (delivery.Result.DEAD, OutboxStatus.DEAD.value, now),
        (delivery.Result.NOT_SENT, OutboxStatus.PENDING.value, now + timedelta(minutes=1)),
        (delivery.Result.UNKNOWN, OutboxStatus.PENDING.value, now + timedelta(minutes=10)),
        (delivery.Result.RETRY_AFTER, OutboxStatus.PENDING.value, now + timedelta(seconds=7)),
    ]
    for result, status, due in cases:
        with session_scope(engine) as session:
            message = session.get(OutboxMessage, first)
            assert message is not None
            message.status, message.due_at, message.attempts = "sending", now, 0
            message.unknown_sends = 0
            session.add(message)
        with session_scope(engine) as session:
            outcome = delivery.Outcome(first, error="x", result=result, retry_after=7)
            delivery.record(session, [outcome], now)
        with session_scope(engine) as session:
            message = session.get(OutboxMessage, first)
            assert message is not None
            assert message.status == status, result
            if status == OutboxStatus.PENDING.value:
                assert message.due_at == due, result
    with session_scope(engine) as session:
        message = session.get(OutboxMessage, first)
        assert message is not None
        assert (message.attempts, message.unknown_sends) == (0, 0), "a 429 is not an attempt"
