"""The rows behind matching, on SQLite and PostgreSQL: the first yes wins even when several
arrive at the same moment, choices happen once, blocks end what runs between two people, and
due flows are claimed by one worker at a time."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from matching.reach import Reach
from storage import matchmaking as store
from storage.db import is_sqlite, session_scope
from storage.models import (
    Invitation,
    InvitationStatus,
    Match,
    MatchStatus,
    Post,
    PostKind,
    PostStatus,
    RequestFlow,
    Resident,
    Wijk,
)
from storage.moderation import add_block
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

SIMULTANEOUS = 5
ROUNDS = 6


def _people(session: Session, wijk: Wijk, now: datetime, count: int) -> list[Resident]:
    return [
        add_resident(session, telegram_user_id=100 + n, first_name=f"P{n}", wijk=wijk, now=now)
        for n in range(count)
    ]


def _request_with_invitations(
    session: Session, asker: Resident, invitees: list[Resident], now: datetime
) -> tuple[Post, list[int]]:
    post = add_post(session, asker, "Wie kan helpen?", now)
    store.start_flow(session, post=post, now=now)
    assert post.id is not None
    ids = []
    for invitee in invitees:
        assert invitee.id is not None
        invitation = store.add_invitation(
            session, post_id=post.id, resident_id=invitee.id, now=now
        )
        assert invitation.id is not None
        ids.append(invitation.id)
    return post, ids


def _say_yes_at_once(engine: Engine, invitation_ids: list[int], now: datetime) -> list[str]:
    """Every invitee presses "ik help graag" at the same moment, each in their own
    transaction on their own connection (as separate bot processes would)."""
    barrier = threading.Barrier(len(invitation_ids))
    results: list[str] = []
    errors: list[BaseException] = []

    def press(invitation_id: int) -> None:
        try:
            with session_scope(engine) as session:
                invitation = session.get(Invitation, invitation_id)
                assert invitation is not None
                barrier.wait(timeout=10)
                results.append(store.say_yes(session, invitation=invitation, now=now).result)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=press, args=(i,)) for i in invitation_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_simultaneous_yeses_resolve_to_exactly_one_match(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        asker, *invitees = _people(session, wijk, now, SIMULTANEOUS + 1)
        requests = [
            _request_with_invitations(session, asker, invitees, now) for _ in range(ROUNDS)
        ]
    for post, invitation_ids in requests:
        results = _say_yes_at_once(engine, invitation_ids, now)
        assert sorted(results) == ["matched"] + ["taken"] * (SIMULTANEOUS - 1)
        with session_scope(engine) as session:
            matches = session.exec(select(Match).where(Match.post_id == post.id)).all()
            assert len(matches) == 1
            statuses = sorted(
                i.status
                for i in session.exec(select(Invitation).where(Invitation.post_id == post.id))
            )
            assert statuses == ["accepted"] + ["superseded"] * (SIMULTANEOUS - 1)
            stored = session.get(Post, post.id)
            assert stored is not None
            assert stored.status == PostStatus.MATCHED.value
            (accepted,) = (
                i
                for i in session.exec(select(Invitation).where(Invitation.post_id == post.id))
                if i.status == "accepted"
            )
            assert matches[0].helper_id == accepted.resident_id


def test_a_yes_for_a_withdrawn_request_finds_it_gone(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        asker, ben = _people(session, wijk, now, 2)
        post, (invitation_id,) = _request_with_invitations(session, asker, [ben], now)
        post.status = PostStatus.WITHDRAWN.value
        session.add(post)
    with session_scope(engine) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        assert store.say_yes(session, invitation=invitation, now=now).result == "gone"
        assert session.exec(select(Match)).all() == []
        # Pressing again is never a second chance to claim: it is still gone.
        assert store.say_yes(session, invitation=invitation, now=now).result == "gone"
        assert session.exec(select(Match)).all() == []


def test_not_now_counts_once_and_makes_the_flow_look_again(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        asker, ben = _people(session, wijk, now, 2)
        post, (invitation_id,) = _request_with_invitations(session, asker, [ben], now)
        flow = session.get(RequestFlow, post.id)
        assert flow is not None
        flow.due_at = now + timedelta(hours=3)
        session.add(flow)
    later = now + timedelta(minutes=10)
    with session_scope(engine) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        assert store.say_not_now(session, invitation=invitation, now=later)
        assert not store.say_not_now(session, invitation=invitation, now=later)
    with session_scope(engine) as session:
        flow = session.get(RequestFlow, post.id)
        assert flow is not None
        assert flow.due_at == later
        stored = session.get(Post, post.id)
        assert stored is not None
        assert store.progress_of(session, flow, stored).awaiting_replies == 0


def _proposed(engine: Engine, now: datetime) -> tuple[int, int, int, int]:
    """A request with a yes waiting for the asker: (post, match, asker, helper) ids."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        asker, ben = _people(session, wijk, now, 2)
        post, (invitation_id,) = _request_with_invitations(session, asker, [ben], now)
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        match = store.say_yes(session, invitation=invitation, now=now).match
        assert match is not None
        assert match.id is not None
        assert post.id is not None
        assert asker.id is not None
        assert ben.id is not None
        return post.id, match.id, asker.id, ben.id


def test_the_asker_accepts_once_and_the_flow_ends_matched(engine: Engine, now: datetime) -> None:
    post_id, match_id, asker_id, _helper_id = _proposed(engine, now)
    follow_up = now + timedelta(days=1)
    with session_scope(engine) as session:
        match = store.match_of(session, match_id=match_id, resident_id=asker_id)
        assert match is not None
        assert store.accept(session, match=match, now=now, follow_up_at=follow_up)
        assert not store.accept(session, match=match, now=now, follow_up_at=follow_up)
        assert not store.decline(session, match=match, now=now)
    with session_scope(engine) as session:
        flow = session.get(RequestFlow, post_id)
        assert flow is not None
        assert (flow.outcome, flow.due_at) == ("matched", None)
        stored = session.get(Match, match_id)
        assert stored is not None
        assert (stored.status, stored.follow_up_at) == ("active", follow_up)
        assert store.relay_match(session, resident_id=asker_id) == stored
        assert store.has_helped_before(session, resident_id=stored.helper_id)


def test_declining_opens_the_request_again(engine: Engine, now: datetime) -> None:
    post_id, match_id, asker_id, helper_id = _proposed(engine, now)
    with session_scope(engine) as session:
        match = store.match_of(session, match_id=match_id, resident_id=asker_id)
        assert match is not None
        assert store.decline(session, match=match, now=now)
    with session_scope(engine) as session:
        post = session.get(Post, post_id)
        assert post is not None
        assert post.status == PostStatus.OPEN.value
        flow = session.get(RequestFlow, post_id)
        assert flow is not None
        assert flow.due_at == now
        assert not store.has_helped_before(session, resident_id=helper_id)
        # Someone who is not part of the match cannot even see it.
        assert store.match_of(session, match_id=match_id, resident_id=helper_id + 100) is None


def test_a_block_lets_a_waiting_yes_go_and_closes_a_relay(engine: Engine, now: datetime) -> None:
    post_id, match_id, asker_id, helper_id = _proposed(engine, now)
    with session_scope(engine) as session:
        assert add_block(session, blocker_id=asker_id, blocked_id=helper_id, now=now)
    with session_scope(engine) as session:
        match = session.get(Match, match_id)
        assert match is not None
        assert match.status == MatchStatus.DECLINED.value
        post = session.get(Post, post_id)
        assert post is not None
        assert post.status == PostStatus.OPEN.value


def test_a_block_counts_an_open_invitation_as_not_now(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        asker, ben = _people(session, wijk, now, 2)
        _post, (invitation_id,) = _request_with_invitations(session, asker, [ben], now)
        assert ben.id is not None
        assert asker.id is not None
        add_block(session, blocker_id=ben.id, blocked_id=asker.id, now=now)
    with session_scope(engine) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        assert invitation.status == InvitationStatus.DECLINED.value


def test_widening_is_recorded_only_as_the_askers_answer(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        (asker, other) = _people(session, wijk, now, 2)
        post = add_post(session, asker, "Wie kan helpen?", now)
        flow = store.start_flow(session, post=post, now=now)
        assert post.id is not None
        assert asker.id is not None
        assert other.id is not None
        post_id, asker_id, other_id = post.id, asker.id, other.id
        # Not asked yet: there is nothing to answer.
        assert not store.answer_widen(
            session, post_id=post_id, asker_id=asker_id, accepted=True, now=now
        )
        flow.widen_asked_for, flow.widen_asked_at = Reach.WIJK.value, now
        session.add(flow)
    with session_scope(engine) as session:
        assert not store.answer_widen(
            session, post_id=post_id, asker_id=other_id, accepted=True, now=now
        )
        assert store.answer_widen(
            session, post_id=post_id, asker_id=asker_id, accepted=True, now=now
        )
    with session_scope(engine) as session:
        answered_flow = session.get(RequestFlow, post_id)
        answered_post = session.get(Post, post_id)
        assert answered_flow is not None
        assert answered_post is not None
        widened = (answered_flow.widened, answered_flow.widen_asked_for, answered_flow.due_at)
        assert widened == (["wijk"], None, now)
        assert answered_post.reach == "wijk"


def test_a_due_flow_is_claimed_by_one_worker_at_a_time(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        (asker,) = _people(session, wijk, now, 1)
        first = add_post(session, asker, "Een", now)
        second = add_post(session, asker, "Twee", now)
        store.start_flow(session, post=first, now=now)
        store.start_flow(session, post=second, now=now)
        later = add_post(session, asker, "Later", now)
        flow = store.start_flow(session, post=later, now=now)
        flow.due_at = now + timedelta(hours=1)
    with Session(engine) as one, Session(engine) as two:
        claimed = store.claim_due_flow(one, now=now)
        assert claimed is not None
        assert claimed.post_id == first.id
        if not is_sqlite(engine):
            # The second worker skips the locked row and takes the next due one.
            other = store.claim_due_flow(two, now=now)
            assert other is not None
            assert other.post_id == second.id
        one.rollback()
        two.rollback()
    with session_scope(engine) as session:
        due = session.exec(select(RequestFlow.post_id).where(col(RequestFlow.due_at) <= now)).all()
        assert set(due) == {first.id, second.id}


def test_a_blocked_neighbour_cannot_say_yes_afterwards(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        asker, ben = _people(session, wijk, now, 2)
        _post, (invitation_id,) = _request_with_invitations(session, asker, [ben], now)
        assert ben.id is not None
        assert asker.id is not None
        add_block(session, blocker_id=asker.id, blocked_id=ben.id, now=now)
    with session_scope(engine) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        assert store.say_yes(session, invitation=invitation, now=now).result == "gone"
        assert session.exec(select(Match)).all() == []


def test_no_follow_up_between_two_people_after_a_block(engine: Engine, now: datetime) -> None:
    _post_id, match_id, asker_id, helper_id = _proposed(engine, now)
    with session_scope(engine) as session:
        match = session.get(Match, match_id)
        assert match is not None
        assert store.accept(session, match=match, now=now, follow_up_at=now)
        store.follow_up_sent(session, match=match)
        assert store.follow_up_open(session, match=match)
    with session_scope(engine) as session:
        add_block(session, blocker_id=helper_id, blocked_id=asker_id, now=now)
    with session_scope(engine) as session:
        match = session.get(Match, match_id)
        assert match is not None
        assert match.status == MatchStatus.ENDED.value
        assert not store.follow_up_open(session, match=match)


def test_each_side_answers_is_het_gelukt_once(engine: Engine, now: datetime) -> None:
    _post_id, match_id, asker_id, helper_id = _proposed(engine, now)
    with session_scope(engine) as session:
        match = session.get(Match, match_id)
        assert match is not None
        assert store.record_worked(session, match=match, resident_id=asker_id, worked=True)
        assert not store.record_worked(session, match=match, resident_id=asker_id, worked=False)
        assert store.record_worked(session, match=match, resident_id=helper_id, worked=False)
        assert (match.asker_worked, match.helper_worked) == (True, False)


def test_an_offer_can_be_taken_by_several_neighbours_and_its_author_is_the_one_who_helped(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        carla, anna, ben, fred = _people(session, wijk, now, 4)
        offer = add_post(session, carla, "Ik heb een ladder te leen", now, kind=PostKind.OFFER)
        assert carla.id is not None
        assert anna.id is not None
        assert ben.id is not None
        assert fred.id is not None
        first = store.propose_for_offer(session, post=offer, interested_id=anna.id, now=now)
        assert first is not None
        assert (first.asker_id, first.helper_id) == (carla.id, anna.id)  # the author chooses
        # Once per interested neighbour at a time; another neighbour may too.
        assert store.propose_for_offer(session, post=offer, interested_id=anna.id, now=now) is None
        second = store.propose_for_offer(session, post=offer, interested_id=ben.id, now=now)
        assert second is not None
        add_block(session, blocker_id=carla.id, blocked_id=fred.id, now=now)
        assert store.propose_for_offer(session, post=offer, interested_id=fred.id, now=now) is None
        assert store.accept(session, match=first, now=now, follow_up_at=now)
        assert offer.status == PostStatus.OPEN.value  # still there for others
        # Helping is what the author did, not the neighbour who took the offer.
        assert store.has_helped_before(session, resident_id=carla.id)
        assert not store.has_helped_before(session, resident_id=anna.id)
        assert store.is_offer(session, first)
        waiting = store.current_matches_of(session, resident_id=carla.id)
        assert {match.id for match, _post in waiting} == {first.id, second.id}
        assert [m.id for m, _ in store.current_matches_of(session, resident_id=anna.id)] == [
            first.id
        ]
        # A proposal waits for the author only: Ben sees nothing under way yet.
        assert store.current_matches_of(session, resident_id=ben.id) == []
