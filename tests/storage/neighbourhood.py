"""Residents, posts and invitations written straight into the database, for tests that must not
depend on the onboarding and posting dialogs; and a scan for anything left of a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from matching.activities import Repeat, RoleSpec
from matching.area import area_cell
from storage import activities, repo
from storage.db import session_scope
from storage.matchmaking import start_flow
from storage.models import (
    Invitation,
    Match,
    Nudge,
    NudgeKind,
    OutboxMessage,
    Post,
    PostKind,
    Resident,
    RoleKind,
    Suspension,
    Wijk,
)
from storage.moderation import add_block, report_post

ACTIVITY = "Zerlindes kookclub"

# Somewhere in Amsterdam-Oost; its area cell is what onboarding would store.
OOST = (52.3560, 4.9270)


def add_wijk(session: Session, name: str, now: datetime) -> Wijk:
    return repo.add_wijk(session, name=name, center_cell=None, reach_m=1500, now=now)


def add_resident(
    session: Session,
    *,
    telegram_user_id: int,
    first_name: str,
    wijk: Wijk | None,
    now: datetime,
    language: str = "nl",
    **fields: Any,
) -> Resident:
    """An onboarded resident of `wijk` (fields override any column)."""
    columns: dict[str, Any] = {
        "telegram_user_id": telegram_user_id,
        "first_name": first_name,
        "language": language,
        "wijk_id": None if wijk is None else wijk.id,
        "area_cell": area_cell(*OOST),
        "onboarded": True,
        "created_at": now,
        "updated_at": now,
    }
    resident = Resident(**(columns | fields))
    session.add(resident)
    session.flush()
    return resident


def add_post(
    session: Session,
    author: Resident,
    text: str,
    now: datetime,
    *,
    kind: PostKind = PostKind.REQUEST,
    category: str = "groceries",
    **fields: Any,
) -> Post:
    assert author.id is not None
    assert author.wijk_id is not None
    post = Post(
        resident_id=author.id,
        wijk_id=author.wijk_id,
        kind=kind.value,
        category=category,
        text=text,
        area_cell=author.area_cell,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session.add(post)
    session.flush()
    return post


def add_invitation(session: Session, post: Post, invitee: Resident, now: datetime) -> Invitation:
    assert post.id is not None
    assert invitee.id is not None
    invitation = Invitation(post_id=post.id, resident_id=invitee.id, sent_at=now)
    session.add(invitation)
    session.flush()
    return invitation


@dataclass(frozen=True)
class Traces:
    """What identifies one person in the database."""

    telegram_user_id: int
    resident_id: int
    words: tuple[str, ...]  # first name, post texts: any text column containing one is a leak


# Columns that hold a resident id without a foreign key (the outbox outlives nothing).
RESIDENT_ID_COLUMNS = frozenset({"resident_id", "counterpart_id"})


def _references_resident(column: Any) -> bool:
    if column.table.name == "resident" and column.name == "id":
        return True
    if column.name in RESIDENT_ID_COLUMNS:
        return True
    return any(key.column.table.name == "resident" for key in column.foreign_keys)


def _points_at(column: Any, value: object, traces: Traces) -> bool:
    if _references_resident(column) and value == traces.resident_id:
        return True
    if isinstance(column.type, Integer) and value == traces.telegram_user_id:
        return True
    return any(word in str(value) for word in traces.words)


def leftovers(engine: Engine, traces: Traces) -> list[str]:
    """Every (table, column, value) that still points at the person, across ALL tables.

    Tables are found from the metadata, so a table added later is checked without changing
    this test helper.
    """
    found: list[str] = []
    with session_scope(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column in table.columns:
                    value = row[column.name]
                    if value is None:
                        continue
                    if _points_at(column, value, traces):
                        found.append(f"{table.name}.{column.name}={value!r}")
    return found


# --- one resident who touches every table ----------------------------------------------------

BEN_ID = 7002
CARLA_ID = 7003
REQUEST = "Wie leent mij een trapladder op zaterdag?"
OFFER = "Ik bak graag appeltaart voor de buren"
BEN_POST = "Wie gaat er mee wandelen?"


@dataclass(frozen=True)
class RichNeighbourhood:
    traces: Traces
    ben_post_id: int
    ben_id: int
    carla_id: int


def build_rich_resident(
    engine: Engine, now: datetime, *, telegram_user_id: int, language: str = "nl"
) -> RichNeighbourhood:
    """Zerlinde touches every table: posts, invitations both ways, blocks both ways, reports
    both ways, a dialog in progress, an outbox message and a professional role. Ben and Carla
    live in the same wijk."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", now)
        zerlinde = add_resident(
            session,
            telegram_user_id=telegram_user_id,
            first_name="Zerlinde",
            wijk=wijk,
            now=now,
            language=language,
            likes=["groceries", "cooking"],
        )
        ben = add_resident(session, telegram_user_id=BEN_ID, first_name="Ben", wijk=wijk, now=now)
        carla = add_resident(
            session, telegram_user_id=CARLA_ID, first_name="Carla", wijk=wijk, now=now
        )
        request = add_post(session, zerlinde, REQUEST, now)
        add_post(session, zerlinde, OFFER, now, kind=PostKind.OFFER, category="cooking")
        ben_post = add_post(session, ben, BEN_POST, now)
        to_ben = add_invitation(session, request, ben, now)
        add_invitation(session, ben_post, zerlinde, now)
        assert zerlinde.id
        assert ben.id
        assert carla.id
        assert ben_post.id
        add_block(session, blocker_id=zerlinde.id, blocked_id=carla.id, now=now)
        add_block(session, blocker_id=ben.id, blocked_id=zerlinde.id, now=now)
        # A request of hers that Ben said yes to (usernames shared), and one of Ben's she helps.
        start_flow(session, post=request, now=now)
        start_flow(session, post=ben_post, now=now)
        assert request.id
        session.add(
            Match(
                post_id=request.id,
                asker_id=zerlinde.id,
                helper_id=ben.id,
                status="ended",
                created_at=now,
                asker_username="Zerlinde_oost",
                asker_shares=True,
            )
        )
        session.add(
            Match(post_id=ben_post.id, asker_id=ben.id, helper_id=zerlinde.id, created_at=now)
        )
        report_post(session, reporter=zerlinde, post=ben_post, reason="spam", now=now)
        report_post(session, reporter=carla, post=request, reason="unkind", now=now)
        repo.save_chat_state(
            session,
            chat_id=telegram_user_id,
            flow="posting",
            step="confirm",
            data={"t": OFFER},
            now=now,
        )
        session.add(OutboxMessage(chat_id=telegram_user_id, text="Hoi Zerlinde, Ben helpt graag."))
        session.add(OutboxMessage(chat_id=BEN_ID, text="Hoi Ben"))
        # Her invitation, still waiting in Ben's outbox: it carries her words.
        session.add(
            OutboxMessage(
                chat_id=BEN_ID,
                text=f"Zin om te helpen? {REQUEST}",
                dedupe_key=f"invite:{to_ben.id}",
            )
        )
        repo.grant_role(
            session,
            telegram_user_id=telegram_user_id,
            kind=RoleKind.BUURTWERKER,
            wijk=wijk,
            now=now,
        )
        # She organises a cooking club Ben signed up for (and told privately about it), and
        # signed up "elke keer" for Ben's walk.
        own, bens = (
            activities.create_activity(
                session,
                wijk_id=wijk.id or 0,
                organiser_id=organiser,
                title=title,
                description="",
                place="",
                place_private=False,
                first_day=(now + timedelta(days=2)).date(),
                starts_local=time(18, 0),
                duration=timedelta(hours=2),
                repeat=Repeat.WEEKLY,
                repeat_until=None,
                roles=[RoleSpec("gasten", 8)],
                zone=ZoneInfo("Europe/Amsterdam"),
                now=now,
            )
            for organiser, title in ((zerlinde.id, ACTIVITY), (ben.id, "Wandeling"))
        )
        assert own.id is not None
        assert bens.id is not None
        for activity, person in ((own, ben.id), (bens, zerlinde.id)):
            assert activity.id is not None
            role = activities.roles_of(session, activity_id=activity.id)[0]
            first = activities.dates_of(session, activity_id=activity.id, after=now)[0]
            assert first.id is not None
            assert role.id is not None
            taken = activities.take_place(
                session, date_id=first.id, role=role, resident_id=person, now=now
            )
            activities.subscribe(
                session, activity_id=activity.id, role_id=role.id, resident_id=person, now=now
            )
            assert taken.signup is not None
        session.add(
            OutboxMessage(
                chat_id=BEN_ID,
                text=f"{ACTIVITY} is morgen",
                dedupe_key=f"act-announce:{own.id}:{ben.id}",
            )
        )
        repo.claim_update(session, update_id=123, now=now)
        # A digest she was sent, and a suspension a buurtwerker gave her once.
        assert wijk.id is not None
        session.add(Nudge(resident_id=zerlinde.id, kind=NudgeKind.DIGEST.value, at=now))
        session.add(
            Suspension(
                wijk_id=wijk.id,
                resident_id=zerlinde.id,
                until=now,
                created_by=BEN_ID,
                created_at=now,
                lifted_at=now,
            )
        )
        return RichNeighbourhood(
            Traces(telegram_user_id, zerlinde.id, ("Zerlinde", REQUEST, OFFER, ACTIVITY)),
            ben_post_id=ben_post.id,
            ben_id=ben.id,
            carla_id=carla.id,
        )
