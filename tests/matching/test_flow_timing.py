"""When the shell looks at a request again, and when "is het gelukt?" is asked."""

from __future__ import annotations

from datetime import timedelta

from matching.engine import InvitationPlan
from matching.flow import (
    BATCH_WAIT,
    FOLLOW_UP_AFTER,
    FOLLOW_UP_WITHOUT_TIME,
    WIDEN_ANSWER_WAIT,
    Decision,
    DecisionKind,
    decide,
    follow_up_at,
    next_due,
    start,
)
from matching.reach import Reach
from tests.matching.engine_factories import NOW

HOUR = timedelta(hours=1)


def plan(invite: tuple[int, ...], wider: Reach | None = None) -> InvitationPlan:
    return InvitationPlan(
        reach=Reach.BUURT,
        invite=invite,
        eligible_now=len(invite),
        next_available_at=None,
        wider_reach=wider,
    )


def test_after_a_batch_the_next_look_is_one_batch_wait_later() -> None:
    progress = start(Reach.BUURT, NOW)
    decision = decide(progress, plan((1, 2, 3)), NOW)
    after = progress.after(decision, NOW)
    assert next_due(after, decision, NOW) == NOW + BATCH_WAIT


def test_the_next_look_never_comes_after_the_request_has_expired() -> None:
    progress = start(Reach.BUURT, NOW, expires_at=NOW + HOUR)
    decision = decide(progress, plan((1,)), NOW)
    after = progress.after(decision, NOW)
    assert next_due(after, decision, NOW) == NOW + HOUR


def test_after_asking_to_widen_the_next_look_is_when_silence_counts_as_no() -> None:
    progress = start(Reach.BUURT, NOW)
    decision = decide(progress, plan((), wider=Reach.WIJK), NOW)
    assert decision.kind is DecisionKind.ASK_WIDEN
    after = progress.after(decision, NOW)
    assert next_due(after, decision, NOW) == NOW + WIDEN_ANSWER_WAIT


def test_a_waiting_decision_is_due_at_its_own_time() -> None:
    progress = start(Reach.BUURT, NOW)
    decision = Decision(DecisionKind.WAIT_UNTIL, until=NOW + 2 * HOUR)
    assert next_due(progress, decision, NOW) == NOW + 2 * HOUR


def test_nothing_is_due_while_a_yes_waits_for_the_asker_or_after_the_end() -> None:
    progress = start(Reach.BUURT, NOW)
    decision = decide(progress, plan((1,)), NOW)
    after = progress.after(decision, NOW).after_reply(yes=True)
    assert next_due(after, decision, NOW) is None
    ended = progress.after_withdrawal()
    assert next_due(ended, decide(ended, None, NOW), NOW) is None


def test_when_everyone_said_not_now_the_next_batch_is_due_at_once() -> None:
    progress = start(Reach.BUURT, NOW)
    decision = decide(progress, plan((1,)), NOW)
    after = progress.after(decision, NOW).after_reply(yes=False)
    assert next_due(after, decision, NOW) == NOW


def test_follow_up_comes_after_the_requests_time_or_after_a_few_days() -> None:
    assert follow_up_at(NOW + 5 * HOUR, NOW) == NOW + 5 * HOUR + FOLLOW_UP_AFTER
    assert follow_up_at(None, NOW) == NOW + FOLLOW_UP_WITHOUT_TIME
    # Accepted after the time had passed: still a little later, never in the past.
    assert follow_up_at(NOW - HOUR, NOW) == NOW + FOLLOW_UP_AFTER
