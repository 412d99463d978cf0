"""Sign-ups in the database: the capacity holds under concurrent presses (SQLite and
PostgreSQL), the waiting list is served in arrival order and only with a yes."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from matching.activities import Repeat, RoleSpec
from storage import activities
from storage.db import session_scope
from storage.models import Activity, ActivityDate, ActivityRole, Signup, SignupStatus
from tests.storage.neighbourhood import add_resident, add_wijk

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PRESSES = 50
GUESTS = 8


def _cooking(session: Session, now: datetime, guests: int = GUESTS) -> tuple[Activity, list[int]]:
    wijk = add_wijk(session, "Oost", now)
    organiser = add_resident(session, telegram_user_id=1, first_name="Olga", wijk=wijk, now=now)
    assert wijk.id is not None
    assert organiser.id is not None
    activity = activities.create_activity(
        session,
        wijk_id=wijk.id,
        organiser_id=organiser.id,
        title="Kookavond",
        description="Samen koken en eten",
        place="Pauluskerk",
        place_private=False,
        first_day=date(2026, 12, 3),
        starts_local=time(18, 0),
        duration=timedelta(hours=2),
        repeat=Repeat.WEEKLY,
        repeat_until=None,
        roles=[RoleSpec("koks", 3), RoleSpec("gasten", guests)],
        zone=AMSTERDAM,
        now=now,
    )
    people = []
    for number in range(PRESSES):
        person = add_resident(
            session, telegram_user_id=100 + number, first_name=f"P{number}", wijk=wijk, now=now
        )
        assert person.id is not None
        people.append(person.id)
    return activity, people


def _first_date_and_guests(session: Session, activity_id: int) -> tuple[int, ActivityRole]:
    date_row = session.exec(
        select(ActivityDate)
        .where(ActivityDate.activity_id == activity_id)
        .order_by(ActivityDate.starts_at)  # type: ignore[arg-type]
    ).first()
    assert date_row is not None
    assert date_row.id is not None
    guests = activities.roles_of(session, activity_id=activity_id)[1]
    return date_row.id, guests


def test_dates_are_made_four_weeks_ahead(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        activity, _ = _cooking(session, now)
        assert activity.id is not None
        dates = activities.dates_of(session, activity_id=activity.id, after=now)
        assert [d.starts_at.astimezone(AMSTERDAM).strftime("%a %H:%M") for d in dates] == [
            "Thu 18:00"
        ] * 3
        assert activities.ensure_dates(session, activity=activity, zone=AMSTERDAM, now=now) == []


def test_a_moved_date_is_not_made_again_at_its_planned_moment(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        activity, _ = _cooking(session, now)
        assert activity.id is not None
        first = activities.dates_of(session, activity_id=activity.id, after=now)[0]
        planned = first.starts_at
        hour = timedelta(hours=1)
        for later in (hour, 2 * hour):  # moved twice: it still stands for 18:00
            moved = activities.move_date(
                session, date=first, starts_at=planned + later, ends_at=first.ends_at + hour
            )
            assert moved
            assert (
                activities.ensure_dates(session, activity=activity, zone=AMSTERDAM, now=now) == []
            )
        dates = activities.dates_of(session, activity_id=activity.id, after=now)
        assert [d.starts_at.astimezone(AMSTERDAM).strftime("%d %H:%M") for d in dates] == [
            "03 20:00",
            "10 18:00",
            "17 18:00",
        ]


def test_fifty_presses_at_once_give_eight_places_and_a_waiting_list_in_order(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        activity, people = _cooking(session, now)
        assert activity.id is not None
        date_id, guests = _first_date_and_guests(session, activity.id)
        role_id = guests.id
    barrier = threading.Barrier(PRESSES)
    errors: list[BaseException] = []

    def press(resident_id: int) -> None:
        try:
            barrier.wait(10)
            with session_scope(engine) as session:
                role = session.get(ActivityRole, role_id)
                assert role is not None
                activities.take_place(
                    session, date_id=date_id, role=role, resident_id=resident_id, now=now
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=press, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with session_scope(engine) as session:
        rows = session.exec(
            select(Signup).where(Signup.date_id == date_id).order_by(Signup.seq)  # type: ignore[arg-type]
        ).all()
        statuses = [row.status for row in rows]
        assert len(rows) == PRESSES
        assert statuses.count(SignupStatus.IN.value) == GUESTS
        assert statuses.count(SignupStatus.WAITING.value) == PRESSES - GUESTS
        # In arrival order: the first eight turns got the places, every seq is distinct.
        assert statuses == [SignupStatus.IN.value] * GUESTS + [SignupStatus.WAITING.value] * (
            PRESSES - GUESTS
        )
        assert len({row.seq for row in rows}) == PRESSES


def test_a_freed_place_is_offered_to_the_first_waiting_and_only_a_yes_moves_them_in(
    engine: Engine, now: datetime
) -> None:
    with session_scope(engine) as session:
        activity, people = _cooking(session, now, guests=2)
        assert activity.id is not None
        date_id, guests = _first_date_and_guests(session, activity.id)
        starts = session.get(ActivityDate, date_id)
        assert starts is not None
        taken = [
            activities.take_place(session, date_id=date_id, role=guests, resident_id=p, now=now)
            for p in people[:4]
        ]
        assert [t.signup.status for t in taken if t.signup] == ["in", "in", "waiting", "waiting"]
        again = activities.take_place(
            session, date_id=date_id, role=guests, resident_id=people[0], now=now
        )
        assert again.already
        first = taken[0].signup
        assert first is not None
        offered = activities.withdraw(session, signup=first, now=now, starts_at=starts.starts_at)
        assert offered is not None
        assert offered.resident_id == people[2]
        assert offered.status == SignupStatus.OFFERED.value
        assert offered.offered_until == now + timedelta(hours=24)
        # The offered place is kept: a new press goes on the waiting list.
        late = activities.take_place(
            session, date_id=date_id, role=guests, resident_id=people[5], now=now
        )
        assert late.signup is not None
        assert late.signup.status == SignupStatus.WAITING.value
        # The offer lapses unanswered: the next in line is offered it.
        later = now + timedelta(hours=25)
        lapsed = activities.expired_offers(session, now=later)
        assert [s.id for s in lapsed] == [offered.id]
        following = activities.expire_offer(
            session, signup=lapsed[0], now=later, starts_at=starts.starts_at
        )
        assert following is not None
        assert following.resident_id == people[3]
        assert following.id is not None
        assert offered.id is not None
        assert activities.accept_offer(session, signup_id=offered.id, now=later) is None
        accepted = activities.accept_offer(session, signup_id=following.id, now=later)
        assert accepted is not None
        assert accepted.status == SignupStatus.IN.value
        assert activities.taken(session, date_id=date_id, role_id=guests.id or 0) == 2


def test_a_cancelled_date_takes_no_sign_ups(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        activity, people = _cooking(session, now)
        assert activity.id is not None
        date_id, guests = _first_date_and_guests(session, activity.id)
        row = session.get(ActivityDate, date_id)
        assert row is not None
        assert activities.cancel_date(session, date=row, now=now)
        assert not activities.cancel_date(session, date=row, now=now)
        taken = activities.take_place(
            session, date_id=date_id, role=guests, resident_id=people[0], now=now
        )
        assert taken.signup is None


def test_cancelling_a_date_ends_its_offers(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        activity, people = _cooking(session, now, guests=1)
        assert activity.id is not None
        date_id, guests = _first_date_and_guests(session, activity.id)
        row = session.get(ActivityDate, date_id)
        assert row is not None
        first = activities.take_place(
            session, date_id=date_id, role=guests, resident_id=people[0], now=now
        ).signup
        activities.take_place(
            session, date_id=date_id, role=guests, resident_id=people[1], now=now
        )
        assert first is not None
        offered = activities.withdraw(session, signup=first, now=now, starts_at=row.starts_at)
        assert offered is not None
        assert offered.status == SignupStatus.OFFERED.value
        assert activities.cancel_date(session, date=row, now=now)
        assert activities.expired_offers(session, now=now + timedelta(days=2)) == []
        assert offered.id is not None
        assert activities.accept_offer(session, signup_id=offered.id, now=now) is None


def test_an_offer_counts_its_time_from_when_it_arrives_and_skips_who_it_cannot_reach(
    engine: Engine, now: datetime
) -> None:
    """The time to accept starts when the offer reaches the person (after their quiet hours);
    someone it would reach only after the start stays on the list, the next one is offered
    the place, and nobody is moved in without a yes."""
    with session_scope(engine) as session:
        activity, people = _cooking(session, now, guests=1)
        assert activity.id is not None
        date_id, guests = _first_date_and_guests(session, activity.id)
        row = session.get(ActivityDate, date_id)
        assert row is not None
        starts = row.starts_at
        taken = [
            activities.take_place(session, date_id=date_id, role=guests, resident_id=p, now=now)
            for p in people[:3]
        ]
        first = taken[0].signup
        assert first is not None
        asleep, awake = people[1], people[2]
        wakes = now + timedelta(hours=9)

        def arrives_at(resident_id: int) -> datetime:
            return starts + timedelta(hours=1) if resident_id == asleep else wakes

        offered = activities.withdraw(
            session, signup=first, now=now, starts_at=starts, arrives_at=arrives_at
        )
        assert offered is not None
        assert offered.resident_id == awake
        assert offered.status == SignupStatus.OFFERED.value
        assert offered.offered_until == wakes + timedelta(hours=24)
        skipped = activities.signup_of(session, date_id=date_id, resident_id=asleep)
        assert skipped is not None
        assert skipped.status == SignupStatus.WAITING.value
        # Not lapsed at what would have been the end counted from now.
        assert activities.expired_offers(session, now=now + timedelta(hours=25)) == []


def test_coming_in_a_wijk_counts_a_neighbouring_wijks_activity_announced_there(
    engine: Engine,
) -> None:
    """The reciprocity message's list: Oost's own activity, and West's that its organiser also
    announced in Oost; not Noord's, which was not; soonest first, at most `limit`."""
    now = datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    with session_scope(engine) as session:
        oost, west, noord = (add_wijk(session, name, now) for name in ("Oost", "West", "Noord"))
        assert oost.id is not None
        assert west.id is not None
        assert noord.id is not None
        olga = add_resident(session, telegram_user_id=1, first_name="Olga", wijk=west, now=now)
        assert olga.id is not None

        def plan(title: str, wijk_id: int, day: int, also: list[int]) -> int:
            made = activities.create_activity(
                session,
                wijk_id=wijk_id,
                organiser_id=olga.id or 0,
                title=title,
                description="",
                place="Buurthuis",
                place_private=False,
                first_day=date(2026, 12, day),
                starts_local=time(18, 0),
                duration=timedelta(hours=2),
                repeat=Repeat.NONE,
                repeat_until=None,
                roles=[RoleSpec("gasten", 10)],
                zone=AMSTERDAM,
                now=now,
                also_wijk_ids=also,
            )
            assert made.id is not None
            return made.id

        own = plan("Kookavond Oost", oost.id, 9, [])
        shared = plan("Wandeling West", west.id, 5, [oost.id])
        plan("Koor Noord", noord.id, 4, [])
        plan("Alleen West", west.id, 3, [])

        def coming(at: datetime, limit: int) -> list[int | None]:
            found = activities.coming_in_wijk(session, wijk_id=oost.id or 0, now=at, limit=limit)
            return [activity.id for activity, _date in found]

        assert coming(now, 5) == [shared, own]
        assert coming(now, 1) == [shared]
        assert coming(datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo("UTC")), 5) == [own]
