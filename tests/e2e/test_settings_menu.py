"""/instellingen through the emulator: each choice changed on its own from one menu message,
the area shared anew or removed, blocks undone, and presses that must change nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select

from bot.harness import RunningBot
from botapi_emulator import Limits
from botapi_emulator.scenario import Person, Scene
from matching.area import area_cell
from storage.db import session_scope
from storage.models import Block, ChatState, Resident, Wijk
from tests.e2e.neighbours import resident_for
from tests.e2e.test_onboarding import MANY_WIJKEN, STALE, forge_press
from tests.storage.neighbourhood import OOST, add_wijk

MENU_NL = [
    ["🗣 Taal", "🏘 Wijk"],
    ["📍 Gebied", "🔔 Hoe vaak"],
    ["🌙 Rustige uren", "💛 Wat ik graag doe"],
    ["🚫 Geblokkeerde buren"],
    ["Klaar"],
]


@pytest.fixture(autouse=True)
def people_take_their_time(running: RunningBot) -> None:
    """Scripted people answer within milliseconds; real ones read first (see test_onboarding)."""
    running.emulator.set_limits(Limits(per_chat_per_second=None))


def resident_of(running: RunningBot, person: Person) -> Resident:
    with Session(running.engine) as session:
        found = session.exec(
            select(Resident).where(Resident.telegram_user_id == person.user.id)
        ).one()
        session.expunge(found)
        return found


def wijken(running: RunningBot, now: datetime, *names: str) -> list[Wijk]:
    with session_scope(running.engine) as session:
        return [add_wijk(session, name, now) for name in names]


async def open_settings(person: Person) -> None:
    await person.sends("/instellingen")
    await person.sees("Je instellingen")


async def test_the_menu_shows_what_is_kept_and_a_button_per_choice(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    [transvaal] = wijken(running, now, "Transvaalbuurt")
    anna = scene.resident("Anna", language="nl")
    resident_for(running, anna, transvaal, now, pace="weekly", likes=["garden", "pets"])
    await anna.sends("/instellingen")
    menu = await anna.sees("⚙️ Je instellingen")
    for line in (
        "🗣 Taal: Nederlands",
        "🏘 Wijk: Transvaalbuurt",
        "📍 Gebied: gedeeld",
        "🔔 Hoe vaak: Ongeveer eens per week",
        "🌙 Geen berichten: 21:00–08:00",
        "💛 Doe ik graag: Tuin, Huisdieren",
    ):
        assert line in menu.content
    assert menu.buttons == MENU_NL
    assert "52.3" not in menu.content


async def test_each_choice_is_changed_on_its_own(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    transvaal, dapper = wijken(running, now, "Transvaalbuurt", "Dapperbuurt")
    ben = scene.resident("Ben", language="nl")
    resident_for(running, ben, transvaal, now)
    await open_settings(ben)
    first_menu = ben.last_message()

    await ben.presses("🔔 Hoe vaak")
    pace = await ben.sees("Hoe vaak mag ik je vragen")
    assert pace.message_id == first_menu.message_id, "the menu message changes in place"
    assert ["✓ Ongeveer eens per maand"] in pace.buttons
    assert pace.buttons[-1] == ["‹ Terug"]
    await ben.presses("Ongeveer eens per week")
    await ben.sees("✓ Bewaard.")
    assert resident_of(running, ben).pace == "weekly"

    await ben.presses("🌙 Rustige uren")
    await ben.sees("Wanneer wil je liever geen berichten? Nu is dat 21:00–08:00.")
    await ben.presses("23:00–09:00")
    await ben.sees("🌙 Geen berichten: 23:00–09:00")
    stored = resident_of(running, ben)
    assert (stored.quiet_start, stored.quiet_end, stored.pace) == ("23:00", "09:00", "weekly")

    await ben.presses("🏘 Wijk")
    wijk_screen = await ben.sees("In welke wijk woon je?")
    assert wijk_screen.buttons == [["Dapperbuurt"], ["✓ Transvaalbuurt"], ["‹ Terug"]]
    await ben.presses("Dapperbuurt")
    await ben.sees("🏘 Wijk: Dapperbuurt")
    assert resident_of(running, ben).wijk_id == dapper.id

    await ben.presses("💛 Wat ik graag doe")
    await ben.sees("Wat doe je graag voor een ander?")
    await ben.presses("Koken")
    await ben.sees_button("✓ Koken")
    await ben.presses("Spullen lenen")
    await ben.sees_button("✓ Spullen lenen")
    await ben.presses("Klaar")
    await ben.sees("💛 Doe ik graag: Koken, Spullen lenen")
    assert resident_of(running, ben).likes == ["cooking", "lending"]

    await ben.presses("🗣 Taal")
    await ben.sees("In welke taal wil je berichten krijgen?")
    await ben.presses("English")
    english = await ben.sees("✓ Saved.")
    assert "🔔 How often: About once a week" in english.content
    assert english.buttons[0] == ["🗣 Language", "🏘 Neighbourhood"]
    final = resident_of(running, ben)
    assert (final.language, final.pace, final.wijk_id) == ("en", "weekly", dapper.id)
    assert final.likes == ["cooking", "lending"]
    assert final.quiet_start == "23:00"

    await ben.presses("Done")
    closed = await ben.sees("Your settings are saved. What would you like to do now?")
    assert closed.buttons[0] == ["🙋 Ask for something", "🤝 Offer something"]
    with Session(running.engine) as session:
        assert session.get(ChatState, ben.chat_id) is None
    assert len(running.emulator.messages(ben.chat_id)) == 1, "all in one message"
    assert running.emulator.errors == []


async def test_back_returns_to_the_menu_without_changes(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    carla = scene.resident("Carla", language="en")
    resident_for(running, carla, None, now)
    await carla.sends("/instellingen")
    await carla.sees("⚙️ Your settings")
    await carla.presses("🔔 How often")
    await carla.sees("How often may I ask")
    await carla.presses("‹ Back")
    menu = await carla.sees("What would you like to change?")
    assert "✓ Saved." not in menu.content
    assert resident_of(running, carla).pace == "monthly"
    await carla.presses("🏘 Neighbourhood")
    await carla.sees("No neighbourhoods have joined yet.")
    assert running.emulator.errors == []


async def test_a_wijk_can_be_found_by_typing_in_settings(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    all_wijken = wijken(running, now, *MANY_WIJKEN)
    dana = scene.resident("Dana", language="nl")
    resident_for(running, dana, None, now)
    await open_settings(dana)
    await dana.presses("🏘 Wijk")
    question = await dana.sees("Typ de naam, dan zoek ik hem op.")
    assert question.buttons == [["‹ Terug"]]
    await dana.sends("<i>transval</i> 🏠")
    found = await dana.sees("Bedoel je een van deze wijken?")
    assert found.buttons == [["Transvaalbuurt"], ["‹ Terug"]]
    await dana.presses("Transvaalbuurt")
    await dana.sees("🏘 Wijk: Transvaalbuurt")
    transvaal = next(wijk for wijk in all_wijken if wijk.name == "Transvaalbuurt")
    assert resident_of(running, dana).wijk_id == transvaal.id
    # The first menu message was replaced by the search result: its buttons are stale now.
    first_menu = running.emulator.messages(dana.chat_id)[0]
    assert await forge_press(running, dana, first_menu, "set:menu:pace") == STALE
    assert running.emulator.errors == []


async def test_the_area_is_shared_anew_or_removed(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    eva = scene.resident("Eva", language="nl")
    eva_id = resident_for(running, eva, None, now)
    with session_scope(running.engine) as session:
        stored = session.get(Resident, eva_id)
        assert stored is not None
        stored.area_cell = None
    await open_settings(eva)
    await eva.presses("📍 Gebied")
    screen = await eva.sees("Er is geen gebied gedeeld.")
    assert screen.buttons == [["📍 Nieuwe locatie delen"], ["‹ Terug"]]
    await eva.presses("📍 Nieuwe locatie delen")
    ask = await eva.sees("Tik op “📍 Deel mijn locatie” onder in je scherm.")
    assert ask.reply_keyboard is not None
    assert ask.reply_keyboard["keyboard"][0][0]["request_location"] is True
    await eva.sends("ergens")
    await eva.sees("of op “Annuleren”")
    await eva.shares_location(*OOST)
    await eva.sees("Ik heb alleen je gebied bewaard")
    menu = await eva.sees("📍 Gebied: gedeeld")
    assert menu.buttons == MENU_NL
    assert resident_of(running, eva).area_cell == area_cell(*OOST)

    await eva.presses("📍 Gebied")
    shared = await eva.sees("Je hebt een gebied gedeeld.")
    assert shared.buttons == [["📍 Nieuwe locatie delen"], ["Gebied wissen"], ["‹ Terug"]]
    await eva.presses("Gebied wissen")
    await eva.sees("📍 Gebied: niet gedeeld")
    assert resident_of(running, eva).area_cell is None

    await eva.presses("📍 Gebied")
    await eva.sees_button("📍 Nieuwe locatie delen")
    await eva.presses("📍 Nieuwe locatie delen")
    await running.emulator.wait_for(
        lambda: eva.last_message().reply_keyboard is not None, 5, what="the location button"
    )
    await eva.sends("Annuleren")
    await eva.sees("Oké, er is niets veranderd.")
    assert resident_of(running, eva).area_cell is None
    # A location shared from the menu itself is just as clear.
    await eva.sees("Wat wil je aanpassen?")
    await eva.shares_location(*OOST)
    await eva.sees("📍 Gebied: gedeeld")
    assert resident_of(running, eva).area_cell == area_cell(*OOST)
    assert running.emulator.errors == []


async def test_blocks_are_listed_by_first_name_and_undone(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    finn = scene.resident("Finn", language="nl")
    finn_id = resident_for(running, finn, None, now)
    others = {
        name: resident_for(running, scene.resident(name, language="nl"), None, now)
        for name in ("Gijs", "<b>Bo & Co</b>", "Hanna")
    }
    with session_scope(running.engine) as session:
        blocks = {
            name: Block(blocker_id=finn_id, blocked_id=others[name], created_at=now)
            for name in ("Gijs", "<b>Bo & Co</b>")
        }
        # Hanna blocked Finn: Finn never learns that, and cannot undo it.
        hanna_block = Block(blocker_id=others["Hanna"], blocked_id=finn_id, created_at=now)
        session.add_all([*blocks.values(), hanna_block])
        session.flush()
        block_ids = {name: block.id for name, block in blocks.items()}
        hanna_block_id = hanna_block.id

    await open_settings(finn)
    await finn.presses("🚫 Geblokkeerde buren")
    listed = await finn.sees("Deze buren heb je geblokkeerd.")
    # Only the first word of a first name, as everywhere neighbours see each other.
    assert listed.buttons == [["Deblokkeer Gijs"], ["Deblokkeer <b>Bo"], ["‹ Terug"]]
    assert "Hanna" not in listed.content

    assert await forge_press(running, finn, listed, f"set:blocks:{hanna_block_id}") == (
        "Die blokkade is al opgeheven."
    )
    await finn.presses("Deblokkeer <b>Bo")
    undone = await finn.sees("is niet meer geblokkeerd.")
    assert "✓ <b>Bo is niet meer geblokkeerd." in undone.content
    assert undone.buttons == [["Deblokkeer Gijs"], ["‹ Terug"]]
    with Session(running.engine) as session:
        remaining = {block.id for block in session.exec(select(Block)).all()}
    assert remaining == {block_ids["Gijs"], hanna_block_id}

    await finn.presses("Deblokkeer Gijs")
    await finn.sees("Je hebt niemand geblokkeerd.")
    await finn.presses("‹ Terug")
    await finn.sees("Wat wil je aanpassen?")
    assert running.emulator.errors == []


async def test_forged_and_stale_presses_change_nothing(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    [transvaal] = wijken(running, now, "Transvaalbuurt")
    gijs = scene.resident("Gijs", language="nl")
    resident_for(running, gijs, transvaal, now)
    await open_settings(gijs)
    old_menu = gijs.last_message()
    await gijs.sends("/instellingen")
    await running.emulator.wait_for(
        lambda: len(running.emulator.messages(gijs.chat_id)) == 2, 5, what="a second menu"
    )
    # The older menu is replaced by the newer one: pressing it changes nothing.
    query_id = await running.emulator.press_button(gijs.user, old_menu.message_id, "🔔 Hoe vaak")
    assert (await running.emulator.wait_for_callback_answer(query_id, timeout=5)).text == STALE
    menu = gijs.last_message()
    for data in (
        "set:pace:weekly",  # a choice, but the menu is showing, not the pace screen
        "set:menu:nonsense",
        "set:menu",
        "set:wijk:1",
        "set:blocks:1",
        "ob:pace:weekly",
    ):
        assert await forge_press(running, gijs, menu, data) == STALE, data
    await gijs.presses("🌙 Rustige uren")
    quiet = await gijs.sees("Wanneer wil je liever geen berichten?")
    for data in ("set:quiet:0000-0100", "set:quiet:back:x", "set:lang:en", "set:likes:garden"):
        assert await forge_press(running, gijs, quiet, data) == STALE, data
    await gijs.sends("zomaar wat tekst")
    await gijs.sees("Tik op een knop in je instellingen hierboven")
    stored = resident_of(running, gijs)
    assert (stored.pace, stored.quiet_start, stored.language) == ("monthly", "21:00", "nl")
    assert stored.likes == []
    assert stored.wijk_id == transvaal.id
    assert running.emulator.errors == []


async def test_start_after_settings_leaves_the_settings_dialog(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    hanna = scene.resident("Hanna", language="nl")
    resident_for(running, hanna, None, now)
    await open_settings(hanna)
    menu = hanna.last_message()
    await hanna.sends("/start")
    await hanna.sees("Fijn je weer te zien, Hanna!")
    assert await forge_press(running, hanna, menu, "set:menu:pace") == STALE
