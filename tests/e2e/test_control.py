"""/pauze, /stop, /blokkeer and /meld through the emulator, with residents made in the database.

Pausing and leaving take effect at once (nothing unprompted reaches the person any more) while
the person's own commands keep working; blocks and reports are checked against the database on
every press.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from telegram import InlineKeyboardButton

from bot.harness import RunningBot
from bot.keyboards import button
from bot.services.buttons import block_responder
from botapi_emulator.scenario import Person, Scene
from matching.activities import Repeat, RoleSpec
from storage import activities
from storage.db import session_scope
from storage.models import (
    ActivitySubscription,
    Block,
    ChatState,
    Report,
    Resident,
    Role,
    RoleKind,
    Signup,
    Wijk,
)
from tests.e2e.neighbours import (
    NOW,
    Clock,
    bot_sends,
    resident,
    resident_for,
    sees_times,
    send_unprompted,
    shows_post,
)
from tests.storage.neighbourhood import add_invitation, add_post, add_wijk

BEN_POST = "Wie gaat er zaterdag mee wandelen in het park?"


@dataclass
class Street:
    """Anna and Ben in Oost (Ben wrote a post), Wim in West, Willem the buurtwerker of Oost."""

    anna: Person
    ben: Person
    wim: Person
    anna_id: int
    ben_id: int
    wim_id: int
    ben_post_id: int
    wim_post_id: int
    oost: Wijk


@pytest.fixture
def street(scene: Scene, running: RunningBot) -> Street:
    anna, ben, wim = (scene.resident(name) for name in ("Anna", "Ben", "Wim"))
    with session_scope(running.engine) as session:
        oost, west = add_wijk(session, "Oost", NOW), add_wijk(session, "West", NOW)
    anna_id = resident_for(running, anna, oost, NOW)
    ben_id = resident_for(running, ben, oost, NOW)
    wim_id = resident_for(running, wim, west, NOW)
    with session_scope(running.engine) as session:
        ben_post = add_post(session, resident(running, ben_id), BEN_POST, NOW)
        wim_post = add_post(session, resident(running, wim_id), "Wie heeft een boormachine?", NOW)
        assert oost.id is not None
        session.add(Role(telegram_user_id=424242, wijk_id=oost.id, kind=RoleKind.BUURTWERKER))
        assert ben_post.id is not None
        assert wim_post.id is not None
        return Street(anna, ben, wim, anna_id, ben_id, wim_id, ben_post.id, wim_post.id, oost)


def blocks(running: RunningBot) -> list[tuple[int, int]]:
    with session_scope(running.engine) as session:
        return [(b.blocker_id, b.blocked_id) for b in session.exec(select(Block)).all()]


def reports(running: RunningBot) -> list[Report]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(Report)).all())


async def reaches(running: RunningBot, resident_id: int, text: str) -> bool:
    return await send_unprompted(running, resident_id, text)


# --- /pauze ----------------------------------------------------------------------------------


async def test_a_pause_until_resumed_is_one_tap_and_holds_at_once(
    running: RunningBot, street: Street
) -> None:
    anna = street.anna
    await anna.sends("/pauze")
    offer = await anna.sees("Even pauze?")
    assert offer.buttons == [["⏸ Pauze tot ik weer begin"], ["1 week", "1 maand"]]
    await anna.presses("⏸ Pauze tot ik weer begin")
    paused = await anna.sees("Je hebt pauze. Ik stuur je niets tot je zelf weer begint.")
    assert paused.buttons == [["▶️ Weer beginnen"]]
    assert resident(running, street.anna_id).paused
    assert resident(running, street.anna_id).paused_until is None
    assert not await reaches(running, street.anna_id, "Zin om te helpen?")

    await anna.sends("/pauze")
    await sees_times(running, anna, "Je hebt pauze.", 2)
    await anna.presses("▶️ Weer beginnen")
    await anna.sees("Fijn dat je er weer bent!")
    assert not resident(running, street.anna_id).paused
    assert await reaches(running, street.anna_id, "Zin om te helpen?")
    await anna.sees("Zin om te helpen?")
    assert running.emulator.errors == []


async def test_a_week_long_pause_names_its_last_day_and_ends_by_itself(
    running: RunningBot, street: Street, clock: Clock
) -> None:
    anna = street.anna
    await anna.sends("/pauze")
    await anna.sees("Even pauze?")
    await anna.presses("1 week")
    await anna.sees("Je hebt pauze tot woensdag 2 december. Tot dan stuur ik je niets.")
    assert resident(running, street.anna_id).paused_until == NOW + timedelta(weeks=1)
    assert not await reaches(running, street.anna_id, "Hallo")

    clock.now = NOW + timedelta(days=8)
    assert await reaches(running, street.anna_id, "Hallo")
    await anna.sends("/pauze")
    await anna.sees("Even pauze?")
    assert running.emulator.errors == []


async def test_a_month_long_pause_in_english(scene: Scene, running: RunningBot) -> None:
    ella = scene.resident("Ella", language="en")
    ella_id = resident_for(running, ella, None, NOW)
    await ella.sends("/pauze")
    await ella.sees("Take a break?")
    await ella.presses("1 month")
    await ella.sees("You're on a break until Friday 25 December.")
    await ella.sends("/pauze")
    await ella.sees("You're on a break until Friday 25 December.")
    assert resident(running, ella_id).paused
    await ella.presses("▶️ Start again")
    await ella.sees("Good to have you back!")
    assert not resident(running, ella_id).paused


async def test_someone_not_yet_known_can_pause_too(scene: Scene, running: RunningBot) -> None:
    newcomer = scene.resident("Noor")
    await newcomer.sends("/pauze")
    await newcomer.sees("Even pauze?")
    await newcomer.presses("⏸ Pauze tot ik weer begin")
    await newcomer.sees("Je hebt pauze.")
    await newcomer.sends("/pauze")
    await sees_times(running, newcomer, "Je hebt pauze.", 2)
    with session_scope(running.engine) as session:
        stored = session.exec(
            select(Resident).where(Resident.telegram_user_id == newcomer.user.id)
        ).one()
        assert stored.paused


async def test_a_forged_pause_button_changes_nothing(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await bot_sends(
        running, anna, "Oud bericht", InlineKeyboardButton("X", callback_data="pause:jaar")
    )
    answer = await anna.presses("X")
    assert answer.text == "Deze knop werkt niet meer. Probeer het opnieuw."
    assert not resident(running, street.anna_id).paused


# --- /stop -----------------------------------------------------------------------------------


async def test_stop_is_immediate_warm_and_offers_deletion(
    running: RunningBot, street: Street
) -> None:
    anna = street.anna
    await anna.sends("/stop")
    goodbye = await anna.sees("Oké, ik stuur je niets meer. Dank je dat je erbij was!")
    assert "/start" in goodbye.content
    assert goodbye.buttons == [["🗑 Wis al mijn gegevens"]]
    assert resident(running, street.anna_id).stopped
    assert not await reaches(running, street.anna_id, "Zin om te helpen?")

    await anna.presses("🗑 Wis al mijn gegevens")
    await anna.sees("Wil je dat ik alles over jou wis?")
    await anna.presses("Nee, laat maar")
    await anna.sees("Oké, ik wis niets.")
    assert resident(running, street.anna_id).stopped
    assert running.emulator.errors == []


def _kookavond_with_one_place(running: RunningBot, street: Street) -> tuple[int, int]:
    """Wim's weekly Kookavond in Oost with one guest's place: Anna has it on the first date
    (and "elke keer"), Ben waits for it; on the second date Ben has it and Anna waits."""
    with session_scope(running.engine) as session:
        assert street.oost.id is not None
        activity = activities.create_activity(
            session,
            wijk_id=street.oost.id,
            organiser_id=street.wim_id,
            title="Kookavond",
            description="",
            place="Pauluskerk",
            place_private=False,
            first_day=(NOW + timedelta(days=2)).date(),
            starts_local=time(18, 0),
            duration=timedelta(hours=2),
            repeat=Repeat.WEEKLY,
            repeat_until=None,
            roles=[RoleSpec("gasten", 1)],
            zone=ZoneInfo("Europe/Amsterdam"),
            now=NOW,
        )
        assert activity.id is not None
        role = activities.roles_of(session, activity_id=activity.id)[0]
        assert role.id is not None
        first, second = activities.dates_of(session, activity_id=activity.id, after=NOW)[:2]
        assert first.id is not None
        assert second.id is not None
        for date_id, people in (
            (first.id, (street.anna_id, street.ben_id)),
            (second.id, (street.ben_id, street.anna_id)),
        ):
            for person in people:
                activities.take_place(
                    session, date_id=date_id, role=role, resident_id=person, now=NOW
                )
        activities.subscribe(
            session, activity_id=activity.id, role_id=role.id, resident_id=street.anna_id, now=NOW
        )
        return first.id, second.id


def signup_statuses(running: RunningBot, resident_id: int) -> dict[int, str]:
    with session_scope(running.engine) as session:
        found = session.exec(select(Signup).where(Signup.resident_id == resident_id)).all()
        return {signup.date_id: signup.status for signup in found}


async def test_stop_gives_up_activity_places_to_the_waiting_list(
    running: RunningBot, street: Street
) -> None:
    first, second = _kookavond_with_one_place(running, street)
    anna = street.anna
    await anna.sends("/stop")
    goodbye = await anna.sees("Oké, ik stuur je niets meer.")
    assert "Zo kan een buur je plek krijgen." in goodbye.content
    # The first on the waiting list is offered Anna's place, the normal way.
    offer = await street.ben.sees("Er is een plek vrij bij Kookavond")
    assert offer.buttons[0][0] == "Ja, ik kom"
    assert signup_statuses(running, street.anna_id) == {first: "withdrawn", second: "withdrawn"}
    assert signup_statuses(running, street.ben_id) == {first: "offered", second: "in"}
    with session_scope(running.engine) as session:
        assert session.exec(select(ActivitySubscription)).all() == []


async def test_stop_ends_a_dialog_in_progress(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await anna.presses("Meld")
    await anna.presses("Iets anders")
    await anna.sees("Vertel in een paar woorden")
    await anna.sends("/stop")
    await anna.sees("ik stuur je niets meer")
    with session_scope(running.engine) as session:
        assert session.get(ChatState, anna.chat_id) is None
    assert reports(running) == []


async def test_paused_and_stopped_people_get_nothing_but_answers_to_their_own_commands(
    scene: Scene, running: RunningBot
) -> None:
    active, paused, stopped = (scene.resident(n) for n in ("Ada", "Piet", "Stan"))
    active_id = resident_for(running, active, None, NOW)
    paused_id = resident_for(running, paused, None, NOW, paused=True)
    stopped_id = resident_for(running, stopped, None, NOW, stopped=True)
    assert await reaches(running, active_id, "Iemand in je buurt vraagt om hulp.")
    assert not await reaches(running, paused_id, "Iemand in je buurt vraagt om hulp.")
    assert not await reaches(running, stopped_id, "Iemand in je buurt vraagt om hulp.")
    await active.sees("Iemand in je buurt vraagt om hulp.")
    assert running.emulator.messages(paused.chat_id) == []
    assert running.emulator.messages(stopped.chat_id) == []

    await paused.sends("/mijngegevens")
    await paused.sees("Pauze: tot je zelf weer begint")
    await stopped.sends("/pauze")
    await stopped.sees("Even pauze?")
    assert all("om hulp" not in m.content for m in running.emulator.messages(paused.chat_id))


# --- blocking --------------------------------------------------------------------------------


async def test_blocking_a_posts_author_asks_once_and_tells_them_nothing(
    running: RunningBot, street: Street
) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await anna.presses("Blokkeer")
    question = await anna.sees("Blokkeer Ben?")
    assert question.content == (
        "Blokkeer Ben? Jullie zien elkaar niet meer in Buurtbot. "
        "Je kunt dit terugdraaien in /instellingen."
    )
    assert question.buttons == [["Ja, blokkeer", "Nee"]]
    assert blocks(running) == []
    await anna.presses("Ja, blokkeer")
    await anna.sees("Ben is geblokkeerd. Ben krijgt daar geen bericht over.")
    assert blocks(running) == [(street.anna_id, street.ben_id)]

    # Once more from the same post: Ben's post is out of Anna's view now, so nothing changes.
    answer = await anna.presses("Blokkeer")
    assert answer.text
    assert blocks(running) == [(street.anna_id, street.ben_id)]
    assert running.emulator.messages(street.ben.chat_id) == []
    assert running.emulator.errors == []


async def test_saying_no_blocks_nobody(running: RunningBot, street: Street) -> None:
    await shows_post(running, street.anna, street.ben_post_id, BEN_POST)
    await street.anna.presses("Blokkeer")
    await street.anna.presses("Nee")
    await street.anna.sees("Oké, er is niets veranderd.")
    assert blocks(running) == []


async def test_the_author_can_block_whoever_responded(running: RunningBot, street: Street) -> None:
    with session_scope(running.engine) as session:
        annas_post = add_post(session, resident(running, street.anna_id), "Koffie samen?", NOW)
        invitation = add_invitation(session, annas_post, resident(running, street.ben_id), NOW)
        assert invitation.id is not None
        invitation_id = invitation.id
    anna = street.anna
    await bot_sends(
        running, anna, "Ben wil je graag helpen.", button(block_responder("nl", invitation_id))
    )
    await anna.presses("Blokkeer")
    await anna.sees("Blokkeer Ben?")
    await anna.presses("Ja, blokkeer")
    await anna.sees("Ben is geblokkeerd.")
    assert blocks(running) == [(street.anna_id, street.ben_id)]


async def test_blokkeer_as_a_reply_to_a_post(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    post_message = anna.last_message()
    await running.emulator.send_text(anna.user, "/blokkeer", reply_to=post_message)
    await anna.sees("Blokkeer Ben?")
    await anna.presses("Ja, blokkeer")
    await anna.sees("Ben is geblokkeerd.")
    assert blocks(running) == [(street.anna_id, street.ben_id)]


async def test_blokkeer_without_a_message_explains_how(
    running: RunningBot, street: Street
) -> None:
    anna = street.anna
    await anna.sends("/blokkeer")
    await anna.sees("Blokkeren doe je met de knop Blokkeer onder een bericht.")
    await bot_sends(running, anna, "Gewoon een bericht")
    await running.emulator.send_text(anna.user, "/blokkeer", reply_to=anna.last_message())
    await sees_times(running, anna, "Blokkeren doe je", 2)
    assert blocks(running) == []


async def test_the_explanation_names_the_command_as_it_was_typed(
    running: RunningBot, street: Street
) -> None:
    """/block and /report work for everyone: a Dutch speaker who typed /block is told to
    reply with /block, not with /blokkeer, which they may not know."""
    anna = street.anna
    await anna.sends("/block")
    explained = await anna.sees("Blokkeren doe je met de knop Blokkeer")
    assert explained.content.endswith("Of antwoord op dat bericht met /block.")
    await anna.sends("/blokkeer")
    await anna.sees("Of antwoord op dat bericht met /blokkeer.")
    await anna.sends("/report@buurtbot_test_bot")
    await anna.sees("Of antwoord op dat bericht met /report. Dat kan ook")
    await anna.sends("/meld")
    await anna.sees("Of antwoord op dat bericht met /meld. Dat kan ook")


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ("blk:p:{wim_post}", "Dat lukt niet bij dit bericht."),  # a post in another wijk
        ("blk:ok:p:{wim_post}", "Dat lukt niet bij dit bericht."),  # a forged confirmation
        ("blk:p:{own_post}", "Dit is je eigen bericht."),
        ("blk:ok:p:{own_post}", "Dit is je eigen bericht."),
        ("blk:i:{bens_invitation}", "Dat lukt niet bij dit bericht."),  # not her post
        ("blk:p:99999", "Dat lukt niet bij dit bericht."),
        ("blk:p:abc", "Deze knop werkt niet meer. Probeer het opnieuw."),
        ("blk:ok:x:1", "Deze knop werkt niet meer. Probeer het opnieuw."),
        ("blk:p:99999999999999", "Deze knop werkt niet meer. Probeer het opnieuw."),
        ("blk:", "Deze knop werkt niet meer. Probeer het opnieuw."),
    ],
)
async def test_forged_and_stale_block_buttons_change_nothing(
    running: RunningBot, street: Street, data: str, answer: str
) -> None:
    with session_scope(running.engine) as session:
        own = add_post(session, resident(running, street.anna_id), "Mijn eigen vraag", NOW)
        bens = add_post(session, resident(running, street.ben_id), "Bens vraag", NOW)
        invitation = add_invitation(session, bens, resident(running, street.wim_id), NOW)
        values = {"wim_post": street.wim_post_id, "own_post": own.id}
        values["bens_invitation"] = invitation.id
    anna = street.anna
    await bot_sends(
        running,
        anna,
        "Een bericht",
        InlineKeyboardButton("X", callback_data=data.format(**values)),
    )
    pressed = await anna.presses("X")
    assert pressed.text == answer
    assert blocks(running) == []
    assert [m.content for m in running.emulator.messages(anna.chat_id)] == ["Een bericht"]


async def test_someone_not_in_the_bot_cannot_block(
    scene: Scene, running: RunningBot, street: Street
) -> None:
    stranger = scene.resident("Xander")
    await stranger.sends("/help")
    await bot_sends(
        running,
        stranger,
        "Een bericht",
        InlineKeyboardButton("X", callback_data=f"blk:ok:p:{street.ben_post_id}"),
    )
    pressed = await stranger.presses("X")
    assert pressed.text == "Dat lukt niet bij dit bericht."
    assert blocks(running) == []


# --- reporting -------------------------------------------------------------------------------


async def test_reporting_a_post_with_a_reason_button(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await anna.presses("Meld")
    question = await anna.sees("Wat is er mis met dit bericht?")
    assert BEN_POST in question.content
    assert question.buttons == [
        ["Niet vriendelijk", "Reclame of spam"],
        ["Klopt niet", "Iets anders"],
        ["✓ Anoniem", "Mijn naam mag erbij"],
        ["Laat maar"],
    ]
    await anna.presses("Reclame of spam")
    await anna.sees("Dank je voor je melding!")
    [report] = reports(running)
    assert (report.wijk_id, report.reporter_id, report.post_id) == (
        street.oost.id,
        street.anna_id,
        street.ben_post_id,
    )
    assert report.reported_resident_id == street.ben_id
    assert report.reason == "spam"
    # Ben is not told; the buurtwerker hears of it in a later version (the row is what counts).
    assert running.emulator.messages(street.ben.chat_id) == []
    assert running.emulator.errors == []


async def test_reporting_in_ones_own_words(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await anna.presses("Meld")
    await anna.presses("Iets anders")
    await anna.sees("Vertel in een paar woorden wat er is.")
    await anna.sends("Hij vraagt  <b>geld</b> voor de wandeling")
    await anna.sees("Dank je voor je melding!")
    [report] = reports(running)
    assert report.reason == "Hij vraagt <b>geld</b> voor de wandeling"
    await anna.sends("nog iets")
    await anna.sees("Dat begrijp ik niet helemaal")
    assert len(reports(running)) == 1


async def test_reporting_without_saying_why(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await anna.presses("Meld")
    await anna.presses("Iets anders")
    await anna.presses("Meld zonder uitleg")
    await anna.sees("Dank je voor je melding!")
    assert [r.reason for r in reports(running)] == [""]


async def test_changing_ones_mind_reports_nothing(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await anna.presses("Meld")
    await anna.presses("Iets anders")
    await anna.presses("Laat maar")
    await anna.sees("Oké, ik meld niets.")
    await anna.sends("Hij is onaardig")
    await anna.sees("Dat begrijp ik niet helemaal")
    assert reports(running) == []


async def test_meld_as_a_reply_and_twice(running: RunningBot, street: Street) -> None:
    anna = street.anna
    await shows_post(running, anna, street.ben_post_id, BEN_POST)
    await running.emulator.send_text(anna.user, "/meld", reply_to=anna.last_message())
    await anna.sees("Wat is er mis met dit bericht?")
    await anna.presses("Niet vriendelijk")
    await anna.sees("Dank je voor je melding!")
    await anna.presses("Meld")
    answer = await anna.presses("Meld")
    assert answer.text == "Je hebt dit bericht al gemeld. Dank je!"
    assert [r.reason for r in reports(running)] == ["unkind"]


async def test_meld_without_a_message_explains_how(running: RunningBot, street: Street) -> None:
    await street.anna.sends("/meld")
    await street.anna.sees("Melden doe je met de knop Meld onder een bericht.")
    assert reports(running) == []


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ("rep:p:{wim_post}", "Dit bericht kan ik niet meer vinden."),
        ("rep:why:{wim_post}:spam", "Dit bericht kan ik niet meer vinden."),
        ("rep:none:{wim_post}", "Dit bericht kan ik niet meer vinden."),
        ("rep:p:{own_post}", "Dit is je eigen bericht. Weghalen kan via /mijn."),
        ("rep:why:{own_post}:spam", "Dit is je eigen bericht. Weghalen kan via /mijn."),
        ("rep:why:{wim_post}:other", "Dit bericht kan ik niet meer vinden."),
        ("rep:why:{ben_post}:boos", "Deze knop werkt niet meer. Probeer het opnieuw."),
        ("rep:p:-4", "Deze knop werkt niet meer. Probeer het opnieuw."),
        ("rep:", "Deze knop werkt niet meer. Probeer het opnieuw."),
        ("rep:p:{ben_post}:extra", "Deze knop werkt niet meer. Probeer het opnieuw."),
    ],
)
async def test_forged_and_stale_report_buttons_change_nothing(
    running: RunningBot, street: Street, data: str, answer: str
) -> None:
    with session_scope(running.engine) as session:
        own = add_post(session, resident(running, street.anna_id), "Mijn eigen vraag", NOW)
        values = {
            "wim_post": street.wim_post_id,
            "own_post": own.id,
            "ben_post": street.ben_post_id,
        }
    anna = street.anna
    await bot_sends(
        running,
        anna,
        "Een bericht",
        InlineKeyboardButton("X", callback_data=data.format(**values)),
    )
    pressed = await anna.presses("X")
    assert pressed.text == answer
    assert reports(running) == []
    assert [m.content for m in running.emulator.messages(anna.chat_id)] == ["Een bericht"]
