"""Activities' messages and the clock, through the emulator: a place taken after that date's
reminders went out, an offer made during someone's quiet hours, and "elke keer" telling of a
new date after the quiet hours with one tap to skip it or stop."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from telegram import InlineKeyboardButton

from bot import callbacks
from bot.harness import RunningBot
from bot.services import activities as activity_service
from bot.services.unit import Unit
from bot.settings import load_settings
from botapi_emulator.scenario import Person, Scene
from matching.activities import Repeat, RoleSpec
from storage import activities
from storage.db import session_scope
from storage.models import Activity, Signup, SignupStatus, Wijk
from tests.e2e.neighbours import NOW, Clock, bot_sends, resident_for
from tests.e2e.test_activities import MONDAY, run_activity_job
from tests.storage.neighbourhood import add_wijk

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _wijk(running: RunningBot) -> Wijk:
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", MONDAY)
        session.expunge(oost)
        return oost


def _cooking_evening(running: RunningBot, organiser_id: int, wijk: Wijk, places: int) -> int:
    """A weekly Kookavond on Thursdays 18:00-20:30 from 26 November, `places` guests."""
    assert wijk.id is not None
    with session_scope(running.engine) as session:
        made = activities.create_activity(
            session,
            wijk_id=wijk.id,
            organiser_id=organiser_id,
            title="Kookavond",
            description="Samen eten",
            place="Pauluskerk",
            place_private=False,
            first_day=date(2026, 11, 26),
            starts_local=time(18, 0),
            duration=timedelta(hours=2, minutes=30),
            repeat=Repeat.WEEKLY,
            repeat_until=None,
            roles=[RoleSpec("gasten", places)],
            zone=AMSTERDAM,
            now=MONDAY,
        )
        assert made.id is not None
        return made.id


async def _join(guest: Person, activity_id: int, *, every: bool = False) -> None:
    await guest.sends(f"/start act_{activity_id}")
    card = await guest.sees("Kookavond")
    labels = [label for row in card.buttons for label in row]
    await guest.presses(next(x for x in labels if x.startswith(("Ik doe mee", "Zet me op"))))
    await guest.sees_button("Alleen deze keer")
    await guest.presses("Elke keer" if every else "Alleen deze keer")


def _documents(running: RunningBot, person: Person) -> list[str]:
    found = []
    for message in running.emulator.messages(person.chat_id):
        if message.document is not None:
            found.append(running.emulator.world.file_bytes(message.document["file_id"]).decode())
    return found


async def test_a_place_taken_after_the_reminders_went_out_comes_with_the_calendar_file(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    clock.now = MONDAY
    olga, early, late = (scene.resident(name) for name in ("Olga", "Vroeg", "Laat"))
    oost = _wijk(running)
    activity_id = _cooking_evening(running, resident_for(running, olga, oost, MONDAY), oost, 8)
    resident_for(running, early, oost, MONDAY)
    resident_for(running, late, oost, MONDAY)
    await _join(early, activity_id)
    await early.sees("Fijn, je bent erbij!")

    # Wednesday 10:00, the day before: the reminders go out.
    clock.now = NOW
    assert (await run_activity_job(running)).reminders == 1
    await early.sees("Morgen is Kookavond!")

    # Half an hour later someone signs up: the answer is the reminder, with the .ics.
    clock.now = NOW + timedelta(minutes=30)
    await _join(late, activity_id)
    joined = await late.sees("Fijn, je bent erbij!")
    assert "Pauluskerk" in joined.content
    assert "het agenda-bestand stuur ik je nu mee" in joined.content
    await running.emulator.wait_for(
        lambda: bool(_documents(running, late)), 5, what="the .ics", chat=late.chat_id
    )
    [ics] = _documents(running, late)
    assert "SUMMARY:Kookavond" in ics
    assert "DTSTART:20261126T170000Z" in ics
    # The job does not send them a second one; someone joining before the reminders gets
    # no file in the answer (the reminder brings it).
    assert (await run_activity_job(running)).reminders == 0
    assert len(_documents(running, early)) == 1
    assert running.emulator.errors == []


async def test_an_offer_made_in_quiet_hours_keeps_its_time_to_answer_for_after_them(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    """Wednesday 23:00 (quiet hours 21:00-08:00 for everyone here) the one guest withdraws.
    Counted from 23:00, the offer to the first on the waiting list would end Thursday 06:00
    (12 hours before the start), two hours before it could even arrive. It waits for 08:00,
    and the time to answer is counted from then: until 09:00 (at least an hour)."""
    clock.now = MONDAY
    olga, first, waiting = (scene.resident(name) for name in ("Olga", "Eerst", "Wacht"))
    oost = _wijk(running)
    activity_id = _cooking_evening(running, resident_for(running, olga, oost, MONDAY), oost, 1)
    resident_for(running, first, oost, MONDAY)
    waiting_id = resident_for(running, waiting, oost, MONDAY)
    await _join(first, activity_id)
    await first.sees("Fijn, je bent erbij!")
    await _join(waiting, activity_id)
    await waiting.sees("Je staat op de wachtlijst, als nummer 1.")

    clock.now = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)  # Wednesday 23:00 in Amsterdam
    await first.presses("Ik kan toch niet")
    await first.sees("Je bent afgemeld voor Kookavond")
    await asyncio.sleep(2.5)  # the outbox job runs every 2 s: nothing goes out at night
    assert not any(
        "Er is een plek vrij" in m.content for m in running.emulator.messages(waiting.chat_id)
    ), running.emulator.transcript(waiting.chat_id)

    # 07:30: the old time limit (06:00) would have lapsed the offer before it was seen.
    clock.now = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)
    assert (await run_activity_job(running)).lapsed == 0
    with session_scope(running.engine) as session:
        [offered] = session.exec(select(Signup).where(Signup.resident_id == waiting_id)).all()
        assert offered.status == SignupStatus.OFFERED.value
        assert offered.offered_until == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)

    # 08:00: the offer arrives with its full hour, and a yes takes the place.
    clock.now = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    offer = await waiting.sees("Er is een plek vrij bij Kookavond", timeout=10)
    assert "Laat het me weten vóór donderdag 26 november 09:00" in offer.content
    clock.now = datetime(2026, 11, 26, 7, 40, tzinfo=UTC)
    assert (await run_activity_job(running)).lapsed == 0
    await waiting.presses("Ja, ik kom")
    await waiting.sees("Fijn, je bent erbij!")
    assert running.emulator.errors == []


async def test_every_time_tells_of_a_new_date_after_the_quiet_hours_with_one_tap_to_skip(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    clock.now = MONDAY
    olga, gijs = scene.resident("Olga"), scene.resident("Gijs")
    oost = _wijk(running)
    activity_id = _cooking_evening(running, resident_for(running, olga, oost, MONDAY), oost, 8)
    gijs_id = resident_for(running, gijs, oost, MONDAY, pace="weekly")
    await _join(gijs, activity_id, every=True)
    await gijs.sees("Fijn, je bent erbij!")
    clock.now = NOW  # Wednesday 10:00: the reminder for Thursday
    assert (await run_activity_job(running)).reminders == 1
    await gijs.sees("Morgen is Kookavond!")

    # Thursday 00:10: the date four weeks ahead is made, and Gijs is signed up for it; the
    # note waits for his quiet hours to end.
    clock.now = datetime(2026, 11, 25, 23, 10, tzinfo=UTC)
    assert (await run_activity_job(running)).dates == 1
    await asyncio.sleep(2.5)
    note = "Je staat weer op de lijst voor Kookavond: donderdag 24 december, 18:00 tot 20:30"
    assert not any(note in m.content for m in running.emulator.messages(gijs.chat_id))
    clock.now = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00
    told = await gijs.sees(note, timeout=10)
    assert told.buttons == [["Deze keer niet"], ["Stop met elke keer"]]
    # Once per date: the job running again tells nothing more.
    await run_activity_job(running)
    await asyncio.sleep(1.5)
    notes = [m for m in running.emulator.messages(gijs.chat_id) if note in m.content]
    assert len(notes) == 1
    await gijs.presses("Deze keer niet")
    await gijs.sees("Je bent afgemeld voor Kookavond")
    with session_scope(running.engine) as session:
        mine = [
            s.status for s in session.exec(select(Signup).where(Signup.resident_id == gijs_id))
        ]
        assert sorted(mine) == [SignupStatus.IN.value] * 4 + [SignupStatus.WITHDRAWN.value]
        assert (
            activities.subscription_of(session, activity_id=activity_id, resident_id=gijs_id)
            is not None
        )
    assert running.emulator.errors == []


async def test_a_pause_keeps_the_sign_up_and_its_reminder_but_not_announcements(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    clock.now = MONDAY
    olga, pam = scene.resident("Olga"), scene.resident("Pam")
    oost = _wijk(running)
    activity_id = _cooking_evening(running, resident_for(running, olga, oost, MONDAY), oost, 8)
    pam_id = resident_for(running, pam, oost, MONDAY, likes=["cooking"], pace="whenever")
    await _join(pam, activity_id)
    await pam.sees("Fijn, je bent erbij!")
    await pam.sends("/pauze")
    await pam.sees("Even pauze?")
    await pam.presses("⏸ Pauze tot ik weer begin")
    paused = await pam.sees("Je hebt pauze.")
    # "Ik stuur je niets" alone would not be true: her own sign-up still brings messages.
    assert "Je aanmeldingen voor activiteiten blijven staan" in paused.content

    # Announcing it now would not reach her (she likes cooking, her pace allows it): she pauses.
    with session_scope(running.engine) as session:
        activity = session.get(Activity, activity_id)
        assert activity is not None
        unit = Unit(session=session, now=clock.now, settings=load_settings())
        assert activity_service.announce(unit, activity) == 0

    # Wednesday 10:00: the reminder of what she signed up for comes all the same.
    clock.now = NOW
    assert (await run_activity_job(running)).reminders == 1
    await pam.sees("Morgen is Kookavond!")
    with session_scope(running.engine) as session:
        [signup] = session.exec(select(Signup).where(Signup.resident_id == pam_id)).all()
        assert signup.status == SignupStatus.IN.value
    assert running.emulator.errors == []


async def test_the_card_sends_the_same_calendar_file_to_someone_with_a_place(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    clock.now = MONDAY
    olga, guest, waiting = (scene.resident(name) for name in ("Olga", "Gast", "Wacht"))
    oost = _wijk(running)
    activity_id = _cooking_evening(running, resident_for(running, olga, oost, MONDAY), oost, 1)
    resident_for(running, guest, oost, MONDAY)
    resident_for(running, waiting, oost, MONDAY)
    await _join(guest, activity_id)
    await guest.sees("Fijn, je bent erbij!")
    await guest.sees_button("Zet in mijn agenda")
    await guest.presses("Zet in mijn agenda")
    await running.emulator.wait_for(
        lambda: bool(_documents(running, guest)), 5, what="the .ics", chat=guest.chat_id
    )
    [ics] = _documents(running, guest)
    assert "SUMMARY:Kookavond" in ics
    assert "DTSTART:20261126T170000Z" in ics
    assert "LOCATION:Pauluskerk" in ics
    # On the waiting list there is no place to put in a calendar: no such button, no file.
    await _join(waiting, activity_id)
    card = await waiting.sees("Je staat op de wachtlijst")
    assert card.button("Zet in mijn agenda") is None
    # Nor with a forged button: the press is checked against the database.
    with session_scope(running.engine) as session:
        first = activities.dates_of(session, activity_id=activity_id, after=MONDAY)[0]
        assert first.id is not None
        date_id = first.id
    forged = InlineKeyboardButton("Agenda", callback_data=callbacks.ACTIVITY_CALENDAR(date_id))
    await bot_sends(running, waiting, "Een knop", forged)
    answer = await waiting.presses("Agenda")
    assert answer.text == "Deze activiteit is er niet meer, of aanmelden kan niet meer."
    await running.emulator.wait_until_idle()
    assert _documents(running, waiting) == []
