"""The database tables: SQLModel classes that Alembic migrations create and evolve.

Telegram ids are 64-bit (BigInteger). Every timestamp is timezone-aware UTC (UTCDateTime).
Enumerations are short strings checked in Python, so adding a value needs no migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

# Pace is the matching domain's (matching.pace), re-exported here for the callers that import
# it with the tables; Resident.pace stores its value.
from matching.pace import Pace as Pace
from storage.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class PostKind(StrEnum):
    REQUEST = "request"
    OFFER = "offer"


class PostStatus(StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    DONE = "done"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"


class InvitationStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


class RoleKind(StrEnum):
    BUURTWERKER = "buurtwerker"
    ORGANISER = "organiser"


class MatchStatus(StrEnum):
    PROPOSED = "proposed"  # a neighbour said "ik help graag"; the asker chooses
    ACTIVE = "active"  # the asker said yes: messages between the two are relayed
    DECLINED = "declined"  # the asker preferred not to, or one of them blocked the other
    ENDED = "ended"  # the relay was closed (by either, or because both shared usernames)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; claimable again once its lease (due_at) passes
    SENT = "sent"
    FAILED = "failed"  # not wanted any more (paused, blocked, closed) or given up after retries
    DEAD = "dead"  # refused by Telegram (400, or 403 from a group): never retried
    UNKNOWN = "unknown"  # its sends timed out or were cut off twice: maybe it arrived


class Wijk(SQLModel, table=True):
    """A neighbourhood the bot serves; residents join one, a moderated group may be linked."""

    # A team chat serves one wijk (unique), like its residents' group.
    __table_args__ = (Index("ix_wijk_team_chat_id", "team_chat_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=100, unique=True)
    center_cell: str | None = Field(default=None, max_length=20)
    reach_m: int = Field(default=1500)
    group_chat_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    # The buurtwerkers' own chat (/koppel <wijk> team): reports and signals go there; without
    # one they reach each buurtwerker privately.
    team_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    # The digest of new posts in the linked group: "off", "twice" (at the hour and twelve
    # hours later) or "daily" at digest_hour (local time); up to when it has been sent.
    digest_mode: str = Field(
        default="daily", max_length=8, sa_column_kwargs={"server_default": "daily"}
    )
    digest_hour: int = Field(default=10, sa_column_kwargs={"server_default": "10"})
    digest_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Members joined the linked group: one shared welcome is due then (for everyone who joins
    # until it goes out), instead of one per member. None while nobody waits for one.
    welcome_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Up to when the team chat (or each buurtwerker) heard what is new among the signals: the
    # daily message names only what came after (bot/services/signal_news.py).
    signal_news_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Resident(SQLModel, table=True):
    """A person who talks to the bot. Only a coarse h3 cell is kept, never coordinates."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True, index=True)
    first_name: str = Field(default="", max_length=64)
    language: str = Field(default="nl", max_length=5)
    wijk_id: int | None = Field(default=None, foreign_key="wijk.id", index=True)
    # Indexed for the matching prefilter (storage.candidates): area_cell IN (cells nearby).
    area_cell: str | None = Field(default=None, max_length=20, index=True)
    pace: str = Field(default=Pace.MONTHLY.value, max_length=16)
    quiet_start: str = Field(default="21:00", max_length=5)
    quiet_end: str = Field(default="08:00", max_length=5)
    likes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    paused: bool = Field(default=False)
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stopped: bool = Field(default=False)
    # Telegram said 403 (they blocked the bot): nothing is sent until they write again.
    unreachable_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    onboarded: bool = Field(default=False)
    # The most recent invitation ever (None: never invited), kept on the row so the matching
    # prefilter can apply the pace cutoffs and order by fairness without reading invitations.
    last_invited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Role(SQLModel, table=True):
    """A professional role in one wijk, keyed by Telegram user id so it can be granted first."""

    __table_args__ = (UniqueConstraint("telegram_user_id", "wijk_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, index=True)
    wijk_id: int = Field(foreign_key="wijk.id", index=True)
    kind: str = Field(max_length=16)
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Post(SQLModel, table=True):
    """A request (vraag) or offer (aanbod) in a resident's own words."""

    __table_args__ = (
        Index("ix_post_wijk_status_kind", "wijk_id", "status", "kind"),
        # /buurt reads a wijk's open posts newest first: in index order, without sorting all.
        Index("ix_post_wijk_status_created", "wijk_id", "status", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    wijk_id: int = Field(foreign_key="wijk.id")
    kind: str = Field(max_length=8)
    category: str = Field(max_length=32)
    text: str = Field(max_length=1000)
    area_cell: str | None = Field(default=None, max_length=20)
    # How far a request travels now (matching.reach.Reach), widened only with the asker's
    # consent. The server default fills the rows that existed before the column did.
    reach: str = Field(
        default="buurt", max_length=16, sa_column_kwargs={"server_default": "buurt"}
    )
    window_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    window_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default=PostStatus.OPEN.value, max_length=16)
    # The asker ticked "een buurtwerker mag contact met me opnemen" (default off): only then
    # does a signal about this request name it.
    contact_ok: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # /namens: a request placed by its author (the proxy) for someone who is not on Telegram,
    # described only by a first name or "een buurvrouw/buurman" (None: the author's own).
    proxy_for: str | None = Field(default=None, max_length=64)


class Invitation(SQLModel, table=True):
    """An invitation to one resident to help with one request. Declines leave no visible trace."""

    __table_args__ = (
        UniqueConstraint("post_id", "resident_id"),
        # A resident's recent invitations (pace windows) in one index range scan.
        Index("ix_invitation_resident_sent", "resident_id", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    # No index of its own: ix_invitation_resident_sent starts with it.
    resident_id: int = Field(foreign_key="resident.id")
    status: str = Field(default=InvitationStatus.SENT.value, max_length=16)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Block(SQLModel, table=True):
    """A private, silent block: the two are never matched, whoever blocked whom."""

    __table_args__ = (UniqueConstraint("blocker_id", "blocked_id"),)

    id: int | None = Field(default=None, primary_key=True)
    blocker_id: int = Field(foreign_key="resident.id", index=True)
    blocked_id: int = Field(foreign_key="resident.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Report(SQLModel, table=True):
    """A report to a wijk's moderators about a post or a resident."""

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int | None = Field(default=None, foreign_key="wijk.id", index=True)
    reporter_id: int | None = Field(default=None, foreign_key="resident.id")
    post_id: int | None = Field(default=None, foreign_key="post.id")
    reported_resident_id: int | None = Field(default=None, foreign_key="resident.id")
    reason: str = Field(default="", max_length=1000)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Who acted on it (a buurtwerker's Telegram id), when and how: the first action wins
    # (a conditional update from "open"), a second buurtwerker is told what was done.
    handled_by: int | None = Field(default=None, sa_type=BigInteger)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=16)
    # /meld as a reply to a message in the wijk's group: that message (so a buurtwerker can
    # have it deleted) and a short quote of it (cleared when its author or the reporter erases
    # their data).
    group_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    group_message_id: int | None = Field(default=None, sa_type=BigInteger)
    quote: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    # The reporter chose "Mijn naam mag erbij" (default anonymous): only then does the report
    # card name them (first name only).
    reporter_named: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # /meld as a reply to a line relayed between asker and helper: that conversation (no
    # foreign key: retention and erasure remove matches, the report stays) and the line's
    # message id in the reporter's chat (one report per line and reporter). The quote holds
    # the line.
    relay_match_id: int | None = Field(default=None)
    relay_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # The Telegram user id of whoever wrote the quoted message (a group message or a relayed
    # line), also when they never started the bot: their /verwijder clears the quote. Cleared
    # with the quote.
    quote_author_telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    # "Ik pak het op" in /signalen (the first press wins), so two buurtwerkers don't both act;
    # acting on it is still the card's buttons (or "afgehandeld"), by anyone of the wijk.
    claimed_by: int | None = Field(default=None, sa_type=BigInteger)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """What a buurtwerker or owner did in a wijk: who, what, when and why; undoable actions
    keep what undoing needs in `data`. No foreign keys to residents or posts: the entry stays
    when a person erases their data (the references are cleared then)."""

    __table_args__ = (Index("ix_auditentry_wijk_created", "wijk_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="wijk.id")
    actor_telegram_id: int = Field(sa_type=BigInteger)
    action: str = Field(max_length=32)
    reason: str = Field(default="", max_length=200)
    report_id: int | None = Field(default=None)
    post_id: int | None = Field(default=None)
    resident_id: int | None = Field(default=None)
    subject_telegram_id: int | None = Field(default=None, sa_type=BigInteger)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    undone_by: int | None = Field(default=None, sa_type=BigInteger)


class Suspension(SQLModel, table=True):
    """A resident suspended from their wijk until a date (or until lifted). The posts the
    suspension hid are listed, so lifting it restores those and nothing else."""

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="wijk.id")
    resident_id: int = Field(index=True)
    until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=200)
    created_by: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(sa_type=UTCDateTime)
    lifted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_post_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a redelivered update changes nothing."""

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class OutboxMessage(SQLModel, table=True):
    """A message to send, written in the same transaction as the change that caused it."""

    __table_args__ = (
        Index("ix_outbox_status_due", "status", "due_at"),
        # A Telegram reply to a relayed line finds the line's conversation (chat, message id).
        Index("ix_outbox_chat_message", "chat_id", "message_id"),
        # ... and a reply to the map of a relayed location (media_message_id).
        Index("ix_outbox_chat_media_message", "chat_id", "media_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    text: str
    reply_markup: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    dedupe_key: str | None = Field(default=None, max_length=100, unique=True)
    due_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default=OutboxStatus.PENDING.value, max_length=16)
    attempts: int = Field(default=0)
    # Sends that timed out or were cut off (a crash): maybe delivered, so retried at most once.
    unknown_sends: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The Telegram message it became, so its buttons can be taken away later (an invitation
    # that someone else already said yes to).
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    # Who it is for and what it is about ("inv:<id>", "post:<id>", "match:<id>"), and the other
    # person it concerns: the sender checks at send time that it is still wanted (the person
    # is reachable, the thing still open, the two not blocked). No foreign keys: erasure
    # deletes these rows itself.
    resident_id: int | None = Field(default=None)
    about: str | None = Field(default=None, max_length=32)
    counterpart_id: int | None = Field(default=None)
    # A relayed photo ({"photo": file_id}, the text is its caption) or location
    # ({"location": [lat, lon]}, sent after the text).
    media: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # The second Telegram message of a row sent as two (a relayed location's map), so a reply
    # to it is recognised like a reply to the text.
    media_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # Queued for the person whose own update caused it (bot/services/unit.py): sent right
    # away, their quiet hours do not hold it back (bot/services/delivery.py).
    answers_caller: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class RequestFlow(SQLModel, table=True):
    """Where the search for helpers for one request stands (matching.flow.RequestProgress).

    `due_at` is when the periodic job should look at it again (the next batch, the end of the
    wait for an answer about widening); None while nothing is scheduled. The reach itself is
    Post.reach. How many invitations are unanswered, and whether a yes waits for the asker, are
    read from the invitation and match rows, so they can never drift from them.
    """

    post_id: int = Field(
        foreign_key="post.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    started_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    batches_sent: int = Field(default=0)
    last_batch_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    widen_asked_for: str | None = Field(default=None, max_length=16)
    widen_asked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    widen_declined: bool = Field(default=False)
    # The reaches the asker agreed to, in order: the record of their consent.
    widened: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # When the asker heard that nobody can be asked right now (they hear it once).
    nobody_told_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=16)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class Match(SQLModel, table=True):
    """A neighbour who said yes to a request (or is interested in an offer), and what came
    of it. `asker_id` is the one who chooses: a request's asker, or an offer's author (then
    `helper_id` is the interested neighbour).

    At most one match per request is proposed or active at a time: the first yes claims the
    request (Post.status open -> matched, a conditional update) before this row is written.
    An offer stays open and can have several, at most one per interested neighbour at a time.
    """

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    asker_id: int = Field(foreign_key="resident.id", index=True)
    helper_id: int = Field(foreign_key="resident.id", index=True)
    status: str = Field(default=MatchStatus.PROPOSED.value, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Usernames are kept only from the moment someone chooses to share theirs.
    asker_username: str | None = Field(default=None, max_length=64)
    helper_username: str | None = Field(default=None, max_length=64)
    asker_shares: bool = Field(default=False)
    helper_shares: bool = Field(default=False)
    # Relayed messages go to the match someone used last.
    last_relay_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # "Is het gelukt?" is due then (after the request's time); cleared once it is sent.
    follow_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    asker_worked: bool | None = Field(default=None)
    helper_worked: bool | None = Field(default=None)


class Signal(SQLModel, table=True):
    """A request nobody could be found for: counted per wijk, category and week for the
    buurtwerkers. On purpose without the request or the person: a pattern, not a case file."""

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="wijk.id", index=True)
    category: str = Field(max_length=32)
    reason: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # How far the request had travelled.
    reach: str | None = Field(default=None, max_length=16)
    # The request itself, only when its asker agreed to be contacted by a buurtwerker (no
    # foreign key: erasure clears it).
    post_id: int | None = Field(default=None)
    # "Ik pak het op" (the first press wins) and "afgehandeld".
    claimed_by: int | None = Field(default=None, sa_type=BigInteger)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignalSpike(SQLModel, table=True):
    """A category with unusually many unanswered requests in a wijk in one month, as /signalen
    first showed it: the row that "ik pak het op" and "afgehandeld" act on. Counts only, no
    request and no person."""

    __tablename__ = "signal_spike"
    __table_args__ = (UniqueConstraint("wijk_id", "category", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="wijk.id", index=True)
    category: str = Field(max_length=32)
    month: str = Field(max_length=7)  # "2026-12", in the bot's time zone
    created_at: datetime = Field(sa_type=UTCDateTime)
    claimed_by: int | None = Field(default=None, sa_type=BigInteger)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ChatState(SQLModel, table=True):
    """Where a multi-step dialog stands for one chat; kept in the database to survive restarts."""

    chat_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BotFact(SQLModel, table=True):
    """Small facts about the running bot, such as its username for join links."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=500)


class MatchTally(SQLModel, table=True):
    """What is left of matches once retention removed them (storage/retention.py): per wijk and
    month, how many neighbours were connected and how many said it worked. Counts only, no
    people, so /cijfers keeps its figures after the posts are gone."""

    __table_args__ = (UniqueConstraint("wijk_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="wijk.id", index=True)
    month: str = Field(max_length=7)  # "2026-12"
    matches: int = Field(default=0)
    worked: int = Field(default=0)


class NudgeKind(StrEnum):
    DIGEST = "digest"  # counts as one ask against the person's pace
    RECIPROCITY = "reciprocity"  # once per help received, at most once a month
    ANNOUNCEMENT = "activity"  # a new activity (ref: its id), once; one ask like a digest
    # "Elke keer" signed someone up for a new date (ref: the sign-up's id), told once; these
    # notes have their own count against the person's pace (they are not asks to help).
    SUBSCRIBED = "actsub"


class Nudge(SQLModel, table=True):
    """A nudge planned for one resident (its message is an outbox row): what kind, about what
    (the match for reciprocity, None for a digest), for when. Never shown as a count to anyone.
    No foreign key: erasure deletes these rows itself."""

    __table_args__ = (
        UniqueConstraint("kind", "resident_id", "ref"),
        Index("ix_nudge_resident_kind_at", "resident_id", "kind", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int
    kind: str = Field(max_length=16)
    ref: int | None = Field(default=None)
    at: datetime = Field(sa_type=UTCDateTime)


class CandidateChange(SQLModel, table=True):
    """A resident whose matching data changed: the feed the in-process candidate pool reads.

    Written in the same transaction as the change (storage.candidates), so every process sees
    it exactly when the change itself becomes visible. `seq` only grows (AUTOINCREMENT on
    SQLite, a sequence on PostgreSQL); resident_id 0 means "reload everyone" (a reindex).
    Rows older than a few days are pruned; a pool that slept longer reloads.
    """

    __tablename__ = "candidate_change"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, primary_key=True)
    resident_id: int
    changed_at: datetime = Field(sa_type=UTCDateTime)


class ActivityRepeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class ActivityStatus(StrEnum):
    OPEN = "open"
    ENDED = "ended"  # the organiser ended it (a repeating one) or cancelled it


class SignupStatus(StrEnum):
    IN = "in"  # has a place
    WAITING = "waiting"  # on the waiting list, in `seq` order
    OFFERED = "offered"  # a place is kept for them until offered_until; only a yes moves them in
    WITHDRAWN = "withdrawn"


class Activity(SQLModel, table=True):
    """Something an organiser of a wijk invites neighbours to, such as a cooking evening.

    Its time is local ("18:00" on the bot's calendar), so a weekly one stays at 18:00 across the
    clock changes; its dates (ActivityDate) carry the UTC moments computed from it
    (matching/activities.py)."""

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="wijk.id", index=True)
    organiser_id: int = Field(foreign_key="resident.id", index=True)
    title: str = Field(max_length=100)
    description: str = Field(default="", max_length=1000)
    place: str = Field(default="", max_length=200)
    # Shown only to people who signed up.
    place_private: bool = Field(default=False)
    first_day: str = Field(max_length=10)  # "2026-12-03", local
    starts_local: str = Field(max_length=5)  # "18:00"
    duration_minutes: int = Field(default=120)
    repeat: str = Field(default=ActivityRepeat.NONE.value, max_length=16)
    repeat_until: str | None = Field(default=None, max_length=10)  # last local day, or None
    status: str = Field(default=ActivityStatus.OPEN.value, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Neighbouring wijken it is announced in too (their group and residents), by the organiser.
    also_wijk_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class ActivityRole(SQLModel, table=True):
    """One way of taking part ("koks" 3, "gasten" 8); capacity None: as many as like."""

    __tablename__ = "activity_role"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    name: str = Field(max_length=40)
    capacity: int | None = Field(default=None)
    position: int = Field(default=0)


class ActivityDate(SQLModel, table=True):
    """One occurrence of an activity. `version` is bumped by every change to its sign-ups: the
    first write of such a change, so it locks the row (PostgreSQL) or the database (SQLite) and
    sign-ups for one date are decided one after another, never past the capacity."""

    __tablename__ = "activity_date"
    __table_args__ = (UniqueConstraint("activity_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    cancelled: bool = Field(default=False)
    version: int = Field(default=0)
    # When the day-before reminders were queued (None: not yet).
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The moment the activity's rule made this date for, once the organiser moved it (None:
    # never moved), so the rule does not make that moment again.
    planned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Signup(SQLModel, table=True):
    """One resident's place (or wish for one) in one role on one date. `seq` is the order of
    arrival within the date: the waiting list is served in it."""

    __table_args__ = (
        UniqueConstraint("date_id", "resident_id"),
        Index("ix_signup_date_role_status", "date_id", "role_id", "status", "seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    date_id: int = Field(foreign_key="activity_date.id")
    role_id: int = Field(foreign_key="activity_role.id")
    resident_id: int = Field(foreign_key="resident.id", index=True)
    status: str = Field(max_length=16)
    seq: int = Field(default=0)
    offered_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ActivitySubscription(SQLModel, table=True):
    """ "Elke keer": sign this resident up in this role for each new date while places last."""

    __tablename__ = "activity_subscription"
    __table_args__ = (UniqueConstraint("activity_id", "resident_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    role_id: int = Field(foreign_key="activity_role.id")
    resident_id: int = Field(foreign_key="resident.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ProxyStepBack(SQLModel, table=True):
    """After a /namens request worked: would the helper and the neighbour (asked through the
    proxy) arrange the next time themselves? Each answer is kept (None: not answered yet);
    agreed_at is set once both said yes (the proxy is no longer in between for that pair)."""

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", unique=True)
    helper_yes: bool | None = Field(default=None)
    neighbour_yes: bool | None = Field(default=None)
    agreed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
