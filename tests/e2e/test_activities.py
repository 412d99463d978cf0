"""An organiser's weekly cooking evening through the emulator: made with /activiteit,
announced to the group and to a neighbour who likes cooking (not to one who paused), ten
guests for eight places, a withdrawal and the first on the waiting list saying yes, the
reminder with an .ics the day before (the clock moved, no sleeping), a new time everyone is
told about, and next week's date cancelled."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from bot.harness import RunningBot
from bot.runner import perform
from bot.sender import deliver
from bot.services import activities as activity_service
from botapi_emulator.scenario import Person, Scene
from botapi_emulator.state import MessageView
from storage import repo
from storage.db import session_scope
from storage.models import ActivityDate, RoleKind, Signup, SignupStatus, Wijk
from tests.e2e.neighbours import NOW, Clock, bot_context, resident_for
from tests.storage.neighbourhood import add_wijk

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
FIRST = "donderdag 26 november, 18:00 tot 20:30"
NEXT_WEEK = "donderdag 3 december, 18:00 tot 20:30"


async def run_activity_job(running: RunningBot) -> activity_service.Round:
    context = bot_context(running)
    done = await perform(context, None, activity_service.run_due)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
    return done


def _wijk_with_group(running: RunningBot, group_id: int) -> Wijk:
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", MONDAY)
        oost.group_chat_id = group_id
        session.add(oost)
        session.flush()
        session.expunge(oost)
        return oost


async def _create_cooking_evening(olga: Person) -> None:
    await olga.sends("/activiteit")
    await olga.sees("Hoe heet hij?")
    await olga.sends("Kookavond")
    await olga.sees("wat jullie gaan doen")
    await olga.sends("Samen koken en eten met buren")
    await olga.sees("Wanneer is het?")
    await olga.sends("elke donderdag om 18:00 tot half 9")
    await olga.sees(f"Ik lees: {FIRST}. Klopt dat?")
    await olga.presses("Ja, klopt")
    await olga.sees("Waar is het?")
    await olga.sends("Pauluskerk")
    await olga.sees("Wie mag de plek zien")
    await olga.presses("Iedereen")
    await olga.sees("Wie kunnen er meedoen")
    await olga.sends("koks 3\ngasten 8")
    await olga.sees("één keer, of vaker?")
    await olga.presses("Elke week")
    await olga.sees("Tot wanneer?")
    await olga.presses("Tot ik stop")
    summary = await olga.sees("Zal ik het aankondigen?")
    assert "koks: 3" in summary.content
    assert "gasten: 8" in summary.content
    await olga.presses("Ja, aankondigen")


async def _joins(guest: Person, link: str, expect: str, *, every: bool = False) -> str:
    await guest.sends(f"/start {link}")
    card = await guest.sees("Kookavond")
    label = next(
        label
        for row in card.buttons
        for label in row
        if label in ("Ik doe mee: gasten", "Zet me op de wachtlijst: gasten")
    )
    await guest.presses(label)
    await guest.sees_button("Alleen deze keer")
    await guest.presses("Elke keer" if every else "Alleen deze keer")
    answer = await guest.sees(expect, timeout=10)
    return answer.content


async def test_a_weekly_cooking_evening_from_announcement_to_cancellation(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    clock.now = MONDAY
    emulator = running.emulator
    olga, lies, piet, henk = (scene.resident(name) for name in ("Olga", "Lies", "Piet", "Henk"))
    guests = [scene.resident(f"Gast{number}") for number in range(1, 11)]
    group = emulator.add_group("Buren Oost", members=[olga.user, lies.user, piet.user])
    oost = _wijk_with_group(running, group.id)
    resident_for(running, olga, oost, MONDAY)
    resident_for(running, lies, oost, MONDAY, likes=["cooking"], pace="weekly")
    resident_for(running, piet, oost, MONDAY, likes=["cooking"], paused=True)
    resident_for(running, henk, oost, MONDAY, likes=["transport"], pace="whenever")
    for guest in guests:
        resident_for(running, guest, oost, MONDAY)

    # Not an organiser yet: one sentence on what it is and who can make you one.
    await olga.sends("/activiteit")
    await olga.sees("een buurtwerker van je wijk kan je organisator maken")
    with session_scope(running.engine) as session:
        wijk = session.get(Wijk, oost.id)
        assert wijk is not None
        repo.grant_role(
            session,
            telegram_user_id=olga.user.id,
            kind=RoleKind.ORGANISER,
            wijk=wijk,
            now=MONDAY,
        )
    await _create_cooking_evening(olga)
    published = await olga.sees(
        "Aangekondigd: Kookavond. Buren die een persoonlijk bericht krijgen: 1."
    )
    link = published.content.rsplit("start=", 1)[1].strip()
    assert link.startswith("act_")

    # The group and Lies hear of it; Piet paused, so he does not.
    in_group = await emulator_sees(running, group.id, "Kookavond")
    assert in_group.buttons == [["Bekijk en meld je aan"]]
    await lies.sees("Zin om mee te doen?")
    assert not any("Kookavond" in m.content for m in emulator.messages(piet.chat_id))

    # Ten guests for eight places: eight are in, two on the waiting list, in order.
    for guest in guests[:8]:
        joined = await _joins(guest, link, "Fijn, je bent erbij!", every=guest is guests[1])
        # Title, time and place once: the card below the "you're in" says them.
        assert joined.count("Kookavond") == 1, joined
        assert joined.count("Waar: ") == 1, joined
    await _joins(guests[8], link, "Je staat op de wachtlijst, als nummer 1.")
    card = await _joins(guests[9], link, "Je staat op de wachtlijst, als nummer 2.")
    assert "gasten: vol (2 op de wachtlijst)" in card
    assert "koks: nog 3 van de 3 plekken vrij" in card

    # One withdraws: the first on the waiting list is offered the place and says yes.
    await guests[0].presses("Ik kan toch niet")
    await guests[0].sees("Je bent afgemeld voor Kookavond")
    offer = await guests[8].sees("Er is een plek vrij bij Kookavond")
    assert "Laat het me weten vóór dinsdag 24 november 10:00" in offer.content
    await guests[8].presses("Ja, ik kom")
    await guests[8].sees("Fijn, je bent erbij!")
    assert not any(
        "Er is een plek vrij" in m.content for m in emulator.messages(guests[9].chat_id)
    ), emulator.transcript(guests[9].chat_id)

    # A guest asks for help getting there: a normal request, and a neighbour who likes
    # giving lifts is invited through the usual flow, in words that name the activity.
    await guests[2].presses("Ik heb hulp nodig om er te komen")
    await guests[2].sees("Je vraag is geplaatst!")
    invitation = await henk.sees("Zin om te helpen?")
    assert "naar Kookavond in Pauluskerk, op donderdag 26 november om 18:00" in invitation.content
    assert "Ik help graag" in invitation.buttons[0][0]

    # Wednesday 10:00, the day before: the reminder with the calendar file.
    clock.now = NOW
    done = await run_activity_job(running)
    assert done.reminders == 8
    reminder = await guests[8].sees("Morgen is Kookavond!")
    assert "Pauluskerk" in reminder.content
    files = [m for m in emulator.messages(guests[8].chat_id) if m.document is not None]
    assert files, "no .ics file arrived"
    document = files[-1].document
    assert document is not None
    assert str(document["file_name"]).endswith(".ics")
    ics = emulator.world.file_bytes(document["file_id"]).decode()
    assert "SUMMARY:Kookavond" in ics
    assert "DTSTART:20261126T170000Z" in ics
    assert not any("Morgen is" in m.content for m in emulator.messages(guests[0].chat_id))
    assert (await run_activity_job(running)).reminders == 0

    # The organiser moves it an hour: the eight with a place and the one waiting are told.
    await olga.sends("/mijnactiviteiten")
    await olga.sees("Je activiteiten")
    await olga.presses("Kookavond")
    await olga.sees_button(FIRST)
    await olga.presses(FIRST)
    overview = await olga.sees("gasten (8 van 8)")
    assert "Wachtlijst: Gast10" in overview.content
    await olga.sees_button("Andere tijd")
    await olga.presses("Andere tijd")
    await olga.sees("Wat is de nieuwe tijd voor donderdag 26 november, 18:00 tot 20:30?")
    await olga.sends("donderdag 19:00 tot half 10")
    await olga.sees("Gedaan. Mensen die het van mij horen: 9.")
    moved = "Kookavond heeft een nieuwe tijd: donderdag 26 november, 19:00 tot 21:30"
    await guests[8].sees(moved)
    await guests[9].sees(moved)

    # A message to everyone of that date, through the bot; an answer comes back to Olga.
    await olga.presses("Terug")
    await olga.sees_button("Bericht aan iedereen")
    await olga.presses("Bericht aan iedereen")
    await olga.sees("Typ je bericht.")
    await olga.sends("Neem een bord mee <3")
    await olga.sees("Gedaan. Mensen die het van mij horen: 9.")
    message = await guests[3].sees("Neem een bord mee <3")
    assert message.content.startswith("Bericht van de organisatie van Kookavond")
    await guests[3].presses("Antwoord aan de organisatie")
    await guests[3].sees("Typ je antwoord")
    await guests[3].sends("Ik neem soep mee")
    await guests[3].sees("Doorgegeven, dank je!")
    # Through the outbox, at 1 message a second per chat: allow it some time.
    await olga.sees("Antwoord van Gast4 over Kookavond:\n\nIk neem soep mee", timeout=15)

    # Next week's date is cancelled: only Gast2 (elke keer) was signed up for it.
    await olga.sends("/mijnactiviteiten")
    await olga.sees_button("Kookavond")
    await olga.presses("Kookavond")
    await olga.sees_button(NEXT_WEEK)
    await olga.presses(NEXT_WEEK)
    await olga.sees("gasten (1 van 8): Gast2")
    await olga.presses("Deze keer gaat niet door")
    await olga.sees("Gaat Kookavond op donderdag 3 december")
    await olga.presses("Ja, gaat niet door")
    await olga.sees("Gaat niet door. Mensen die het van mij horen: 1.")
    await guests[1].sees(f"Kookavond op {NEXT_WEEK} gaat niet door")
    with session_scope(running.engine) as session:
        cancelled = session.exec(select(ActivityDate).where(col(ActivityDate.cancelled))).all()
        assert [row.starts_at for row in cancelled] == [datetime(2026, 12, 3, 17, 0, tzinfo=UTC)]
        first = session.exec(
            select(Signup).where(Signup.date_id == 1, Signup.status == SignupStatus.IN.value)
        ).all()
        assert len(first) == 8
    # The test types and taps faster than anyone: the bot still keeps to Telegram's one
    # message a second per chat, replies and outbox together, so Telegram never said 429.
    assert emulator.errors == [], [str(error) for error in emulator.errors]


async def emulator_sees(running: RunningBot, chat_id: int, contains: str) -> MessageView:
    found: list[MessageView] = []

    def visible() -> bool:
        for message in running.emulator.messages(chat_id):
            if contains in message.content:
                found.append(message)
                return True
        return False

    await running.emulator.wait_for(visible, 5, what=f"{contains!r} in {chat_id}", chat=chat_id)
    return found[0]
