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
from datetime import datetime, timedelta
from enum import Enum
from typing import Final

from sqlmodel import Session

from bot.services.unit import Outgoing
from bot.settings import Settings
from matching.availability import is_reachable
from matching.quiet_hours import is_quiet, quiet_ends_at
from storage import outbox, repo
from storage.models import (
    ActivityDate,
    Invitation,
    InvitationStatus,
    Match,
    MatchStatus,
    OutboxMessage,
    Post,
    PostStatus,
    Report,
    Resident,
    Signup,
)
from storage.residents import is_blocked_either_way

# `about` of messages with work for buurtwerkers (a report, an action's confirmation).
WORK = "work:"
# `about` of a report's card (the report id follows): not sent once the report was acted on.
REPORT_CARD = f"{WORK}report:"
# `about` of messages on someone's own activity sign-up (bot/services/activities.py): they
# reach a paused resident too, it was their own choice to sign up.
OWN_SIGNUP = ("signup:", "actnote:")
# A message that answers what someone just did (OutboxMessage.answers_caller) skips their
# quiet hours only if it goes out within this long; later it waits like any other.
ANSWER_GRACE: Final = timedelta(minutes=10)


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
    if about.startswith(REPORT_CARD):
        raw_report_id = about.removeprefix(REPORT_CARD)
        report = session.get(Report, int(raw_report_id)) if raw_report_id.isdigit() else None
        return report is not None and report.status == "open"
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
    if kind in ("signup", "actsub"):  # an offer, a reminder, an "elke keer" note: while the
        # sign-up and its date stand
        signup = session.get(Signup, ref)
        if signup is None or signup.status not in ("in", "offered", "waiting"):
            return False
        date = session.get(ActivityDate, signup.date_id)
        return date is not None and not date.cancelled
    if kind == "followup":  # "is het gelukt?" and thanks: the match may have ended meanwhile
        return session.get(Match, ref) is not None
    return True


def verdict(
    session: Session, message: OutboxMessage, settings: Settings, now: datetime
) -> tuple[Verdict, datetime | None, str]:
    """Whether a message goes out now, later (when), or not at all (why)."""
    if message.resident_id is None and message.chat_id < 0:
        # A group's message (a wijk group): nobody's pace or quiet hours apply.
        if not _about_is_open(session, message.about):
            return Verdict.DROP, None, f"{message.about} is closed"
        return Verdict.SEND, None, ""
    if message.resident_id is not None:
        resident = session.get(Resident, message.resident_id)
    else:
        resident = repo.find_resident(session, telegram_user_id=message.chat_id)
    if resident is None and (message.about or "").startswith(WORK):
        # A buurtwerker who never used the bot as a resident.
        if not _about_is_open(session, message.about):
            return Verdict.DROP, None, f"{message.about} is closed"
        return Verdict.SEND, None, ""
    own = (message.about or "").startswith(OWN_SIGNUP)
    if resident is None or not (reachable(resident, now) or (own and not resident.stopped)):
        return Verdict.DROP, None, "paused, stopped or gone"
    if resident.unreachable_since is not None:
        return Verdict.DROP, None, "unreachable: Telegram said 403 (blocked the bot?)"
    if message.counterpart_id is not None and (
        resident.id is None or is_blocked_either_way(session, resident.id, message.counterpart_id)
    ):
        return Verdict.DROP, None, "blocked"
    if not _about_is_open(session, message.about):
        return Verdict.DROP, None, f"{message.about} is closed"
    until = quiet_until(resident, settings, now)
    if until is not None and not answers_now(message, now):
        return Verdict.LATER, until, "quiet hours"
    return Verdict.SEND, None, ""


def answers_now(message: OutboxMessage, now: datetime) -> bool:
    """Whether this answers what the person just did, still moments after: they are awake."""
    return message.answers_caller and now - message.due_at <= ANSWER_GRACE


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


class Result(Enum):
    """What came of one send (bot/sender.py decides from Telegram's answer)."""

    SENT = "sent"
    NOT_SENT = "not sent"  # surely did not arrive (no connection): back off, try again
    UNKNOWN = "unknown"  # timed out: maybe it arrived; at most one retry after a long pause
    RETRY_AFTER = "retry after"  # 429: not sent; wait as long as Telegram says
    FORBIDDEN = "forbidden"  # 403: they blocked the bot; unreachable until they write again
    DEAD = "dead"  # 400: Telegram refuses this message; never retried


@dataclass(frozen=True)
class Outcome:
    """What Telegram said to one message: its message id, or what went wrong."""

    id: int
    message_id: int | None = None
    media_message_id: int | None = None  # the map of a relayed location, sent after the text
    error: str | None = None
    result: Result = Result.SENT
    retry_after: float = 0.0

    @property
    def final(self) -> bool:
        """Whether the message will never arrive (a handler may tell the sender so)."""
        return self.result in (Result.FORBIDDEN, Result.DEAD)


def record(session: Session, outcomes: list[Outcome], now: datetime) -> None:
    for outcome in outcomes:
        message = session.get(OutboxMessage, outcome.id)
        if message is None:
            continue  # deleted meanwhile (/verwijder)
        error = outcome.error or outcome.result.value
        match outcome.result:
            case Result.SENT:
                outbox.mark_sent(
                    session,
                    message=message,
                    now=now,
                    message_id=outcome.message_id,
                    media_message_id=outcome.media_message_id,
                )
            case Result.NOT_SENT:
                outbox.retry_later(session, message=message, error=error, now=now)
            case Result.UNKNOWN:
                outbox.unknown(session, message=message, error=error, now=now)
            case Result.RETRY_AFTER:
                until = now + timedelta(seconds=max(1.0, outcome.retry_after))
                outbox.postpone(session, message=message, until=until)
            case Result.FORBIDDEN:
                outbox.dead_letter(session, message=message, error=error)
                if message.chat_id > 0:
                    _mark_unreachable(session, message, now)
            case Result.DEAD:
                outbox.dead_letter(session, message=message, error=error)


def _mark_unreachable(session: Session, message: OutboxMessage, now: datetime) -> None:
    resident = repo.find_resident(session, telegram_user_id=message.chat_id)
    if resident is not None and resident.unreachable_since is None:
        resident.unreachable_since = now
        session.add(resident)
