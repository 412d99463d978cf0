"""Looking for helpers for a request: the shell around matching.flow (gather, decide, apply).

A request's flow row carries a due time. Whenever it is due (just placed, a batch waited long
enough, an answer came in) `advance` gathers the candidates, lets matching.flow decide, and
applies the decision in the same unit of work: invitation rows plus their messages in the
outbox, a question to the asker, or a signal. `step_now` does this for one request inside the
unit that changed it (an answer, a choice); the repeating job runs `step_due` once per due flow,
each in its own unit, so a restart loses nothing; rows are claimed, so nothing happens twice.

Lock order, on PostgreSQL: a request's flow, then its post, then any of its invitations. Every
unit that answers something about a request and then lets it step locks the two first
(`lock_request`), so two units can never wait for each other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from sqlmodel import Session

from bot import callbacks
from bot.i18n import Html, t
from bot.post_views import distance_text, first_name, post_summary, proxy_note
from bot.services import buttons
from bot.services.delivery import reachable
from bot.services.markup import Button, Keyboard, keyboard
from bot.services.unit import Unit
from matching.distance import rough_distance
from matching.engine import Candidate, InvitationPlan, RequestInfo
from matching.flow import BATCH_WAIT, DecisionKind, SignalReason, decide, needs_pool, next_due
from matching.pace import INVITATION_HISTORY
from matching.reach import REACH_ORDER, Reach
from storage import asks, buurtwerk, candidates, nudges, outbox, repo
from storage import matchmaking as store
from storage.models import (
    Invitation,
    OutboxStatus,
    Post,
    PostStatus,
    RequestFlow,
    Resident,
    RoleKind,
)

log = logging.getLogger(__name__)

RETRY_FAILED_STEP: Final = timedelta(minutes=10)

REACH_NAMES: Final = {
    Reach.STRAAT: "reach.straat",
    Reach.BUURT: "reach.buurt",
    Reach.WIJK: "reach.wijk",
}


def invitation_key(invitation_id: int) -> str:
    """The outbox key of an invitation's message, to find it again later."""
    return f"invite:{invitation_id}"


def lock_request(session: Session, post_id: int) -> None:
    """Lock a request's flow and post, in that order, before answering anything about it."""
    store.lock_flow(session, post_id)
    session.get(Post, post_id, with_for_update=True)


def step_now(unit: Unit, post_id: int) -> None:
    """Let a request's flow decide now, if it is due (placed just now, or an answer came in)."""
    flow = store.lock_flow(unit.session, post_id)
    if flow is not None and flow.due_at is not None and flow.due_at <= unit.now:
        advance(unit, flow)


def step_due(unit: Unit) -> int | None:
    """One due flow (of the repeating job) takes its next step; the request's id, or None when
    none was due. One request's trouble must not hold up everyone else's: a failing step is
    undone, logged, and that request looked at again later instead of first in line."""
    flow = store.claim_due_flow(unit.session, now=unit.now)
    if flow is None:
        return None
    post_id = flow.post_id
    queued = len(unit.queued)
    try:
        with unit.session.begin_nested():
            advance(unit, flow)
    except Exception:
        log.exception("matching step for request %s failed", post_id)
        del unit.queued[queued:]
        store.postpone_flow(unit.session, post_id=post_id, until=unit.now + RETRY_FAILED_STEP)
    return post_id


def advance(unit: Unit, flow: RequestFlow) -> None:
    """Decide and apply the next step of one request's flow (its row locked by the caller)."""
    session, now = unit.session, unit.now
    post_id = flow.post_id
    # Locked too, so a yes claiming it meanwhile waits for this step (or this step for it).
    post = session.get(Post, post_id, with_for_update=True)
    if post is None or flow.outcome is not None:
        return
    progress = store.progress_of(session, flow, post)
    asker = session.get(Resident, post.resident_id)
    if post.status not in (PostStatus.OPEN.value, PostStatus.MATCHED.value) or (
        asker is None or asker.stopped
    ):
        # Withdrawn, done, hidden, or the asker left: stop looking, and take away the
        # unanswered invitations (those still waiting in the outbox are not sent).
        closed = store.supersede_open_invitations(session, post_id=post_id, now=now)
        drop_unsent_invitations(session, closed)
        store.store_progress(
            session, flow=flow, post=post, progress=progress.after_withdrawal(), due_at=None
        )
        return
    if not reachable(asker, now):
        # The asker paused: nobody is invited for them meanwhile, since they could not hear
        # back. Look again when the pause ends, or after a batch wait for an open-ended one.
        until = asker.paused_until
        store.store_progress(
            session,
            flow=flow,
            post=post,
            progress=progress,
            due_at=until if until is not None and until > now else now + BATCH_WAIT,
        )
        return
    pool = None
    if needs_pool(progress, now):
        pool = _plan(session, post, progress.reach, progress.reach, unit)
        if not pool.invite:
            # Nobody to ask now at this reach: only then is it worth reading the wider
            # circles, to know whether asking the asker to widen would add anyone.
            pool = _plan(session, post, REACH_ORDER[-1], progress.reach, unit)
    decision = decide(progress, pool, now)
    if decision.kind is DecisionKind.INVITE_BATCH:
        invited = _invite(unit, post, asker, decision.invite)
        if not invited:
            # Each was just asked about something else (another transaction got there first):
            # plan again at the next run, nothing changed.
            store.store_progress(session, flow=flow, post=post, progress=progress, due_at=now)
            return
        decision = replace(decision, invite=invited)
    elif decision.kind is DecisionKind.ASK_WIDEN:
        assert decision.next_reach is not None
        _ask_to_widen(
            unit, post, asker, decision.next_reach, asked_before=progress.batches_sent > 0
        )
    elif decision.kind is DecisionKind.SIGNAL_UNANSWERED:
        assert decision.signal is not None
        store.add_signal(session, post=post, reason=decision.signal.value, now=now)
        _tell_asker(unit, post, asker, "unanswered.text")
    elif decision.kind is DecisionKind.TELL_NOBODY_YET:
        # Nobody can be asked right now: the request keeps looking, the asker hears it once,
        # and the wijk gets its anonymous signal.
        assert decision.signal is not None
        store.add_signal(session, post=post, reason=decision.signal.value, now=now)
        if decision.signal is not SignalReason.WIDEN_DECLINED:
            # (An asker who kept it close by heard this already when they answered.)
            _tell_asker(unit, post, asker, "nobody_yet.text")
    after = progress.after(decision, now)
    store.store_progress(
        session, flow=flow, post=post, progress=after, due_at=next_due(after, decision, now)
    )
    log.info("request %s: %s", post_id, decision.kind.value)


def _plan(
    session: Session, post: Post, read_reach: Reach, reach: Reach, unit: Unit
) -> InvitationPlan:
    """Who to invite at `reach`, from the residents within `read_reach` (wider or the same)."""
    # A resident suspended from the wijk is not invited while the suspension holds, and a
    # digest counts as one ask against the pace: both only make someone less eligible.
    left_out = buurtwerk.suspended_resident_ids(session, now=unit.now)
    # /namens: a helper who agreed with this neighbour to arrange things themselves is not
    # asked again through the proxy (the proxy was told so when they asked, proxy._begin).
    if post.proxy_for:
        left_out |= set(
            store.stepped_back_helpers(
                session, proxy_id=post.resident_id, proxy_for=post.proxy_for
            )
        )

    def adjust(found: list[Candidate]) -> list[Candidate]:
        if left_out:
            found = [candidate for candidate in found if candidate.resident_id not in left_out]
        return with_digests(session, found, unit.now)

    return candidates.plan_for(
        session,
        request=_request_info(post),
        now=unit.now,
        reach=reach,
        read_reach=read_reach,
        adjust=adjust,
    )


def with_digests(session: Session, found: list[Candidate], now: datetime) -> list[Candidate]:
    """A digest counts as one ask against the pace, like an invitation: the candidates' recent
    asks include their digests (storage.nudges), so the engine's pace cap sees them."""
    digests = nudges.digests_since(
        session, (c.resident_id for c in found), now - INVITATION_HISTORY
    )
    if not digests:
        return found
    return [
        replace(
            c,
            invitations_received=tuple(sorted((*c.invitations_received, *digests[c.resident_id]))),
        )
        if c.resident_id in digests
        else c
        for c in found
    ]


def _request_info(post: Post) -> RequestInfo:
    assert post.id is not None
    return RequestInfo(
        post_id=post.id,
        asker_id=post.resident_id,
        wijk_id=post.wijk_id,
        area_cell=post.area_cell,
        category=post.category,
        text=post.text,
        reach=Reach(post.reach),
        needed_by=post.window_end,
    )


def _invite(unit: Unit, post: Post, asker: Resident, invitees: tuple[int, ...]) -> tuple[int, ...]:
    """Invite those whose pace still allows it, counted again under a lock (storage.asks);
    returns who was invited, in the plan's order."""
    assert post.id is not None
    allowed = asks.claim_asks(unit.session, invitees, now=unit.now)
    invited: list[int] = []
    for resident_id in invitees:
        invitee = unit.session.get(Resident, resident_id)
        if invitee is None or resident_id not in allowed:
            continue
        invited.append(resident_id)
        invitation = store.add_invitation(
            unit.session, post_id=post.id, resident_id=resident_id, now=unit.now
        )
        assert invitation.id is not None
        message = invitation_message(unit, post, asker, invitee, invitation.id)
        unit.enqueue(
            to=invitee,
            text=message.text,
            keyboard=message.keyboard,
            key=invitation_key(invitation.id),
            about=f"inv:{invitation.id}",
            counterpart_id=asker.id,
        )
    return tuple(invited)


@dataclass(frozen=True)
class Message:
    text: str
    keyboard: Keyboard | None = None


def invitation_message(
    unit: Unit, post: Post, asker: Resident, invitee: Resident, invitation_id: int
) -> Message:
    """One friendly message: what, roughly where and when, the asker's first name only."""
    assert post.id is not None
    language = invitee.language
    zone = unit.settings.tz
    name = first_name(language, asker.first_name)
    distance = distance_text(language, rough_distance(invitee.area_cell, post.area_cell))
    who = (
        name
        if distance is None
        else Html(t(language, "invite.who_where", name=name, distance=distance))
    )
    text = t(
        language,
        "invite.text",
        summary=post_summary(language, post, now=unit.now.astimezone(zone), zone=zone),
        who=who,
    )
    text += proxy_note(language, name, post.proxy_for)  # /namens: for whom
    return Message(text, invitation_keyboard(language, invitation_id, post.id))


def invitation_keyboard(language: str, invitation_id: int, post_id: int) -> Keyboard:
    return keyboard(
        [
            Button(t(language, "invite.button.yes"), callbacks.INVITE_YES(invitation_id)),
            Button(t(language, "invite.button.not_now"), callbacks.INVITE_NOT_NOW(invitation_id)),
        ],
        [buttons.block_post_author(language, post_id)],
    )


def _ask_to_widen(
    unit: Unit, post: Post, asker: Resident, reach: Reach, *, asked_before: bool
) -> None:
    assert post.id is not None
    language = asker.language
    text = t(
        language,
        # Honest either way: nobody nearby said yes, or there was nobody nearby to ask.
        "widen.question" if asked_before else "widen.question_nobody_near",
        text=post.text,
        reach=Html(t(language, REACH_NAMES[reach])),
    )
    unit.enqueue(
        to=asker,
        text=text,
        keyboard=keyboard(
            [Button(t(language, "widen.button.yes"), callbacks.WIDEN_YES(post.id))],
            [Button(t(language, "widen.button.no"), callbacks.WIDEN_NO(post.id))],
        ),
        about=f"post:{post.id}",
    )


def _tell_asker(unit: Unit, post: Post, asker: Resident, message_id: str) -> None:
    """A kind word to the asker about their request; the buurtwerkers are mentioned only
    where the wijk has one (a promise nobody keeps is worse than none)."""
    if repo.wijk_has_role(unit.session, wijk_id=post.wijk_id, kind=RoleKind.BUURTWERKER):
        message_id = f"{message_id}_buurtwerker"
    unit.enqueue(to=asker, text=t(asker.language, message_id, text=post.text))


def drop_unsent_invitations(session: Session, invitations: tuple[Invitation, ...]) -> None:
    """Invitation messages still waiting in the outbox (quiet hours) are not sent any more."""
    for invitation in invitations:
        assert invitation.id is not None
        message = outbox.by_key(session, invitation_key(invitation.id))
        if message is not None and message.status == OutboxStatus.PENDING.value:
            outbox.drop(session, message=message, reason="the invitation closed")


@dataclass(frozen=True)
class SentMessage:
    """A message someone already received, to edit after commit (a Telegram call)."""

    chat_id: int
    message_id: int
    text: str
    language: str


def sent_invitations(
    session: Session, invitations: tuple[Invitation, ...]
) -> tuple[SentMessage, ...]:
    """The invitation messages that reached their invitee, to take their buttons off ("al
    geregeld, dank je"). Unsent ones are dropped where they close (drop_unsent_invitations)."""
    found = []
    for invitation in invitations:
        assert invitation.id is not None
        message = outbox.by_key(session, invitation_key(invitation.id))
        if (
            message is not None
            and message.status == OutboxStatus.SENT.value
            and message.message_id is not None
        ):
            invitee = session.get(Resident, invitation.resident_id)
            language = invitee.language if invitee is not None else "nl"
            found.append(SentMessage(message.chat_id, message.message_id, message.text, language))
    return tuple(found)
