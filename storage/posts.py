"""Queries for requests and offers: placing them, one's own, looking around, volunteering."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    Block,
    ChatState,
    Invitation,
    InvitationStatus,
    Post,
    PostKind,
    PostStatus,
    Resident,
)

# Looking around reads at most this many of the newest open posts of a wijk and sorts them by
# distance in Python; a wijk with more open posts than this has bigger problems than order.
BROWSE_LIMIT: Final = 200


# --- placing and one's own posts ---------------------------------------------------------


def create_post(
    session: Session,
    *,
    resident: Resident,
    kind: PostKind,
    category: str,
    text: str,
    window_start: datetime | None,
    window_end: datetime | None,
    now: datetime,
    contact_ok: bool = False,
    proxy_for: str | None = None,
    area_cell: str | None = None,
) -> Post:
    """Place an open post in the resident's wijk, at their coarse area. `proxy_for`: a
    request placed with /namens for someone not on Telegram (a first name, or the words
    "buurvrouw"/"buurman"); `area_cell`: the coarse cell the proxy chose on the map for
    them, instead of the proxy's own."""
    if resident.id is None or resident.wijk_id is None:
        raise ValueError("only a resident with a wijk can post")
    post = Post(
        resident_id=resident.id,
        wijk_id=resident.wijk_id,
        kind=kind.value,
        category=category,
        text=text,
        area_cell=area_cell or resident.area_cell,
        window_start=window_start,
        window_end=window_end,
        status=PostStatus.OPEN.value,
        contact_ok=contact_ok,
        proxy_for=proxy_for,
        created_at=now,
        updated_at=now,
    )
    session.add(post)
    session.flush()
    return post


def count_open_posts(session: Session, *, resident_id: int) -> int:
    return _count(session, Post.resident_id == resident_id, Post.status == PostStatus.OPEN.value)


def count_posts_since(session: Session, *, resident_id: int, since: datetime) -> int:
    """Posts the resident placed from `since` on, whatever became of them since."""
    return _count(session, Post.resident_id == resident_id, col(Post.created_at) >= since)


def _count(session: Session, *conditions: ColumnElement[bool] | bool) -> int:
    return int(session.exec(select(func.count()).select_from(Post).where(*conditions)).one())


def open_posts_of(session: Session, *, resident_id: int) -> list[Post]:
    """The resident's open posts, newest first."""
    return list(
        session.exec(
            select(Post)
            .where(Post.resident_id == resident_id, Post.status == PostStatus.OPEN.value)
            .order_by(col(Post.created_at).desc(), col(Post.id).desc())
        ).all()
    )


def own_open_post(session: Session, *, resident_id: int, post_id: int) -> Post | None:
    """The post, if it is this resident's and still open: the check behind every button."""
    post = session.get(Post, post_id)
    if post is None or post.resident_id != resident_id or post.status != PostStatus.OPEN.value:
        return None
    return post


def set_post_text(session: Session, *, post: Post, text: str, now: datetime) -> None:
    post.text, post.updated_at = text, now
    session.add(post)


def close_post(session: Session, *, post: Post, status: PostStatus, now: datetime) -> None:
    """Mark a post done (it worked out) or withdrawn (no longer needed)."""
    if status not in (PostStatus.DONE, PostStatus.WITHDRAWN):
        raise ValueError(f"a resident cannot set a post to {status}")
    post.status, post.updated_at = status.value, now
    session.add(post)


# --- looking around ----------------------------------------------------------------------


def author_not_paused(now: datetime) -> ColumnElement[bool]:
    """The author (the joined Resident) is not paused now: never paused, or a pause with an
    end that has passed (a pause without an end lasts until they resume)."""
    return or_(
        col(Resident.paused).is_(False),
        and_(col(Resident.paused_until).is_not(None), col(Resident.paused_until) <= now),
    )


def _visible_to(
    viewer: Resident, now: datetime, *, include_paused: bool = False
) -> tuple[ColumnElement[bool], ...]:
    """Open posts in the viewer's wijk that they may see: not their own, not of someone who
    left or is paused (unless `include_paused`), not of anyone either of them blocked, and not
    for a time that has passed."""
    blocked_either_way = exists().where(
        or_(
            and_(col(Block.blocker_id) == viewer.id, col(Block.blocked_id) == Post.resident_id),
            and_(col(Block.blocker_id) == Post.resident_id, col(Block.blocked_id) == viewer.id),
        )
    )
    conditions = (
        col(Post.wijk_id) == viewer.wijk_id,
        col(Post.status) == PostStatus.OPEN.value,
        col(Post.resident_id) != viewer.id,
        col(Resident.stopped).is_(False),
        or_(col(Post.window_end).is_(None), col(Post.window_end) > now),
        ~blocked_either_way,
    )
    return conditions if include_paused else (*conditions, author_not_paused(now))


def visible_posts(
    session: Session, *, viewer: Resident, now: datetime, limit: int = BROWSE_LIMIT
) -> list[tuple[Post, Resident]]:
    """Open posts the viewer may see, with their authors, newest first (none of a paused
    author: they get nothing, not even interest in their posts, until they are back)."""
    if viewer.wijk_id is None:
        return []
    rows = session.exec(
        select(Post, Resident)
        .join(Resident, col(Resident.id) == col(Post.resident_id))
        .where(*_visible_to(viewer, now))
        .order_by(col(Post.created_at).desc(), col(Post.id).desc())
        .limit(limit)
    ).all()
    return [(post, author) for post, author in rows]


def visible_post(
    session: Session,
    *,
    viewer: Resident,
    post_id: int,
    now: datetime,
    include_paused: bool = False,
) -> tuple[Post, Resident] | None:
    """One post with its author, if the viewer may see it now; None otherwise.
    `include_paused`: also when its author is paused (to tell a viewer who opened it before
    the pause that the author is away, instead of "gone")."""
    if viewer.wijk_id is None:
        return None
    row = session.exec(
        select(Post, Resident)
        .join(Resident, col(Resident.id) == col(Post.resident_id))
        .where(col(Post.id) == post_id, *_visible_to(viewer, now, include_paused=include_paused))
    ).first()
    return None if row is None else (row[0], row[1])


def volunteer(
    session: Session, *, post: Post, resident_id: int, now: datetime
) -> tuple[Invitation, bool]:
    """Record that a resident would like to help with (or is interested in) a post.

    Returns the invitation row and whether this is news: pressing twice records once, and only
    the first time should the author hear of it. An earlier invitation from the matching
    engine (sent, declined or expired) turns into an accepted one.
    """
    assert post.id is not None
    invitation = _invitation(session, post_id=post.id, resident_id=resident_id)
    if invitation is None:
        try:
            # A savepoint: a second bot process may insert the same pair at the same moment.
            with session.begin_nested():
                invitation = Invitation(
                    post_id=post.id,
                    resident_id=resident_id,
                    status=InvitationStatus.ACCEPTED.value,
                    sent_at=now,
                    answered_at=now,
                )
                session.add(invitation)
            return invitation, True
        except IntegrityError:
            invitation = _invitation(session, post_id=post.id, resident_id=resident_id)
            assert invitation is not None
            return invitation, False
    # A conditional update, so of two simultaneous presses only one turns it into news.
    accepted = InvitationStatus.ACCEPTED.value
    changed = session.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.status) != accepted)
        .values(status=accepted, answered_at=now)
        .returning(col(Invitation.id))
    ).first()
    session.refresh(invitation)
    return invitation, changed is not None


def _invitation(session: Session, *, post_id: int, resident_id: int) -> Invitation | None:
    return session.exec(
        select(Invitation).where(
            Invitation.post_id == post_id, Invitation.resident_id == resident_id
        )
    ).first()


# --- the posting dialog ------------------------------------------------------------------


def take_chat_state(session: Session, *, chat_id: int, flow: str, step: str) -> bool:
    """Remove a chat's dialog state if it is at `flow`/`step`; True for the one caller that
    removed it. Placing a post claims its draft this way, so a double tap (or two bot
    processes) can never place it twice."""
    result = session.execute(
        delete(ChatState).where(
            col(ChatState.chat_id) == chat_id,
            col(ChatState.flow) == flow,
            col(ChatState.step) == step,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
