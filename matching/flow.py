"""What happens next with a request: a small pure state machine around the invitation batches.

A request starts at the reach the asker chose. The bot invites a batch of a few neighbours
(:func:`matching.engine.plan_invitations`); if nobody says yes within BATCH_WAIT, it invites the
next few. When nobody is left to ask at the current reach, it asks the asker whether it may look
further (a wider reach is only ever used with their consent, and only offered when it adds
someone). When nobody can be asked even at the widest reach (alone in the wijk, or everyone
asked or unavailable), the request keeps looking for its time window: the asker hears once,
kindly, that nobody can be asked right now and that the request stays visible, the wijk gets an
anonymous signal, and every LOOK_AGAIN the plan is made afresh, so neighbours who joined or
whose pace freed up are invited the normal way. When the asker prefers not to widen, the
request keeps looking the same way at the nearer reach (the asker heard so when they answered;
the wijk gets its signal once); it is not asked about widening again. A question about widening
that stays unanswered counts as that "no" (but the asker hears "nobody yet" once, as they did
not answer). When the request's time has passed, the asker is told kindly (unless they already
heard that nobody could be asked) and the wijk gets a signal (counted per category and week,
never a case file).

The shell (bot + storage) runs :func:`decide` whenever something happens to a request (it is
posted, a timer is due, someone answers), carries out the decision, records it with
:meth:`RequestProgress.after` and stores the progress. A WAIT_UNTIL decision becomes the due
time of a row that the periodic job picks up; answers that come earlier simply call
:func:`decide` again.

Timing choices:

- The next batch is due BATCH_WAIT after the previous one was sent, or at once when every
  invitee of the request has already answered "nu even niet". The wait runs on the wall clock,
  also through invitees' quiet hours: quiet hours only decide who may be *sent* an invitation
  at a given moment, and that is checked when the batch is planned. If at the due time
  everyone left is in quiet hours (or held back by their pace or a pause that ends soon), the
  plan says when the first of them can be asked and the decision is to wait until then.
- Messages to the asker (ASK_WIDEN, SIGNAL_UNANSWERED) are the shell's to deliver outside the
  asker's own quiet hours (:func:`matching.quiet_hours.quiet_ends_at`); it should record the
  question as asked when it is delivered.
- A question about widening that stays unanswered for WIDEN_ANSWER_WAIT counts as "no":
  silence is never taken as consent, nor as a reason to stop looking close by. The question
  stays open to a late answer (a late yes is still a yes).
- A request without a time of its own stays open for DEFAULT_OPEN_FOR.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from matching.engine import InvitationPlan
from matching.reach import Reach

BATCH_WAIT: Final = timedelta(hours=3)
WIDEN_ANSWER_WAIT: Final = timedelta(hours=24)
DEFAULT_OPEN_FOR: Final = timedelta(days=7)
# How often a request nobody can be asked for looks again (new neighbours, freed-up paces).
LOOK_AGAIN: Final = timedelta(hours=3)


class Outcome(StrEnum):
    """How a request ended."""

    MATCHED = "matched"  # the asker accepted a neighbour who said yes
    SIGNALLED = "signalled"  # nobody could be found: asker told kindly, buurtwerkers signalled
    WITHDRAWN = "withdrawn"  # the asker closed it


class DecisionKind(StrEnum):
    INVITE_BATCH = "invite_batch"  # send `invite` one invitation each, now
    WAIT_UNTIL = "wait_until"  # nothing to do before `until` (or before someone answers)
    AWAIT_ASKER = "await_asker"  # a neighbour said yes; the asker chooses, there is no timer
    ASK_WIDEN = "ask_widen"  # ask the asker whether the request may go to `next_reach`
    SIGNAL_UNANSWERED = "signal_unanswered"  # tell the asker kindly, record a wijk signal
    # Nobody can be asked now: tell the asker once, record `signal`, keep looking until `until`.
    TELL_NOBODY_YET = "tell_nobody_yet"
    # The request's time passed after the asker heard "nobody yet": end, no new message/signal.
    END_QUIETLY = "end_quietly"
    DONE = "done"  # the request has ended; nothing more will happen


class SignalReason(StrEnum):
    """Why a request went unanswered, for the buurtwerkers' aggregated figures."""

    NOBODY_LEFT = "nobody_left"  # everyone within the widest reach was asked or unavailable
    WIDEN_DECLINED = "widen_declined"  # the asker preferred to keep it close by
    WIDEN_UNANSWERED = "widen_unanswered"  # the asker did not answer, so it stayed close by
    EXPIRED = "expired"  # the time the request was for has passed


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do now for a request. Only the fields of its kind are set."""

    kind: DecisionKind
    invite: tuple[int, ...] = ()
    until: datetime | None = None
    next_reach: Reach | None = None
    signal: SignalReason | None = None


DONE: Final = Decision(DecisionKind.DONE)
AWAIT_ASKER: Final = Decision(DecisionKind.AWAIT_ASKER)
END_QUIETLY: Final = Decision(DecisionKind.END_QUIETLY)


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestProgress:
    """Where a request stands; the shell stores it (a few columns on the request's row).

    `awaiting_replies` is the number of this request's invitations not answered yet (not a
    count of anyone's "no"s); `yes_pending` the neighbours who said yes while the asker has not
    chosen yet. `widened` lists the reaches the asker agreed to, in order: the record of consent.
    """

    reach: Reach
    started_at: datetime
    expires_at: datetime | None = None
    batches_sent: int = 0
    last_batch_at: datetime | None = None
    awaiting_replies: int = 0
    yes_pending: int = 0
    widen_asked_for: Reach | None = None
    widen_asked_at: datetime | None = None
    widen_declined: bool = False
    widened: tuple[Reach, ...] = ()
    nobody_told_at: datetime | None = None
    outcome: Outcome | None = None

    @property
    def widen_unanswered(self) -> bool:
        """The asker left the question about widening unanswered (it counts as "no")."""
        return self.widen_declined and self.widen_asked_for is not None

    def silence_counted(self, now: datetime) -> RequestProgress:
        """The progress with an unanswered question about widening counted as "no" once
        WIDEN_ANSWER_WAIT has passed; `widen_asked_for` stays, so a late yes still widens."""
        if self.widen_asked_at is None or now < self.widen_asked_at + WIDEN_ANSWER_WAIT:
            return self
        return replace(self, widen_asked_at=None, widen_declined=True)

    @property
    def deadline(self) -> datetime:
        """When the request stops looking for someone."""
        return self.expires_at or self.started_at + DEFAULT_OPEN_FOR

    def after(self, decision: Decision, now: datetime) -> RequestProgress:
        """The progress once `decision` has been carried out at `now`."""
        base = self.silence_counted(now)
        if decision.kind is DecisionKind.INVITE_BATCH:
            return replace(
                base,
                batches_sent=base.batches_sent + 1,
                last_batch_at=now,
                awaiting_replies=base.awaiting_replies + len(decision.invite),
            )
        if decision.kind is DecisionKind.ASK_WIDEN:
            return replace(base, widen_asked_for=decision.next_reach, widen_asked_at=now)
        if decision.kind is DecisionKind.TELL_NOBODY_YET:
            return replace(base, nobody_told_at=now)
        if decision.kind in (DecisionKind.SIGNAL_UNANSWERED, DecisionKind.END_QUIETLY):
            return replace(base, outcome=Outcome.SIGNALLED)
        return base

    def after_reply(self, *, yes: bool) -> RequestProgress:
        """An invitee answered ("ik help graag" or "nu even niet")."""
        return replace(
            self,
            awaiting_replies=max(self.awaiting_replies - 1, 0),
            yes_pending=self.yes_pending + 1 if yes else self.yes_pending,
        )

    def after_asker_choice(self, *, accepted: bool) -> RequestProgress:
        """The asker accepted (matched) or let go of a neighbour who said yes."""
        if self.yes_pending <= 0:
            raise ValueError("nobody said yes, so there is nothing for the asker to choose")
        if accepted:
            return replace(self, yes_pending=self.yes_pending - 1, outcome=Outcome.MATCHED)
        return replace(self, yes_pending=self.yes_pending - 1)

    def after_widen_answer(self, *, accepted: bool) -> RequestProgress:
        """The asker answered the question whether the request may travel further."""
        if self.widen_asked_for is None:
            raise ValueError("the asker was not asked about widening")
        if accepted:
            return replace(
                self,
                reach=self.widen_asked_for,
                widened=(*self.widened, self.widen_asked_for),
                widen_asked_for=None,
                widen_asked_at=None,
                widen_declined=False,  # a late yes after silence: it may be asked again
            )
        return replace(self, widen_asked_for=None, widen_asked_at=None, widen_declined=True)

    def after_withdrawal(self) -> RequestProgress:
        """The asker closed the request."""
        return replace(self, outcome=self.outcome or Outcome.WITHDRAWN)


def start(reach: Reach, now: datetime, expires_at: datetime | None = None) -> RequestProgress:
    """The progress of a request just posted."""
    return RequestProgress(reach=reach, started_at=now, expires_at=expires_at)


def _signal(reason: SignalReason) -> Decision:
    return Decision(DecisionKind.SIGNAL_UNANSWERED, signal=reason)


def _wait(until: datetime) -> Decision:
    return Decision(DecisionKind.WAIT_UNTIL, until=until)


def _decide_without_pool(progress: RequestProgress, now: datetime) -> Decision | None:
    if progress.outcome is not None:
        return DONE
    if progress.yes_pending > 0:
        # A yes is worth more than any deadline: the asker decides, even late.
        return AWAIT_ASKER
    deadline = progress.deadline
    if now >= deadline:
        if progress.nobody_told_at is not None:
            return END_QUIETLY  # they heard once already; the wijk has its signal
        return _signal(SignalReason.EXPIRED)
    if progress.widen_asked_at is not None:
        # Not answered yet (silence_counted turned a longer silence into "no").
        return _wait(min(progress.widen_asked_at + WIDEN_ANSWER_WAIT, deadline))
    if progress.last_batch_at is not None and progress.awaiting_replies > 0:
        due = progress.last_batch_at + BATCH_WAIT
        if now < due:
            return _wait(min(due, deadline))
    return None


def needs_pool(progress: RequestProgress, now: datetime) -> bool:
    """Whether :func:`decide` needs an invitation plan at `now` (if not, pass None: no query)."""
    return _decide_without_pool(progress.silence_counted(now), now) is None


def decide(progress: RequestProgress, pool: InvitationPlan | None, now: datetime) -> Decision:
    """What to do now for a request.

    `pool` is :func:`matching.engine.plan_invitations` for the request at `progress.reach` and
    `now`; it may be None when :func:`needs_pool` says it is not needed.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    progress = progress.silence_counted(now)
    early = _decide_without_pool(progress, now)
    if early is not None:
        return early
    if pool is None:
        raise ValueError("an invitation plan is needed now (see needs_pool)")
    if pool.reach != progress.reach:
        raise ValueError(f"plan is for reach {pool.reach}, the request is at {progress.reach}")
    if pool.invite:
        return Decision(DecisionKind.INVITE_BATCH, invite=pool.invite)
    later = pool.next_available_at
    if later is not None and now < later < progress.deadline:
        return _wait(later)
    if pool.wider_reach is not None and not progress.widen_declined:
        return Decision(DecisionKind.ASK_WIDEN, next_reach=pool.wider_reach)
    # Nobody can be asked now, at the widest reach or at the nearer one the asker preferred:
    # keep looking there for the request's time.
    look_again = min(now + LOOK_AGAIN, progress.deadline)
    if progress.nobody_told_at is None:
        if progress.widen_unanswered:
            reason = SignalReason.WIDEN_UNANSWERED
        elif progress.widen_declined:
            reason = SignalReason.WIDEN_DECLINED
        else:
            reason = SignalReason.NOBODY_LEFT
        return Decision(DecisionKind.TELL_NOBODY_YET, until=look_again, signal=reason)
    return _wait(look_again)


def next_due(after: RequestProgress, decision: Decision, now: datetime) -> datetime | None:
    """When the shell should call :func:`decide` again, once `decision` was carried out and
    recorded as `after`; None when only an answer can move the request on (or it has ended)."""
    if after.outcome is not None:
        return None
    if decision.kind in (DecisionKind.WAIT_UNTIL, DecisionKind.TELL_NOBODY_YET):
        return decision.until
    if needs_pool(after, now):
        return now
    following = decide(after, None, now)
    if following.kind is DecisionKind.WAIT_UNTIL:
        return following.until
    if following.kind in (DecisionKind.AWAIT_ASKER, DecisionKind.DONE):
        return None
    return now  # a signal is due at once (the request's time has passed)


# "Is het gelukt?" comes a little after the time the request was for, so it does not arrive
# while the two are still busy; a request without a time of its own gets a few days.
FOLLOW_UP_AFTER: Final = timedelta(hours=2)
FOLLOW_UP_WITHOUT_TIME: Final = timedelta(days=3)


def follow_up_at(needed_by: datetime | None, accepted_at: datetime) -> datetime:
    """When to ask both whether it worked out, for a match accepted at `accepted_at`."""
    if needed_by is None:
        return accepted_at + FOLLOW_UP_WITHOUT_TIME
    return max(needed_by, accepted_at) + FOLLOW_UP_AFTER
