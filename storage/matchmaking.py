"""The rows behind inviting neighbours for a request: the flow's due times, invitations, matches.

Every state change that two people (or two bot processes) could race for is one conditional
UPDATE whose WHERE clause states what must still be true, so exactly one of them wins:

- the first "ik help graag" claims the request (Post.status open -> matched);
- the asker's choice, ending a relay and sending a follow-up each move a Match from one status
  (or due time) to the next only if it is still there.

Due rows (the next step of a request, a follow-up) are claimed with FOR UPDATE SKIP LOCKED on
PostgreSQL, and changed in the same transaction, so a step never runs twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matching.flow import Outcome, RequestProgress
from matching.reach import Reach
from storage.candidates import mark_invited
from storage.models import (
    Invitation,
    InvitationStatus,
    Match,
    MatchStatus,
    Post,
    PostKind,
    PostStatus,
    ProxyStepBack,
    RequestFlow,
    Resident,
    Signal,
)
from storage.residents import is_blocked_either_way

# --- the flow of one request --------------------------------------------------------------


def start_flow(session: Session, *, post: Post, now: datetime) -> RequestFlow:
    """Start looking for helpers for a request just placed: its first step is due at once."""
    if post.id is None or post.kind != PostKind.REQUEST.value:
        raise ValueError("only a placed request gets a flow")
    if post.area_cell is None:
        # Without a known area, rings around it mean nothing: the whole wijk is "nearby".
        post.reach = Reach.WIJK.value
        session.add(post)
    flow = RequestFlow(
        post_id=post.id, started_at=now, expires_at=post.window_end, due_at=now, widened=[]
    )
    session.add(flow)
    session.flush()
    return flow


def lock_flow(session: Session, post_id: int) -> RequestFlow | None:
    """A request's flow, locked for this transaction where the database can."""
    return session.exec(
        select(RequestFlow).where(RequestFlow.post_id == post_id).with_for_update()
    ).first()


def claim_due_flow(session: Session, *, now: datetime) -> RequestFlow | None:
    """One flow whose next step is due, locked; another process skips it meanwhile."""
    return session.exec(
        select(RequestFlow)
        .where(
            col(RequestFlow.due_at) <= now,
            col(RequestFlow.outcome).is_(None),
        )
        .order_by(col(RequestFlow.due_at), col(RequestFlow.post_id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def progress_of(session: Session, flow: RequestFlow, post: Post) -> RequestProgress:
    """The flow as matching.flow sees it; the counts come from the invitation and match rows."""
    awaiting = session.exec(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.post_id == flow.post_id,
            Invitation.status == InvitationStatus.SENT.value,
        )
    ).one()
    yes_pending = session.exec(
        select(func.count())
        .select_from(Match)
        .where(Match.post_id == flow.post_id, Match.status == MatchStatus.PROPOSED.value)
    ).one()
    return RequestProgress(
        reach=Reach(post.reach),
        started_at=flow.started_at,
        expires_at=flow.expires_at,
        batches_sent=flow.batches_sent,
        last_batch_at=flow.last_batch_at,
        awaiting_replies=awaiting,
        yes_pending=yes_pending,
        widen_asked_for=None if flow.widen_asked_for is None else Reach(flow.widen_asked_for),
        widen_asked_at=flow.widen_asked_at,
        widen_declined=flow.widen_declined,
        widened=tuple(Reach(reach) for reach in flow.widened),
        nobody_told_at=flow.nobody_told_at,
        outcome=None if flow.outcome is None else Outcome(flow.outcome),
    )


def store_progress(
    session: Session,
    *,
    flow: RequestFlow,
    post: Post,
    progress: RequestProgress,
    due_at: datetime | None,
) -> None:
    flow.batches_sent = progress.batches_sent
    flow.last_batch_at = progress.last_batch_at
    flow.widen_asked_for = None if progress.widen_asked_for is None else progress.widen_asked_for
    flow.widen_asked_at = progress.widen_asked_at
    flow.widen_declined = progress.widen_declined
    flow.widened = [reach.value for reach in progress.widened]
    flow.nobody_told_at = progress.nobody_told_at
    flow.outcome = None if progress.outcome is None else progress.outcome.value
    flow.due_at = None if progress.outcome is not None else due_at
    post.reach = progress.reach.value
    session.add(flow)
    session.add(post)


def postpone_flow(session: Session, *, post_id: int, until: datetime) -> None:
    session.execute(
        update(RequestFlow).where(col(RequestFlow.post_id) == post_id).values(due_at=until)
    )


def look_again(session: Session, *, post_id: int, now: datetime) -> None:
    """Something happened to a request (an answer, a choice): let its flow decide again now."""
    session.execute(
        update(RequestFlow)
        .where(col(RequestFlow.post_id) == post_id, col(RequestFlow.outcome).is_(None))
        .values(due_at=now)
    )


def add_signal(session: Session, *, post: Post, reason: str, now: datetime) -> Signal:
    """Count an unanswered request for the wijk's buurtwerkers: wijk, category, reason, time."""
    signal = Signal(
        wijk_id=post.wijk_id,
        category=post.category,
        reason=reason,
        created_at=now,
        reach=post.reach,
        # The request itself only with the asker's consent to be contacted by a buurtwerker.
        post_id=post.id if post.contact_ok else None,
    )
    session.add(signal)
    return signal


def answer_widen(
    session: Session, *, post_id: int, asker_id: int, accepted: bool, now: datetime
) -> bool:
    """The asker's answer to "may I ask neighbours further away?"; False when there is no such
    open question (answered already, or not theirs). Its flow is due again at once."""
    flow = lock_flow(session, post_id)
    post = session.get(Post, post_id)
    if (
        flow is None
        or post is None
        or post.resident_id != asker_id
        or flow.outcome is not None
        or flow.widen_asked_for is None
    ):
        return False
    progress = progress_of(session, flow, post).after_widen_answer(accepted=accepted)
    store_progress(session, flow=flow, post=post, progress=progress, due_at=now)
    return True


# --- invitations ---------------------------------------------------------------------------


def add_invitation(
    session: Session, *, post_id: int, resident_id: int, now: datetime
) -> Invitation:
    """Record an invitation sent now; it counts against the resident's pace from this moment."""
    invitation = Invitation(
        post_id=post_id, resident_id=resident_id, status=InvitationStatus.SENT.value, sent_at=now
    )
    session.add(invitation)
    session.execute(
        update(Resident).where(col(Resident.id) == resident_id).values(last_invited_at=now)
    )
    session.flush()
    # The Core UPDATE above passes no flush listener: the candidate index is told here.
    mark_invited(session, resident_id=resident_id, now=now)
    return invitation


def own_invitation(session: Session, *, invitation_id: int, resident_id: int) -> Invitation | None:
    """The invitation, if it was sent to this resident (callback data is never trusted)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.resident_id != resident_id:
        return None
    return invitation


def say_not_now(session: Session, *, invitation: Invitation, now: datetime) -> bool:
    """ "Nu even niet": True the first time. It is not counted anywhere and shown to nobody."""
    changed = session.execute(
        update(Invitation)
        .where(
            col(Invitation.id) == invitation.id,
            col(Invitation.status) == InvitationStatus.SENT.value,
        )
        .values(status=InvitationStatus.DECLINED.value, answered_at=now)
        .returning(col(Invitation.id))
    ).first()
    if changed is not None:
        look_again(session, post_id=invitation.post_id, now=now)
    return changed is not None


class YesResult(StrEnum):
    MATCHED = "matched"  # this yes claimed the request: the asker is asked now
    TAKEN = "taken"  # someone else said yes first: "al geregeld, dank je"
    GONE = "gone"  # the request was closed or withdrawn
    ANSWERED = "answered"  # this invitation was answered before


@dataclass(frozen=True)
class Yes:
    result: YesResult
    match: Match | None = None
    # Invitations of the same request that were still open: their buttons should go.
    superseded: tuple[Invitation, ...] = ()


ANSWERABLE: Final = (
    InvitationStatus.SENT.value,
    InvitationStatus.EXPIRED.value,
    InvitationStatus.DECLINED.value,  # "nu even niet" earlier, "ik kan helpen" in /buurt now
)


def say_yes(session: Session, *, invitation: Invitation, now: datetime) -> Yes:
    """ "Ik help graag": the first yes for a request wins it, whatever happens at the same time.

    The request is claimed first, with one conditional UPDATE (open -> matched): on PostgreSQL
    every other yes for it waits for this row lock and then finds it no longer open; SQLite has
    one writer at a time. Everyone takes the request's lock before any invitation's, so two
    yeses can never wait for each other. Only the winner writes a match. A block between the
    two, either way, closes the invitation.
    """
    post = session.get(Post, invitation.post_id)
    if post is None or is_blocked_either_way(session, post.resident_id, invitation.resident_id):
        return Yes(YesResult.GONE)
    if invitation.status not in ANSWERABLE:
        if invitation.status == InvitationStatus.SUPERSEDED.value:
            return Yes(_closed_because(post))
        return Yes(YesResult.ANSWERED)
    claimed = session.execute(
        update(Post)
        .where(
            col(Post.id) == invitation.post_id,
            col(Post.kind) == PostKind.REQUEST.value,
            col(Post.status) == PostStatus.OPEN.value,
        )
        .values(status=PostStatus.MATCHED.value, updated_at=now)
        .returning(col(Post.resident_id))
    ).first()
    if claimed is None:
        # Conditional: a double tap handled by another process may have accepted it meanwhile.
        _answer(session, invitation, InvitationStatus.SUPERSEDED, now)
        session.refresh(post)
        if invitation.status == InvitationStatus.ACCEPTED.value:
            return Yes(YesResult.ANSWERED)
        return Yes(_closed_because(post))
    if not _answer(session, invitation, InvitationStatus.ACCEPTED, now):
        # Closed meanwhile (the request was withdrawn a moment ago): give the claim back.
        session.execute(
            update(Post)
            .where(col(Post.id) == invitation.post_id)
            .values(status=PostStatus.OPEN.value)
        )
        return Yes(YesResult.GONE)
    match = Match(
        post_id=invitation.post_id,
        asker_id=claimed[0],
        helper_id=invitation.resident_id,
        created_at=now,
    )
    session.add(match)
    superseded = supersede_open_invitations(session, post_id=invitation.post_id, now=now)
    session.flush()
    return Yes(YesResult.MATCHED, match=match, superseded=superseded)


def _answer(
    session: Session, invitation: Invitation, status: InvitationStatus, now: datetime
) -> bool:
    """Set an invitation's answer if it can still be answered; True when it was."""
    changed = session.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.status).in_(ANSWERABLE))
        .values(status=status.value, answered_at=now)
        .returning(col(Invitation.id))
    ).first()
    session.refresh(invitation)
    return changed is not None


def _closed_because(post: Post) -> YesResult:
    return YesResult.TAKEN if post.status == PostStatus.MATCHED.value else YesResult.GONE


def volunteer_for_request(
    session: Session, *, post_id: int, resident_id: int, now: datetime
) -> Yes:
    """ "Ik kan helpen" on a request in /buurt: the same as saying yes to an invitation (an
    invitation row is made if the resident had none), so the first yes wins here too."""
    invitation = session.exec(
        select(Invitation).where(
            Invitation.post_id == post_id, Invitation.resident_id == resident_id
        )
    ).first()
    if invitation is None:
        try:
            # A savepoint: a second bot process may insert the same pair at the same moment.
            with session.begin_nested():
                invitation = Invitation(
                    post_id=post_id,
                    resident_id=resident_id,
                    status=InvitationStatus.SENT.value,
                    sent_at=now,
                )
                session.add(invitation)
        except IntegrityError:
            return Yes(YesResult.ANSWERED)
    return say_yes(session, invitation=invitation, now=now)


def said_yes_before(session: Session, *, post_id: int, resident_id: int) -> bool:
    return (
        session.exec(
            select(Invitation.id).where(
                Invitation.post_id == post_id,
                Invitation.resident_id == resident_id,
                Invitation.status == InvitationStatus.ACCEPTED.value,
            )
        ).first()
        is not None
    )


def supersede_open_invitations(
    session: Session, *, post_id: int, now: datetime
) -> tuple[Invitation, ...]:
    """Close the request's unanswered invitations (someone said yes, or it was withdrawn).

    One conditional UPDATE: an answer given at the same moment is never overwritten."""
    closed = (
        session.execute(
            update(Invitation)
            .where(
                col(Invitation.post_id) == post_id,
                col(Invitation.status) == InvitationStatus.SENT.value,
            )
            .values(status=InvitationStatus.SUPERSEDED.value, answered_at=now)
            .returning(col(Invitation.id))
        )
        .scalars()
        .all()
    )
    if not closed:
        return ()
    return tuple(
        session.exec(
            select(Invitation)
            .where(col(Invitation.id).in_(closed))
            .order_by(col(Invitation.id))
            .execution_options(populate_existing=True)
        ).all()
    )


# --- matches -------------------------------------------------------------------------------


def accepted_invitation(session: Session, *, match: Match) -> int | None:
    """The id of the invitation the helper said yes to (for the asker's block button)."""
    return session.exec(
        select(Invitation.id).where(
            Invitation.post_id == match.post_id, Invitation.resident_id == match.helper_id
        )
    ).first()


def match_of(session: Session, *, match_id: int, resident_id: int) -> Match | None:
    """The match, if this resident is the asker or the helper in it."""
    match = session.get(Match, match_id)
    if match is None or resident_id not in (match.asker_id, match.helper_id):
        return None
    return match


def _move(session: Session, match: Match, from_status: MatchStatus, **values: object) -> bool:
    """Change a match only if it is still at `from_status`; True for the one caller that did."""
    changed = session.execute(
        update(Match)
        .where(col(Match.id) == match.id, col(Match.status) == from_status.value)
        .values(**values)
        .returning(col(Match.id))
    ).first()
    if changed is not None:
        session.refresh(match)
    return changed is not None


def accept(session: Session, *, match: Match, now: datetime, follow_up_at: datetime) -> bool:
    """The asker said yes to the helper: the relay opens, the follow-up is scheduled."""
    if not _move(
        session,
        match,
        MatchStatus.PROPOSED,
        status=MatchStatus.ACTIVE.value,
        accepted_at=now,
        last_relay_at=now,
        follow_up_at=follow_up_at,
    ):
        return False
    session.execute(
        update(RequestFlow)
        .where(col(RequestFlow.post_id) == match.post_id)
        .values(outcome=Outcome.MATCHED.value, due_at=None)
    )
    return True


def decline(session: Session, *, match: Match, now: datetime) -> bool:
    """The asker let the helper go (or one blocked the other before the choice): the request
    opens again and its flow goes on looking."""
    if not _move(
        session, match, MatchStatus.PROPOSED, status=MatchStatus.DECLINED.value, ended_at=now
    ):
        return False
    session.execute(
        update(Post)
        .where(col(Post.id) == match.post_id, col(Post.status) == PostStatus.MATCHED.value)
        .values(status=PostStatus.OPEN.value, updated_at=now)
    )
    look_again(session, post_id=match.post_id, now=now)
    return True


def end(session: Session, *, match: Match, now: datetime) -> bool:
    """Close the relay; the follow-up still comes."""
    return _move(session, match, MatchStatus.ACTIVE, status=MatchStatus.ENDED.value, ended_at=now)


def end_matches_between(session: Session, first_id: int, second_id: int, now: datetime) -> None:
    """A block ends whatever runs between the two: an unanswered invitation counts as "nu even
    niet", a proposal is declined, a relay closed."""
    for invitee, author in ((first_id, second_id), (second_id, first_id)):
        for invitation in session.exec(
            select(Invitation)
            .join(Post, col(Post.id) == col(Invitation.post_id))
            .where(
                Invitation.resident_id == invitee,
                Post.resident_id == author,
                Invitation.status == InvitationStatus.SENT.value,
            )
        ).all():
            say_not_now(session, invitation=invitation, now=now)
    pair = or_(
        and_(col(Match.asker_id) == first_id, col(Match.helper_id) == second_id),
        and_(col(Match.asker_id) == second_id, col(Match.helper_id) == first_id),
    )
    for match in session.exec(
        select(Match).where(
            pair,
            col(Match.status).in_([MatchStatus.PROPOSED.value, MatchStatus.ACTIVE.value]),
        )
    ).all():
        if match.status == MatchStatus.PROPOSED.value:
            decline(session, match=match, now=now)
        else:
            end(session, match=match, now=now)
    # No "is het gelukt?" between two people when one blocked the other, now or later.
    session.execute(
        update(Match).where(pair, col(Match.follow_up_at).is_not(None)).values(follow_up_at=None)
    )


def share_username(
    session: Session, *, match: Match, resident_id: int, username: str | None
) -> bool:
    """Record that one of the two wants to share their Telegram username. True once both do:
    then the relay ends, because from there on they talk directly."""
    if match.status != MatchStatus.ACTIVE.value:
        return False
    if resident_id == match.asker_id:
        match.asker_shares, match.asker_username = True, username
    else:
        match.helper_shares, match.helper_username = True, username
    session.add(match)
    session.flush()
    return match.asker_shares and match.helper_shares


def relay_match(session: Session, *, resident_id: int) -> Match | None:
    """The active match used last by this resident (of relay_matches, the first)."""
    found = relay_matches(session, resident_id=resident_id, limit=1)
    return found[0] if found else None


def relay_matches(session: Session, *, resident_id: int, limit: int = 10) -> list[Match]:
    """The active matches (conversations through the bot) this resident is in, used last
    first. With more than one, the sender chooses which one a message is for."""
    return list(
        session.exec(
            select(Match)
            .where(
                or_(col(Match.asker_id) == resident_id, col(Match.helper_id) == resident_id),
                Match.status == MatchStatus.ACTIVE.value,
            )
            .order_by(col(Match.last_relay_at).desc(), col(Match.id).desc())
            .limit(limit)
        ).all()
    )


def current_matches_of(session: Session, *, resident_id: int) -> list[tuple[Match, Post]]:
    """What is under way for this resident, newest first: their requests where a neighbour's
    yes waits for their choice, and every relay they are in (as asker or as helper)."""
    waiting = and_(
        col(Match.asker_id) == resident_id, col(Match.status) == MatchStatus.PROPOSED.value
    )
    relaying = and_(
        or_(col(Match.asker_id) == resident_id, col(Match.helper_id) == resident_id),
        col(Match.status) == MatchStatus.ACTIVE.value,
    )
    rows = session.exec(
        select(Match, Post)
        .join(Post, col(Post.id) == col(Match.post_id))
        .where(or_(waiting, relaying))
        .order_by(col(Match.created_at).desc(), col(Match.id).desc())
    ).all()
    return [(match, post) for match, post in rows]


def touch(session: Session, *, match: Match, now: datetime) -> None:
    match.last_relay_at = now
    session.add(match)


def has_helped_before(session: Session, *, resident_id: int) -> bool:
    """Whether someone ever helped through a match that went ahead (the helper of a request,
    the author of an offer): shown to an asker as plain experience ("heeft al eerder
    geholpen"), never as a count or a score, and never how often they said no."""
    went_ahead = col(Match.status).in_([MatchStatus.ACTIVE.value, MatchStatus.ENDED.value])
    helped = or_(
        and_(col(Match.helper_id) == resident_id, col(Post.kind) == PostKind.REQUEST.value),
        and_(col(Match.asker_id) == resident_id, col(Post.kind) == PostKind.OFFER.value),
    )
    found = session.exec(
        select(Match.id)
        .join(Post, col(Post.id) == col(Match.post_id))
        .where(went_ahead, helped)
        .limit(1)
    ).first()
    return found is not None


def is_offer(session: Session, match: Match) -> bool:
    """Whether a match came from interest in an offer (its author chooses, as the "asker" of
    the match; the interested neighbour is its "helper")."""
    post = session.get(Post, match.post_id)
    return post is not None and post.kind == PostKind.OFFER.value


def propose_for_offer(
    session: Session, *, post: Post, interested_id: int, now: datetime
) -> Match | None:
    """Someone is interested in an offer: a proposed match for its author to choose on. An
    offer can be taken several times, so its status stays open; None while these two already
    have a proposed or active match about it, or when one blocked the other."""
    assert post.id is not None
    if post.kind != PostKind.OFFER.value or is_blocked_either_way(
        session, post.resident_id, interested_id
    ):
        return None
    running = session.exec(
        select(Match.id).where(
            Match.post_id == post.id,
            Match.helper_id == interested_id,
            col(Match.status).in_([MatchStatus.PROPOSED.value, MatchStatus.ACTIVE.value]),
        )
    ).first()
    if running is not None:
        return None
    match = Match(
        post_id=post.id, asker_id=post.resident_id, helper_id=interested_id, created_at=now
    )
    session.add(match)
    session.flush()
    return match


def claim_due_follow_ups(session: Session, *, now: datetime, limit: int = 20) -> list[Match]:
    """Matches whose "is het gelukt?" is due, locked; the caller clears follow_up_at."""
    return list(
        session.exec(
            select(Match)
            .where(col(Match.follow_up_at) <= now)
            .order_by(col(Match.follow_up_at), col(Match.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )


def follow_up_sent(session: Session, *, match: Match) -> None:
    match.follow_up_at = None
    session.add(match)


def follow_up_open(session: Session, *, match: Match) -> bool:
    """Whether "is het gelukt?" can be answered for this match: it went ahead, the question
    was sent, and neither blocked the other since."""
    return (
        match.status in (MatchStatus.ACTIVE.value, MatchStatus.ENDED.value)
        and match.accepted_at is not None
        and match.follow_up_at is None
        and not is_blocked_either_way(session, match.asker_id, match.helper_id)
    )


def record_worked(session: Session, *, match: Match, resident_id: int, worked: bool) -> bool:
    """One side's answer to "is het gelukt?"; True only the first time that side answers (a
    conditional update, so a double tap sends one thank-you)."""
    column = Match.asker_worked if resident_id == match.asker_id else Match.helper_worked
    changed = session.execute(
        update(Match)
        .where(col(Match.id) == match.id, col(column).is_(None))
        .values({column: worked})
        .returning(col(Match.id))
    ).first()
    session.refresh(match)
    return changed is not None


# /namens: the neighbours described by a first name, and the helpers who agreed with them (through
# the proxy) to arrange things themselves. "buurvrouw"/"buurman" name nobody in particular, so an
# agreement about "een buurvrouw" cannot be told apart from another buurvrouw: it counts only for
# the match it was made in.
GENERIC_NEIGHBOURS: Final = frozenset({"buurvrouw", "buurman"})


def stepped_back_helpers(session: Session, *, proxy_id: int, proxy_for: str) -> list[int]:
    """The helpers who, with the neighbour `proxy_for`, agreed after an earlier request of this
    proxy that they arrange the next time themselves (both said yes). Oldest agreement first."""
    if not proxy_for or proxy_for in GENERIC_NEIGHBOURS:
        return []
    rows = session.exec(
        select(Match.helper_id)
        .join(ProxyStepBack, col(ProxyStepBack.match_id) == col(Match.id))
        .join(Post, col(Post.id) == col(Match.post_id))
        .where(
            col(Match.asker_id) == proxy_id,
            col(Post.proxy_for) == proxy_for,
            col(ProxyStepBack.agreed_at).is_not(None),
        )
        .order_by(col(ProxyStepBack.agreed_at))
    ).all()
    return list(dict.fromkeys(rows))
