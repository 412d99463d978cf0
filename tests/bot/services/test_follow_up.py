"""'Is het gelukt?': the question, a thank-you to the other, and asking again."""

from __future__ import annotations

from sqlmodel import select

from bot.services import follow_up
from storage.models import (
    Invitation,
    Match,
    MatchStatus,
    OutboxMessage,
    Post,
    PostKind,
    Resident,
)
from tests.bot.services.conftest import Street
from tests.bot.services.test_invitations import connected
from tests.storage.neighbourhood import add_post


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


def offer_taken_up(street: Street) -> tuple[Match, Resident, Resident]:
    """Ben lent his ladder to Anna through his offer; "is het gelukt?" was sent."""
    ben = street.neighbours[0]
    offer = add_post(
        street.session, ben, "Ik leen mijn ladder uit", street.now, kind=PostKind.OFFER
    )
    match = Match(
        post_id=offer.id or 0,
        asker_id=ben.id or 0,  # an offer's author chooses, as the "asker" of the match
        helper_id=street.anna.id or 0,  # the neighbour who took it up
        status=MatchStatus.ACTIVE.value,
        created_at=street.now,
        accepted_at=street.now,
    )
    street.session.add(match)
    street.session.flush()
    return match, ben, street.anna


def test_after_an_offer_only_its_author_is_thanked_for_wanting_to_help(street: Street) -> None:
    match, ben, anna = offer_taken_up(street)
    took_it_up = follow_up.answer(street.unit(anna), match.id or 0, follow_up.FAILED)
    assert took_it_up.close is not None
    assert "wilde helpen" not in took_it_up.close  # Anna was the one being helped
    assert "/buurt" in took_it_up.close
    offered = follow_up.answer(street.unit(ben), match.id or 0, follow_up.FAILED)
    assert offered.close == "Jammer. Dank je dat je wilde helpen!"
