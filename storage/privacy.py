"""Everything stored about one person (/mijngegevens) and deleting all of it (/verwijder).

A person is found by their Telegram user id: the resident row hangs off it, and so do rows
that exist before or without a resident row (chat state, outbox messages, professional roles).

What other people did about this person is theirs, not this person's: blocks by others and
reports by others are neither exported nor revealed. On deletion those rows lose the link to
the person (the block goes, the report stays for the moderators without a name on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import Session, SQLModel, col, select

from matching.names import first_word
from storage import activities, buurtwerk
from storage.candidates import forget_resident
from storage.matchmaking import decline
from storage.models import (
    Activity,
    ActivitySubscription,
    AuditEntry,
    Block,
    BotFact,
    ChatState,
    Invitation,
    Match,
    MatchStatus,
    Nudge,
    NudgeKind,
    OutboxMessage,
    Post,
    PostKind,
    ProxyStepBack,
    Report,
    RequestFlow,
    Resident,
    Role,
    Signal,
    Signup,
    Suspension,
    Wijk,
)
from storage.residents import BlockedNeighbour, blocked_neighbours


def _row(model: SQLModel, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude=set(leave_out))


@dataclass
class PersonalData:
    """One person's rows, per table, as the person may see them."""

    exported_at: datetime
    resident: Resident | None = None
    wijk: Wijk | None = None
    posts: list[Post] = field(default_factory=list)
    invitations_received: list[Invitation] = field(default_factory=list)
    invitations_on_own_posts: list[Invitation] = field(default_factory=list)
    blocked: list[BlockedNeighbour] = field(default_factory=list)
    reports_made: list[Report] = field(default_factory=list)
    roles: list[tuple[Role, Wijk]] = field(default_factory=list)
    chat_state: ChatState | None = None
    outbox: list[OutboxMessage] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    # The kind of each match's post (request or offer), for the person's role in it.
    match_kinds: dict[int, str] = field(default_factory=dict)
    request_flows: list[RequestFlow] = field(default_factory=list)
    nudges: list[Nudge] = field(default_factory=list)
    suspensions: list[Suspension] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    signups: list[Signup] = field(default_factory=list)
    subscriptions: list[ActivitySubscription] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return (
            self.resident is None
            and not self.roles
            and self.chat_state is None
            and not self.outbox
        )

    def to_json(self) -> dict[str, Any]:
        """The download: keyed by table name, so every table that holds something about the
        person is visibly accounted for. Other people's ids are left out (an invitation on
        your post says how it went, not who it went to; a block names who you blocked)."""
        return {
            "exported_at": self.exported_at.isoformat(),
            "resident": [_row(self.resident)] if self.resident else [],
            "wijk": [_row(self.wijk, leave_out=("group_chat_id",))] if self.wijk else [],
            "post": [_row(post) for post in self.posts],
            "invitation": [_row(i) for i in self.invitations_received]
            + [_row(i, leave_out=("resident_id",)) for i in self.invitations_on_own_posts],
            "block": [
                {"blocked_first_name": first_word(other.first_name)} for other in self.blocked
            ],
            "report": [
                _row(r, leave_out=("reported_resident_id", "quote_author_telegram_id"))
                for r in self.reports_made
            ],
            "role": [{**_row(role), "wijk_name": wijk.name} for role, wijk in self.roles],
            "chatstate": [_row(self.chat_state)] if self.chat_state else [],
            "outboxmessage": [_row(message) for message in self.outbox],
            "match": [self._match_row(match) for match in self.matches],
            "requestflow": [_row(flow) for flow in self.request_flows],
            "nudge": [_row(nudge) for nudge in self.nudges],
            # Which buurtwerker suspended them is theirs to ask the wijk, not in a download.
            "suspension": [_row(s, leave_out=("created_by",)) for s in self.suspensions],
            "activity": [_row(activity) for activity in self.activities],
            "signup": [_row(signup) for signup in self.signups],
            "activity_subscription": [_row(sub) for sub in self.subscriptions],
        }

    def _match_row(self, match: Match) -> dict[str, Any]:
        """A match from this person's side: their role, how it went, their own username if
        they shared it; nothing that identifies the other person."""
        asker = self.resident is not None and match.asker_id == self.resident.id
        # On an offer the one who chooses (asker_id) is the offer's author, the other the
        # neighbour who showed interest.
        offer = self.match_kinds.get(match.id or 0) == PostKind.OFFER.value
        if offer:
            side = "offer_author" if asker else "interested"
        else:
            side = "asker" if asker else "helper"
        return {
            "id": match.id,
            "post_id": match.post_id,
            "role": side,
            "status": match.status,
            "created_at": match.created_at.isoformat(),
            "accepted_at": None if match.accepted_at is None else match.accepted_at.isoformat(),
            "ended_at": None if match.ended_at is None else match.ended_at.isoformat(),
            "shares_username": match.asker_shares if asker else match.helper_shares,
            "shared_username": match.asker_username if asker else match.helper_username,
            "last_relay_at": None
            if match.last_relay_at is None
            else match.last_relay_at.isoformat(),
            "follow_up_at": None if match.follow_up_at is None else match.follow_up_at.isoformat(),
            "worked_out": match.asker_worked if asker else match.helper_worked,
        }


def collect(session: Session, *, telegram_user_id: int, now: datetime) -> PersonalData:
    """Gather every row about the person with this Telegram id."""
    data = PersonalData(
        exported_at=now,
        roles=[
            (role, wijk)
            for role, wijk in session.exec(
                select(Role, Wijk)
                .join(Wijk, col(Wijk.id) == col(Role.wijk_id))
                .where(Role.telegram_user_id == telegram_user_id)
                .order_by(col(Role.id))
            ).all()
        ],
        chat_state=session.get(ChatState, telegram_user_id),
        outbox=list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == telegram_user_id)
                .order_by(col(OutboxMessage.id))
            ).all()
        ),
    )
    resident = session.exec(
        select(Resident).where(Resident.telegram_user_id == telegram_user_id)
    ).first()
    if resident is None or resident.id is None:
        return data
    data.resident = resident
    data.wijk = None if resident.wijk_id is None else session.get(Wijk, resident.wijk_id)
    data.posts = list(
        session.exec(
            select(Post).where(Post.resident_id == resident.id).order_by(col(Post.id))
        ).all()
    )
    data.invitations_received = list(
        session.exec(
            select(Invitation)
            .where(Invitation.resident_id == resident.id)
            .order_by(col(Invitation.id))
        ).all()
    )
    data.invitations_on_own_posts = list(
        session.exec(
            select(Invitation)
            .where(col(Invitation.post_id).in_(_post_ids(session, resident.id)))
            .order_by(col(Invitation.id))
        ).all()
    )
    data.matches = list(
        session.exec(
            select(Match)
            .where(or_(col(Match.asker_id) == resident.id, col(Match.helper_id) == resident.id))
            .order_by(col(Match.id))
        ).all()
    )
    match_ids = [match.id for match in data.matches]
    data.match_kinds = {
        match_id: kind
        for match_id, kind in session.exec(
            select(Match.id, Post.kind)
            .join(Post, col(Post.id) == col(Match.post_id))
            .where(col(Match.id).in_(match_ids))
        ).all()
        if match_id is not None
    }
    data.request_flows = list(
        session.exec(
            select(RequestFlow)
            .where(col(RequestFlow.post_id).in_(_post_ids(session, resident.id)))
            .order_by(col(RequestFlow.post_id))
        ).all()
    )
    data.nudges = list(
        session.exec(
            select(Nudge).where(Nudge.resident_id == resident.id).order_by(col(Nudge.id))
        ).all()
    )
    data.suspensions = list(
        session.exec(
            select(Suspension)
            .where(Suspension.resident_id == resident.id)
            .order_by(col(Suspension.id))
        ).all()
    )
    data.activities, data.signups, data.subscriptions = activities.personal_rows(
        session, resident_id=resident.id
    )
    data.blocked = blocked_neighbours(session, blocker_id=resident.id)
    data.reports_made = list(
        session.exec(
            select(Report).where(Report.reporter_id == resident.id).order_by(col(Report.id))
        ).all()
    )
    return data


def _post_ids(session: Session, resident_id: int) -> list[int]:
    return [
        post_id
        for post_id in session.exec(select(Post.id).where(Post.resident_id == resident_id)).all()
        if post_id is not None
    ]


# /verwijder's question, asked at: a "yes" counts only while the question stands (state in the
# database, so a stale or forged press deletes nothing).
DELETE_ASKED_PREFIX = "delete_asked:"
DELETE_QUESTION_VALID = timedelta(hours=1)


def remember_delete_asked(session: Session, *, telegram_user_id: int, now: datetime) -> None:
    key = f"{DELETE_ASKED_PREFIX}{telegram_user_id}"
    fact = session.get(BotFact, key)
    if fact is None:
        fact = BotFact(key=key, value=now.isoformat())
    fact.value = now.isoformat()
    session.add(fact)


def take_delete_asked(session: Session, *, telegram_user_id: int, now: datetime) -> bool:
    """Whether the question was asked (and is recent); it is answered either way."""
    fact = session.get(BotFact, f"{DELETE_ASKED_PREFIX}{telegram_user_id}")
    if fact is None:
        return False
    session.delete(fact)
    session.flush()
    try:
        asked = datetime.fromisoformat(fact.value)
    except ValueError:
        return False
    return asked <= now <= asked + DELETE_QUESTION_VALID


def delete_person(session: Session, *, telegram_user_id: int, now: datetime) -> None:
    """Delete everything about the person; reports stay for the moderators, without them.

    Children first, so foreign keys hold at every step on both SQLite and PostgreSQL.
    """
    session.execute(delete(ChatState).where(col(ChatState.chat_id) == telegram_user_id))
    session.execute(
        delete(BotFact).where(col(BotFact.key) == f"{DELETE_ASKED_PREFIX}{telegram_user_id}")
    )
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.chat_id) == telegram_user_id))
    session.execute(delete(Role).where(col(Role.telegram_user_id) == telegram_user_id))
    buurtwerk.forget_actor(session, telegram_user_id=telegram_user_id)
    # Notes in a team chat that name them ("Willem: bericht verborgen"), sent or waiting.
    session.execute(
        delete(OutboxMessage).where(
            col(OutboxMessage.about) == buurtwerk.team_note_about(telegram_user_id)
        )
    )
    # Quotes of what they wrote (a group message someone reported, a relayed line), also when
    # they never started the bot and so have no resident row.
    session.execute(
        update(Report)
        .where(col(Report.quote_author_telegram_id) == telegram_user_id)
        .values(quote="", reason="", quote_author_telegram_id=None)
    )
    resident = session.exec(
        select(Resident).where(Resident.telegram_user_id == telegram_user_id)
    ).first()
    if resident is None or resident.id is None:
        return
    person = resident.id
    post_ids = _post_ids(session, person)
    # Reports keep their wijk and status for the moderators, but nothing of the person: not
    # who made or got them, and no free text (the reporter's words may well name them).
    about_them = or_(
        col(Report.reporter_id) == person,
        col(Report.reported_resident_id) == person,
        col(Report.post_id).in_(post_ids),
    )
    session.execute(
        update(Report).where(about_them).values(reason="", quote="", quote_author_telegram_id=None)
    )
    session.execute(delete(Nudge).where(col(Nudge.resident_id) == person))
    # Their sign-ups, and the activities they organised with everyone's sign-ups for them;
    # then every message about those (offers, reminders, announcements with their words).
    signup_ids, activity_ids = activities.erase_resident(session, resident_id=person)
    signup_abouts = [f"{kind}:{i}" for kind in ("signup", "actnote", "actsub") for i in signup_ids]
    activity_keys = [f"act-group:{a}" for a in activity_ids]
    session.execute(
        delete(OutboxMessage).where(
            or_(
                col(OutboxMessage.about).in_(signup_abouts),
                col(OutboxMessage.dedupe_key).in_(activity_keys),
                *(
                    col(OutboxMessage.dedupe_key).startswith(f"act-group:{a}:")
                    for a in activity_ids
                ),
                *(
                    col(OutboxMessage.dedupe_key).startswith(f"act-announce:{a}:")
                    for a in activity_ids
                ),
            )
        )
    )
    if activity_ids:
        session.execute(
            delete(Nudge).where(
                col(Nudge.kind) == NudgeKind.ANNOUNCEMENT.value, col(Nudge.ref).in_(activity_ids)
            )
        )
    if signup_ids:
        session.execute(
            delete(Nudge).where(
                col(Nudge.kind) == NudgeKind.SUBSCRIBED.value, col(Nudge.ref).in_(signup_ids)
            )
        )
    session.execute(
        update(Report).where(col(Report.reporter_id) == person).values(reporter_id=None)
    )
    session.execute(
        update(Report)
        .where(col(Report.reported_resident_id) == person)
        .values(reported_resident_id=None)
    )
    session.execute(update(Report).where(col(Report.post_id).in_(post_ids)).values(post_id=None))
    # The audit log keeps what buurtwerkers did, no longer pointing at the person or posts.
    session.execute(
        update(AuditEntry).where(col(AuditEntry.resident_id) == person).values(resident_id=None)
    )
    session.execute(
        update(AuditEntry).where(col(AuditEntry.post_id).in_(post_ids)).values(post_id=None)
    )
    session.execute(delete(Suspension).where(col(Suspension.resident_id) == person))
    session.execute(update(Signal).where(col(Signal.post_id).in_(post_ids)).values(post_id=None))
    invitations = or_(col(Invitation.resident_id) == person, col(Invitation.post_id).in_(post_ids))
    matches = or_(
        col(Match.asker_id) == person,
        col(Match.helper_id) == person,
        col(Match.post_id).in_(post_ids),
    )
    invitation_ids = list(session.exec(select(Invitation.id).where(invitations)).all())
    match_ids = list(session.exec(select(Match.id).where(matches)).all())
    # Every outbox message to or about the person, sent or waiting, in anyone's chat: it
    # carries their name or words (an invitation with their request, "Is het gelukt met
    # Annabel?", a thank-you naming them).
    keys = [f"invite:{i}" for i in invitation_ids] + [f"offer:{m}" for m in match_ids]
    abouts = (
        [f"inv:{i}" for i in invitation_ids]
        + [f"match:{m}" for m in match_ids]
        + [f"followup:{m}" for m in match_ids]
        + [f"post:{p}" for p in post_ids]
    )
    session.execute(
        delete(OutboxMessage).where(
            or_(
                col(OutboxMessage.resident_id) == person,
                col(OutboxMessage.counterpart_id) == person,
                col(OutboxMessage.dedupe_key).in_(keys),
                col(OutboxMessage.about).in_(abouts),
            )
        )
    )
    # Someone else's request waiting for this person's yes to be accepted opens again.
    for waiting in session.exec(
        select(Match).where(
            col(Match.helper_id) == person, Match.status == MatchStatus.PROPOSED.value
        )
    ).all():
        decline(session, match=waiting, now=now)
    session.execute(delete(Invitation).where(invitations))
    # A match is about two people; it goes as a whole (the other person's relay simply ends).
    session.execute(delete(ProxyStepBack).where(col(ProxyStepBack.match_id).in_(match_ids)))
    session.execute(delete(Match).where(matches))
    session.execute(delete(RequestFlow).where(col(RequestFlow.post_id).in_(post_ids)))
    session.execute(delete(Post).where(col(Post.resident_id) == person))
    session.execute(
        delete(Block).where(or_(col(Block.blocker_id) == person, col(Block.blocked_id) == person))
    )
    session.execute(delete(Resident).where(col(Resident.id) == person))
    # The candidate index and pools hold where they live and what they like: they go too.
    forget_resident(session, person)
