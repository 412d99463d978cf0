"""Activities for residents: the card, signing up, the waiting list, reminders, announcements.

A card shows an activity's next date: title, when, where (or that the place is shared once you
sign up), the places left per role and one button per role. A full role offers the waiting
list. Withdrawing is one tap; a freed place is offered to the first on the waiting list with a
time limit (matching.activities.offer_deadline) and nobody is moved in without a yes
(storage/activities.py). Repeating activities ask "alleen deze keer" or "elke keer" (a
subscription, stopped with one tap).

Messages about a person's own sign-ups (offers, reminders, changes) are outbox rows about
"signup:<id>" or "actnote:<id>": the sender lets them through to a paused resident too (it is
their own choice), but never to someone who left. Announcements are asks like a digest: only
to residents who like a fitting category, are not paused and whose pace allows one more, and
never twice for the same activity.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from babel.dates import format_date
from icalendar import Calendar, Event

from bot import callbacks
from bot.callbacks import Press
from bot.i18n import Html, t
from bot.post_views import post_summary
from bot.services import posting, request_steps
from bot.services.buurtwerk import suspension_notice
from bot.services.delivery import quiet_until, reachable
from bot.services.dialogs import ActivityReply, DialogState
from bot.services.markup import Button, Keyboard, Screen, keyboard
from bot.services.unit import Unit
from matching.activities import Repeat, places_left, reminder_at
from matching.categories import suggest_category
from matching.names import first_word
from storage import activities as rows
from storage import asks, matchmaking, nudges, posts, repo
from storage.models import (
    Activity,
    ActivityDate,
    ActivityRole,
    NudgeKind,
    PostKind,
    Resident,
    Signup,
    SignupStatus,
    Wijk,
)

log = logging.getLogger(__name__)

LINK_PREFIX: Final = "act_"
REPLY_FLOW: Final = "actreply"
DAY_FORMAT: Final = "EEEE d MMMM"
# Residents who like one of these (or what the title is about) hear of a new activity.
FITTING: Final = frozenset({"cooking", "company"})
# `about` of messages on someone's own sign-up: open while it stands / always.
SIGNUP_ABOUT: Final = "signup"
NOTE_ABOUT: Final = "actnote"
# `about` of the note that an activity is gone because its organiser deleted their data: a
# note on one's own sign-up (it reaches a paused person too), but about no row that the
# erasure removes, so it is still sent after it.
GONE_ABOUT: Final = f"{NOTE_ABOUT}:gone"
# `about` of the note that "elke keer" signed someone up for a new date: open while the
# sign-up stands, and (unlike the two above) not sent while they pause.
SUBSCRIBED_ABOUT: Final = "actsub"
MAX_PER_RUN: Final = 200
# A lift to an activity: a request of this category, from this long before the start.
LIFT_CATEGORY: Final = "transport"
LIFT_BEFORE: Final = timedelta(hours=1)


# --- words -----------------------------------------------------------------------------------


def when_text(language: str, starts: datetime, ends: datetime, unit: Unit) -> str:
    zone = unit.settings.tz
    local_start, local_end = starts.astimezone(zone), ends.astimezone(zone)
    return t(
        language,
        "act.when",
        day=format_date(local_start.date(), DAY_FORMAT, locale=language),
        start=local_start.strftime("%H:%M"),
        end=local_end.strftime("%H:%M"),
    )


def repeat_text(language: str, repeat: str, until: str | None) -> str:
    if repeat == Repeat.NONE.value:
        return t(language, "act.repeat.none")
    key = "act.repeat.weekly" if repeat == Repeat.WEEKLY.value else "act.repeat.biweekly"
    if until is None:
        return t(language, f"{key}.open")
    day = format_date(date.fromisoformat(until), "d MMMM", locale=language)
    return t(language, key, until=day)


def link(unit: Unit, activity_id: int) -> str:
    username = repo.get_fact(unit.session, key="bot_username") or "buurtbot"
    return f"https://t.me/{username}?start={LINK_PREFIX}{activity_id}"


def role_line(language: str, role: ActivityRole, by_status: dict[str, int]) -> str:
    holding = by_status.get(SignupStatus.IN.value, 0) + by_status.get(
        SignupStatus.OFFERED.value, 0
    )
    left = places_left(role.capacity, holding)
    waiting = by_status.get(SignupStatus.WAITING.value, 0)
    if left is None:
        return t(language, "act.role.open", role=role.name, count=holding)
    if left == 0 and waiting == 0:
        return t(language, "act.role.full_nobody_waiting", role=role.name)
    if left == 0:
        return t(language, "act.role.full", role=role.name, waiting=waiting)
    return t(language, "act.role.left", role=role.name, left=left, capacity=role.capacity)


# --- the card --------------------------------------------------------------------------------


def _activity(unit: Unit, activity_id: int) -> Activity | None:
    """The activity, if it still exists; an ended one still has the dates already planned."""
    return unit.session.get(Activity, activity_id)


def _date(unit: Unit, date_id: int) -> tuple[ActivityDate, Activity] | None:
    row = unit.session.get(ActivityDate, date_id)
    if row is None or row.cancelled or row.starts_at <= unit.now:
        return None
    activity = _activity(unit, row.activity_id)
    return None if activity is None else (row, activity)


def card(unit: Unit, activity: Activity, viewer: Resident | None) -> Screen:
    """The activity's next date as a resident sees it, with their own sign-up if any."""
    language = unit.language if viewer is None else viewer.language
    assert activity.id is not None
    upcoming = rows.next_date(unit.session, activity_id=activity.id, now=unit.now)
    lines = [t(language, "act.card.title", title=activity.title)]
    if activity.description:
        lines.append(t(language, "act.card.description", description=activity.description))
    if upcoming is None:
        lines.append(t(language, "act.card.no_date"))
        return Screen("\n".join(lines))
    assert upcoming.id is not None
    mine = None
    if viewer is not None and viewer.id is not None:
        mine = rows.signup_of(unit.session, date_id=upcoming.id, resident_id=viewer.id)
        if mine is not None and mine.status == SignupStatus.WITHDRAWN.value:
            mine = None
    lines.append(when_text(language, upcoming.starts_at, upcoming.ends_at, unit))
    lines.append(repeat_text(language, activity.repeat, activity.repeat_until))
    place_shown = not activity.place_private or (mine is not None and mine.status == "in")
    if place_shown:
        lines.append(t(language, "act.card.place", place=activity.place))
    else:
        lines.append(t(language, "act.card.place_later"))
    roles = rows.roles_of(unit.session, activity_id=activity.id)
    counted = rows.counts(unit.session, date_id=upcoming.id)
    lines.append("")
    lines += [role_line(language, role, counted.get(role.id or 0, {})) for role in roles]
    subscribed = (
        viewer is not None
        and viewer.id is not None
        and rows.subscription_of(unit.session, activity_id=activity.id, resident_id=viewer.id)
        is not None
    )
    if mine is not None:
        lines.append("")
        lines.append(_status_line(language, mine, roles))
        buttons = _own_buttons(language, activity, upcoming, mine, subscribed)
    else:
        buttons = _role_buttons(language, upcoming, roles, counted)
        if subscribed:
            buttons = (*buttons, *_unsubscribe_row(language, activity))
    return Screen("\n".join(lines), buttons)


def _status_line(language: str, mine: Signup, roles: list[ActivityRole]) -> str:
    role = next((r.name for r in roles if r.id == mine.role_id), "")
    if mine.status == SignupStatus.IN.value:
        return t(language, "act.status.in", role=role)
    if mine.status == SignupStatus.OFFERED.value:
        return t(language, "act.status.offered", role=role)
    return t(language, "act.status.waiting", role=role)


def _role_buttons(
    language: str,
    upcoming: ActivityDate,
    roles: list[ActivityRole],
    counted: dict[int, dict[str, int]],
) -> Keyboard:
    assert upcoming.id is not None
    found = []
    for role in roles:
        assert role.id is not None
        by_status = counted.get(role.id, {})
        holding = sum(by_status.get(s, 0) for s in rows.HOLDING)
        left = places_left(role.capacity, holding)
        waiting = by_status.get(SignupStatus.WAITING.value, 0)
        full = left == 0 or (left is not None and waiting > 0)
        if full:
            key = "act.button.wait" if len(roles) == 1 else "act.button.wait_role"
        else:
            key = "act.button.join"
        # Html: button labels are not parsed as HTML, so the role's name must not be escaped.
        label = t(language, key, role=Html(role.name))
        found.append([Button(label, callbacks.ACTIVITY_ROLE(upcoming.id, role.id))])
    return keyboard(*found)


def _own_buttons(
    language: str, activity: Activity, upcoming: ActivityDate, mine: Signup, subscribed: bool
) -> Keyboard:
    assert mine.id is not None
    assert upcoming.id is not None
    found: list[list[Button]] = []
    if mine.status == SignupStatus.OFFERED.value:
        found.append(
            [
                Button(t(language, "act.button.accept"), callbacks.ACTIVITY_ACCEPT(mine.id)),
                Button(t(language, "act.button.decline"), callbacks.ACTIVITY_DECLINE(mine.id)),
            ]
        )
    else:
        key = "act.button.withdraw" if mine.status == "in" else "act.button.leave_list"
        found.append([Button(t(language, key), callbacks.ACTIVITY_WITHDRAW(mine.id))])
    if mine.status == SignupStatus.IN.value:
        found.append(
            [Button(t(language, "act.button.calendar"), callbacks.ACTIVITY_CALENDAR(upcoming.id))]
        )
        found.append([Button(t(language, "act.button.lift"), callbacks.ACTIVITY_LIFT(mine.id))])
    rows_ = keyboard(*found)
    if subscribed:
        rows_ = (*rows_, *_unsubscribe_row(language, activity))
    return rows_


def _unsubscribe_row(language: str, activity: Activity) -> Keyboard:
    assert activity.id is not None
    return keyboard(
        [
            Button(
                t(language, "act.button.unsubscribe"), callbacks.ACTIVITY_UNSUBSCRIBE(activity.id)
            )
        ]
    )


def show(unit: Unit, activity_id: int) -> Screen:
    """The card, from a deep link or a button."""
    activity = _activity(unit, activity_id)
    if activity is None:
        return Screen(t(unit.language, "act.gone"))
    return card(unit, activity, unit.resident)


def activity_id_of_link(raw: str) -> int | None:
    """The id in a deep link's payload after "act_"."""
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31 else None


# --- presses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pressed:
    answer: posting.Answer
    # An .ics file for the presser: (file name, contents).
    document: tuple[str, bytes] | None = None


def press(unit: Unit, pressed: Press) -> Pressed:
    """A button on a card or an offer; every id is re-checked here."""
    resident = unit.ensure_resident()
    language = resident.language
    gone = Pressed(posting.Answer(notice=t(language, "act.gone")))
    action = pressed.action
    if action is callbacks.ACTIVITY_SHOW:
        return Pressed(posting.Answer(screen=show(unit, pressed.id())))
    if action is callbacks.ACTIVITY_UNSUBSCRIBE:
        rows.unsubscribe(unit.session, activity_id=pressed.id(), resident_id=_id(resident))
        activity = _activity(unit, pressed.id())
        screen = None if activity is None else card(unit, activity, resident)
        return Pressed(posting.Answer(notice=t(language, "act.unsubscribed"), screen=screen))
    if action in (callbacks.ACTIVITY_ROLE, callbacks.ACTIVITY_JOIN):
        return _join(unit, resident, pressed)
    if action is callbacks.ACTIVITY_CALENDAR:
        found = _date(unit, pressed.id())
        if found is None:
            return gone
        row, activity = found
        own = rows.signup_of(unit.session, date_id=pressed.id(), resident_id=_id(resident))
        if own is None or own.status != SignupStatus.IN.value:
            return gone
        return Pressed(
            posting.Answer(notice=t(language, "act.calendar_sent")), _ics_file(activity, row)
        )
    signup = unit.session.get(Signup, pressed.id())
    if signup is None or signup.resident_id != resident.id:
        return gone
    found = _date(unit, signup.date_id)
    if found is None:
        return gone
    row, activity = found
    if action is callbacks.ACTIVITY_REPLY:
        unit.set_dialog(REPLY_FLOW, "text", ActivityReply(signup_id=signup.id or 0))
        return Pressed(
            posting.Answer(message=Screen(t(language, "act.ask_reply", title=activity.title)))
        )
    if action is callbacks.ACTIVITY_LIFT:
        return Pressed(_ask_for_a_lift(unit, resident, activity, row, signup))
    if action is callbacks.ACTIVITY_ACCEPT:
        accepted = rows.accept_offer(unit.session, signup_id=pressed.id(), now=unit.now)
        if accepted is None:
            return Pressed(posting.Answer(notice=t(language, "act.offer_over")))
        return _joined(unit, activity, row, accepted)
    # Withdraw, or no thanks to an offer: the place goes to the next on the list.
    offered = rows.withdraw(
        unit.session,
        signup=signup,
        now=unit.now,
        starts_at=row.starts_at,
        arrives_at=arrives_at(unit),
    )
    if offered is not None:
        offer_place(unit, activity, row, offered)
    text = t(language, "act.withdrawn", title=activity.title)
    return Pressed(posting.Answer(screen=Screen(text, _show_again(language, activity))))


def reply_received(unit: Unit, state: DialogState[ActivityReply], text: str | None) -> Screen:
    """An answer to the organiser's message: passed on to the organiser (first name only)."""
    language = unit.language
    words = (text or "").strip()
    if not words:
        return Screen(t(language, "org.need_words"))
    unit.clear_dialog()
    resident = unit.resident
    signup = unit.session.get(Signup, state.data.signup_id)
    row = None if signup is None else unit.session.get(ActivityDate, signup.date_id)
    activity = None if row is None else unit.session.get(Activity, row.activity_id)
    organiser = None if activity is None else unit.session.get(Resident, activity.organiser_id)
    if (
        resident is None
        or signup is None
        or signup.resident_id != resident.id
        or activity is None
        or organiser is None
    ):
        return Screen(t(language, "act.gone"))
    unit.enqueue(
        to=organiser,
        text=t(
            organiser.language,
            "act.reply_to_organiser",
            name=first_word(resident.first_name),
            title=activity.title,
            text=words[:1000],
        ),
        key=f"act-reply:{signup.id}:{unit.now.timestamp():.0f}:{len(words)}",
        about=f"{NOTE_ABOUT}:{signup.id}",
        counterpart_id=resident.id,
    )
    return Screen(t(language, "act.reply_sent"))


def _ask_for_a_lift(
    unit: Unit, resident: Resident, activity: Activity, row: ActivityDate, signup: Signup
) -> posting.Answer:
    """ "Ik heb hulp nodig om er te komen": a normal request (category transport) in the
    matching flow, for the hour before the activity until its end, in words that name it."""
    language = resident.language
    if signup.status != SignupStatus.IN.value:
        return posting.Answer(notice=t(language, "act.gone"))
    if posting.settled(unit) is None:
        return posting.Answer(notice=posting.not_settled_text(unit), alert=True)
    suspended = suspension_notice(unit, resident)
    if suspended is not None:
        return posting.Answer(notice=suspended, alert=True)
    window_start = max(row.starts_at - LIFT_BEFORE, unit.now)
    assert resident.id is not None
    if any(
        post.category == LIFT_CATEGORY and post.window_end == row.ends_at
        for post in posts.open_posts_of(unit.session, resident_id=resident.id)
    ):
        return posting.Answer(notice=t(language, "act.lift_already"), alert=True)
    hold = posting.hold_for(unit.session, resident, unit.now)
    if hold is not None:
        return posting.Answer(notice=posting.hold_text(language, hold), alert=True)
    zone = unit.settings.tz
    local = row.starts_at.astimezone(zone)
    # A place only people with a place may see stays out of a request the wijk can read.
    text = t(
        language,
        "act.lift_request_private" if activity.place_private else "act.lift_request",
        title=activity.title,
        place=activity.place,
        day=format_date(local.date(), "EEEE d MMMM", locale=language),
        start=local.strftime("%H:%M"),
    )
    # The words are the asker's (as if typed): no HTML, the invitation escapes them.
    text = html.unescape(text)
    placed = posts.create_post(
        unit.session,
        resident=resident,
        kind=PostKind.REQUEST,
        category=LIFT_CATEGORY,
        text=text,
        window_start=window_start,
        window_end=row.ends_at,
        now=unit.now,
    )
    matchmaking.start_flow(unit.session, post=placed, now=unit.now)
    assert placed.id is not None
    request_steps.step_now(unit, placed.id)
    block = post_summary(language, placed, now=unit.now.astimezone(zone), zone=zone)
    return posting.Answer(message=Screen(t(language, "posting.posted_request", summary=block)))


def _show_again(language: str, activity: Activity) -> Keyboard:
    assert activity.id is not None
    return keyboard([Button(t(language, "act.button.show"), callbacks.ACTIVITY_SHOW(activity.id))])


def _id(resident: Resident) -> int:
    assert resident.id is not None
    return resident.id


def _join(unit: Unit, resident: Resident, pressed: Press) -> Pressed:
    language = resident.language
    found = _date(unit, pressed.id(0))
    role = unit.session.get(ActivityRole, pressed.id(1))
    if found is None or role is None or role.activity_id != found[1].id:
        return Pressed(posting.Answer(notice=t(language, "act.gone")))
    row, activity = found
    assert row.id is not None
    assert role.id is not None
    assert activity.id is not None
    if pressed.action is callbacks.ACTIVITY_ROLE and activity.repeat != Repeat.NONE.value:
        question = t(language, "act.how_often", title=activity.title, role=role.name)
        buttons = keyboard(
            [
                Button(
                    t(language, "act.button.once"),
                    callbacks.ACTIVITY_JOIN(row.id, role.id, "once"),
                ),
                Button(
                    t(language, "act.button.every"),
                    callbacks.ACTIVITY_JOIN(row.id, role.id, "every"),
                ),
            ]
        )
        return Pressed(posting.Answer(screen=Screen(question, buttons)))
    # Every change locks its dates in the order of their start, so two people signing up
    # "elke keer" at once never wait for each other in a circle.
    taken = rows.take_place(
        unit.session, date_id=row.id, role=role, resident_id=_id(resident), now=unit.now
    )
    if (
        taken.signup is not None
        and pressed.action is callbacks.ACTIVITY_JOIN
        and pressed.text(2) == "every"
    ):
        rows.subscribe(
            unit.session,
            activity_id=activity.id,
            role_id=role.id,
            resident_id=_id(resident),
            now=unit.now,
        )
        # "Elke keer": the later dates already planned too, while places last.
        for later in rows.dates_of(unit.session, activity_id=activity.id, after=row.starts_at):
            assert later.id is not None
            rows.take_place(
                unit.session, date_id=later.id, role=role, resident_id=_id(resident), now=unit.now
            )
    if taken.signup is None:
        return Pressed(posting.Answer(notice=t(language, "act.gone")))
    return _joined(unit, activity, row, taken.signup)


def _next_date_id(unit: Unit, activity: Activity) -> int | None:
    upcoming = rows.next_date(unit.session, activity_id=activity.id or 0, now=unit.now)
    return None if upcoming is None else upcoming.id


def _joined(unit: Unit, activity: Activity, row: ActivityDate, signup: Signup) -> Pressed:
    """The answer to a place taken (or a spot on the waiting list). Someone who gets a place
    after that date's reminders went out (the day before) would get none: the answer then is
    the reminder itself, time and place with the .ics file, rather than a second message a
    moment later saying what they just read."""
    fresh = unit.session.get(ActivityDate, row.id) or row
    late = signup.status == SignupStatus.IN.value and fresh.reminded_at is not None
    screen = _joined_screen(unit, activity, fresh, signup, late=late)
    return Pressed(posting.Answer(screen=screen), _ics_file(activity, fresh) if late else None)


def _joined_screen(
    unit: Unit, activity: Activity, row: ActivityDate, signup: Signup, *, late: bool = False
) -> Screen:
    resident = unit.resident
    assert resident is not None
    language = resident.language
    if signup.status == SignupStatus.WAITING.value:
        ahead = rows.waiting_before(unit.session, signup=signup)
        text = t(language, "act.waiting", title=activity.title, number=ahead)
    elif row.id == _next_date_id(unit, activity):
        # The card below shows this very date, its time and (now) its place: said once.
        text = t(language, "act.joined_short")
        if late:
            text += "\n" + t(language, "act.joined_late")
    else:
        text = t(
            language,
            "act.joined",
            title=activity.title,
            when=when_text(language, row.starts_at, row.ends_at, unit),
            place=activity.place,
        )
        if late:
            text += "\n" + t(language, "act.joined_late")
    screen = card(unit, activity, resident)
    return Screen(f"{text}\n\n{screen.text}", screen.keyboard)


# --- offers, reminders, the job ----------------------------------------------------------------


def arrives_at(unit: Unit) -> rows.ArrivesAt:
    """When a message queued now reaches a resident: at once, or when their quiet hours end
    (the sender keeps it till then). An offer's time limit starts there."""

    def at(resident_id: int) -> datetime:
        person = unit.session.get(Resident, resident_id)
        if person is None:
            return unit.now
        return quiet_until(person, unit.settings, unit.now) or unit.now

    return at


def give_up_places(unit: Unit, resident: Resident, *, also_waiting: bool = False) -> int:
    """Someone deletes their data (or stops): each place (or offer) they hold on a coming date
    is given up as a withdrawal would, so the first on the waiting list is offered it (deleting
    the sign-up alone would leave the place free but offered to nobody). `also_waiting`: their
    spots on waiting lists go too. Returns how many places and offers were given up."""
    assert resident.id is not None
    statuses = rows.ACTIVE if also_waiting else rows.HOLDING
    held = rows.coming_places_of(
        unit.session, resident_id=resident.id, now=unit.now, statuses=statuses
    )
    freed = 0
    for signup, row, activity in held:
        freed += signup.status in rows.HOLDING  # read before the withdrawal changes it
        offered = rows.withdraw(
            unit.session,
            signup=signup,
            now=unit.now,
            starts_at=row.starts_at,
            arrives_at=arrives_at(unit),
        )
        if offered is not None:
            offer_place(unit, activity, row, offered)
    return freed


def leave_activities(unit: Unit, resident: Resident) -> int:
    """/stop: the person hears nothing any more, so a place they keep would stay empty and an
    offer of one would wait for an answer that never comes. Their places, offers and waiting
    spots on coming dates go as if they withdrew, and "elke keer" ends (it would sign them up
    again for each new date). Returns how many places and offers were given up."""
    assert resident.id is not None
    freed = give_up_places(unit, resident, also_waiting=True)
    rows.unsubscribe_everywhere(unit.session, resident_id=resident.id)
    return freed


def tell_organised_dates_end(unit: Unit, organiser: Resident) -> int:
    """An organiser deletes their data, and with it their activities and everyone's sign-ups
    for them: everyone signed up for a coming date hears that it does not go ahead, as when a
    date is cancelled, but by its time only (the title is the organiser's words, which go).
    Returns how many were told."""
    assert organiser.id is not None
    told = 0
    for activity in rows.activities_of_organiser(
        unit.session, organiser_id=organiser.id, now=unit.now
    ):
        assert activity.id is not None
        for row in rows.dates_of(unit.session, activity_id=activity.id, after=unit.now):
            for _, person in rows.signups_on(unit.session, date_id=row.id or 0):
                language = person.language
                when = when_text(language, row.starts_at, row.ends_at, unit)
                unit.enqueue(
                    to=person,
                    # Without the title: the organiser's own words go with their data.
                    text=t(language, "act.gone_with_organiser", when=when),
                    key=f"act-gone:{row.id}:{person.id}",
                    about=GONE_ABOUT,
                )
                told += 1
    return told


def offer_place(unit: Unit, activity: Activity, row: ActivityDate, signup: Signup) -> None:
    """Tell the first on the waiting list a place is free for them, until the deadline."""
    person = unit.session.get(Resident, signup.resident_id)
    if person is None or signup.offered_until is None:
        return
    assert signup.id is not None
    language = person.language
    zone = unit.settings.tz
    deadline = signup.offered_until.astimezone(zone)
    text = t(
        language,
        "act.offer",
        title=activity.title,
        when=when_text(language, row.starts_at, row.ends_at, unit),
        until_day=format_date(deadline.date(), DAY_FORMAT, locale=language),
        until_time=deadline.strftime("%H:%M"),
    )
    buttons = keyboard(
        [
            Button(t(language, "act.button.accept"), callbacks.ACTIVITY_ACCEPT(signup.id)),
            Button(t(language, "act.button.decline"), callbacks.ACTIVITY_DECLINE(signup.id)),
        ]
    )
    unit.enqueue(
        to=person,
        text=text,
        keyboard=buttons,
        key=f"act-offer:{signup.id}:{signup.seq}",
        about=f"{SIGNUP_ABOUT}:{signup.id}",
    )


def _ics_file(activity: Activity, row: ActivityDate) -> tuple[str, bytes]:
    calendar = Calendar()
    calendar.add("prodid", "-//Buurtbot//activiteiten//NL")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"buurtbot-activity-{activity.id}-{row.id}")
    event.add("summary", activity.title)
    event.add("dtstart", row.starts_at)
    event.add("dtend", row.ends_at)
    event.add("dtstamp", row.starts_at)
    if activity.place:
        event.add("location", activity.place)
    if activity.description:
        event.add("description", activity.description)
    calendar.add_component(event)
    return f"activiteit-{row.id}.ics", calendar.to_ical()


def ics_media(activity: Activity, row: ActivityDate) -> dict[str, str]:
    name, data = _ics_file(activity, row)
    return {"document": data.decode(), "filename": name}


def send_reminders(unit: Unit) -> int:
    """Queue the day-before reminder (with an .ics) for every date whose reminder time came;
    the sender keeps it for after the person's quiet hours."""
    session, now, zone = unit.session, unit.now, unit.settings.tz
    queued = 0
    for row in rows.dates_to_remind(session, now=now, ahead=timedelta(days=2)):
        if reminder_at(row.starts_at, zone) > now:
            continue
        activity = _activity(unit, row.activity_id)
        row.reminded_at = now
        session.add(row)
        if activity is None:
            continue
        assert row.id is not None
        for signup, person in rows.signups_on(
            session, date_id=row.id, statuses=(SignupStatus.IN.value,)
        ):
            language = person.language
            text = t(
                language,
                "act.reminder",
                title=activity.title,
                when=when_text(language, row.starts_at, row.ends_at, unit),
                place=activity.place,
            )
            unit.enqueue(
                to=person,
                text=text,
                keyboard=_withdraw_button(language, signup),
                key=f"act-remind:{row.id}:{person.id}",
                about=f"{SIGNUP_ABOUT}:{signup.id}",
                media=ics_media(activity, row),
            )
            queued += 1
    return queued


def _withdraw_button(language: str, signup: Signup) -> Keyboard:
    assert signup.id is not None
    return keyboard(
        [Button(t(language, "act.button.withdraw"), callbacks.ACTIVITY_WITHDRAW(signup.id))]
    )


def expire_offers(unit: Unit) -> int:
    """Offers nobody answered in time lapse (told kindly); the next in line is offered."""
    lapsed = 0
    for signup in rows.expired_offers(unit.session, now=unit.now):
        row = unit.session.get(ActivityDate, signup.date_id)
        activity = None if row is None else unit.session.get(Activity, row.activity_id)
        if row is None or activity is None:
            continue
        following = rows.expire_offer(
            unit.session,
            signup=signup,
            now=unit.now,
            starts_at=row.starts_at,
            arrives_at=arrives_at(unit),
        )
        lapsed += 1
        person = unit.session.get(Resident, signup.resident_id)
        if person is not None:
            unit.enqueue(
                to=person,
                text=t(person.language, "act.offer_lapsed", title=activity.title),
                key=f"act-lapsed:{signup.id}:{signup.seq}",
                about=f"{NOTE_ABOUT}:{signup.id}",
            )
        if following is not None:
            offer_place(unit, activity, row, following)
    return lapsed


def keep_dates(unit: Unit) -> int:
    """Repeating activities get their next dates; subscribers are signed up for new ones."""
    made = 0
    for activity in rows.open_activities(unit.session):
        if activity.repeat == Repeat.NONE.value:
            continue
        assert activity.id is not None
        new = rows.ensure_dates(
            unit.session, activity=activity, zone=unit.settings.tz, now=unit.now
        )
        made += len(new)
        subscribers = rows.subscriptions_of(unit.session, activity_id=activity.id)
        for row in new:
            assert row.id is not None
            for subscription in subscribers:
                role = unit.session.get(ActivityRole, subscription.role_id)
                if role is None:
                    continue
                taken = rows.take_place(
                    unit.session,
                    date_id=row.id,
                    role=role,
                    resident_id=subscription.resident_id,
                    now=unit.now,
                )
                if taken.signup is not None and not taken.already:
                    _tell_subscriber(unit, activity, row, taken.signup)
    return made


def _tell_subscriber(unit: Unit, activity: Activity, row: ActivityDate, signup: Signup) -> bool:
    """ "Elke keer" signed them up for a new date: tell them once for that date, with one tap
    to skip it or to stop "elke keer". Only when they are not paused and within their pace:
    these notes are counted against it on their own (they are not asks to help, so they never
    use up an invitation), and a date without a note still gets its day-before reminder. The
    sender keeps it for after their quiet hours and drops it when the sign-up went meanwhile."""
    session = unit.session
    person = session.get(Resident, signup.resident_id)
    if person is None or person.id is None or signup.id is None or activity.id is None:
        return False
    if not reachable(person, unit.now):
        return False
    # Counted under a lock on their row, as asks are: another process may be telling them of
    # another activity's new date at this moment.
    if not asks.claim_notes(session, [person.id], kind=NudgeKind.SUBSCRIBED, now=unit.now):
        return False
    if not nudges.record(
        session, resident_id=person.id, kind=NudgeKind.SUBSCRIBED, ref=signup.id, at=unit.now
    ):
        return False  # told before about this date
    language = person.language
    when = when_text(language, row.starts_at, row.ends_at, unit)
    if signup.status == SignupStatus.WAITING.value:
        text = t(
            language,
            "act.subscribed_waiting",
            title=activity.title,
            when=when,
            number=rows.waiting_before(session, signup=signup),
        )
        skip = t(language, "act.button.leave_list")
    else:
        text = t(language, "act.subscribed", title=activity.title, when=when)
        skip = t(language, "act.button.skip_date")
    buttons = keyboard(
        [Button(skip, callbacks.ACTIVITY_WITHDRAW(signup.id))],
        [
            Button(
                t(language, "act.button.unsubscribe"), callbacks.ACTIVITY_UNSUBSCRIBE(activity.id)
            )
        ],
    )
    unit.enqueue(
        to=person,
        text=text,
        keyboard=buttons,
        key=f"act-sub:{signup.id}",
        about=f"{SUBSCRIBED_ABOUT}:{signup.id}",
    )
    return True


@dataclass(frozen=True)
class Round:
    dates: int
    lapsed: int
    reminders: int


def run_due(unit: Unit) -> Round:
    """The repeating job's step (bot/app.py): dates, lapsed offers, reminders."""
    return Round(keep_dates(unit), expire_offers(unit), send_reminders(unit))


# --- announcements ---------------------------------------------------------------------------


def _fitting(activity: Activity) -> frozenset[str]:
    guess = suggest_category(f"{activity.title} {activity.description}")
    return FITTING if guess is None else FITTING | {guess.key}


def announce(unit: Unit, activity: Activity) -> int:
    """The wijk group (if linked) and, privately, residents who may like it; returns how many
    residents were told privately."""
    session = unit.session
    assert activity.id is not None
    if session.get(Wijk, activity.wijk_id) is None:
        return 0
    url = link(unit, activity.id)
    for wijk_id in rows.announced_in(activity):
        wijk = session.get(Wijk, wijk_id)
        if wijk is None or wijk.group_chat_id is None:
            continue
        language: str = unit.settings.default_language
        # The own wijk's key stays "act-group:<id>" (erasure finds it by that prefix too).
        suffix = "" if wijk_id == activity.wijk_id else f":{wijk_id}"
        unit.enqueue_chat(
            chat_id=wijk.group_chat_id,
            text=_announcement(unit, language, activity),
            keyboard=keyboard([Button(t(language, "act.button.open_card"), "", url=url)]),
            key=f"act-group:{activity.id}{suffix}",
        )
    fitting = _fitting(activity)
    people = [
        person
        for person in rows.audience(session, activity=activity)
        if fitting & set(person.likes) and reachable(person, unit.now)
    ]
    # Counted under a lock on their rows, as for invitations and digests: another process
    # may be about to ask them too, and the two together could go over their pace.
    allowed = asks.claim_asks(session, (person.id for person in people if person.id), now=unit.now)
    told = 0
    for person in people:
        if person.id not in allowed:
            continue
        assert person.id is not None
        if not nudges.record(
            session,
            resident_id=person.id,
            kind=NudgeKind.ANNOUNCEMENT,
            ref=activity.id,
            at=unit.now,
        ):
            continue  # told before
        nudges.count_as_ask(session, resident_id=person.id, at=unit.now)
        language = person.language
        unit.enqueue(
            to=person,
            text=_announcement(unit, language, activity),
            keyboard=keyboard(
                [Button(t(language, "act.button.open_card"), callbacks.ACTIVITY_SHOW(activity.id))]
            ),
            key=f"act-announce:{activity.id}:{person.id}",
        )
        told += 1
    return told


def _announcement(unit: Unit, language: str, activity: Activity) -> str:
    assert activity.id is not None
    upcoming = rows.next_date(unit.session, activity_id=activity.id, now=unit.now)
    when = (
        "" if upcoming is None else when_text(language, upcoming.starts_at, upcoming.ends_at, unit)
    )
    return t(
        language,
        "act.announcement",
        title=activity.title,
        description=activity.description,
        when=when,
        repeat=repeat_text(language, activity.repeat, activity.repeat_until),
    )
