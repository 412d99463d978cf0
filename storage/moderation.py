"""Blocks and reports: who may block or report whom, and the rows that record it.

Buttons name a post or an invitation, never a person: the person is looked up here, and only
when the presser is allowed to act on that post or invitation.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.matchmaking import end_matches_between
from storage.models import Block, Invitation, Post, PostStatus, Report, Resident
from storage.repo import find_resident
from storage.residents import is_blocked_either_way

# Reasons offered as buttons by /meld; stored as these codes. Any other reason text is the
# reporter's own words, and an empty reason means they chose not to give one.
REPORT_REASONS = ("unkind", "spam", "incorrect")
REPORT_REASON_MAX = 500
GROUP_QUOTE_MAX = 300  # Report.quote


# Posts that can still be on someone's screen: open ones, and matched ones (an invitation or
# a reply may name them). Hidden, withdrawn and done posts are out of reach.
POST_STATUSES_IN_VIEW = (PostStatus.OPEN.value, PostStatus.MATCHED.value)


def post_in_view(session: Session, *, post_id: int, viewer: Resident) -> Post | None:
    """The post, when `viewer` can see it: their own, or one in their wijk that is still up,
    whose author did not leave, and with no block between the two (whoever blocked whom).

    Button data is forgeable: without these checks a blocked person could page through post
    ids and read the posts of the one who blocked them.
    """
    post = session.get(Post, post_id)
    if post is None or viewer.id is None:
        return None
    if post.resident_id == viewer.id:
        return post
    if viewer.wijk_id is None or post.wijk_id != viewer.wijk_id:
        return None
    if post.status not in POST_STATUSES_IN_VIEW:
        return None
    author = session.get(Resident, post.resident_id)
    if (
        author is None
        or author.stopped
        or is_blocked_either_way(session, viewer.id, post.resident_id)
    ):
        return None
    return post


def author_of_post_in_view(session: Session, *, post_id: int, viewer: Resident) -> Resident | None:
    """The author of a post the viewer can see (the viewer themselves for their own post)."""
    post = post_in_view(session, post_id=post_id, viewer=viewer)
    return None if post is None else session.get(Resident, post.resident_id)


def responder_to_own_post(
    session: Session, *, invitation_id: int, author: Resident
) -> Resident | None:
    """The resident an invitation went to, when `author` wrote the invitation's post."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        return None
    post = session.get(Post, invitation.post_id)
    if post is None or post.resident_id != author.id:
        return None
    return session.get(Resident, invitation.resident_id)


class Refusal(StrEnum):
    """Why a block or report button does nothing."""

    UNAVAILABLE = "unavailable"  # unknown, another wijk, someone else's invitation, no resident
    OWN = "own"  # the presser's own post


def block_target(
    session: Session, *, telegram_user_id: int, kind: str, ref_id: int
) -> tuple[Resident, Resident] | Refusal:
    """(presser, the person to block) for a block button ("p": a post's author, "i": the
    resident an invitation on the presser's own post went to), or why not."""
    presser = find_resident(session, telegram_user_id=telegram_user_id)
    if presser is None:
        return Refusal.UNAVAILABLE
    other = None
    if kind == "p":
        other = author_of_post_in_view(session, post_id=ref_id, viewer=presser)
    elif kind == "i":
        other = responder_to_own_post(session, invitation_id=ref_id, author=presser)
    if other is None:
        return Refusal.UNAVAILABLE
    return Refusal.OWN if other.id == presser.id else (presser, other)


def reportable_post(
    session: Session, *, telegram_user_id: int, post_id: int
) -> tuple[Resident, Post] | Refusal:
    """(reporter, post) when the presser may report the post: it is in their wijk and not
    their own; otherwise why not."""
    reporter = find_resident(session, telegram_user_id=telegram_user_id)
    post = None if reporter is None else post_in_view(session, post_id=post_id, viewer=reporter)
    if reporter is None or post is None:
        return Refusal.UNAVAILABLE
    return Refusal.OWN if post.resident_id == reporter.id else (reporter, post)


# --- blocks ----------------------------------------------------------------------------------


def add_block(session: Session, *, blocker_id: int, blocked_id: int, now: datetime) -> bool:
    """Block; False when the block existed already (a second press changes nothing)."""
    if blocker_id == blocked_id:
        raise ValueError("a resident cannot block themselves")
    table = Block.__table__  # type: ignore[attr-defined]
    insert = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    # ON CONFLICT, so two bot processes handling a double press cannot both insert.
    statement = (
        insert(table)
        .values(blocker_id=blocker_id, blocked_id=blocked_id, created_at=now)
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )
    added = session.execute(statement).first() is not None
    if added:
        # Whatever runs between the two stops at once: a yes waiting for the asker's choice
        # is let go (the request looks further), an open relay closes.
        end_matches_between(session, blocker_id, blocked_id, now)
    return added


# --- reports ---------------------------------------------------------------------------------


def report_by(session: Session, *, reporter_id: int, post_id: int) -> Report | None:
    return session.exec(
        select(Report).where(Report.reporter_id == reporter_id, Report.post_id == post_id)
    ).first()


def report_post(
    session: Session,
    *,
    reporter: Resident,
    post: Post,
    reason: str,
    now: datetime,
    named: bool = False,
) -> Report:
    """Record a report for the post's wijk moderators; a second report of the same post by the
    same person returns the first one unchanged. `named`: the reporter agreed to be named."""
    assert reporter.id is not None
    assert post.id is not None
    existing = report_by(session, reporter_id=reporter.id, post_id=post.id)
    if existing is not None:
        return existing
    report = Report(
        wijk_id=post.wijk_id,
        reporter_id=reporter.id,
        post_id=post.id,
        reported_resident_id=post.resident_id,
        reason=" ".join(reason.split())[:REPORT_REASON_MAX],
        created_at=now,
        reporter_named=named,
    )
    session.add(report)
    session.flush()
    return report


def report_group_message(
    session: Session,
    *,
    wijk_id: int,
    chat_id: int,
    message_id: int,
    quote: str,
    reason: str,
    reporter: Resident | None,
    author: Resident | None,
    now: datetime,
    author_telegram_id: int | None = None,
) -> tuple[Report, bool]:
    """Record /meld on a message in a wijk's group; (the report, whether it is new). While a
    report of the same message is open, another /meld of it (by anyone) adds nothing."""
    existing = session.exec(
        select(Report).where(
            Report.group_chat_id == chat_id,
            Report.group_message_id == message_id,
            Report.status == "open",
        )
    ).first()
    if existing is not None:
        return existing, False
    report = Report(
        wijk_id=wijk_id,
        reporter_id=None if reporter is None else reporter.id,
        reported_resident_id=None if author is None else author.id,
        reason=" ".join(reason.split())[:REPORT_REASON_MAX],
        group_chat_id=chat_id,
        group_message_id=message_id,
        quote=" ".join(quote.split())[:GROUP_QUOTE_MAX],
        quote_author_telegram_id=author_telegram_id,
        created_at=now,
    )
    session.add(report)
    session.flush()
    return report, True


def report_of_line(session: Session, *, reporter_id: int, message_id: int) -> Report | None:
    """The reporter's report of one relayed line (its message id in the reporter's chat)."""
    return session.exec(
        select(Report).where(
            Report.reporter_id == reporter_id,
            Report.relay_message_id == message_id,
            col(Report.relay_match_id).is_not(None),
        )
    ).first()


def report_relayed_line(
    session: Session,
    *,
    reporter: Resident,
    author: Resident,
    wijk_id: int | None,
    match_id: int,
    message_id: int,
    quote: str,
    reason: str,
    named: bool,
    now: datetime,
) -> tuple[Report, bool]:
    """Record /meld on a line relayed to `reporter` from `author` in match `match_id`;
    (the report, whether it is new). A second report of the same line adds nothing."""
    assert reporter.id is not None
    existing = report_of_line(session, reporter_id=reporter.id, message_id=message_id)
    if existing is not None:
        return existing, False
    report = Report(
        wijk_id=wijk_id,
        reporter_id=reporter.id,
        reported_resident_id=author.id,
        reason=" ".join(reason.split())[:REPORT_REASON_MAX],
        relay_match_id=match_id,
        relay_message_id=message_id,
        quote=" ".join(quote.split())[:GROUP_QUOTE_MAX],
        quote_author_telegram_id=author.telegram_user_id,
        created_at=now,
        reporter_named=named,
    )
    session.add(report)
    session.flush()
    return report, True
