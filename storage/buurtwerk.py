"""What buurtwerkers work with: the wijk's linked chats, the audit log, handled reports and
suspensions. Plain queries; who may do what is decided by the services (bot/services/)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import (
    AuditEntry,
    Post,
    PostStatus,
    Report,
    Resident,
    Role,
    RoleKind,
    Signal,
    SignalSpike,
    Suspension,
    Wijk,
)

REASON_MAX = 200
# Stand-ins for a person in the audit log and on handled reports and signals: the bot acting
# by itself, and a buurtwerker or owner who has since erased their data (their Telegram id
# must not outlive them).
BOT_ACTOR: Final = 0
ERASED_ACTOR: Final = -1


def team_note_about(telegram_user_id: int) -> str:
    """The outbox `about` of a team-chat note naming who acted ("Willem: bericht verborgen"):
    by it their erasure finds the note (it starts with "work:", like every work message)."""
    return f"work:note:{telegram_user_id}"


class ChatKind(StrEnum):
    GROUP = "group"  # the residents' group of a wijk
    TEAM = "team"  # the buurtwerkers' own chat


class LinkRefusal(StrEnum):
    CHAT_TAKEN = "chat_taken"  # this chat serves another wijk (or the other kind of chat)
    WIJK_TAKEN = "wijk_taken"  # the wijk already has a chat of this kind


# --- linked chats ----------------------------------------------------------------------------


def wijk_of_chat(session: Session, *, chat_id: int) -> tuple[Wijk, ChatKind] | None:
    """The wijk a chat is linked to, and as which kind of chat."""
    wijk = session.exec(select(Wijk).where(Wijk.group_chat_id == chat_id)).first()
    if wijk is not None:
        return wijk, ChatKind.GROUP
    wijk = session.exec(select(Wijk).where(Wijk.team_chat_id == chat_id)).first()
    return None if wijk is None else (wijk, ChatKind.TEAM)


def link_chat(session: Session, *, wijk: Wijk, chat_id: int, kind: ChatKind) -> LinkRefusal | None:
    """Link a chat to a wijk: a chat serves one wijk, a wijk has one chat of each kind.
    Linking the same chat again changes nothing (None)."""
    linked = wijk_of_chat(session, chat_id=chat_id)
    if linked is not None:
        other, other_kind = linked
        return None if (other.id, other_kind) == (wijk.id, kind) else LinkRefusal.CHAT_TAKEN
    current = wijk.group_chat_id if kind is ChatKind.GROUP else wijk.team_chat_id
    if current is not None:
        return LinkRefusal.WIJK_TAKEN
    if kind is ChatKind.GROUP:
        wijk.group_chat_id = chat_id
    else:
        wijk.team_chat_id = chat_id
    session.add(wijk)
    session.flush()
    return None


def unlink_chat(session: Session, *, chat_id: int) -> tuple[Wijk, ChatKind] | None:
    """Unlink a chat (the wijk itself stays); what it was linked to, or None."""
    linked = wijk_of_chat(session, chat_id=chat_id)
    if linked is None:
        return None
    wijk, kind = linked
    if kind is ChatKind.GROUP:
        wijk.group_chat_id = None
    else:
        wijk.team_chat_id = None
    session.add(wijk)
    session.flush()
    return linked


def plan_welcome(session: Session, *, wijk_id: int, due: datetime) -> bool:
    """Members joined the wijk's group: one welcome is due at `due`, unless one is planned
    already (then it welcomes them too). True when this call planned it."""
    result = session.execute(
        update(Wijk)
        .where(col(Wijk.id) == wijk_id, col(Wijk.welcome_due_at).is_(None))
        .values(welcome_due_at=due)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def take_due_welcomes(session: Session, *, now: datetime) -> list[tuple[Wijk, datetime]]:
    """The wijken whose group welcome is due, each with the moment it was planned for; each
    is taken by a conditional update, so of two bot processes only one sends it."""
    due = session.exec(
        select(Wijk).where(col(Wijk.welcome_due_at).is_not(None), col(Wijk.welcome_due_at) <= now)
    ).all()
    taken = []
    for wijk in due:
        planned = wijk.welcome_due_at
        assert planned is not None
        result = session.execute(
            update(Wijk)
            .where(col(Wijk.id) == wijk.id, col(Wijk.welcome_due_at) == planned)
            .values(welcome_due_at=None)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            session.refresh(wijk)
            taken.append((wijk, planned))
    return taken


def buurtwerkers_of(session: Session, *, wijk_id: int) -> list[int]:
    """The Telegram ids of the wijk's buurtwerkers, in the order they were granted."""
    return list(
        session.exec(
            select(Role.telegram_user_id)
            .where(Role.wijk_id == wijk_id, Role.kind == RoleKind.BUURTWERKER.value)
            .order_by(col(Role.id))
        ).all()
    )


def wijken_with_role(session: Session, *, telegram_user_id: int, kind: RoleKind) -> list[Wijk]:
    return list(
        session.exec(
            select(Wijk)
            .join(Role, col(Role.wijk_id) == col(Wijk.id))
            .where(Role.telegram_user_id == telegram_user_id, Role.kind == kind.value)
            .order_by(col(Wijk.name))
        ).all()
    )


# --- the audit log ---------------------------------------------------------------------------


def forget_actor(session: Session, *, telegram_user_id: int) -> None:
    """A buurtwerker or owner erases their data: what they did stays in the wijk's records
    under "a former team member"; what they had only claimed and not finished is free to be
    picked up again by someone else."""
    me = telegram_user_id
    # A report's claim is only "who is on it"; handled_by keeps who acted. Freed even when
    # handled, since undoing the action opens the report again.
    session.execute(
        update(Report).where(col(Report.claimed_by) == me).values(claimed_by=None, claimed_at=None)
    )
    for model in (Signal, SignalSpike):
        session.execute(
            update(model)
            .where(col(model.claimed_by) == me, col(model.handled_at).is_(None))
            .values(claimed_by=None, claimed_at=None)
        )
    for table, column in (
        (Report, "handled_by"),
        (Signal, "claimed_by"),
        (SignalSpike, "claimed_by"),
        (AuditEntry, "actor_telegram_id"),
        (AuditEntry, "undone_by"),
        (Suspension, "created_by"),
    ):
        session.execute(
            update(table).where(getattr(table, column) == me).values({column: ERASED_ACTOR})
        )
    # Roles granted to or taken from them: the entry keeps what was done, not to whom.
    session.execute(
        update(AuditEntry)
        .where(col(AuditEntry.subject_telegram_id) == me)
        .values(subject_telegram_id=None)
    )


def log_action(
    session: Session,
    *,
    wijk_id: int,
    actor: int,
    action: str,
    now: datetime,
    reason: str = "",
    report_id: int | None = None,
    post_id: int | None = None,
    resident_id: int | None = None,
    subject_telegram_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        wijk_id=wijk_id,
        actor_telegram_id=actor,
        action=action,
        reason=" ".join(reason.split())[:REASON_MAX],
        report_id=report_id,
        post_id=post_id,
        resident_id=resident_id,
        subject_telegram_id=subject_telegram_id,
        data=dict(data or {}),
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def recent_entries(session: Session, *, wijk_id: int, limit: int) -> list[AuditEntry]:
    """The wijk's newest audit entries first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.wijk_id == wijk_id)
            .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
            .limit(limit)
        ).all()
    )


def mark_undone(session: Session, *, entry: AuditEntry, by: int, now: datetime) -> bool:
    """Mark an entry undone; False when it was undone already (the first undo wins)."""
    result = session.execute(
        update(AuditEntry)
        .where(col(AuditEntry.id) == entry.id, col(AuditEntry.undone_at).is_(None))
        .values(undone_at=now, undone_by=by)
    )
    session.refresh(entry)
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- reports ---------------------------------------------------------------------------------


def claim_report(
    session: Session, *, report: Report, by: int, outcome: str, now: datetime
) -> bool:
    """Record the action on an open report; False when another buurtwerker acted first.
    A conditional update, so of two presses at once exactly one wins."""
    result = session.execute(
        update(Report)
        .where(col(Report.id) == report.id, col(Report.status) == "open")
        .values(status="handled", handled_by=by, handled_at=now, outcome=outcome)
    )
    session.refresh(report)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def reopen_report(session: Session, *, report: Report) -> None:
    report.status, report.handled_by, report.handled_at, report.outcome = "open", None, None, None
    session.add(report)


# --- posts and suspensions -------------------------------------------------------------------


def hide_post(session: Session, *, post: Post, now: datetime) -> str | None:
    """Hide a post that is still up; its status before (to restore on undo), or None."""
    if post.status not in (PostStatus.OPEN.value, PostStatus.MATCHED.value):
        return None
    before = post.status
    post.status, post.updated_at = PostStatus.HIDDEN.value, now
    session.add(post)
    return before


def restore_post(session: Session, *, post: Post, status: str, now: datetime) -> bool:
    """Show a hidden post again with the status it had; False when it is no longer hidden."""
    if post.status != PostStatus.HIDDEN.value:
        return False
    post.status, post.updated_at = status, now
    session.add(post)
    return True


def active_suspension(
    session: Session, *, resident_id: int, now: datetime, wijk_id: int | None = None
) -> Suspension | None:
    """The suspension that holds for the resident now (not lifted, not ended)."""
    query = select(Suspension).where(
        Suspension.resident_id == resident_id, col(Suspension.lifted_at).is_(None)
    )
    if wijk_id is not None:
        query = query.where(Suspension.wijk_id == wijk_id)
    for suspension in session.exec(query.order_by(col(Suspension.id).desc())).all():
        if suspension.until is None or suspension.until > now:
            return suspension
    return None


def suspended_resident_ids(session: Session, *, now: datetime) -> set[int]:
    rows = session.exec(select(Suspension).where(col(Suspension.lifted_at).is_(None))).all()
    return {s.resident_id for s in rows if s.until is None or s.until > now}


def suspend(
    session: Session,
    *,
    resident: Resident,
    wijk_id: int,
    until: datetime | None,
    by: int,
    reason: str,
    now: datetime,
) -> Suspension:
    """Suspend the resident from the wijk and hide their open posts (remembered, so lifting
    restores exactly those)."""
    assert resident.id is not None
    hidden = []
    for post in session.exec(
        select(Post).where(
            Post.resident_id == resident.id,
            Post.wijk_id == wijk_id,
            Post.status == PostStatus.OPEN.value,
        )
    ).all():
        assert post.id is not None
        post.status, post.updated_at = PostStatus.HIDDEN.value, now
        session.add(post)
        hidden.append(post.id)
    suspension = Suspension(
        wijk_id=wijk_id,
        resident_id=resident.id,
        until=until,
        reason=" ".join(reason.split())[:REASON_MAX],
        created_by=by,
        created_at=now,
        hidden_post_ids=hidden,
    )
    session.add(suspension)
    session.flush()
    return suspension


def lift(session: Session, *, suspension: Suspension, now: datetime) -> list[int]:
    """Lift a suspension: the posts it hid (and only those, if still hidden and not hidden
    by a buurtwerker on their own report meanwhile) open again, or pass to another of their
    suspensions in the wijk that still holds. Returns the restored post ids; nothing when it
    was lifted before."""
    if suspension.lifted_at is not None:
        return []
    suspension.lifted_at = now
    session.add(suspension)
    session.flush()
    # Another suspension of theirs in the wijk still holds: it keeps the posts hidden.
    still = active_suspension(
        session, resident_id=suspension.resident_id, now=now, wijk_id=suspension.wijk_id
    )
    restored = []
    for post_id in suspension.hidden_post_ids:
        post = session.get(Post, post_id)
        if post is None or post.status != PostStatus.HIDDEN.value:
            continue
        if still is not None:
            leave_to_suspension(session, suspension=still, post_id=post_id)
            continue
        # A buurtwerker hid it on its own report meanwhile: that hide stands until undone.
        if not is_hidden_by_hand(session, post_id=post_id):
            post.status, post.updated_at = PostStatus.OPEN.value, now
            session.add(post)
            restored.append(post_id)
    return restored


def is_hidden_by_hand(session: Session, *, post_id: int) -> bool:
    """Whether a buurtwerker's "hide" of this post stands (logged and not undone)."""
    found = session.exec(
        select(AuditEntry.id).where(
            AuditEntry.post_id == post_id,
            AuditEntry.action == "hide",
            col(AuditEntry.undone_at).is_(None),
        )
    ).first()
    return found is not None


def hiding_suspension(session: Session, *, post: Post, now: datetime) -> Suspension | None:
    """The suspension of the post's author in its wijk that holds now, if any."""
    return active_suspension(session, resident_id=post.resident_id, now=now, wijk_id=post.wijk_id)


def leave_to_suspension(session: Session, *, suspension: Suspension, post_id: int) -> None:
    """A post that should show again once the suspension is lifted (and not before)."""
    if post_id not in suspension.hidden_post_ids:
        suspension.hidden_post_ids = [*suspension.hidden_post_ids, post_id]
        session.add(suspension)
