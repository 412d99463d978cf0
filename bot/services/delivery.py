"""The outbox's rules, without Telegram: which messages go out now, and what came of them.

Every message to someone who did not just ask for it is an outbox row. `claim` leases the
sendable ones (those a unit of work just queued, or every due one for the repeating job) after
checking, at that moment, that each is still wanted: the person is reachable (not paused, not
left) and outside their quiet hours, the thing it is about is still open, and the two people
have not blocked each other since. The sender (bot/sender.py) delivers the claimed rows after
commit and hands the outcomes back to `record`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlmodel import Session

from bot.services.unit import Outgoing
from bot.settings import Settings
from matching.availability import is_reachable
from matching.quiet_hours import is_quiet, quiet_ends_at
from storage import outbox, repo
from storage.models import (
    Invitation,
    InvitationStatus,
    Match,
    MatchStatus,
    OutboxMessage,
    Post,
    PostStatus,
    Resident,
)
from storage.residents import is_blocked_either_way

# `about` of messages with work for buurtwerkers (a report, an action's confirmation).
WORK = "work:"


def reachable(resident: Resident, now: datetime) -> bool:
    """Whether the resident wants messages now: not paused (or the pause ended), not left."""
    return is_reachable(
        paused=resident.paused,
        paused_until=resident.paused_until,
        stopped=resident.stopped,
        now=now,
    )


def quiet_until(resident: Resident, settings: Settings, now: datetime) -> datetime | None:
    """When the resident's quiet hours end, if they are in them now."""
    zone = settings.timezone
    if not is_quiet(resident.quiet_start, resident.quiet_end, zone, now):
        return None
    return quiet_ends_at(resident.quiet_start, resident.quiet_end, zone, now)


class Verdict(Enum):
    SEND = "send"
    LATER = "later"  # quiet hours: postponed, not a failure
    DROP = "drop"  # no longer wanted


def _about_is_open(session: Session, about: str | None) -> bool:
    """Whether what a message is about can still be answered (its buttons still make sense)."""
    if about is None:
        return True
    kind, _, raw_id = about.partition(":")
    if not raw_id.isdigit():
        return True
    ref = int(raw_id)
    if kind == "inv":
        invitation = session.get(Invitation, ref)
        if invitation is None or invitation.status != InvitationStatus.SENT.value:
            return False
        post = session.get(Post, invitation.post_id)
        return post is not None and post.status == PostStatus.OPEN.value
    if kind == "post":
        post = session.get(Post, ref)
        return post is not None and post.status in (
            PostStatus.OPEN.value,
            PostStatus.MATCHED.value,
        )
    if kind == "match":
        match = session.get(Match, ref)
        return match is not None and match.status in (
            MatchStatus.PROPOSED.value,
            MatchStatus.ACTIVE.value,
        )
    if kind == "followup":  # "is het gelukt?" and thanks: the match may have ended meanwhile
        return session.get(Match, ref) is not None
    return True


def verdict(
    session: Session, message: OutboxMessage, settings: Settings, now: datetime
) -> tuple[Verdict, datetime | None, str]:
    """Whether a message goes out now, later (when), or not at all (why)."""
    if message.resident_id is None and message.chat_id < 0:
        return Verdict.SEND, None, ""  # a wijk's group or team chat: no person's pause applies
    if message.resident_id is not None:
        resident = session.get(Resident, message.resident_id)
    else:
        resident = repo.find_resident(session, telegram_user_id=message.chat_id)
    if resident is None and (message.about or "").startswith(WORK):
        return Verdict.SEND, None, ""  # a buurtwerker who never used the bot as a resident
    if resident is None or not reachable(resident, now):
        return Verdict.DROP, None, "paused, stopped or gone"
    if message.counterpart_id is not None and (
        resident.id is None or is_blocked_either_way(session, resident.id, message.counterpart_id)
    ):
        return Verdict.DROP, None, "blocked"
    if not _about_is_open(session, message.about):
        return Verdict.DROP, None, f"{message.about} is closed"
    until = quiet_until(resident, settings, now)
    if until is not None:
        return Verdict.LATER, until, "quiet hours"
    return Verdict.SEND, None, ""


def claim(
    session: Session, settings: Settings, now: datetime, ids: list[int] | None = None
) -> list[Outgoing]:
    """Lease the given (or else all due) messages that are still wanted; settle the others."""
    if ids is None:
        rows = outbox.claim_due(session, now=now)
    else:
        rows = outbox.claim_ids(session, ids=ids, now=now)
    outgoing = []
    for message in rows:
        assert message.id is not None
        decided, until, reason = verdict(session, message, settings, now)
        if decided is Verdict.DROP:
            outbox.drop(session, message=message, reason=reason)
        elif decided is Verdict.LATER:
            assert until is not None
            outbox.postpone(session, message=message, until=until)
        else:
            outgoing.append(
                Outgoing(
                    message.id, message.chat_id, message.text, message.reply_markup, message.media
                )
            )
    return outgoing


@dataclass(frozen=True)
class Outcome:
    """What Telegram said to one message: its message id, or an error (blocked: final)."""

    id: int
    message_id: int | None = None
    error: str | None = None
    final: bool = False


def record(session: Session, outcomes: list[Outcome], now: datetime) -> None:
    for outcome in outcomes:
        message = session.get(OutboxMessage, outcome.id)
        if message is None:
            continue  # deleted meanwhile (/verwijder)
        if outcome.error is None:
            outbox.mark_sent(session, message=message, now=now, message_id=outcome.message_id)
        elif outcome.final:
            outbox.drop(session, message=message, reason=outcome.error)
        else:
            outbox.retry_later(session, message=message, error=outcome.error, now=now)
