"""/start and onboarding through the emulator: every step, skipping, join links, wijk search,
the location that is kept only as an area, and presses that must change nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import MetaData, select
from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.harness import RunningBot
from botapi_emulator import Limits, MessageView
from botapi_emulator.scenario import Person, Scene
from matching.area import area_cell
from storage.db import session_scope
from storage.models import ChatState, Resident
from tests.e2e.neighbours import resident_for
from tests.storage.neighbourhood import add_wijk

# A spot in the Transvaalbuurt, Amsterdam; its digits must never reach the database.
LATITUDE, LONGITUDE = 52.354_817, 4.926_734
MAIN_MENU_NL = [
    ["🙋 Iets vragen", "🤝 Iets aanbieden"],
    ["👀 Kijk in de buurt", "📋 Mijn berichten"],
]
STALE = "Deze knop werkt niet meer. Probeer het opnieuw."
# More than fit as buttons, so the wijk question asks to type the name.
MANY_WIJKEN = (
    "Dapperbuurt",
    "Indische Buurt",
    "Oosterparkbuurt",
    "Transvaalbuurt",
    "Watergraafsmeer",
    "Jordaan",
    "De Pijp",
    "Rivierenbuurt",
    "Spaarndammerbuurt",
)


@pytest.fixture(autouse=True)
def people_take_their_time(running: RunningBot) -> None:
    """A person reads each question before answering; these scripted ones answer within
    milliseconds, which would trip Telegram's one-message-per-second limit per chat."""
    running.emulator.set_limits(Limits(per_chat_per_second=None))


def add_wijken(running: RunningBot, now: datetime, *names: str) -> dict[str, int]:
    with session_scope(running.engine) as session:
        ids = {name: add_wijk(session, name, now).id for name in names}
    return {name: wijk_id for name, wijk_id in ids.items() if wijk_id is not None}


def resident_of(running: RunningBot, person: Person) -> Resident:
    with Session(running.engine) as session:
        found: Resident = session.execute(
            select(Resident).where(Resident.telegram_user_id == person.user.id)  # type: ignore[arg-type]
        ).scalar_one()
        session.expunge(found)
        return found


def state_of(running: RunningBot, person: Person) -> ChatState | None:
    with Session(running.engine) as session:
        return session.get(ChatState, person.chat_id)


async def forge_press(running: RunningBot, person: Person, message: MessageView, data: str) -> str:
    """Press a button with made-up callback data on a real bot message, as a modified client
    could; returns the pop-up text. The message's own buttons are put back afterwards."""
    bot = running.application.bot
    original = message.reply_markup or {"inline_keyboard": []}
    rows = [list(row) for row in InlineKeyboardMarkup.de_json(original, bot).inline_keyboard]
    forged = InlineKeyboardMarkup([*rows, [InlineKeyboardButton("forged", callback_data=data)]])
    await bot.edit_message_reply_markup(person.chat_id, message.message_id, reply_markup=forged)
    query_id = await running.emulator.press_button(person.user, message.message_id, "forged")
    answer = await running.emulator.wait_for_callback_answer(query_id, timeout=5)
    await bot.edit_message_reply_markup(
        person.chat_id, message.message_id, reply_markup=InlineKeyboardMarkup(rows)
    )
    return answer.text or ""


# --- the whole flow --------------------------------------------------------------------------


async def test_a_newcomer_answers_every_question_and_gets_a_summary(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    wijken = add_wijken(running, now, "Transvaalbuurt", "Dapperbuurt")
    anna = scene.resident("Anna", language="nl")
    await anna.sends("/start")
    welcome = await anna.sees("Welke taal past bij jou?")
    assert welcome.buttons == [["✓ Nederlands", "English"]]

    await anna.presses("English")
    question = await anna.sees("Which neighbourhood do you live in?")
    assert question.buttons == [["Dapperbuurt"], ["Transvaalbuurt"], ["Skip"]]
    answered = await anna.sees("✓ English")
    assert answered.message_id == welcome.message_id
    assert answered.buttons == []

    await anna.presses("Transvaalbuurt")
    area = await anna.sees("share your location once")
    assert "never your exact spot" in area.content
    assert area.reply_keyboard is not None
    assert area.reply_keyboard["keyboard"][0][0]["request_location"] is True
    await anna.shares_location(LATITUDE, LONGITUDE)
    await anna.sees("I kept only your area")

    pace = await anna.sees("How often may I ask")
    assert pace.buttons == [
        ["Never"],
        ["Just once"],
        ["✓ About once a month"],
        ["About once a week"],
        ["Whenever something comes up"],
        ["Skip"],
    ]
    await anna.presses("About once a week")
    quiet = await anna.sees(
        "When would you rather not get messages? Right now that's 21:00–08:00."
    )
    assert quiet.buttons == [
        ["✓ 21:00–08:00", "22:00–07:00"],
        ["20:00–09:00", "23:00–09:00"],
        ["Keep it as it is"],
    ]
    await anna.presses("22:00–07:00")

    likes = await anna.sees("What do you enjoy doing for someone else?")
    assert likes.buttons[0] == ["Groceries", "Small jobs"]
    await anna.presses("Groceries")
    await anna.sees_button("✓ Groceries")
    await anna.presses("Garden")
    await anna.sees_button("✓ Garden")
    await anna.presses("✓ Groceries")
    toggled = await anna.sees_button("Groceries")
    labels = [label for row in toggled.buttons for label in row]
    assert "✓ Garden" in labels
    assert "Groceries" in labels
    assert "✓ Groceries" not in labels
    await anna.presses("Done")

    summary = await anna.sees("All done, glad you're here!")
    assert "Neighbourhood: Transvaalbuurt" in summary.content
    assert "Area: shared" in summary.content
    assert "How often: About once a week" in summary.content
    assert "No messages: 22:00–07:00" in summary.content
    assert "I enjoy: Garden" in summary.content
    assert summary.buttons == [
        ["🙋 Ask for something", "🤝 Offer something"],
        ["👀 Look around", "📋 My posts"],
    ]
    resident = resident_of(running, anna)
    assert resident.language == "en"
    assert resident.wijk_id == wijken["Transvaalbuurt"]
    assert resident.area_cell == area_cell(LATITUDE, LONGITUDE)
    assert (resident.pace, resident.quiet_start, resident.quiet_end) == (
        "weekly",
        "22:00",
        "07:00",
    )
    assert resident.likes == ["garden"]
    assert resident.onboarded
    assert state_of(running, anna) is None
    assert running.emulator.errors == []


async def test_every_optional_step_can_be_skipped_and_defaults_stay(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    add_wijken(running, now, "Transvaalbuurt")
    ben = scene.resident("Ben", language="nl")
    await ben.sends("/start")
    await ben.sees("Welke taal")
    await ben.presses("✓ Nederlands")
    await ben.sees("In welke wijk woon je?")
    await ben.presses("Overslaan")
    await ben.sees("Wil je één keer je locatie delen?")
    # "Overslaan" under the location question is a reply-keyboard button: it sends its text.
    await ben.sends("Overslaan")
    await ben.sees("Overgeslagen")
    pace = await ben.sees("Hoe vaak mag ik je vragen")
    assert ["✓ Ongeveer eens per maand"] in pace.buttons, "the default is marked"
    await ben.presses("Overslaan")
    await ben.sees("Wanneer wil je liever geen berichten? Nu is dat 21:00–08:00.")
    await ben.presses("Zo laten")
    await ben.sees("Wat doe je graag voor een ander?")
    await ben.presses("Klaar")
    likes = await ben.sees("Niets gekozen")  # "Klaar" is an answer, not a skip
    assert "Overgeslagen" not in likes.content
    summary = await ben.sees("Klaar, fijn dat je er bent!")
    assert "Wijk: nog niet gekozen" in summary.content
    assert "Gebied: niet gedeeld" in summary.content
    assert "Hoe vaak: Ongeveer eens per maand" in summary.content
    assert "Doe ik graag: niets gekozen" in summary.content
    assert summary.buttons == MAIN_MENU_NL
    resident = resident_of(running, ben)
    assert resident.wijk_id is None
    assert resident.area_cell is None
    assert (resident.pace, resident.quiet_start, resident.quiet_end) == (
        "monthly",
        "21:00",
        "08:00",
    )
    assert resident.likes == []
    assert resident.onboarded
    assert running.emulator.errors == []


async def test_never_asked_people_get_no_quiet_hours_question(
    scene: Scene, running: RunningBot
) -> None:
    carla = scene.resident("Carla", language="nl")
    await carla.sends("/start")
    await carla.sees("Welke taal")
    await carla.presses("✓ Nederlands")
    await carla.sees("Er zijn nog geen wijken aangesloten.")
    await carla.sees("Wil je één keer je locatie delen?")
    await carla.sends("Overslaan")
    await carla.sees("Hoe vaak mag ik je vragen")
    await carla.presses("Nooit")
    likes = await carla.sees("Wat doe je graag voor een ander?")
    assert not any(
        "Wanneer stuur ik" in m.content for m in running.emulator.messages(carla.chat_id)
    )
    assert likes.buttons[-1] == ["Klaar"]
    await carla.presses("Klaar")
    await carla.sees("Hoe vaak: Nooit")
    assert resident_of(running, carla).pace == "never"


async def test_without_any_wijk_the_bot_says_so_and_goes_on(
    scene: Scene, running: RunningBot
) -> None:
    dana = scene.resident("Dana", language="en")
    await dana.sends("/start")
    await dana.sees("Which language")
    await dana.presses("✓ English")
    await dana.sees("No neighbourhoods have joined yet.")
    await dana.sees("share your location once")
    assert running.emulator.errors == []


async def test_english_telegram_users_are_greeted_in_english(scene: Scene) -> None:
    ben = scene.resident("Ben", language="en-GB")
    await ben.sends("/start")
    welcome = await ben.sees("Which language suits you?")
    assert "Hi Ben!" in welcome.content
    # English as it is spoken, not the Dutch "een handje" word for word ("a small hand").
    assert "ask your neighbours for a little help, or offer something yourself" in welcome.content
    assert welcome.buttons == [["Nederlands", "✓ English"]]


async def test_names_are_escaped_so_html_never_breaks(scene: Scene, running: RunningBot) -> None:
    odd = scene.resident("<b>Ann & Co</b> 🏠 مرحبا", language="nl")
    await odd.sends("/start")
    welcome = await odd.sees("Welke taal")
    assert "Hoi <b>Ann & Co</b> 🏠 مرحبا!" in welcome.content
    assert running.emulator.errors == []


# --- typing instead of pressing --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["transvaal", "Transvaalbuurt", "transval"])
async def test_a_typed_wijk_name_is_found_despite_case_and_typos(
    scene: Scene, running: RunningBot, now: datetime, typed: str
) -> None:
    wijken = add_wijken(running, now, *MANY_WIJKEN)
    eva = scene.resident("Eva", language="nl")
    await eva.sends("/start")
    await eva.sees("Welke taal")
    await eva.presses("✓ Nederlands")
    question = await eva.sees("Typ de naam, dan zoek ik hem op.")
    assert question.buttons == [["Overslaan"]]
    await eva.sends(typed)
    found = await eva.sees("Bedoel je een van deze wijken?")
    assert found.buttons[0] == ["Transvaalbuurt"]
    assert ["Dapperbuurt"] not in found.buttons
    await eva.presses("Transvaalbuurt")
    await eva.sees("Wil je één keer je locatie delen?")
    assert resident_of(running, eva).wijk_id == wijken["Transvaalbuurt"]
    assert running.emulator.errors == []


async def test_a_search_with_markup_and_emoji_is_escaped(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    add_wijken(running, now, *MANY_WIJKEN)
    finn = scene.resident("Finn", language="nl")
    await finn.sends("/start")
    await finn.sees("Welke taal")
    await finn.presses("✓ Nederlands")
    await finn.sees("Typ de naam")
    await finn.sends("<b>&</b> 🏡 nergens")
    not_found = await finn.sees("Ik vind geen wijk die lijkt op")
    assert "“<b>&</b> 🏡 nergens”" in not_found.content
    await finn.sends("🏡 transvaal")
    found = await finn.sees("Bedoel je een van deze wijken?")
    assert found.buttons[0] == ["Transvaalbuurt"]
    assert running.emulator.errors == []


async def test_text_where_a_button_is_expected_gets_a_hint(
    scene: Scene, running: RunningBot
) -> None:
    gijs = scene.resident("Gijs", language="nl")
    await gijs.sends("/start")
    await gijs.sees("Welke taal")
    await gijs.sends("hallo?")
    await gijs.sees("Tik op een van de knoppen hierboven.")
    await gijs.presses("✓ Nederlands")
    await gijs.sees("Wil je één keer je locatie delen?")
    await gijs.sends("mijn huis")
    await gijs.sees("Tik op “📍 Deel mijn locatie” onder in je scherm")
    assert state_of(running, gijs) is not None
    assert running.emulator.errors == []


# --- the location ----------------------------------------------------------------------------


async def test_a_shared_location_is_kept_only_as_its_area_cell(
    scene: Scene, running: RunningBot
) -> None:
    hanna = scene.resident("Hanna", language="nl")
    await hanna.sends("/start")
    await hanna.sees("Welke taal")
    await hanna.presses("✓ Nederlands")
    await hanna.sees("Wil je één keer je locatie delen?")
    await hanna.shares_location(LATITUDE, LONGITUDE)
    await hanna.sees("Ik heb alleen je gebied bewaard")
    await hanna.sees("Hoe vaak mag ik je vragen")
    assert resident_of(running, hanna).area_cell == area_cell(LATITUDE, LONGITUDE)
    # No table, column or JSON value anywhere holds the coordinates.
    metadata = MetaData()
    metadata.reflect(running.engine)
    with running.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(table.select()):
                stored = repr(tuple(row))
                assert "52.35" not in stored, (table.name, stored)
                assert "4.926" not in stored, (table.name, stored)


# --- join links ------------------------------------------------------------------------------


async def test_a_join_link_puts_a_newcomer_in_that_wijk_and_skips_the_question(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    wijken = add_wijken(running, now, "Transvaalbuurt", "Dapperbuurt")
    ilse = scene.resident("Ilse", language="nl")
    await ilse.sends("/start wijk_transvaalbuurt")
    welcome = await ilse.sees("Je hoort nu bij Transvaalbuurt.")
    assert "Welke taal past bij jou?" in welcome.content
    assert resident_of(running, ilse).wijk_id == wijken["Transvaalbuurt"]
    await ilse.presses("✓ Nederlands")
    await ilse.sees("Wil je één keer je locatie delen?")
    assert not any("In welke wijk" in m.content for m in running.emulator.messages(ilse.chat_id))
    assert running.emulator.errors == []


async def test_an_unknown_join_link_is_explained_and_the_wijk_is_chosen_instead(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    add_wijken(running, now, "Transvaalbuurt")
    joost = scene.resident("Joost", language="nl")
    await joost.sends("/start wijk_bestaatniet")
    await joost.sees("Deze wijklink ken ik niet.")
    await joost.sees("Welke taal")
    await joost.presses("✓ Nederlands")
    question = await joost.sees("In welke wijk woon je?")
    assert question.buttons == [["Transvaalbuurt"], ["Overslaan"]]
    assert resident_of(running, joost).wijk_id is None


async def test_an_onboarded_resident_without_wijk_joins_through_a_link(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    wijken = add_wijken(running, now, "Transvaalbuurt")
    kees = scene.resident("Kees", language="nl")
    resident_for(running, kees, None, now)
    await kees.sends("/start wijk_transvaalbuurt")
    joined = await kees.sees("Welkom! Je hoort nu bij Transvaalbuurt.")
    assert joined.buttons == MAIN_MENU_NL
    assert resident_of(running, kees).wijk_id == wijken["Transvaalbuurt"]
    assert not any("Welke taal" in m.content for m in running.emulator.messages(kees.chat_id))


@pytest.mark.parametrize(
    ("choice", "stays"), [("Ja, overstappen", False), ("Nee, zo laten", True)]
)
async def test_switching_wijk_through_a_link_asks_first(
    scene: Scene, running: RunningBot, now: datetime, choice: str, stays: bool
) -> None:
    with session_scope(running.engine) as session:
        old = add_wijk(session, "Dapperbuurt", now)
        new = add_wijk(session, "Transvaalbuurt", now)
    lotte = scene.resident("Lotte", language="nl")
    resident_for(running, lotte, old, now)
    await lotte.sends("/start wijk_transvaalbuurt")
    question = await lotte.sees(
        "Je hoort nu bij Dapperbuurt. Wil je overstappen naar Transvaalbuurt?"
    )
    assert question.buttons == [["Ja, overstappen"], ["Nee, zo laten"]]
    await lotte.presses(choice)
    menu = await lotte.sees("Wat wil je doen?")
    assert menu.buttons == MAIN_MENU_NL
    assert resident_of(running, lotte).wijk_id == (old.id if stays else new.id)
    assert state_of(running, lotte) is None
    assert running.emulator.errors == []


async def test_a_link_to_the_own_wijk_just_says_so(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", now)
    mo = scene.resident("Mo", language="en")
    resident_for(running, mo, wijk, now)
    await mo.sends("/start wijk_transvaalbuurt")
    already = await mo.sees("You're already part of Transvaalbuurt.")
    assert already.buttons[0] == ["🙋 Ask for something", "🤝 Offer something"]


async def test_links_to_unknown_activities_are_answered_kindly_for_everyone(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    nina = scene.resident("Nina", language="nl")
    await nina.sends("/start act_12")
    await nina.sees("Deze activiteit is er niet meer")
    await nina.sees("Welke taal past bij jou?")
    omar = scene.resident("Omar", language="nl")
    resident_for(running, omar, None, now)
    await omar.sends("/start act_12")
    await omar.sees("Deze activiteit is er niet meer")
    await omar.sees("Fijn je weer te zien, Omar!")
    assert running.emulator.errors == []


# --- coming back -----------------------------------------------------------------------------


async def test_start_again_after_onboarding_is_a_short_welcome_back(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    pim = scene.resident("Pim", language="nl")
    resident_for(running, pim, None, now, pace="weekly")
    await pim.sends("/start")
    back = await pim.sees("Fijn je weer te zien, Pim! Wat wil je doen?")
    assert back.buttons == MAIN_MENU_NL
    assert len(running.emulator.messages(pim.chat_id)) == 1
    assert resident_of(running, pim).pace == "weekly"


async def test_a_stopped_resident_comes_back_with_start(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    roos = scene.resident("Roos", language="nl")
    resident_for(running, roos, None, now, stopped=True)
    await roos.sends("/start")
    back = await roos.sees("Welkom terug, Roos! Je krijgt weer berichten van mij.")
    assert back.buttons == MAIN_MENU_NL
    assert resident_of(running, roos).stopped is False


# --- presses that must change nothing --------------------------------------------------------


async def test_forged_and_stale_presses_change_nothing(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    add_wijken(running, now, "Transvaalbuurt")
    sam = scene.resident("Sam", language="nl")
    await sam.sends("/start")
    first_welcome = await sam.sees("Welke taal")
    await sam.sends("/start")
    await scene.emulator.wait_for(
        lambda: len(scene.emulator.messages(sam.chat_id)) == 2, 5, what="a second welcome"
    )
    # The first welcome is outdated by the second: its buttons no longer count.
    query_id = await scene.emulator.press_button(sam.user, first_welcome.message_id, "English")
    stale = await scene.emulator.wait_for_callback_answer(query_id, timeout=5)
    assert stale.text == STALE
    assert resident_of(running, sam).language == "nl"

    await sam.presses("✓ Nederlands")
    wijk_question = await sam.sees("In welke wijk woon je?")
    before = resident_of(running, sam)
    for data in (
        "ob:wijk:999999",
        "ob:wijk:abc",
        "ob:pace:weekly",
        "ob:wijk",
        "ob:",
        "ob:lang:en",
    ):
        assert await forge_press(running, sam, wijk_question, data) == STALE
    after = resident_of(running, sam)
    assert (after.wijk_id, after.pace, after.language) == (before.wijk_id, before.pace, "nl")
    state = state_of(running, sam)
    assert state is not None
    assert state.step == "wijk"
    assert scene.emulator.messages(sam.chat_id)[-1].message_id == wijk_question.message_id

    await sam.presses("Transvaalbuurt")
    await sam.sees("Wil je één keer je locatie delen?")
    await sam.sends("Overslaan")
    await sam.sees("Hoe vaak mag ik je vragen")
    await sam.presses("Overslaan")
    await sam.sees("Wanneer wil je liever geen berichten?")
    await sam.presses("Zo laten")
    likes = await sam.sees("Wat doe je graag")
    assert await forge_press(running, sam, likes, "ob:likes:nonsense") == STALE
    assert await forge_press(running, sam, likes, "ob:quiet:0000-2359") == STALE
    await sam.presses("Klaar")
    await sam.sees("Klaar, fijn dat je er bent!")
    # After onboarding every old question is stale, even with data that was once valid.
    assert await forge_press(running, sam, likes, "ob:likes:garden") == STALE
    assert await forge_press(running, sam, wijk_question, "ob:pace:weekly") == STALE
    done = resident_of(running, sam)
    assert (done.likes, done.pace) == ([], "monthly")
    assert running.emulator.errors == []


async def test_a_very_long_wijk_search_is_echoed_as_a_short_excerpt(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    add_wijken(running, now, *MANY_WIJKEN)
    gijs = scene.resident("Gijs", language="nl")
    await gijs.sends("/start")
    await gijs.sees("Welke taal")
    await gijs.presses("✓ Nederlands")
    await gijs.sees("Typ de naam")
    await gijs.sends("a" * 4096)
    not_found = await gijs.sees("Ik vind geen wijk die lijkt op")
    assert len(not_found.content) < 200
    assert "a" * 40 in not_found.content
    assert "a" * 41 not in not_found.content
    assert running.emulator.errors == []


# --- a command in the middle of onboarding ---------------------------------------------------


async def test_asking_before_having_a_wijk_first_asks_for_it_then_goes_on_to_the_request(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    wijken = add_wijken(running, now, "Transvaalbuurt", "Dapperbuurt")
    anna = scene.resident("Anna", language="nl")
    await anna.sends("/start")
    await anna.sees("Welke taal past bij jou?")
    await anna.presses("✓ Nederlands")
    await anna.sees("In welke wijk woon je?")
    await anna.sends("/vraag")
    first = await anna.sees("kies je eerst je wijk. Daarna gaan we verder")
    assert first.buttons == [["Dapperbuurt"], ["Transvaalbuurt"], ["Overslaan"]]
    await anna.presses("Transvaalbuurt")
    await anna.sees("Wat kan een buur voor je doen?")
    assert resident_of(running, anna).wijk_id == wijken["Transvaalbuurt"]
    await anna.sends("Wie kan zaterdag mijn boodschappen doen?")
    await anna.sees("Klopt dat?")
    # Nothing was dropped without a word.
    said = [m.content for m in running.emulator.messages(anna.chat_id)]
    assert not any("Dat begrijp ik niet" in text for text in said)


async def test_asking_without_ever_starting_first_asks_for_the_wijk_then_goes_on(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    wijken = add_wijken(running, now, "Transvaalbuurt", "Dapperbuurt")
    sam = scene.resident("Sam", language="nl")
    await sam.sends("/vraag")  # no /start before
    first = await sam.sees("kies je eerst je wijk. Daarna gaan we verder")
    assert first.buttons == [["Dapperbuurt"], ["Transvaalbuurt"], ["Overslaan"]]
    assert "/instellingen" not in first.content
    await sam.presses("Dapperbuurt")
    await sam.sees("Wat kan een buur voor je doen?")
    assert resident_of(running, sam).wijk_id == wijken["Dapperbuurt"]
    await sam.sends("Wie kan zaterdag mijn boodschappen doen?")
    await sam.sees("Klopt dat?")
    lena = scene.resident("Lena", language="en")
    await lena.sends("/offer")
    await lena.sees("first choose your neighbourhood. Then we'll carry on")
    await lena.presses("Transvaalbuurt")
    await lena.sees("What would you like to offer?")
    assert running.emulator.errors == []


async def test_a_command_halfway_through_onboarding_says_it_is_paused(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    add_wijken(running, now, "Transvaalbuurt")
    anna = scene.resident("Anna", language="nl")
    await anna.sends("/start")
    await anna.sees("Welke taal past bij jou?")
    await anna.presses("✓ Nederlands")
    await anna.sees("In welke wijk woon je?")
    await anna.presses("Transvaalbuurt")
    await anna.sees("je locatie delen")
    await anna.sends("/help")
    kept = await anna.sees("Je aanmelding loopt nog")
    assert "vraag hierboven" in kept.content
    await anna.sends("/vraag")
    left = await anna.sees("Je aanmelding zet ik even stil")
    assert "/start" in left.content
    await anna.sees("Wat kan een buur voor je doen?")
    state = state_of(running, anna)
    assert state is not None
    assert state.flow == "post"


async def test_looking_around_before_the_wijk_is_chosen_points_to_the_question_above(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    add_wijken(running, now, "Transvaalbuurt")
    anna = scene.resident("Anna", language="nl")
    await anna.sends("/start")
    await anna.sees("Welke taal past bij jou?")
    await anna.presses("✓ Nederlands")
    await anna.sees("In welke wijk woon je?")
    await anna.sends("/buurt")
    answer = await anna.sees("Kies eerst je wijk in de vraag hierboven.")
    assert "/instellingen" not in answer.content
    assert running.emulator.errors == []
