"""'Is het gelukt?': the question, a thank-you to the other, and asking again."""

from __future__ import annotations

from sqlmodel import select

from bot.services import follow_up
from storage.models import Invitation, Match, OutboxMessage, Post, Resident
from tests.bot.services.conftest import Street
from tests.bot.services.test_invitations import connected


def asked(street: Street) -> Match:
    """A match that went ahead, whose "is het gelukt?" was sent."""
    match = connected(street)
    match.follow_up_at = None
    street.session.add(match)
    return match


def test_the_question_goes_to_both_once_the_requests_time_passed(street: Street) -> None:
    match = connected(street)
    assert match.follow_up_at is not None
    street.now = match.follow_up_at
    unit = street.unit()
    follow_up.queue_follow_ups(unit)
    messages = [street.session.get(OutboxMessage, id) for id in unit.queued]
    assert {(m.resident_id, m.about) for m in messages if m is not None} == {
        (match.asker_id, f"followup:{match.id}"),
        (match.helper_id, f"followup:{match.id}"),
    }
    follow_up.queue_follow_ups(unit)
    assert len(unit.queued) == 2


def test_a_thank_you_is_queued_for_the_other_person(street: Street) -> None:
    match = asked(street)
    unit = street.unit(street.anna)
    pressed = follow_up.answer(unit, match.id or 0, follow_up.THANKS)
    assert not pressed.stale
    # Due now (the word about giving back comes days later).
    (note,) = [
        m
        for m in (street.session.get(OutboxMessage, id) for id in unit.queued)
        if m is not None and m.due_at <= street.now
    ]
    assert note is not None
    assert (note.resident_id, note.counterpart_id) == (match.helper_id, street.anna.id)
    assert "Anna" in note.text


def test_asking_again_invites_the_first_neighbours_in_the_same_unit(street: Street) -> None:
    match = asked(street)
    pressed = follow_up.answer(street.unit(street.anna), match.id or 0, follow_up.AGAIN)
    assert not pressed.stale
    again = street.session.exec(select(Post).where(Post.id != match.post_id)).one()
    invited = street.session.exec(select(Invitation).where(Invitation.post_id == again.id)).all()
    assert invited


def test_only_the_helper_can_say_it_did_not_work(street: Street) -> None:
    match = asked(street)
    assert follow_up.answer(street.unit(street.anna), match.id or 0, follow_up.FAILED).stale
    helper = street.session.get(Resident, match.helper_id)
    assert not follow_up.answer(street.unit(helper), match.id or 0, follow_up.FAILED).stale
