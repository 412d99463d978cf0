"""Looking for helpers for a request: the shell around matching.flow (gather, decide, apply).

A request's flow row carries a due time. Whenever it is due (just placed, a batch waited long
enough, an answer came in) `advance` gathers the candidates, lets matching.flow decide, and
applies the decision in the same transaction: invitation rows plus their messages in the
outbox, a question to the asker, or a signal. The repeating job `run_due_steps` does this for
every due flow, so a restart loses nothing; rows are claimed, so nothing happens twice.
Messages are written to the outbox and delivered right after the transaction commits.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.context import BotContext, Services
from bot.i18n import Html, t
from bot.keyboards import block_post_author_button
from bot.notify import reachable, send_due_messages
from bot.post_views import distance_text, first_name, post_summary
from matching.distance import rough_distance
from matching.engine import InvitationPlan, RequestInfo, plan_invitations
from matching.flow import BATCH_WAIT, DecisionKind, decide, needs_pool, next_due
from matching.reach import REACH_ORDER, Reach
from storage import candidates, outbox
from storage import matchmaking as store
from storage.db import session_scope
from storage.models import (
    Invitation,
    OutboxStatus,
    Post,
    PostStatus,
    RequestFlow,
    Resident,
)

log = logging.getLogger(__name__)

STEPS_EVERY: Final = timedelta(seconds=30)
# Per run of the job; the rest waits for the next run, so one run never takes long.
MAX_STEPS_PER_RUN: Final = 50
RETRY_FAILED_STEP: Final = timedelta(minutes=10)

INVITE_PREFIX: Final = "inv:"  # inv:y:<invitation id> (ik help graag) / inv:n:<id> (nu even niet)
WIDEN_PREFIX: Final = "wid:"  # wid:y:<post id> / wid:n:<post id>

REACH_NAMES: Final = {
    Reach.STRAAT: "reach.straat",
    Reach.BUURT: "reach.buurt",
    Reach.WIJK: "reach.wijk",
}


def invitation_key(invitation_id: int) -> str:
    """The outbox key of an invitation's message, to find it again later."""
    return f"invite:{invitation_id}"


async def start_looking(context: BotContext, post: Post) -> None:
    """A request was just placed (its flow row exists): invite the first neighbours now."""
    assert post.id is not None
    await advance_now(context, post.id)


async def advance_now(context: BotContext, post_id: int) -> None:
    """Let a request's flow decide now, if it is due, and deliver what that queued."""
    services = context.services
    now = services.clock()
    with session_scope(services.engine) as session:
        flow = store.lock_flow(session, post_id)
        if flow is not None and flow.due_at is not None and flow.due_at <= now:
            advance(services, session, flow, now)
    await send_due_messages(context)


async def run_due_steps(context: BotContext) -> None:
    """The repeating job: every due request flow takes its next step, then messages go out."""
    services = context.services
    now = services.clock()
    for _ in range(MAX_STEPS_PER_RUN):
        post_id = None
        try:
            with session_scope(services.engine) as session:
                flow = store.claim_due_flow(session, now=now)
                if flow is None:
                    break
                post_id = flow.post_id
                advance(services, session, flow, now)
        except Exception:
            # One request's trouble must not hold up everyone else's: log it, and look at
            # that request again later instead of first in line on every run.
            log.exception("matching step for request %s failed", post_id)
            if post_id is None:
                break
            with session_scope(services.engine) as session:
                store.postpone_flow(session, post_id=post_id, until=now + RETRY_FAILED_STEP)
    await send_due_messages(context)


def advance(services: Services, session: Session, flow: RequestFlow, now: datetime) -> None:
    """Decide and apply the next step of one request's flow (its row locked by the caller)."""
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
        pool = _plan(session, post, progress.reach, progress.reach, now)
        if not pool.invite:
            # Nobody to ask now at this reach: only then is it worth reading the wider
            # circles, to know whether asking the asker to widen would add anyone.
            pool = _plan(session, post, REACH_ORDER[-1], progress.reach, now)
    decision = decide(progress, pool, now)
    if decision.kind is DecisionKind.INVITE_BATCH:
        _invite(services, session, post, decision.invite, now)
    elif decision.kind is DecisionKind.ASK_WIDEN:
        assert decision.next_reach is not None
        _ask_to_widen(
            session, post, decision.next_reach, now, asked_before=progress.batches_sent > 0
        )
    elif decision.kind is DecisionKind.SIGNAL_UNANSWERED:
        assert decision.signal is not None
        store.add_signal(session, post=post, reason=decision.signal.value, now=now)
        _tell_nobody_found(session, post, now)
    after = progress.after(decision, now)
    store.store_progress(
        session, flow=flow, post=post, progress=after, due_at=next_due(after, decision, now)
    )
    log.info("request %s: %s", post_id, decision.kind.value)


def _plan(
    session: Session, post: Post, read_reach: Reach, reach: Reach, now: datetime
) -> InvitationPlan:
    """Who to invite at `reach`, from the residents within `read_reach` (wider or the same)."""
    request = _request_info(post)
    found = candidates.candidates_for(session, request=request, reach=read_reach, now=now)
    return plan_invitations(
        request,
        found,
        candidates.blocked_pairs_for(session, post.resident_id),
        candidates.already_invited(session, request.post_id),
        now,
        reach=reach,
    )


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


def _invite(
    services: Services, session: Session, post: Post, invitees: tuple[int, ...], now: datetime
) -> None:
    asker = session.get(Resident, post.resident_id)
    assert post.id is not None
    assert asker is not None
    for resident_id in invitees:
        invitee = session.get(Resident, resident_id)
        if invitee is None:
            continue
        invitation = store.add_invitation(
            session, post_id=post.id, resident_id=resident_id, now=now
        )
        assert invitation.id is not None
        language = invitee.language
        markup = invitation_keyboard(language, invitation.id, post.id)
        outbox.enqueue(
            session,
            chat_id=invitee.telegram_user_id,
            text=invitation_text(services, language, post, asker, invitee, now),
            reply_markup=markup.to_dict(),
            due_at=now,
            key=invitation_key(invitation.id),
        )


def invitation_text(
    services: Services,
    language: str,
    post: Post,
    asker: Resident,
    invitee: Resident,
    now: datetime,
) -> str:
    """One friendly message: what, roughly where and when, the asker's first name only."""
    zone = services.settings.tz
    name = first_name(language, asker.first_name)
    distance = distance_text(language, rough_distance(invitee.area_cell, post.area_cell))
    who = (
        name
        if distance is None
        else Html(t(language, "invite.who_where", name=name, distance=distance))
    )
    return t(
        language,
        "invite.text",
        summary=post_summary(language, post, now=now.astimezone(zone), zone=zone),
        who=who,
    )


def invitation_keyboard(language: str, invitation_id: int, post_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "invite.button.yes"),
                    callback_data=f"{INVITE_PREFIX}y:{invitation_id}",
                ),
                InlineKeyboardButton(
                    t(language, "invite.button.not_now"),
                    callback_data=f"{INVITE_PREFIX}n:{invitation_id}",
                ),
            ],
            [block_post_author_button(language, post_id)],
        ]
    )


def _ask_to_widen(
    session: Session, post: Post, reach: Reach, now: datetime, *, asked_before: bool
) -> None:
    asker = session.get(Resident, post.resident_id)
    if asker is None:
        return
    language = asker.language
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "widen.button.yes"), callback_data=f"{WIDEN_PREFIX}y:{post.id}"
                )
            ],
            [
                InlineKeyboardButton(
                    t(language, "widen.button.no"), callback_data=f"{WIDEN_PREFIX}n:{post.id}"
                )
            ],
        ]
    )
    text = t(
        language,
        # Honest either way: nobody nearby said yes, or there was nobody nearby to ask.
        "widen.question" if asked_before else "widen.question_nobody_near",
        text=post.text,
        reach=Html(t(language, REACH_NAMES[reach])),
    )
    outbox.enqueue(
        session,
        chat_id=asker.telegram_user_id,
        text=text,
        reply_markup=markup.to_dict(),
        due_at=now,
    )


def _tell_nobody_found(session: Session, post: Post, now: datetime) -> None:
    asker = session.get(Resident, post.resident_id)
    if asker is None:
        return
    outbox.enqueue(
        session,
        chat_id=asker.telegram_user_id,
        text=t(asker.language, "unanswered.text", text=post.text),
        reply_markup=None,
        due_at=now,
    )


def drop_unsent_invitations(session: Session, invitations: tuple[Invitation, ...]) -> None:
    """Invitation messages still waiting in the outbox (quiet hours) are not sent any more."""
    for invitation in invitations:
        assert invitation.id is not None
        message = outbox.by_key(session, invitation_key(invitation.id))
        if message is not None and message.status == OutboxStatus.PENDING.value:
            outbox.drop(session, message=message, reason="the invitation closed")


async def close_invitations(
    context: BotContext, invitations: tuple[Invitation, ...], note_key: str
) -> None:
    """Take the buttons off sent invitations that can no longer be answered, adding a short
    note ("al geregeld, dank je"). Unsent ones were dropped already (drop_unsent_invitations,
    in the transaction that closed them)."""
    services = context.services
    edits: list[tuple[int, int, str, str]] = []
    with session_scope(services.engine) as session:
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
                edits.append((message.chat_id, message.message_id, message.text, language))
    for chat_id, message_id, text, language in edits:
        try:
            await context.bot.edit_message_text(
                f"{text}\n\n{t(language, note_key)}", chat_id=chat_id, message_id=message_id
            )
        except TelegramError as error:
            # Deleted by the person, or too old to edit: the button press is re-checked anyway.
            log.info("could not close invitation message %s: %s", message_id, error)
