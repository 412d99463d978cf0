"""Activities, their dates and sign-ups in the database.

Every change to the sign-ups of one date starts by bumping that date's `version` (a
conditional UPDATE, the transaction's first write about it): on PostgreSQL that locks the date
row until commit, on SQLite the database, so two presses for the last place are decided one
after the other and the capacity is never exceeded. The bumped version numbers the sign-up
(`seq`), which is therefore the order in which presses got their turn: the waiting list is
served in it. Nobody moves from the waiting list to a place without saying yes: a freed place
is *offered* (kept for them until a deadline), and only `accept_offer` makes it theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import String, cast, delete, func, or_, update
from sqlmodel import Session, col, select

from matching.activities import (
    Repeat,
    RoleSpec,
    has_room,
    offer_deadline,
    upcoming,
)
from storage.models import (
    Activity,
    ActivityDate,
    ActivityRole,
    ActivityStatus,
    ActivitySubscription,
    Resident,
    Role,
    RoleKind,
    Signup,
    SignupStatus,
    Wijk,
)

HOLDING = (SignupStatus.IN.value, SignupStatus.OFFERED.value)
# When an offer made now would reach a resident (by id): after their quiet hours, say. The
# time limit to accept starts then, so the hours they sleep do not eat it.
ArrivesAt = Callable[[int], datetime]
# How far down the waiting list an offer looks for someone who can still be told in time.
OFFER_LOOKS_AT = 50
ACTIVE = (*HOLDING, SignupStatus.WAITING.value)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def create_activity(
    session: Session,
    *,
    wijk_id: int,
    organiser_id: int,
    title: str,
    description: str,
    place: str,
    place_private: bool,
    first_day: date,
    starts_local: time,
    duration: timedelta,
    repeat: Repeat,
    repeat_until: date | None,
    roles: list[RoleSpec],
    zone: tzinfo,
    now: datetime,
    also_wijk_ids: list[int] | None = None,
) -> Activity:
    activity = Activity(
        wijk_id=wijk_id,
        organiser_id=organiser_id,
        title=title,
        description=description,
        place=place,
        place_private=place_private,
        first_day=first_day.isoformat(),
        starts_local=starts_local.strftime("%H:%M"),
        duration_minutes=int(duration.total_seconds() // 60),
        repeat=repeat.value,
        repeat_until=None if repeat_until is None else repeat_until.isoformat(),
        created_at=now,
        also_wijk_ids=sorted(set(also_wijk_ids or ()) - {wijk_id}),
    )
    session.add(activity)
    session.flush()
    assert activity.id is not None
    for position, spec in enumerate(roles):
        session.add(
            ActivityRole(
                activity_id=activity.id,
                name=spec.name,
                capacity=spec.capacity,
                position=position,
            )
        )
    session.flush()
    ensure_dates(session, activity=activity, zone=zone, now=now)
    return activity


def ensure_dates(
    session: Session, *, activity: Activity, zone: tzinfo, now: datetime
) -> list[ActivityDate]:
    """Create the dates within the horizon that do not exist yet; returns the new ones."""
    if activity.status != ActivityStatus.OPEN.value:
        return []
    assert activity.id is not None
    wanted = upcoming(
        date.fromisoformat(activity.first_day),
        _clock(activity.starts_local),
        timedelta(minutes=activity.duration_minutes),
        Repeat(activity.repeat),
        None if activity.repeat_until is None else date.fromisoformat(activity.repeat_until),
        zone,
        now,
    )
    # A moved date still stands for the moment it was planned for (and its new moment).
    have = set()
    for row in session.exec(
        select(ActivityDate).where(ActivityDate.activity_id == activity.id)
    ).all():
        have.add(row.starts_at)
        if row.planned_at is not None:
            have.add(row.planned_at)
    made = []
    for one in wanted:
        if one.starts_at in have:
            continue
        row = ActivityDate(activity_id=activity.id, starts_at=one.starts_at, ends_at=one.ends_at)
        session.add(row)
        made.append(row)
    session.flush()
    return made


def roles_of(session: Session, *, activity_id: int) -> list[ActivityRole]:
    statement = (
        select(ActivityRole)
        .where(ActivityRole.activity_id == activity_id)
        .order_by(col(ActivityRole.position))
    )
    return list(session.exec(statement).all())


def dates_of(
    session: Session, *, activity_id: int, after: datetime, include_cancelled: bool = False
) -> list[ActivityDate]:
    statement = select(ActivityDate).where(
        ActivityDate.activity_id == activity_id, col(ActivityDate.starts_at) > after
    )
    if not include_cancelled:
        statement = statement.where(col(ActivityDate.cancelled).is_(False))
    return list(session.exec(statement.order_by(col(ActivityDate.starts_at))).all())


def next_date(session: Session, *, activity_id: int, now: datetime) -> ActivityDate | None:
    dates = dates_of(session, activity_id=activity_id, after=now)
    return dates[0] if dates else None


def coming_in_wijk(
    session: Session, *, wijk_id: int, now: datetime, limit: int
) -> list[tuple[Activity, ActivityDate]]:
    """The activities announced in the wijk (its own, and a neighbouring wijk's that the
    organiser also announced here) that have a date to come (not cancelled), each with its
    next date, soonest first; at most `limit`."""
    soonest = func.min(ActivityDate.starts_at)
    statement = (
        select(Activity, soonest)
        .join(ActivityDate, col(Activity.id) == col(ActivityDate.activity_id))
        .where(
            col(ActivityDate.starts_at) > now,
            col(ActivityDate.cancelled).is_(False),
            # Its own, or one announced in other wijken too (checked exactly below).
            or_(
                col(Activity.wijk_id) == wijk_id, cast(col(Activity.also_wijk_ids), String) != "[]"
            ),
        )
        .group_by(col(Activity.id))
        .order_by(soonest, col(Activity.id))
    )
    found = []
    # The other wijken an activity is announced in are a JSON list, read here in Python.
    for activity, _starts in session.exec(statement).all():
        if wijk_id not in announced_in(activity):
            continue
        assert activity.id is not None
        upcoming = next_date(session, activity_id=activity.id, now=now)
        if upcoming is not None:
            found.append((activity, upcoming))
            if len(found) == limit:
                break
    return found


def activities_of_organiser(
    session: Session, *, organiser_id: int, now: datetime
) -> list[Activity]:
    """The organiser's activities that are open or still have a date to come."""
    statement = (
        select(Activity).where(Activity.organiser_id == organiser_id).order_by(col(Activity.id))
    )
    return [
        activity
        for activity in session.exec(statement).all()
        if activity.status == ActivityStatus.OPEN.value
        or (activity.id is not None and next_date(session, activity_id=activity.id, now=now))
    ]


def open_activities(session: Session) -> list[Activity]:
    statement = select(Activity).where(Activity.status == ActivityStatus.OPEN.value)
    return list(session.exec(statement).all())


# --- taking turns on one date ------------------------------------------------------------------


def _forget_signups(session: Session) -> None:
    """After taking a date's turn (or changing it), sign-ups and dates read before are stale:
    read them again (other loaded rows, such as the resident, stay as they are)."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Signup | ActivityDate):
            session.expire(loaded)


def _take_turn(session: Session, date_id: int) -> int | None:
    """Bump the date's version (locking it for this transaction); None when it is cancelled or
    gone. Returns the new version: this change's place in the order of arrival."""
    result = session.execute(
        update(ActivityDate)
        .where(col(ActivityDate.id) == date_id, col(ActivityDate.cancelled).is_(False))
        .values(version=col(ActivityDate.version) + 1)
        .returning(col(ActivityDate.version))
    )
    row = result.first()
    _forget_signups(session)
    return None if row is None else int(row[0])


def counts(session: Session, *, date_id: int) -> dict[int, dict[str, int]]:
    """Per role id: how many sign-ups there are per status on this date."""
    statement = (
        select(Signup.role_id, Signup.status, func.count())
        .where(Signup.date_id == date_id)
        .group_by(col(Signup.role_id), col(Signup.status))
    )
    found: dict[int, dict[str, int]] = {}
    for role_id, status, number in session.exec(statement).all():
        found.setdefault(role_id, {})[status] = number
    return found


def taken(session: Session, *, date_id: int, role_id: int) -> int:
    by_status = counts(session, date_id=date_id).get(role_id, {})
    return sum(by_status.get(status, 0) for status in HOLDING)


def signup_of(session: Session, *, date_id: int, resident_id: int) -> Signup | None:
    statement = select(Signup).where(Signup.date_id == date_id, Signup.resident_id == resident_id)
    return session.exec(statement).first()


@dataclass(frozen=True)
class Taken:
    """What a press for a place came to: the sign-up (in or waiting), whether it was already
    so before the press (a double tap), or None when the date is closed."""

    signup: Signup | None
    already: bool = False


def take_place(
    session: Session, *, date_id: int, role: ActivityRole, resident_id: int, now: datetime
) -> Taken:
    """A place in the role if one is free (nobody waiting before them), else the waiting list."""
    assert role.id is not None
    turn = _take_turn(session, date_id)
    if turn is None:
        return Taken(None)
    existing = signup_of(session, date_id=date_id, resident_id=resident_id)
    if existing is not None and existing.status in ACTIVE:
        return Taken(existing, already=True)
    by_status = counts(session, date_id=date_id).get(role.id, {})
    holding = sum(by_status.get(status, 0) for status in HOLDING)
    waiting = by_status.get(SignupStatus.WAITING.value, 0)
    status = SignupStatus.IN if waiting == 0 and has_room(role.capacity, holding) else None
    signup = existing or Signup(
        date_id=date_id,
        role_id=role.id,
        resident_id=resident_id,
        status="",
        created_at=now,
        updated_at=now,
    )
    signup.role_id = role.id
    signup.status = (status or SignupStatus.WAITING).value
    signup.seq = turn
    signup.offered_until = None
    signup.updated_at = now
    session.add(signup)
    session.flush()
    return Taken(signup)


def withdraw(
    session: Session,
    *,
    signup: Signup,
    now: datetime,
    starts_at: datetime,
    arrives_at: ArrivesAt | None = None,
) -> Signup | None:
    """Give up a place (or one's spot on the waiting list, or an offer); returns the sign-up
    that is offered the freed place, if any."""
    assert signup.id is not None
    if _take_turn(session, signup.date_id) is None:
        fresh = session.get(Signup, signup.id)
        if fresh is not None and fresh.status in ACTIVE:
            fresh.status = SignupStatus.WITHDRAWN.value
            fresh.updated_at = now
            session.add(fresh)
        return None
    fresh = session.get(Signup, signup.id)
    if fresh is None or fresh.status not in ACTIVE:
        return None
    freed = fresh.status in HOLDING
    fresh.status = SignupStatus.WITHDRAWN.value
    fresh.offered_until = None
    fresh.updated_at = now
    session.add(fresh)
    session.flush()
    if not freed:
        return None
    return _offer_next(
        session,
        date_id=fresh.date_id,
        role_id=fresh.role_id,
        now=now,
        starts_at=starts_at,
        arrives_at=arrives_at,
    )


def _offer_next(
    session: Session,
    *,
    date_id: int,
    role_id: int,
    now: datetime,
    starts_at: datetime,
    arrives_at: ArrivesAt | None = None,
) -> Signup | None:
    """Offer a free place in the role to the first on the waiting list (the caller has the
    date's turn). The time limit counts from when the offer reaches them (`arrives_at`, after
    their quiet hours); someone it cannot reach before the start stays on the list and the
    next one is offered the place."""
    if offer_deadline(now, starts_at) is None:
        return None
    role = session.get(ActivityRole, role_id)
    if role is None or not has_room(
        role.capacity, taken(session, date_id=date_id, role_id=role_id)
    ):
        return None
    statement = (
        select(Signup)
        .where(
            Signup.date_id == date_id,
            Signup.role_id == role_id,
            Signup.status == SignupStatus.WAITING.value,
        )
        .order_by(col(Signup.seq))
        .limit(OFFER_LOOKS_AT)
    )
    for first in session.exec(statement).all():
        reaches = now if arrives_at is None else max(now, arrives_at(first.resident_id))
        deadline = offer_deadline(reaches, starts_at)
        if deadline is not None:
            return _make_offer(session, first, deadline, now)
    return None


def _make_offer(session: Session, first: Signup, deadline: datetime, now: datetime) -> Signup:
    first.status = SignupStatus.OFFERED.value
    first.offered_until = deadline
    first.updated_at = now
    session.add(first)
    session.flush()
    return first


def accept_offer(session: Session, *, signup_id: int, now: datetime) -> Signup | None:
    """Yes to an offered place, while the offer stands; None when it no longer does."""
    signup = session.get(Signup, signup_id)
    if signup is None or _take_turn(session, signup.date_id) is None:
        return None
    signup = session.get(Signup, signup_id)
    if (
        signup is None
        or signup.status != SignupStatus.OFFERED.value
        or signup.offered_until is None
        or signup.offered_until <= now
    ):
        return None
    signup.status = SignupStatus.IN.value
    signup.offered_until = None
    signup.updated_at = now
    session.add(signup)
    session.flush()
    return signup


def expired_offers(session: Session, *, now: datetime, limit: int = 50) -> list[Signup]:
    statement = (
        select(Signup)
        .where(Signup.status == SignupStatus.OFFERED.value, col(Signup.offered_until) <= now)
        .order_by(col(Signup.offered_until))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def expire_offer(
    session: Session,
    *,
    signup: Signup,
    now: datetime,
    starts_at: datetime,
    arrives_at: ArrivesAt | None = None,
) -> Signup | None:
    """An offer nobody answered in time: it lapses (they leave the list, told kindly), and the
    next on the waiting list is offered the place. Returns that next sign-up."""
    assert signup.id is not None
    if _take_turn(session, signup.date_id) is None:
        return None
    fresh = session.get(Signup, signup.id)
    if (
        fresh is None
        or fresh.status != SignupStatus.OFFERED.value
        or fresh.offered_until is None
        or fresh.offered_until > now
    ):
        return None
    fresh.status = SignupStatus.WITHDRAWN.value
    fresh.offered_until = None
    fresh.updated_at = now
    session.add(fresh)
    session.flush()
    return _offer_next(
        session,
        date_id=fresh.date_id,
        role_id=fresh.role_id,
        now=now,
        starts_at=starts_at,
        arrives_at=arrives_at,
    )


def waiting_before(session: Session, *, signup: Signup) -> int:
    """How many wait for this role on this date up to this sign-up (its place in line)."""
    statement = select(func.count()).where(
        Signup.date_id == signup.date_id,
        Signup.role_id == signup.role_id,
        Signup.status == SignupStatus.WAITING.value,
        col(Signup.seq) <= signup.seq,
    )
    return int(session.exec(statement).one())


def has_coming_signup(session: Session, *, resident_id: int, now: datetime) -> bool:
    """Whether this person holds a place, an offer or a spot on the waiting list for a date
    still to come (a pause keeps those, and their messages)."""
    statement = (
        select(Signup.id)
        .join(ActivityDate, col(ActivityDate.id) == Signup.date_id)
        .where(
            Signup.resident_id == resident_id,
            col(Signup.status).in_(ACTIVE),
            col(ActivityDate.cancelled).is_(False),
            col(ActivityDate.starts_at) > now,
        )
        .limit(1)
    )
    return session.exec(statement).first() is not None


def coming_places_of(
    session: Session, *, resident_id: int, now: datetime, statuses: tuple[str, ...] = HOLDING
) -> list[tuple[Signup, ActivityDate, Activity]]:
    """The places and offers (or, with `statuses`, also spots on the waiting list) this person
    holds on dates still to come of activities others organise, in the order of their start
    (the order every change takes dates' turns in)."""
    statement = (
        select(Signup, ActivityDate, Activity)
        .join(ActivityDate, col(ActivityDate.id) == Signup.date_id)
        .join(Activity, col(Activity.id) == ActivityDate.activity_id)
        .where(
            Signup.resident_id == resident_id,
            col(Signup.status).in_(statuses),
            col(ActivityDate.cancelled).is_(False),
            col(ActivityDate.starts_at) > now,
            Activity.organiser_id != resident_id,
        )
        .order_by(col(ActivityDate.starts_at), col(ActivityDate.id))
    )
    return [(signup, row, activity) for signup, row, activity in session.exec(statement).all()]


def signups_on(
    session: Session, *, date_id: int, statuses: tuple[str, ...] = ACTIVE
) -> list[tuple[Signup, Resident]]:
    statement = (
        select(Signup, Resident)
        .join(Resident, col(Resident.id) == Signup.resident_id)
        .where(Signup.date_id == date_id, col(Signup.status).in_(statuses))
        .order_by(col(Signup.seq))
    )
    return [(signup, resident) for signup, resident in session.exec(statement).all()]


def cancel_date(session: Session, *, date: ActivityDate, now: datetime) -> bool:
    """Cancel one date: sign-up closes (False when it was cancelled already)."""
    assert date.id is not None
    if _take_turn(session, date.id) is None:
        return False
    result = session.execute(
        update(ActivityDate)
        .where(col(ActivityDate.id) == date.id, col(ActivityDate.cancelled).is_(False))
        .values(cancelled=True)
    )
    # Offers on it are over: nobody can be moved in any more.
    session.execute(
        update(Signup)
        .where(col(Signup.date_id) == date.id, col(Signup.status) == SignupStatus.OFFERED.value)
        .values(status=SignupStatus.WAITING.value, offered_until=None)
    )
    _forget_signups(session)
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- subscriptions ("elke keer") ---------------------------------------------------------------


def subscribe(
    session: Session, *, activity_id: int, role_id: int, resident_id: int, now: datetime
) -> ActivitySubscription:
    statement = select(ActivitySubscription).where(
        ActivitySubscription.activity_id == activity_id,
        ActivitySubscription.resident_id == resident_id,
    )
    found = session.exec(statement).first()
    if found is None:
        found = ActivitySubscription(
            activity_id=activity_id, role_id=role_id, resident_id=resident_id, created_at=now
        )
    found.role_id = role_id
    session.add(found)
    session.flush()
    return found


def subscription_of(
    session: Session, *, activity_id: int, resident_id: int
) -> ActivitySubscription | None:
    statement = select(ActivitySubscription).where(
        ActivitySubscription.activity_id == activity_id,
        ActivitySubscription.resident_id == resident_id,
    )
    return session.exec(statement).first()


def unsubscribe(session: Session, *, activity_id: int, resident_id: int) -> bool:
    result = session.execute(
        delete(ActivitySubscription).where(
            col(ActivitySubscription.activity_id) == activity_id,
            col(ActivitySubscription.resident_id) == resident_id,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def unsubscribe_everywhere(session: Session, *, resident_id: int) -> int:
    """End every "elke keer" of this person; returns how many there were."""
    result = session.execute(
        delete(ActivitySubscription).where(col(ActivitySubscription.resident_id) == resident_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def subscriptions_of(session: Session, *, activity_id: int) -> list[ActivitySubscription]:
    statement = select(ActivitySubscription).where(ActivitySubscription.activity_id == activity_id)
    return list(session.exec(statement.order_by(col(ActivitySubscription.id))).all())


# --- erasure -----------------------------------------------------------------------------------


def erase_resident(session: Session, *, resident_id: int) -> tuple[list[int], list[int]]:
    """A person deletes their data: their sign-ups and subscriptions go; activities they
    organised go with their dates and everyone's sign-ups for them. Returns the ids of the
    sign-ups and activities removed, so the messages about them can go too."""
    own = list(session.exec(select(Activity.id).where(Activity.organiser_id == resident_id)).all())
    own_ids = [activity_id for activity_id in own if activity_id is not None]
    own_dates = select(ActivityDate.id).where(col(ActivityDate.activity_id).in_(own_ids))
    signups = or_(col(Signup.resident_id) == resident_id, col(Signup.date_id).in_(own_dates))
    signup_ids = [i for i in session.exec(select(Signup.id).where(signups)).all() if i is not None]
    session.execute(delete(Signup).where(signups))
    session.execute(
        delete(ActivitySubscription).where(
            or_(
                col(ActivitySubscription.resident_id) == resident_id,
                col(ActivitySubscription.activity_id).in_(own_ids),
            )
        )
    )
    session.execute(delete(ActivityDate).where(col(ActivityDate.activity_id).in_(own_ids)))
    session.execute(delete(ActivityRole).where(col(ActivityRole.activity_id).in_(own_ids)))
    session.execute(delete(Activity).where(col(Activity.id).in_(own_ids)))
    return signup_ids, own_ids


def personal_rows(
    session: Session, *, resident_id: int
) -> tuple[list[Activity], list[Signup], list[ActivitySubscription]]:
    """For /mijngegevens: the activities this person organises, their sign-ups and their
    "elke keer" subscriptions."""
    return (
        list(
            session.exec(
                select(Activity)
                .where(Activity.organiser_id == resident_id)
                .order_by(col(Activity.id))
            ).all()
        ),
        list(
            session.exec(
                select(Signup).where(Signup.resident_id == resident_id).order_by(col(Signup.id))
            ).all()
        ),
        list(
            session.exec(
                select(ActivitySubscription)
                .where(ActivitySubscription.resident_id == resident_id)
                .order_by(col(ActivitySubscription.id))
            ).all()
        ),
    )


def bump(session: Session, *, date_id: int) -> bool:
    """Take the date's turn (a change its people are told about gets a new version)."""
    return _take_turn(session, date_id) is not None


def move_date(
    session: Session, *, date: ActivityDate, starts_at: datetime, ends_at: datetime
) -> bool:
    """Move one date; False when the activity has another date at that moment already."""
    assert date.id is not None
    clash = session.exec(
        select(ActivityDate).where(
            ActivityDate.activity_id == date.activity_id,
            ActivityDate.starts_at == starts_at,
            ActivityDate.id != date.id,
        )
    ).first()
    if clash is not None or _take_turn(session, date.id) is None:
        return False
    session.execute(
        update(ActivityDate)
        .where(col(ActivityDate.id) == date.id)
        .values(
            starts_at=starts_at,
            ends_at=ends_at,
            reminded_at=None,
            # Moved again: it still stands for the moment first planned.
            planned_at=func.coalesce(col(ActivityDate.planned_at), col(ActivityDate.starts_at)),
        )
    )
    _forget_signups(session)
    return True


def end_subscriptions(session: Session, *, activity_id: int) -> None:
    session.execute(
        delete(ActivitySubscription).where(col(ActivitySubscription.activity_id) == activity_id)
    )


def organiser_wijken(session: Session, *, telegram_user_id: int) -> list[int]:
    """The wijken this person organises in (the organiser role, read now)."""
    found = session.exec(
        select(Role.wijk_id).where(
            Role.telegram_user_id == telegram_user_id, Role.kind == RoleKind.ORGANISER.value
        )
    ).all()
    return sorted(set(found))


def dates_to_remind(session: Session, *, now: datetime, ahead: timedelta) -> list[ActivityDate]:
    statement = (
        select(ActivityDate)
        .where(
            col(ActivityDate.reminded_at).is_(None),
            col(ActivityDate.cancelled).is_(False),
            col(ActivityDate.starts_at) > now,
            col(ActivityDate.starts_at) <= now + ahead,
        )
        .order_by(col(ActivityDate.starts_at))
    )
    return list(session.exec(statement).all())


def announced_in(activity: Activity) -> list[int]:
    """The wijken an activity is announced in: its own first, then the ones chosen."""
    return [activity.wijk_id, *(w for w in activity.also_wijk_ids if w != activity.wijk_id)]


def other_wijken(session: Session, *, wijk_id: int) -> list[Wijk]:
    """Every other wijk, by name: the ones an organiser may also announce in."""
    statement = select(Wijk).where(Wijk.id != wijk_id).order_by(col(Wijk.name))
    return list(session.exec(statement).all())


def audience(session: Session, *, activity: Activity) -> list[Resident]:
    """Who may hear of a new activity at all: onboarded residents of its wijk (and of the
    neighbouring wijken the organiser chose) who did not leave, but the organiser (likes, pause
    and pace are the caller's to check)."""
    statement = select(Resident).where(
        col(Resident.wijk_id).in_(announced_in(activity)),
        col(Resident.onboarded).is_(True),
        col(Resident.stopped).is_(False),
        col(Resident.unreachable_since).is_(None),
        Resident.id != activity.organiser_id,
    )
    return list(session.exec(statement.order_by(col(Resident.id))).all())
