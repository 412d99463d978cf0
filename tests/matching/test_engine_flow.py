"""What happens next with a request: batches, waiting, asking to widen, and ending kindly."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from matching.engine import InvitationPlan
from matching.flow import (
    BATCH_WAIT,
    DEFAULT_OPEN_FOR,
    LOOK_AGAIN,
    WIDEN_ANSWER_WAIT,
    Decision,
    DecisionKind,
    Outcome,
    RequestProgress,
    SignalReason,
    decide,
    needs_pool,
    next_due,
    start,
)
from matching.reach import Reach
from tests.matching.engine_factories import NOW

MINUTE = timedelta(minutes=1)


def pool(
    invite: tuple[int, ...] = (),
    *,
    reach: Reach = Reach.STRAAT,
    eligible: int | None = None,
    later: datetime | None = None,
    wider: Reach | None = None,
) -> InvitationPlan:
    return InvitationPlan(
        reach=reach,
        invite=invite,
        eligible_now=len(invite) if eligible is None else eligible,
        next_available_at=later,
        wider_reach=wider,
    )


def sent(progress: RequestProgress, ids: tuple[int, ...], at: datetime) -> RequestProgress:
    decision = decide(progress, pool(ids, reach=progress.reach), at)
    assert decision == Decision(DecisionKind.INVITE_BATCH, invite=ids)
    return progress.after(decision, at)


def test_a_new_request_invites_the_first_batch_at_once() -> None:
    progress = start(Reach.STRAAT, NOW)
    assert needs_pool(progress, NOW)
    decision = decide(progress, pool((2, 3, 4)), NOW)
    assert decision.kind is DecisionKind.INVITE_BATCH
    assert decision.invite == (2, 3, 4)
    after = progress.after(decision, NOW)
    assert (after.batches_sent, after.last_batch_at, after.awaiting_replies) == (1, NOW, 3)


def test_the_next_batch_waits_for_the_batch_wait_after_the_last_one() -> None:
    progress = sent(start(Reach.STRAAT, NOW), (2, 3, 4), NOW)
    just_before = NOW + BATCH_WAIT - MINUTE
    assert not needs_pool(progress, just_before)
    assert decide(progress, None, just_before) == Decision(
        DecisionKind.WAIT_UNTIL, until=NOW + BATCH_WAIT
    )
    due = NOW + BATCH_WAIT
    assert decide(progress, pool((5, 6)), due).invite == (5, 6)


def test_when_everyone_said_not_now_the_next_batch_goes_at_once() -> None:
    progress = sent(start(Reach.STRAAT, NOW), (2, 3), NOW)
    progress = progress.after_reply(yes=False).after_reply(yes=False)
    assert progress.awaiting_replies == 0
    assert decide(progress, pool((5,)), NOW + MINUTE).invite == (5,)


def test_a_yes_waits_for_the_asker_and_their_choice_ends_or_continues_the_request() -> None:
    progress = sent(start(Reach.STRAAT, NOW), (2, 3), NOW).after_reply(yes=True)
    assert decide(progress, None, NOW + MINUTE).kind is DecisionKind.AWAIT_ASKER
    # Even past the request's time: a yes is the asker's to answer.
    assert decide(progress, None, NOW + DEFAULT_OPEN_FOR * 2).kind is DecisionKind.AWAIT_ASKER
    matched = progress.after_asker_choice(accepted=True)
    assert matched.outcome is Outcome.MATCHED
    assert decide(matched, None, NOW + MINUTE).kind is DecisionKind.DONE
    let_go = progress.after_asker_choice(accepted=False)
    assert let_go.outcome is None
    assert decide(let_go, pool((5,)), NOW + BATCH_WAIT).invite == (5,)
    with pytest.raises(ValueError, match="nobody said yes"):
        let_go.after_asker_choice(accepted=True)


def test_when_the_reach_is_used_up_the_asker_is_asked_whether_to_widen() -> None:
    progress = sent(start(Reach.STRAAT, NOW), (2,), NOW)
    due = NOW + BATCH_WAIT
    decision = decide(progress, pool(wider=Reach.WIJK), due)
    assert decision == Decision(DecisionKind.ASK_WIDEN, next_reach=Reach.WIJK)
    asked = progress.after(decision, due)
    assert (asked.widen_asked_for, asked.widen_asked_at) == (Reach.WIJK, due)
    # Waiting for the answer needs no plan.
    assert decide(asked, None, due + MINUTE) == Decision(
        DecisionKind.WAIT_UNTIL, until=due + WIDEN_ANSWER_WAIT
    )
    widened = asked.after_widen_answer(accepted=True)
    assert widened.reach is Reach.WIJK
    assert widened.widened == (Reach.WIJK,)
    assert widened.widen_asked_for is None
    later = due + timedelta(hours=1)
    assert decide(widened, pool((7, 8), reach=Reach.WIJK), later).invite == (7, 8)


def test_no_to_widening_keeps_looking_close_by_and_no_answer_ends_kindly() -> None:
    progress = sent(start(Reach.STRAAT, NOW), (2,), NOW)
    asked = progress.after(Decision(DecisionKind.ASK_WIDEN, next_reach=Reach.BUURT), NOW)
    declined = asked.after_widen_answer(accepted=False)
    assert declined.reach is Reach.STRAAT
    at = NOW + BATCH_WAIT  # the one invited close by did not answer
    assert needs_pool(declined, at)
    # Nobody close by, the wider reach is not asked for again: keep looking, tell once.
    decision = decide(declined, pool(wider=Reach.BUURT), at)
    assert decision == Decision(
        DecisionKind.TELL_NOBODY_YET, until=at + LOOK_AGAIN, signal=SignalReason.WIDEN_DECLINED
    )
    told = declined.after(decision, at)
    assert told.outcome is None
    later = at + LOOK_AGAIN
    assert decide(told, pool(wider=Reach.BUURT), later) == Decision(
        DecisionKind.WAIT_UNTIL, until=later + LOOK_AGAIN
    )
    assert decide(told, pool((9,), wider=Reach.BUURT), later).invite == (9,)  # a newcomer
    assert decide(told, None, told.deadline).kind is DecisionKind.END_QUIETLY
    with pytest.raises(ValueError, match="not asked"):
        progress.after_widen_answer(accepted=True)


def test_an_unanswered_widening_question_counts_as_no_and_keeps_looking_close_by() -> None:
    progress = sent(start(Reach.STRAAT, NOW), (2,), NOW)
    asked = progress.after(Decision(DecisionKind.ASK_WIDEN, next_reach=Reach.BUURT), NOW)
    at = NOW + WIDEN_ANSWER_WAIT
    assert needs_pool(asked, at)
    # Nobody close by: silence is never consent, nor the end; the asker hears "nobody yet".
    decision = decide(asked, pool(wider=Reach.BUURT), at)
    assert decision == Decision(
        DecisionKind.TELL_NOBODY_YET, until=at + LOOK_AGAIN, signal=SignalReason.WIDEN_UNANSWERED
    )
    told = asked.after(decision, at)
    assert (told.outcome, told.reach, told.widen_declined) == (None, Reach.STRAAT, True)
    assert next_due(told, decision, at) == at + LOOK_AGAIN
    later = at + LOOK_AGAIN
    # Not asked about widening again, no second message; a neighbour close by is invited.
    assert decide(told, pool(wider=Reach.BUURT), later) == Decision(
        DecisionKind.WAIT_UNTIL, until=later + LOOK_AGAIN
    )
    assert decide(told, pool((9,), wider=Reach.BUURT), later).invite == (9,)
    assert decide(asked, pool((9,), wider=Reach.BUURT), at).invite == (9,)
    # A late yes still widens, and may be asked about the next reach later.
    widened = told.after_widen_answer(accepted=True)
    assert (widened.reach, widened.widened, widened.widen_declined) == (
        Reach.BUURT,
        (Reach.BUURT,),
        False,
    )
    # Once the request's own time has passed, it ends as before.
    short = replace(asked, expires_at=at)
    assert decide(short, None, at).signal is SignalReason.EXPIRED


def test_nobody_left_at_the_widest_reach_tells_the_asker_once_and_keeps_looking() -> None:
    progress = sent(start(Reach.WIJK, NOW), (2,), NOW)
    at = NOW + BATCH_WAIT
    decision = decide(progress, pool(reach=Reach.WIJK), at)
    assert decision == Decision(
        DecisionKind.TELL_NOBODY_YET, until=at + LOOK_AGAIN, signal=SignalReason.NOBODY_LEFT
    )
    told = progress.after(decision, at)
    assert told.outcome is None  # still open, still looking
    assert told.nobody_told_at == at
    assert next_due(told, decision, at) == at + LOOK_AGAIN
    # The next look finds nobody again: a quiet wait, no second message, no second signal.
    later = at + LOOK_AGAIN
    again = decide(told, pool(reach=Reach.WIJK), later)
    assert again == Decision(DecisionKind.WAIT_UNTIL, until=later + LOOK_AGAIN)
    # Someone joined (or their pace freed up): invited the normal way.
    assert decide(told, pool((7,), reach=Reach.WIJK), later).invite == (7,)
    # When its time has passed it ends without telling the asker a second time.
    end = decide(told, None, told.deadline)
    assert end.kind is DecisionKind.END_QUIETLY
    assert told.after(end, told.deadline).outcome is Outcome.SIGNALLED


def test_alone_in_the_wijk_the_request_looks_again_until_its_own_time() -> None:
    deadline = NOW + timedelta(hours=2)
    progress = start(Reach.STRAAT, NOW, expires_at=deadline)
    decision = decide(progress, pool(), NOW)
    assert decision.kind is DecisionKind.TELL_NOBODY_YET
    assert decision.until == deadline  # never beyond the request's time


def test_when_everyone_left_is_asleep_the_request_waits_for_the_first_to_wake() -> None:
    morning = NOW + timedelta(hours=9)
    progress = start(Reach.STRAAT, NOW)
    decision = decide(progress, pool(later=morning, wider=Reach.BUURT), NOW)
    assert decision == Decision(DecisionKind.WAIT_UNTIL, until=morning)


def test_nobody_waits_beyond_the_requests_own_time() -> None:
    progress = start(Reach.STRAAT, NOW, expires_at=NOW + timedelta(hours=5))
    too_late = NOW + timedelta(hours=6)
    assert decide(progress, pool(later=too_late, wider=Reach.BUURT), NOW).kind is (
        DecisionKind.ASK_WIDEN
    )
    sent_once = sent(progress, (2,), NOW)
    # The batch wait is cut short by the deadline, and then the request ends.
    assert decide(sent_once, None, NOW + MINUTE).until == NOW + BATCH_WAIT
    assert decide(sent_once, None, NOW + timedelta(hours=5)).signal is SignalReason.EXPIRED
    plain = start(Reach.STRAAT, NOW)
    assert plain.deadline == NOW + DEFAULT_OPEN_FOR
    assert decide(plain, None, NOW + DEFAULT_OPEN_FOR).signal is SignalReason.EXPIRED


def test_a_withdrawn_request_is_done() -> None:
    progress = sent(start(Reach.STRAAT, NOW), (2,), NOW).after_withdrawal()
    assert progress.outcome is Outcome.WITHDRAWN
    assert decide(progress, None, NOW).kind is DecisionKind.DONE


def test_decide_refuses_a_plan_for_another_reach_or_a_missing_plan() -> None:
    progress = start(Reach.STRAAT, NOW)
    with pytest.raises(ValueError, match="reach"):
        decide(progress, pool((2,), reach=Reach.WIJK), NOW)
    with pytest.raises(ValueError, match="needs_pool"):
        decide(progress, None, NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(progress, None, datetime(2026, 11, 25, 10, 0))  # noqa: DTZ001


def test_a_wait_is_always_for_a_moment_still_to_come() -> None:
    progress = start(Reach.STRAAT, NOW)
    # A plan that (wrongly) says "available now" does not make the request spin.
    decision = decide(progress, pool(later=NOW, wider=None), NOW)
    assert decision.kind is DecisionKind.TELL_NOBODY_YET
    assert decision.until is not None
    assert decision.until > NOW
