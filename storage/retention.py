"""Retention: what the bot forgets, and when (the daily job in bot/app.py; periods in Settings,
documented in the README under "Retention").

- Posts that are closed (done), withdrawn or hidden, untouched for `posts` days, go with
  everything hanging off them: invitations, the search's progress, matches (first counted into
  MatchTally per wijk and month, so the figures stay without the people), and the outbox rows
  about them. A report about such a post keeps its own row but loses the link to the post.
- Answered invitations (yes, no, expired, superseded) older than `invitations` days.
- Outbox rows that were sent or given up on, older than `messages` days: this is where relayed
  messages and every other text the bot sent live.
- Dialog states (half-written drafts) not touched for `messages` days.
- The quote of a reported message (/meld on a message in the wijk group or on a relayed line),
  once the report was handled (acted on or dismissed) more than `messages` days ago, like the
  relayed messages themselves: the report itself stays, like a hidden post's report.
- Activity sign-ups (who came, who waited) once their date ended more than `invitations` days
  ago; the activity and its dates stay while its organiser keeps them.
Open and matched posts, pending messages, residents, blocks and reports are never removed here
(residents remove themselves with /verwijder).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from storage.candidates import prune_changes
from storage.models import (
    ActivityDate,
    ChatState,
    Invitation,
    InvitationStatus,
    Match,
    MatchTally,
    OutboxMessage,
    OutboxStatus,
    Post,
    PostStatus,
    ProxyStepBack,
    Report,
    RequestFlow,
    Signup,
)

CLOSED = (PostStatus.DONE.value, PostStatus.WITHDRAWN.value, PostStatus.HIDDEN.value)
BATCH = 500
CHANGE_FEED_KEPT = timedelta(days=2)


@dataclass(frozen=True)
class Periods:
    posts: timedelta = timedelta(days=180)
    invitations: timedelta = timedelta(days=90)
    messages: timedelta = timedelta(days=30)


@dataclass
class Purged:
    posts: int = 0
    invitations: int = 0
    matches: int = 0
    messages: int = 0
    dialogs: int = 0
    quotes: int = 0
    signups: int = 0
    changes: int = 0

    @property
    def total(self) -> int:
        counts = (self.posts, self.invitations, self.matches, self.messages, self.dialogs)
        return sum(counts) + self.quotes + self.signups + self.changes


def purge(session: Session, *, now: datetime, periods: Periods) -> Purged:
    purged = Purged()
    _purge_posts(session, now - periods.posts, purged)
    purged.invitations += _count(
        session.execute(
            delete(Invitation).where(
                col(Invitation.status) != InvitationStatus.SENT.value,
                col(Invitation.answered_at).is_not(None),
                col(Invitation.answered_at) < now - periods.invitations,
            )
        )
    )
    purged.messages += _count(
        session.execute(
            delete(OutboxMessage).where(
                col(OutboxMessage.status).in_(
                    [OutboxStatus.SENT.value, OutboxStatus.FAILED.value]
                ),
                or_(
                    col(OutboxMessage.sent_at) < now - periods.messages,
                    (col(OutboxMessage.sent_at).is_(None))
                    & (col(OutboxMessage.due_at) < now - periods.messages),
                ),
            )
        )
    )
    # Who came to an activity is kept as long as answers to invitations are, after its date.
    past_dates = select(ActivityDate.id).where(
        col(ActivityDate.ends_at) < now - periods.invitations
    )
    purged.signups += _count(
        session.execute(delete(Signup).where(col(Signup.date_id).in_(past_dates)))
    )
    purged.dialogs += _count(
        session.execute(
            delete(ChatState).where(col(ChatState.updated_at) < now - periods.messages)
        )
    )
    purged.quotes += _count(
        session.execute(
            update(Report)
            .where(
                col(Report.quote) != "",
                col(Report.status) != "open",
                col(Report.handled_at).is_not(None),
                col(Report.handled_at) < now - periods.messages,
            )
            .values(quote="", quote_author_telegram_id=None)
        )
    )
    # The candidate pools' change feed: a pool reloads long before it could need these.
    purged.changes += prune_changes(session, older_than=now - CHANGE_FEED_KEPT)
    return purged


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _purge_posts(session: Session, before: datetime, purged: Purged) -> None:
    while True:
        posts = session.exec(
            select(Post)
            .where(col(Post.status).in_(CLOSED), col(Post.updated_at) < before)
            .limit(BATCH)
        ).all()
        if not posts:
            return
        by_id = {post.id: post for post in posts}
        ids = list(by_id)
        matches = session.exec(select(Match).where(col(Match.post_id).in_(ids))).all()
        for match in matches:
            _tally(session, by_id[match.post_id].wijk_id, match)
        invitation_ids = session.exec(
            select(Invitation.id).where(col(Invitation.post_id).in_(ids))
        ).all()
        abouts = (
            [f"post:{post_id}" for post_id in ids]
            + [f"inv:{invitation_id}" for invitation_id in invitation_ids]
            + [f"{kind}:{match.id}" for match in matches for kind in ("match", "followup")]
        )
        purged.messages += _count(
            session.execute(delete(OutboxMessage).where(col(OutboxMessage.about).in_(abouts)))
        )
        session.execute(update(Report).where(col(Report.post_id).in_(ids)).values(post_id=None))
        session.execute(delete(RequestFlow).where(col(RequestFlow.post_id).in_(ids)))
        purged.invitations += _count(
            session.execute(delete(Invitation).where(col(Invitation.post_id).in_(ids)))
        )
        match_ids = [match.id for match in matches]
        session.execute(delete(ProxyStepBack).where(col(ProxyStepBack.match_id).in_(match_ids)))
        purged.matches += _count(session.execute(delete(Match).where(col(Match.post_id).in_(ids))))
        purged.posts += _count(session.execute(delete(Post).where(col(Post.id).in_(ids))))
        session.flush()


def _tally(session: Session, wijk_id: int, match: Match) -> None:
    month = match.created_at.strftime("%Y-%m")
    tally = session.exec(
        select(MatchTally).where(MatchTally.wijk_id == wijk_id, MatchTally.month == month)
    ).first()
    if tally is None:
        tally = MatchTally(wijk_id=wijk_id, month=month)
    tally.matches += 1
    tally.worked += 1 if (match.asker_worked or match.helper_worked) else 0
    session.add(tally)
    session.flush()
