"""Activities' messages at the unit level: who hears of a new activity (likes, pause, pace,
never twice), and a paused resident still getting the reminder of their own sign-up."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import callbacks
from bot.services import activities as service
from bot.services import delivery, organise, privacy
from bot.services.dialogs import ActivityDraft
from bot.services.unit import Unit
from bot.settings import Settings
from matching.activities import Repeat, RoleSpec
from storage import activities, matchmaking, nudges, repo
from storage import privacy as privacy_rows
from storage.asks import claim_asks
from storage.db import session_scope
from storage.models import (
    Activity,
    ActivityDate,
    Invitation,
    NudgeKind,
    OutboxMessage,
    Post,
    Resident,
    RoleKind,
    Signup,
    SignupStatus,
)
from tests.bot.services.conftest import Street
from tests.conftest import postgres_admin_url
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _activity(street: Street) -> Activity:
    return _cooking(street.session, street.anna, street.now)


def _cooking(session: Session, organiser: Resident, now: datetime) -> Activity:
    assert organiser.id is not None
    assert organiser.wijk_id is not None
    return activities.create_activity(
        session,
        wijk_id=organiser.wijk_id,
        organiser_id=organiser.id,
        title="Kookavond",
        description="Samen eten",
        place="Pauluskerk",
        place_private=True,
        first_day=date(2026, 11, 26),
        starts_local=time(18, 0),
        duration=timedelta(hours=2),
        repeat=Repeat.WEEKLY,
        repeat_until=None,
        roles=[RoleSpec("gasten", 8)],
        zone=AMSTERDAM,
        now=now,
    )


def _person(street: Street, user_id: int, name: str, **fields: Any) -> Resident:
    return add_resident(
        street.session,
        telegram_user_id=user_id,
        first_name=name,
        wijk=street.wijk,
        now=street.now,
        **fields,
    )


def _told(street: Street) -> set[int]:
    rows = street.session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("act-announce:"))  # type: ignore[union-attr]
    ).all()
    return {row.chat_id for row in rows}


def test_an_announcement_reaches_who_likes_it_within_their_pace_and_only_once(
    street: Street,
) -> None:
    lies = _person(street, 9001, "Lies", likes=["cooking"], pace="weekly")
    _person(street, 9002, "Piet", likes=["company"], paused=True)
    kees = _person(street, 9003, "Kees", likes=["cooking"], pace="weekly")
    _person(street, 9004, "Mo", likes=["garden"], pace="whenever")
    # Kees was asked to help yesterday: with a weekly pace, nothing more this week.
    post = add_post(street.session, street.neighbours[0], "Wie helpt?", street.now)
    assert post.id is not None
    assert kees.id is not None
    street.session.add(
        Invitation(post_id=post.id, resident_id=kees.id, sent_at=street.now - timedelta(days=1))
    )
    activity = _activity(street)
    unit = street.unit(street.anna)
    assert service.announce(unit, activity) == 1
    assert _told(street) == {lies.telegram_user_id}
    # Never twice for the same activity.
    assert service.announce(street.unit(street.anna), activity) == 0


@pytest.mark.skipif(
    postgres_admin_url() is None,
    reason="needs PostgreSQL (set BUURTBOT_TEST_POSTGRES_URL): SQLite has one writer, so two "
    "transactions never decide at once",
)
def test_an_announcement_and_an_invitation_at_once_give_one_ask(
    engine: Engine, now: datetime
) -> None:
    """A request's step has claimed Lies (weekly) and is about to write her invitation when an
    activity is published: the announcement waits for that lock, counts the invitation and
    leaves her out, instead of both going out in the same week."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=wijk, now=now)
        lies = add_resident(
            session,
            telegram_user_id=2,
            first_name="Lies",
            wijk=wijk,
            now=now,
            likes=["cooking"],
            pace="weekly",
        )
        post = add_post(session, anna, "Wie helpt?", now)
        activity = _cooking(session, anna, now)
        lies_id, post_id, activity_id = lies.id, post.id, activity.id
    assert lies_id is not None
    assert post_id is not None
    assert activity_id is not None
    invitation_claimed = threading.Event()
    told: dict[str, int] = {}

    def publish() -> None:
        invitation_claimed.wait(10)
        with session_scope(engine) as session:
            unit = Unit(session=session, now=now, settings=Settings())
            published = session.get(Activity, activity_id)
            assert published is not None
            told["private"] = service.announce(unit, published)

    other = threading.Thread(target=publish)
    other.start()
    with session_scope(engine) as session:
        assert claim_asks(session, [lies_id], now=now) == {lies_id}
        invitation_claimed.set()
        other.join(0.5)
        assert other.is_alive(), "the announcement did not wait for the lock"
        matchmaking.add_invitation(session, post_id=post_id, resident_id=lies_id, now=now)
    other.join(10)
    assert told == {"private": 0}
    with Session(engine) as session:
        assert nudges.times(session, resident_id=lies_id, kind=NudgeKind.ANNOUNCEMENT) == []
        announced = session.exec(
            select(OutboxMessage).where(OutboxMessage.resident_id == lies_id)
        ).all()
        assert announced == []


@pytest.mark.skipif(
    postgres_admin_url() is None,
    reason="needs PostgreSQL (set BUURTBOT_TEST_POSTGRES_URL): SQLite has one writer, so two "
    "transactions never decide at once",
)
def test_two_every_time_notes_at_once_keep_to_the_pace(engine: Engine, now: datetime) -> None:
    """Lies (weekly) is on "elke keer" for two activities, and two processes tell her of a new
    date of each at the same moment: the second waits for the first's lock on her row, counts
    its note and leaves her out, instead of two notes in one week."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", now)
        anna = add_resident(session, telegram_user_id=1, first_name="Anna", wijk=wijk, now=now)
        lies = add_resident(
            session, telegram_user_id=2, first_name="Lies", wijk=wijk, now=now, pace="weekly"
        )
        assert lies.id is not None
        signed: list[tuple[int, int, int]] = []
        for _ in range(2):
            activity = _cooking(session, anna, now)
            assert activity.id is not None
            row = activities.dates_of(session, activity_id=activity.id, after=now)[0]
            role = activities.roles_of(session, activity_id=activity.id)[0]
            assert row.id is not None
            taken = activities.take_place(
                session, date_id=row.id, role=role, resident_id=lies.id, now=now
            )
            assert taken.signup is not None
            assert taken.signup.id is not None
            signed.append((activity.id, row.id, taken.signup.id))
        lies_id = lies.id

    def tell(session: Session, which: int) -> bool:
        activity_id, date_id, signup_id = signed[which]
        unit = Unit(session=session, now=now, settings=Settings())
        activity, row = session.get(Activity, activity_id), session.get(ActivityDate, date_id)
        signup = session.get(Signup, signup_id)
        assert activity is not None
        assert row is not None
        assert signup is not None
        return service._tell_subscriber(unit, activity, row, signup)

    first_told = threading.Event()
    told: dict[str, bool] = {}

    def other_process() -> None:
        first_told.wait(10)
        with session_scope(engine) as session:
            told["second"] = tell(session, 1)

    other = threading.Thread(target=other_process)
    other.start()
    with session_scope(engine) as session:
        assert tell(session, 0)
        first_told.set()
        other.join(0.5)
        assert other.is_alive(), "the second note did not wait for the lock"
    other.join(10)
    assert told == {"second": False}
    with Session(engine) as session:
        assert len(nudges.times(session, resident_id=lies_id, kind=NudgeKind.SUBSCRIBED)) == 1
        notes = session.exec(select(OutboxMessage).where(OutboxMessage.resident_id == lies_id))
        assert len(notes.all()) == 1


def test_a_paused_resident_still_gets_the_reminder_of_their_own_sign_up(street: Street) -> None:
    activity = _activity(street)
    assert activity.id is not None
    guest = street.neighbours[0]
    assert guest.id is not None
    row = activities.dates_of(street.session, activity_id=activity.id, after=street.now)[0]
    role = activities.roles_of(street.session, activity_id=activity.id)[0]
    assert row.id is not None
    activities.take_place(
        street.session, date_id=row.id, role=role, resident_id=guest.id, now=street.now
    )
    guest.paused = True
    street.session.add(guest)
    # The day before at 10:00 local (NOW is Wednesday 10:00, the first date Thursday).
    unit = street.unit()
    assert service.send_reminders(unit) == 1
    reminder = street.session.exec(
        select(OutboxMessage).where(OutboxMessage.resident_id == guest.id)
    ).one()
    assert reminder.media is not None
    assert "BEGIN:VCALENDAR" in reminder.media["document"]
    assert "Pauluskerk" in reminder.text  # the place is shown to people who signed up
    verdict, _, why = delivery.verdict(street.session, reminder, Settings(), street.now)
    assert verdict is delivery.Verdict.SEND, why
    # An announcement to the same paused person would not go out.
    announcement = OutboxMessage(chat_id=guest.telegram_user_id, text="x", resident_id=guest.id)
    verdict, _, _ = delivery.verdict(street.session, announcement, Settings(), street.now)
    assert verdict is delivery.Verdict.DROP


def test_ending_a_repeating_activity_keeps_its_planned_dates_and_makes_no_new_ones(
    street: Street,
) -> None:
    activity = _activity(street)
    assert activity.id is not None
    repo.grant_role(
        street.session,
        telegram_user_id=street.anna.telegram_user_id,
        kind=RoleKind.ORGANISER,
        wijk=street.wijk,
        now=street.now,
    )
    guest = street.neighbours[0]
    assert guest.id is not None
    planned = activities.dates_of(street.session, activity_id=activity.id, after=street.now)
    role = activities.roles_of(street.session, activity_id=activity.id)[0]
    assert role.id is not None
    activities.subscribe(
        street.session,
        activity_id=activity.id,
        role_id=role.id,
        resident_id=guest.id,
        now=street.now,
    )
    answer = organise.press(
        street.unit(street.anna),
        callbacks.decode(callbacks.ORGANISE_END_YES(activity.id)),  # type: ignore[arg-type]
    )
    assert answer.screen is not None
    assert "Kookavond is gestopt" in answer.screen.text
    assert activities.subscriptions_of(street.session, activity_id=activity.id) == []
    later = replace(street, now=street.now + timedelta(weeks=2))
    assert service.keep_dates(later.unit()) == 0
    still = activities.dates_of(street.session, activity_id=activity.id, after=street.now)
    assert [row.id for row in still] == [row.id for row in planned]
    # The planned dates can still be joined.
    card = service.show(street.unit(guest), activity.id)
    assert card.keyboard is not None
    assert "Ik doe mee: gasten" in card.keyboard[0][0].label


def test_every_time_signs_up_for_each_planned_date_and_stops_with_one_tap(
    street: Street,
) -> None:
    activity = _activity(street)
    assert activity.id is not None
    guest = street.neighbours[0]
    assert guest.id is not None
    planned = activities.dates_of(street.session, activity_id=activity.id, after=street.now)
    role = activities.roles_of(street.session, activity_id=activity.id)[0]
    assert planned[0].id is not None
    assert role.id is not None
    pressed = service.press(
        street.unit(guest),
        callbacks.decode(callbacks.ACTIVITY_JOIN(planned[0].id, role.id, "every")),  # type: ignore[arg-type]
    )
    assert pressed.answer.screen is not None
    assert "Stop met elke keer" in str(pressed.answer.screen.keyboard)
    for row in planned:
        assert row.id is not None
        signup = activities.signup_of(street.session, date_id=row.id, resident_id=guest.id)
        assert signup is not None
        assert signup.status == "in"
    service.press(
        street.unit(guest),
        callbacks.decode(callbacks.ACTIVITY_UNSUBSCRIBE(activity.id)),  # type: ignore[arg-type]
    )
    assert activities.subscriptions_of(street.session, activity_id=activity.id) == []


def test_a_role_name_on_a_button_is_shown_as_typed(street: Street) -> None:
    """Button labels are plain text to Telegram: "&" must not turn into "&amp;" there (the
    card's text, which is HTML, still escapes it)."""
    activity = _activity(street)
    [role] = activities.roles_of(street.session, activity_id=_activity_id(activity))
    role.name = "koks & helpers"
    street.session.flush()
    guest = _person(street, 9101, "Gijs")
    screen = service.show(street.unit(guest), _activity_id(activity))
    assert screen.keyboard is not None
    labels = [button.label for row in screen.keyboard for button in row]
    assert any("koks & helpers" in label for label in labels), labels
    assert not any("&amp;" in label for label in labels)
    assert "koks &amp; helpers" in screen.text


def _activity_id(activity: Activity) -> int:
    assert activity.id is not None
    return activity.id


def test_an_activity_can_be_announced_in_a_neighbouring_wijk_too(street: Street) -> None:
    """The organiser chooses neighbouring wijken: their groups and residents hear of it as the
    own wijk's do; a wijk not chosen hears nothing."""
    dapper = add_wijk(street.session, "Dapperbuurt", street.now)
    oost = add_wijk(street.session, "Oostpoort", street.now)
    dapper.group_chat_id = -1001
    oost.group_chat_id = -1002
    street.session.flush()
    assert dapper.id is not None
    near = add_resident(
        street.session,
        telegram_user_id=9201,
        first_name="Noor",
        wijk=dapper,
        now=street.now,
        likes=["cooking"],
        pace="weekly",
    )
    add_resident(
        street.session,
        telegram_user_id=9202,
        first_name="Ot",
        wijk=oost,
        now=street.now,
        likes=["cooking"],
        pace="weekly",
    )
    activity = _activity(street)
    activity.also_wijk_ids = [dapper.id]
    street.session.flush()
    assert service.announce(street.unit(street.anna), activity) == 1
    assert _told(street) == {near.telegram_user_id}
    groups = {
        row.chat_id
        for row in street.session.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("act-group:"))  # type: ignore[union-attr]
        ).all()
    }
    assert groups == {-1001}


def test_the_organiser_picks_neighbouring_wijken_before_publishing(street: Street) -> None:
    dapper = add_wijk(street.session, "Dapperbuurt", street.now)
    assert dapper.id is not None
    assert street.wijk.id is not None
    anna = street.anna
    assert anna.id is not None
    repo.grant_role(
        street.session,
        telegram_user_id=anna.telegram_user_id,
        kind=RoleKind.ORGANISER,
        wijk=street.wijk,
        now=street.now,
    )
    draft = ActivityDraft(
        wijk_id=street.wijk.id,
        title="Kookavond",
        description="",
        starts=street.now + timedelta(days=2),
        ends=street.now + timedelta(days=2, hours=2),
        place="Pauluskerk",
        roles=[("gasten", 8)],
    )
    unit = street.unit(anna)
    unit.set_dialog(organise.FLOW, "repeat", draft)

    def press(step: str, value: str) -> Any:
        pressed = callbacks.decode(callbacks.ACTIVITY_DRAFT(step, value))
        assert pressed is not None
        return organise.press_draft(street.unit(anna), pressed)

    asked = press("repeat", "none").screen
    assert asked is not None
    assert "wijk ernaast" in asked.text
    labels = [b.label for row in asked.keyboard or () for b in row]
    assert "Dapperbuurt" in labels
    ticked = press("also", str(dapper.id)).screen
    assert ticked is not None
    assert "✓ Dapperbuurt" in [b.label for row in ticked.keyboard or () for b in row]
    # An id that is not another wijk (forged, or the own one) is refused.
    assert press("also", str(street.wijk.id)).notice
    summary = press("also", "done").screen
    assert summary is not None
    assert "Ook in: Dapperbuurt" in summary.text
    press("confirm", "yes")
    [made] = street.session.exec(select(Activity)).all()
    assert made.also_wijk_ids == [dapper.id]


def _organiser(street: Street) -> None:
    repo.grant_role(
        street.session,
        telegram_user_id=street.anna.telegram_user_id,
        kind=RoleKind.ORGANISER,
        wijk=street.wijk,
        now=street.now,
    )


def _sign_up(street: Street, activity: Activity, person: Resident, which: int) -> None:
    assert activity.id is not None
    assert person.id is not None
    row = activities.dates_of(street.session, activity_id=activity.id, after=street.now)[which]
    role = activities.roles_of(street.session, activity_id=activity.id)[0]
    assert row.id is not None
    activities.take_place(
        street.session, date_id=row.id, role=role, resident_id=person.id, now=street.now
    )


def _outbox_to(street: Street, person: Resident, contains: str) -> list[OutboxMessage]:
    street.session.flush()
    return [
        row
        for row in street.session.exec(
            select(OutboxMessage).where(OutboxMessage.resident_id == person.id)
        ).all()
        if contains in row.text
    ]


def test_a_new_place_is_told_to_everyone_of_every_coming_date_once(street: Street) -> None:
    """The place is the activity's: changed from one date's screen it changes for all, so the
    people of the other dates hear of it too (each person once), and the organiser is told
    so before typing it. The time stays a change of that one date."""
    _organiser(street)
    activity = _activity(street)
    activity.place_private = False
    ben, carla, dirk = street.neighbours[:3]
    _sign_up(street, activity, ben, 0)
    _sign_up(street, activity, carla, 1)
    _sign_up(street, activity, dirk, 0)
    _sign_up(street, activity, dirk, 2)
    assert activity.id is not None
    first = activities.dates_of(street.session, activity_id=activity.id, after=street.now)[0]
    assert first.id is not None

    def press(data: str) -> Any:
        pressed = callbacks.decode(data)
        assert pressed is not None
        return organise.press(street.unit(street.anna), pressed)

    asked = press(callbacks.ORGANISE_CHANGE(first.id, "place")).screen
    assert asked is not None
    assert "Die geldt voor alle datums" in asked.text
    unit = street.unit(street.anna)
    state = unit.state(organise.FLOW_CHANGE)
    assert state is not None
    done = organise.change_received(unit, state, "Buurthuis De Pijp")  # type: ignore[arg-type]
    assert "Mensen die het van mij horen: 3." in done.text
    for person in (ben, carla, dirk):
        assert len(_outbox_to(street, person, "andere plek: Buurthuis De Pijp")) == 1, person

    asked = press(callbacks.ORGANISE_CHANGE(first.id, "time")).screen
    assert asked is not None
    assert "alleen voor deze datum" in asked.text


def test_every_time_notes_keep_to_the_pace_and_pause_and_never_use_up_an_invitation(
    street: Street,
) -> None:
    """A new date signs up everyone on "elke keer"; the note about it comes once per date,
    within each person's pace (counted on its own: Ben's weekly invitation stays free) and
    not while they pause (the reminder still comes then: it is their own sign-up)."""
    activity = _activity(street)
    assert activity.id is not None
    ben, carla, dirk = street.neighbours[:3]
    carla.paused = True
    dirk.pace = "monthly"
    role = activities.roles_of(street.session, activity_id=activity.id)[0]
    assert role.id is not None
    for person in (ben, carla, dirk):
        assert person.id is not None
        activities.subscribe(
            street.session,
            activity_id=activity.id,
            role_id=role.id,
            resident_id=person.id,
            now=street.now,
        )
    note = "Je staat weer op de lijst voor Kookavond"
    for week in (1, 2):
        later = replace(street, now=street.now + timedelta(weeks=week))
        assert service.keep_dates(later.unit()) == 1
        assert service.keep_dates(later.unit()) == 0  # nothing new: nothing told twice
        assert len(_outbox_to(street, ben, note)) == week
        assert _outbox_to(street, carla, note) == []
        # Monthly: the first note, not the second a week later.
        assert len(_outbox_to(street, dirk, note)) == 1
    [told] = _outbox_to(street, ben, note)[:1]
    assert told.reply_markup is not None
    labels = [b["text"] for row in told.reply_markup["inline_keyboard"] for b in row]
    assert labels == ["Deze keer niet", "Stop met elke keer"]
    # Signed up all the same, paused or not; and Ben's pace for help is untouched.
    for person in (ben, carla, dirk):
        assert person.id is not None
        newest = activities.dates_of(street.session, activity_id=activity.id, after=street.now)
        signup = activities.signup_of(
            street.session, date_id=newest[-1].id or 0, resident_id=person.id
        )
        assert signup is not None
        assert signup.status == "in"
    street.session.refresh(ben)
    assert ben.last_invited_at is None


def test_deleting_ones_data_offers_ones_place_to_the_first_waiting(street: Street) -> None:
    activity = _activity(street)
    assert activity.id is not None
    row = activities.dates_of(street.session, activity_id=activity.id, after=street.now)[0]
    role = activities.roles_of(street.session, activity_id=activity.id)[0]
    assert row.id is not None
    role.capacity = 1
    street.session.add(role)
    leaving, waiting = street.neighbours[0], street.neighbours[1]
    for person in (leaving, waiting):
        assert person.id is not None
        activities.take_place(
            street.session, date_id=row.id, role=role, resident_id=person.id, now=street.now
        )
    privacy_rows.remember_delete_asked(
        street.session, telegram_user_id=leaving.telegram_user_id, now=street.now
    )
    privacy.delete_everything(street.unit(leaving))
    street.session.flush()
    [left] = street.session.exec(select(Signup).where(Signup.date_id == row.id)).all()
    assert (left.resident_id, left.status) == (waiting.id, SignupStatus.OFFERED.value)
    offer = street.session.exec(
        select(OutboxMessage).where(OutboxMessage.resident_id == waiting.id)
    ).one()
    assert "Er is een plek vrij bij Kookavond" in offer.text


def test_a_lift_request_keeps_a_place_for_people_signed_up_out_of_its_words(
    street: Street,
) -> None:
    activity = _activity(street)  # its place is shown only to people with a place
    assert activity.id is not None
    row = activities.dates_of(street.session, activity_id=activity.id, after=street.now)[0]
    role = activities.roles_of(street.session, activity_id=activity.id)[0]
    guest = street.neighbours[0]
    assert row.id is not None
    assert guest.id is not None
    taken = activities.take_place(
        street.session, date_id=row.id, role=role, resident_id=guest.id, now=street.now
    )
    assert taken.signup is not None
    assert taken.signup.id is not None
    pressed = service.press(
        street.unit(guest),
        callbacks.decode(callbacks.ACTIVITY_LIFT(taken.signup.id)),  # type: ignore[arg-type]
    )
    assert pressed.answer.message is not None
    assert "Je vraag is geplaatst" in pressed.answer.message.text
    [request] = street.session.exec(select(Post).where(Post.resident_id == guest.id)).all()
    assert request.text.startswith("Wie gaat met me mee naar Kookavond, op donderdag")
    assert "Pauluskerk" not in request.text


def test_organiser_presses_are_checked_again_in_the_database(street: Street) -> None:
    """Callback data is never trusted: another organiser, someone without the role, and the
    organiser after their role was taken away cannot cancel a date or go on with a draft."""
    activity = _activity(street)
    assert activity.id is not None
    row = activities.dates_of(street.session, activity_id=activity.id, after=street.now)[0]
    assert row.id is not None
    other, nobody = street.neighbours[0], street.neighbours[1]
    for person in (street.anna, other):
        repo.grant_role(
            street.session,
            telegram_user_id=person.telegram_user_id,
            kind=RoleKind.ORGANISER,
            wijk=street.wijk,
            now=street.now,
        )
    cancel = callbacks.decode(callbacks.ORGANISE_CANCEL_YES(row.id))
    assert isinstance(cancel, callbacks.Press)
    assert organise.press(street.unit(other), cancel).notice == (
        "Deze activiteit is er niet meer, of aanmelden kan niet meer."
    )
    refused = organise.press(street.unit(nobody), cancel).screen
    assert refused is not None
    assert "een buurtwerker van je wijk kan je organisator maken" in refused.text
    # Anna starts a new one, then loses the role: neither her button nor her draft goes on.
    organise.start(street.unit(street.anna))
    repo.revoke_role(
        street.session,
        telegram_user_id=street.anna.telegram_user_id,
        kind=RoleKind.ORGANISER,
        wijk=street.wijk,
    )
    refused = organise.press(street.unit(street.anna), cancel).screen
    assert refused is not None
    assert "organisator maken" in refused.text
    unit = street.unit(street.anna)
    state = unit.state(organise.FLOW)
    assert state is not None
    screen = organise.text_received(unit, state, "Kookavond 2")  # type: ignore[arg-type]
    assert "organisator maken" in screen.text
    assert street.unit(street.anna).state(organise.FLOW) is None
    street.session.refresh(row)
    assert row.cancelled is False


def test_an_organiser_deleting_their_data_tells_who_signed_up(street: Street) -> None:
    activity = _activity(street)
    assert activity.id is not None
    row = activities.dates_of(street.session, activity_id=activity.id, after=street.now)[0]
    role = activities.roles_of(street.session, activity_id=activity.id)[0]
    guest = street.neighbours[0]
    assert row.id is not None
    assert guest.id is not None
    activities.take_place(
        street.session, date_id=row.id, role=role, resident_id=guest.id, now=street.now
    )
    guest.paused = True  # their own sign-up: they hear it while they pause too
    street.session.add(guest)
    organiser = street.anna
    privacy_rows.remember_delete_asked(
        street.session, telegram_user_id=organiser.telegram_user_id, now=street.now
    )
    privacy.delete_everything(street.unit(organiser))
    street.session.flush()
    assert street.session.get(Activity, activity.id) is None
    [note] = street.session.exec(
        select(OutboxMessage).where(OutboxMessage.resident_id == guest.id)
    ).all()
    assert note.text.startswith(
        "Een activiteit waarvoor je je had opgegeven, op donderdag 26 november, 18:00 tot 20:00,"
    )
    assert "Kookavond" not in note.text  # the organiser's words go with their data
    verdict, _, why = delivery.verdict(street.session, note, Settings(), street.now)
    assert verdict is delivery.Verdict.SEND, why
