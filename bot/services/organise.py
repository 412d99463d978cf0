"""Organisers: /activiteit (a new activity, one question at a time) and /mijnactiviteiten.

Only someone with the role `organiser` of a wijk (storage/repo.has_role) may organise there;
it is re-checked in the database on every step and every button. The draft is dialog flow
"activity" (dialogs.ActivityDraft): title, description, when (in words, read like a request's
time and shown back to confirm), place (and whether only people who signed up see it), roles
("koks 3" lines), repeat and until when, then a summary to publish. Publishing announces it
(bot/services/activities.py announce).

/mijnactiviteiten: per activity and date, who signed up per role (first names) and the
waiting list; change the time or place of a date (everyone signed up is told, the organiser
sees how many), cancel a date (everyone told, sign-up closes), end a repeating activity,
message everyone signed up for a date (through the bot, escaped).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from bot import callbacks
from bot.callbacks import Press
from bot.i18n import Html, t
from bot.services import activities as cards
from bot.services.dialogs import ActivityDraft, DialogState, OrganiserStep
from bot.services.markup import Button, Keyboard, Screen, keyboard
from bot.services.posting import Answer
from bot.services.unit import Unit
from matching.activities import (
    Repeat,
    RoleSpec,
    parse_roles,
    read_activity_time,
    read_day,
)
from storage import activities as rows
from storage import repo
from storage.models import (
    Activity,
    ActivityDate,
    ActivityStatus,
    RoleKind,
    SignupStatus,
)

FLOW: Final = "activity"
FLOW_CHANGE: Final = "organise"
MAX_TITLE: Final = 100
MAX_TEXT: Final = 1000
MAX_PLACE: Final = 200
# Neighbouring wijken offered as buttons (by name); a city with more is a later concern.
MAX_OTHER_WIJKEN: Final = 8
PLAIN_ROLE: Final = "deelnemers"


def _organiser_wijken(unit: Unit) -> list[int]:
    assert unit.caller is not None
    return rows.organiser_wijken(unit.session, telegram_user_id=unit.caller.user_id)


def _is_organiser(unit: Unit, wijk_id: int) -> bool:
    assert unit.caller is not None
    return repo.has_role(
        unit.session,
        telegram_user_id=unit.caller.user_id,
        kind=RoleKind.ORGANISER,
        wijk_id=wijk_id,
    )


def not_organiser(unit: Unit) -> Screen:
    return Screen(t(unit.language, "org.not_organiser"))


# --- /activiteit -------------------------------------------------------------------------------


def start(unit: Unit) -> Screen:
    """Begin a new activity in the wijk the caller organises in (their own wijk first)."""
    wijken = _organiser_wijken(unit)
    if not wijken:
        return not_organiser(unit)
    resident = unit.ensure_resident()
    wijk_id = resident.wijk_id if resident.wijk_id in wijken else wijken[0]
    assert wijk_id is not None
    unit.set_dialog(FLOW, "title", ActivityDraft(wijk_id=wijk_id))
    return Screen(t(unit.language, "org.ask_title"))


def _ask(unit: Unit, draft: ActivityDraft, step: str) -> Screen:
    """Store the draft at `step` and ask its question (buttons first where there are any)."""
    language = unit.language
    unit.set_dialog(FLOW, step, draft)

    def choice(label_key: str, value: str) -> Button:
        return Button(t(language, label_key), callbacks.ACTIVITY_DRAFT(step, value))

    if step == "description":
        return Screen(
            t(language, "org.ask_description"),
            keyboard([choice("org.button.skip", "skip")]),
            remember=FLOW,
        )
    if step == "when":
        return Screen(t(language, "org.ask_when"))
    if step == "when_ok":
        assert draft.starts is not None
        assert draft.ends is not None
        when = cards.when_text(language, draft.starts, draft.ends, unit)
        return Screen(
            t(language, "org.when_read", when=when),
            keyboard([choice("org.button.yes", "yes"), choice("org.button.other_time", "no")]),
            remember=FLOW,
        )
    if step == "place":
        return Screen(t(language, "org.ask_place"))
    if step == "place_who":
        return Screen(
            t(language, "org.ask_place_who", place=draft.place or ""),
            keyboard(
                [choice("org.button.place_all", "all")],
                [choice("org.button.place_signed", "signed")],
            ),
            remember=FLOW,
        )
    if step == "roles":
        return Screen(
            t(language, "org.ask_roles"),
            keyboard([choice("org.button.plain_roles", "plain")]),
            remember=FLOW,
        )
    if step == "repeat":
        return Screen(
            t(language, "org.ask_repeat"),
            keyboard(
                [choice("org.button.repeat_none", Repeat.NONE.value)],
                [choice("org.button.repeat_weekly", Repeat.WEEKLY.value)],
                [choice("org.button.repeat_biweekly", Repeat.BIWEEKLY.value)],
            ),
            remember=FLOW,
        )
    if step == "until":
        return Screen(
            t(language, "org.ask_until"),
            keyboard([choice("org.button.until_stop", "stop")]),
            remember=FLOW,
        )
    if step == "also":
        others = rows.other_wijken(unit.session, wijk_id=draft.wijk_id)
        rows_of_buttons = [
            [
                Button(
                    ("✓ " if wijk.id in draft.also_wijken else "") + wijk.name,
                    callbacks.ACTIVITY_DRAFT(step, str(wijk.id)),
                )
            ]
            for wijk in others[:MAX_OTHER_WIJKEN]
        ]
        rows_of_buttons.append([choice("org.button.also_done", "done")])
        return Screen(t(language, "org.ask_also"), keyboard(*rows_of_buttons), remember=FLOW)
    return _summary(unit, draft)


def _after_repeat(unit: Unit, draft: ActivityDraft) -> Screen:
    """After when it repeats: which other wijken may hear of it (only where there are any)."""
    if rows.other_wijken(unit.session, wijk_id=draft.wijk_id):
        return _ask(unit, draft, "also")
    return _ask(unit, draft, "confirm")


def _summary(unit: Unit, draft: ActivityDraft) -> Screen:
    language = unit.language
    assert draft.starts is not None
    assert draft.ends is not None
    roles = "\n".join(
        t(language, "org.summary.role", role=name, count=capacity)
        if capacity is not None
        else t(language, "org.summary.role_open", role=name)
        for name, capacity in draft.roles
    )
    place_key = "org.summary.place_signed" if draft.place_private else "org.summary.place"
    text = t(
        language,
        "org.summary",
        title=draft.title or "",
        description=draft.description or "-",
        when=cards.when_text(language, draft.starts, draft.ends, unit),
        repeat=cards.repeat_text(language, draft.repeat, draft.until),
        place=t(language, place_key, place=draft.place or ""),
        roles=roles,
        also=Html(_also_line(unit, draft)),
    )
    buttons = keyboard(
        [Button(t(language, "org.button.publish"), callbacks.ACTIVITY_DRAFT("confirm", "yes"))],
        [Button(t(language, "org.button.stop"), callbacks.ACTIVITY_DRAFT("confirm", "no"))],
    )
    return Screen(text, buttons, remember=FLOW)


def _also_line(unit: Unit, draft: ActivityDraft) -> str:
    """ "\nOok in: Dapperbuurt" when neighbouring wijken were chosen, else nothing."""
    if not draft.also_wijken:
        return ""
    others = rows.other_wijken(unit.session, wijk_id=draft.wijk_id)
    chosen = [wijk.name for wijk in others if wijk.id in draft.also_wijken]
    return "\n" + t(unit.language, "org.summary.also", wijken=", ".join(chosen))


def _still_organiser(unit: Unit, draft: ActivityDraft) -> Screen | None:
    if _is_organiser(unit, draft.wijk_id):
        return None
    unit.clear_dialog()
    return not_organiser(unit)


def text_received(unit: Unit, state: DialogState[ActivityDraft], text: str | None) -> Screen:
    """The answer typed for the current step."""
    draft = state.data
    refused = _still_organiser(unit, draft)
    if refused is not None:
        return refused
    language = unit.language
    words = (text or "").strip()
    if not words:
        return Screen(t(language, "org.need_words"))
    step = state.step
    if step == "title":
        return _ask(unit, draft.model_copy(update={"title": words[:MAX_TITLE]}), "description")
    if step == "description":
        return _ask(unit, draft.model_copy(update={"description": words[:MAX_TEXT]}), "when")
    if step in ("when", "when_ok"):
        local_now = unit.now.astimezone(unit.settings.tz)
        read = read_activity_time(words, local_now, language)
        if read is None:
            return Screen(t(language, "org.when_not_read"))
        changed = draft.model_copy(
            update={"starts": read.starts, "ends": read.ends, "repeat": read.repeat.value}
        )
        return _ask(unit, changed, "when_ok")
    if step == "place":
        return _ask(unit, draft.model_copy(update={"place": words[:MAX_PLACE]}), "place_who")
    if step == "roles":
        roles = parse_roles(words)
        if roles is None:
            return Screen(t(language, "org.roles_not_read"))
        specs = [(role.name, role.capacity) for role in roles]
        return _ask(unit, draft.model_copy(update={"roles": specs}), "repeat")
    if step == "until":
        local_now = unit.now.astimezone(unit.settings.tz)
        day = read_day(words, local_now, language)
        if day is None or draft.starts is None or day < draft.starts.date():
            return Screen(t(language, "org.until_not_read"))
        return _after_repeat(unit, draft.model_copy(update={"until": day.isoformat()}))
    return Screen(t(language, "org.use_buttons"))


def press_draft(unit: Unit, pressed: Press) -> Answer:
    """A button of the draft: only for the step the draft is at."""
    state = unit.state(FLOW)
    language = unit.language
    step, value = pressed.text(0), pressed.text(1)
    if state is None or not isinstance(state.data, ActivityDraft) or state.step != step:
        return Answer(notice=t(language, "error.stale_button"))
    draft = state.data
    refused = _still_organiser(unit, draft)
    if refused is not None:
        return Answer(screen=refused)
    if step == "description" and value == "skip":
        return Answer(screen=_ask(unit, draft.model_copy(update={"description": ""}), "when"))
    if step == "when_ok" and value in ("yes", "no"):
        if value == "no":
            return Answer(screen=_ask(unit, draft, "when"))
        return Answer(screen=_ask(unit, draft, "place"))
    if step == "place_who" and value in ("all", "signed"):
        changed = draft.model_copy(update={"place_private": value == "signed"})
        return Answer(screen=_ask(unit, changed, "roles"))
    if step == "roles" and value == "plain":
        changed = draft.model_copy(update={"roles": [(t(language, "org.plain_role"), None)]})
        return Answer(screen=_ask(unit, changed, "repeat"))
    if step == "repeat" and value in {r.value for r in Repeat}:
        changed = draft.model_copy(update={"repeat": value})
        if value == "none":
            return Answer(screen=_after_repeat(unit, changed))
        return Answer(screen=_ask(unit, changed, "until"))
    if step == "until" and value == "stop":
        return Answer(screen=_after_repeat(unit, draft.model_copy(update={"until": None})))
    if step == "also" and value == "done":
        return Answer(screen=_ask(unit, draft, "confirm"))
    if step == "also" and value.isdigit():
        others = {w.id for w in rows.other_wijken(unit.session, wijk_id=draft.wijk_id)}
        chosen = set(draft.also_wijken)
        wijk_id = int(value)
        if wijk_id not in others:  # a forged or stale id: never trusted
            return Answer(notice=t(language, "error.stale_button"))
        chosen ^= {wijk_id}
        changed = draft.model_copy(update={"also_wijken": sorted(chosen)})
        return Answer(screen=_ask(unit, changed, "also"))
    if step == "confirm" and value == "no":
        unit.clear_dialog()
        return Answer(screen=Screen(t(language, "org.stopped")))
    if step == "confirm" and value == "yes":
        return Answer(screen=_publish(unit, draft))
    return Answer(notice=t(language, "error.stale_button"))


def _publish(unit: Unit, draft: ActivityDraft) -> Screen:
    organiser = unit.ensure_resident()
    assert organiser.id is not None
    assert draft.starts is not None
    assert draft.ends is not None
    zone = unit.settings.tz
    local_start = draft.starts.astimezone(zone)
    activity = rows.create_activity(
        unit.session,
        wijk_id=draft.wijk_id,
        organiser_id=organiser.id,
        title=draft.title or "",
        description=draft.description or "",
        place=draft.place or "",
        place_private=draft.place_private,
        first_day=local_start.date(),
        starts_local=local_start.time().replace(second=0, microsecond=0),
        duration=draft.ends - draft.starts,
        repeat=Repeat(draft.repeat),
        repeat_until=None if draft.until is None else date.fromisoformat(draft.until),
        roles=[RoleSpec(name, capacity) for name, capacity in draft.roles],
        zone=zone,
        now=unit.now,
        also_wijk_ids=draft.also_wijken,
    )
    unit.clear_dialog()
    assert activity.id is not None
    told = cards.announce(unit, activity)
    language = unit.language
    text = t(
        language,
        "org.published",
        title=activity.title,
        link=cards.link(unit, activity.id),
        count=told,
    )
    return Screen(text, _mine_button(language))


def _mine_button(language: str) -> Keyboard:
    return keyboard([Button(t(language, "org.button.mine"), callbacks.ORGANISE_LIST())])


# --- /mijnactiviteiten -------------------------------------------------------------------------


def show_mine(unit: Unit) -> Screen:
    if not _organiser_wijken(unit):
        return not_organiser(unit)
    unit.clear_dialog()
    return _list(unit)


def _list(unit: Unit) -> Screen:
    language = unit.language
    organiser = unit.ensure_resident()
    assert organiser.id is not None
    own = [
        a
        for a in rows.activities_of_organiser(
            unit.session, organiser_id=organiser.id, now=unit.now
        )
        if _is_organiser(unit, a.wijk_id)
    ]
    if not own:
        return Screen(t(language, "org.mine_empty"))
    buttons = []
    for activity in own:
        assert activity.id is not None
        buttons.append([Button(activity.title, callbacks.ORGANISE_SHOW(activity.id))])
    return Screen(t(language, "org.mine_header"), keyboard(*buttons))


def _own_activity(unit: Unit, activity_id: int) -> Activity | None:
    activity = unit.session.get(Activity, activity_id)
    organiser = unit.ensure_resident()
    if (
        activity is None
        or activity.organiser_id != organiser.id
        or not _is_organiser(unit, activity.wijk_id)
    ):
        return None
    return activity


def _own_date(unit: Unit, date_id: int) -> tuple[ActivityDate, Activity] | None:
    row = unit.session.get(ActivityDate, date_id)
    if row is None or row.cancelled or row.ends_at <= unit.now:
        return None
    activity = _own_activity(unit, row.activity_id)
    return None if activity is None else (row, activity)


def _activity_screen(unit: Unit, activity: Activity) -> Screen:
    language = unit.language
    assert activity.id is not None
    dates = rows.dates_of(unit.session, activity_id=activity.id, after=unit.now)
    lines = [
        t(language, "act.card.title", title=activity.title),
        cards.repeat_text(language, activity.repeat, activity.repeat_until),
    ]
    buttons = []
    for row in dates[:6]:
        assert row.id is not None
        when = cards.when_text(language, row.starts_at, row.ends_at, unit)
        buttons.append([Button(when, callbacks.ORGANISE_DATE(row.id))])
    if not dates:
        lines.append(t(language, "act.card.no_date"))
    if activity.repeat != Repeat.NONE.value and activity.status == ActivityStatus.OPEN.value:
        buttons.append(
            [Button(t(language, "org.button.end"), callbacks.ORGANISE_END(activity.id))]
        )
    buttons.append([Button(t(language, "org.button.back"), callbacks.ORGANISE_LIST())])
    return Screen("\n".join(lines), keyboard(*buttons))


def _date_screen(unit: Unit, row: ActivityDate, activity: Activity) -> Screen:
    language = unit.language
    assert row.id is not None
    assert activity.id is not None
    lines = [
        t(language, "act.card.title", title=activity.title),
        cards.when_text(language, row.starts_at, row.ends_at, unit),
        t(language, "act.card.place", place=activity.place),
        "",
    ]
    signed = rows.signups_on(unit.session, date_id=row.id)
    for role in rows.roles_of(unit.session, activity_id=activity.id):
        names = [p.first_name for s, p in signed if s.role_id == role.id and s.status == "in"]
        offered = [
            p.first_name for s, p in signed if s.role_id == role.id and s.status == "offered"
        ]
        waiting = [
            p.first_name
            for s, p in signed
            if s.role_id == role.id and s.status == SignupStatus.WAITING.value
        ]
        capacity = "∞" if role.capacity is None else str(role.capacity)
        lines.append(
            t(
                language,
                "org.date.role",
                role=role.name,
                count=len(names),
                capacity=capacity,
                names=", ".join(names) or "-",
            )
        )
        if offered:
            lines.append(t(language, "org.date.offered", names=", ".join(offered)))
        if waiting:
            lines.append(t(language, "org.date.waiting", names=", ".join(waiting)))
    buttons = keyboard(
        [
            Button(t(language, "org.button.move"), callbacks.ORGANISE_CHANGE(row.id, "time")),
            Button(t(language, "org.button.place"), callbacks.ORGANISE_CHANGE(row.id, "place")),
        ],
        [Button(t(language, "org.button.message"), callbacks.ORGANISE_CHANGE(row.id, "message"))],
        [Button(t(language, "org.button.cancel_date"), callbacks.ORGANISE_CANCEL(row.id))],
        [Button(t(language, "org.button.back"), callbacks.ORGANISE_SHOW(activity.id))],
    )
    return Screen("\n".join(lines), buttons)


def press(unit: Unit, pressed: Press) -> Answer:
    """A button of /mijnactiviteiten; the role and ownership are re-checked."""
    language = unit.language
    if not _organiser_wijken(unit):
        return Answer(screen=not_organiser(unit))
    action = pressed.action
    gone = Answer(notice=t(language, "act.gone"))
    if action is callbacks.ORGANISE_LIST:
        return Answer(screen=_list(unit))
    if action in (callbacks.ORGANISE_SHOW, callbacks.ORGANISE_END, callbacks.ORGANISE_END_YES):
        activity = _own_activity(unit, pressed.id())
        if activity is None:
            return gone
        if action is callbacks.ORGANISE_SHOW:
            return Answer(screen=_activity_screen(unit, activity))
        if action is callbacks.ORGANISE_END:
            assert activity.id is not None
            question = t(language, "org.end_sure", title=activity.title)
            buttons = keyboard(
                [
                    Button(
                        t(language, "org.button.end_yes"), callbacks.ORGANISE_END_YES(activity.id)
                    )
                ],
                [Button(t(language, "org.button.back"), callbacks.ORGANISE_SHOW(activity.id))],
            )
            return Answer(screen=Screen(question, buttons))
        return Answer(screen=_end(unit, activity))
    found = _own_date(unit, pressed.id())
    if found is None:
        return gone
    row, activity = found
    if action is callbacks.ORGANISE_DATE:
        return Answer(screen=_date_screen(unit, row, activity))
    if action is callbacks.ORGANISE_CANCEL:
        assert row.id is not None
        question = t(
            language,
            "org.cancel_sure",
            title=activity.title,
            when=cards.when_text(language, row.starts_at, row.ends_at, unit),
        )
        buttons = keyboard(
            [Button(t(language, "org.button.cancel_yes"), callbacks.ORGANISE_CANCEL_YES(row.id))],
            [Button(t(language, "org.button.back"), callbacks.ORGANISE_DATE(row.id))],
        )
        return Answer(screen=Screen(question, buttons))
    if action is callbacks.ORGANISE_CANCEL_YES:
        return Answer(screen=_cancel(unit, row, activity))
    what = pressed.text(1)
    assert row.id is not None
    unit.set_dialog(FLOW_CHANGE, what, OrganiserStep(date_id=row.id, what=what))
    # A repeating activity: the new time is this date's only, the new place every date's.
    repeating = activity.repeat != Repeat.NONE.value and what in ("time", "place")
    key = f"org.ask_change.{what}" + ("_repeat" if repeating else "")
    when = cards.when_text(language, row.starts_at, row.ends_at, unit)
    return Answer(screen=Screen(t(language, key, when=when)))


def _tell_everyone(
    unit: Unit,
    row: ActivityDate,
    key: str,
    text_of: dict[str, str] | None = None,
    *,
    answerable: bool = False,
    **params: str,
) -> int:
    """A note to everyone signed up for this date (places, offers and the waiting list)."""
    assert row.id is not None
    told = 0
    for signup, person in rows.signups_on(unit.session, date_id=row.id):
        language = person.language
        text = (
            t(language, key, **params) if text_of is None else text_of.get(language, text_of["nl"])
        )
        assert signup.id is not None
        buttons = (
            keyboard(
                [Button(t(language, "act.button.reply"), callbacks.ACTIVITY_REPLY(signup.id))]
            )
            if answerable
            else None
        )
        unit.enqueue(
            to=person,
            text=text,
            keyboard=buttons,
            key=f"act-note:{row.id}:{person.id}:{row.version}:{key}",
            about=f"{cards.NOTE_ABOUT}:{signup.id}",
        )
        told += 1
    return told


def _move_place(unit: Unit, activity: Activity, place: str) -> int:
    """The place is the activity's, so it changes for every date: everyone signed up for any
    date still to come is told, once each (for the first of their dates). Where only people
    with a place see it, the waiting list is not told the new one either."""
    assert activity.id is not None
    activity.place = place
    unit.session.add(activity)
    unit.session.flush()
    statuses = (SignupStatus.IN.value,) if activity.place_private else rows.ACTIVE
    told: set[int] = set()
    # Each date's turn, in the order of their start (as every change takes them).
    for row in rows.dates_of(unit.session, activity_id=activity.id, after=unit.now):
        assert row.id is not None
        if not rows.bump(unit.session, date_id=row.id):
            continue
        fresh = unit.session.get(ActivityDate, row.id)
        assert fresh is not None
        for signup, person in rows.signups_on(unit.session, date_id=row.id, statuses=statuses):
            if person.id is None or person.id in told:
                continue
            told.add(person.id)
            unit.enqueue(
                to=person,
                text=t(person.language, "act.place_changed", title=activity.title, place=place),
                key=f"act-note:{row.id}:{person.id}:{fresh.version}:act.place_changed",
                about=f"{cards.NOTE_ABOUT}:{signup.id}",
            )
    return len(told)


def _cancel(unit: Unit, row: ActivityDate, activity: Activity) -> Screen:
    language = unit.language
    when_of = {
        lang: cards.when_text(lang, row.starts_at, row.ends_at, unit) for lang in ("nl", "en")
    }
    if not rows.cancel_date(unit.session, date=row, now=unit.now):
        return Screen(t(language, "act.gone"))
    fresh = unit.session.get(ActivityDate, row.id)
    assert fresh is not None
    texts = {
        lang: t(lang, "act.cancelled", title=activity.title, when=when_of[lang])
        for lang in ("nl", "en")
    }
    told = _tell_everyone(unit, fresh, "act.cancelled", texts)
    assert activity.id is not None
    return Screen(
        t(language, "org.cancelled", count=told),
        keyboard([Button(t(language, "org.button.back"), callbacks.ORGANISE_SHOW(activity.id))]),
    )


def _end(unit: Unit, activity: Activity) -> Screen:
    """End a repeating activity: no new dates and no more "elke keer"; the dates already
    planned stay as they are (the organiser can still cancel them one by one)."""
    assert activity.id is not None
    planned = rows.dates_of(unit.session, activity_id=activity.id, after=unit.now)
    last = planned[-1].starts_at if planned else unit.now
    activity.status = ActivityStatus.ENDED.value
    activity.repeat_until = last.astimezone(unit.settings.tz).date().isoformat()
    unit.session.add(activity)
    rows.end_subscriptions(unit.session, activity_id=activity.id)
    return Screen(t(unit.language, "org.ended", title=activity.title), _mine_button(unit.language))


def change_received(unit: Unit, state: DialogState[OrganiserStep], text: str | None) -> Screen:
    """The new time or place for a date, or the message to its people."""
    language = unit.language
    found = _own_date(unit, state.data.date_id)
    if found is None:
        unit.clear_dialog()
        return Screen(t(language, "act.gone"))
    row, activity = found
    words = (text or "").strip()
    if not words:
        return Screen(t(language, "org.need_words"))
    what = state.data.what
    assert row.id is not None
    back = keyboard([Button(t(language, "org.button.back"), callbacks.ORGANISE_DATE(row.id))])
    if what == "time":
        local_now = unit.now.astimezone(unit.settings.tz)
        read = read_activity_time(words, local_now, language)
        if read is None:
            return Screen(t(language, "org.when_not_read"))
        starts, ends = read.starts, read.ends
        if not rows.move_date(unit.session, date=row, starts_at=starts, ends_at=ends):
            return Screen(t(language, "org.move_taken"))
        fresh = unit.session.get(ActivityDate, row.id)
        assert fresh is not None
        texts = {
            lang: t(
                lang,
                "act.moved",
                title=activity.title,
                when=cards.when_text(lang, fresh.starts_at, fresh.ends_at, unit),
            )
            for lang in ("nl", "en")
        }
        told = _tell_everyone(unit, fresh, "act.moved", texts)
        unit.clear_dialog()
        return Screen(t(language, "org.told", count=told), back)
    if what == "place":
        told = _move_place(unit, activity, words[:MAX_PLACE])
        unit.clear_dialog()
        return Screen(t(language, "org.told", count=told), back)
    texts = {
        lang: t(lang, "act.organiser_message", title=activity.title, text=words[:MAX_TEXT])
        for lang in ("nl", "en")
    }
    assert row.id is not None
    rows.bump(unit.session, date_id=row.id)
    fresh = unit.session.get(ActivityDate, row.id)
    assert fresh is not None
    told = _tell_everyone(unit, fresh, "act.organiser_message", texts, answerable=True)
    unit.clear_dialog()
    return Screen(t(language, "org.told", count=told), back)
