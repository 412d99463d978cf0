"""/vraag and /aanbod through the emulator: own words in, a category and a time proposed and
confirmed or changed with buttons, a preview, and the post in the wijk. Residents are made in
the database (tests/e2e/neighbours.py), so these scenarios do not depend on onboarding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.harness import RunningBot
from botapi_emulator import Limits
from botapi_emulator.scenario import Person, Scene
from matching.posting_rules import FLOOD_MAX_POSTS, MAX_OPEN_POSTS, MAX_TEXT_LENGTH, clean_text
from storage.db import session_scope
from storage.models import Post, Resident, Wijk
from tests.e2e.neighbours import Clock, resident_for, sees_times
from tests.e2e.posting_helpers import (
    NOW,
    all_posts,
    bot_messages,
    chat_state,
    forge_press,
    post_request,
    show_main_menu,
)
from tests.storage.neighbourhood import add_post, add_wijk

SHOPPING = "Wie kan zaterdag mijn boodschapen doen?"
LADDER = "Ik heb een ladder te leen"
STALE = "Deze knop werkt niet meer"


@dataclass
class Street:
    wijk: Wijk
    anna: Person
    anna_id: int


@pytest.fixture
def street(running: RunningBot, scene: Scene) -> Street:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna = scene.resident("Anna")
    return Street(wijk, anna, resident_for(running, anna, wijk, NOW))


async def test_a_request_gets_category_and_time_from_its_words_and_is_posted(
    street: Street, running: RunningBot
) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    prompt = await anna.sees("Wat kan een buur voor je doen?")
    assert "in je eigen woorden" in prompt.content
    await anna.sends(SHOPPING)
    question = await anna.sees("Ik denk dat het over boodschappen gaat. Klopt dat?")
    assert question.buttons == [["✓ Ja, klopt"], ["Iets anders"]]
    await anna.presses("✓ Ja, klopt")
    when = await anna.sees("Wanneer? Ik lees: zaterdag 28 november. Klopt dat?")
    assert when.buttons == [
        ["✓ Ja, klopt"],
        ["Vandaag", "Morgen"],
        ["Komende week", "Maakt niet uit"],
    ]
    await anna.presses("✓ Ja, klopt")
    preview = await anna.sees("Zo komt het in de buurt te staan")
    assert "🙋 Vraag · Boodschappen" in preview.content
    assert SHOPPING in preview.content
    assert "🕒 zaterdag 28 november" in preview.content
    assert preview.buttons == [["✅ Plaatsen"], ["Andere soort", "Ander moment"], ["Stoppen"]]
    assert all_posts(running) == []
    await anna.presses("✅ Plaatsen")
    posted = await anna.sees("Je vraag is geplaatst!")
    assert SHOPPING in posted.content
    assert posted.buttons == []

    [post] = all_posts(running)
    assert (post.resident_id, post.wijk_id, post.kind, post.category, post.text, post.status) == (
        street.anna_id,
        street.wijk.id,
        "request",
        "groceries",
        SHOPPING,
        "open",
    )
    assert post.area_cell is not None
    # Saturday 28 November, midnight to midnight in Amsterdam.
    assert post.window_start == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert post.window_end == datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert chat_state(running, anna) is None
    assert running.emulator.errors == []


async def test_an_offer_from_the_menu_button_without_a_time(
    street: Street, running: RunningBot
) -> None:
    anna = street.anna
    await show_main_menu(running, anna)
    await anna.presses("🤝 Iets aanbieden")
    await anna.sees("Wat wil je aanbieden?")
    await anna.sends(LADDER)
    await anna.sees("Ik denk dat het over spullen lenen gaat")
    await anna.presses("✓ Ja, klopt")
    when = await anna.sees("Wanneer past het?")
    assert when.buttons == [["Vandaag", "Morgen"], ["Komende week", "Maakt niet uit"]]
    await anna.presses("Maakt niet uit")
    preview = await anna.sees("Zo komt het in de buurt te staan")
    assert "🤝 Aanbod · Spullen lenen" in preview.content
    assert "🕒 geen vaste tijd" in preview.content
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je aanbod is geplaatst, dank je!")
    [post] = all_posts(running)
    assert (post.kind, post.category, post.window_start, post.window_end) == (
        "offer",
        "lending",
        None,
        None,
    )
    assert running.emulator.errors == []


async def test_an_english_request(running: RunningBot, scene: Scene) -> None:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    ben = scene.resident("Ben", language="en")
    resident_for(running, ben, wijk, NOW)
    await ben.sends("/vraag")
    await ben.sees("What could a neighbour do for you?")
    await ben.sends("Could someone walk my dog tomorrow morning?")
    await ben.sees("I think this is about pets. Is that right?")
    await ben.presses("✓ Yes, that's right")
    await ben.sees("When? I read: tomorrow, 08:00–12:00. Is that right?")
    await ben.presses("✓ Yes, that's right")
    await ben.sees("This is how neighbours will see it")
    await ben.presses("✅ Post")
    await ben.sees("Your request is up!")
    [post] = all_posts(running)
    assert post.category == "pets"
    assert running.emulator.errors == []


async def test_changing_category_and_time_with_buttons(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur voor je doen?")
    await anna.sends(SHOPPING)
    await anna.sees("boodschappen gaat. Klopt dat?")
    await anna.presses("Iets anders")
    choices = await anna.sees("Waar gaat het over? Kies wat het best past.")
    assert choices.buttons[0] == ["✓ Boodschappen"]
    assert choices.buttons[-1] == ["Meer soorten"]
    assert len(choices.buttons) <= 4
    await anna.presses("Meer soorten")
    everything = await anna.sees_button("Vervoer")
    labels = [label for row in everything.buttons for label in row]
    assert len(labels) == 12
    assert "Vervoer" in labels
    await anna.presses("Vervoer")
    await anna.sees("Wanneer? Ik lees: zaterdag 28 november")
    await anna.presses("Morgen")
    preview = await anna.sees("Zo komt het in de buurt te staan")
    assert "🙋 Vraag · Vervoer" in preview.content
    assert "🕒 morgen" in preview.content

    # From the preview, a new category goes straight back to the preview, keeping the time.
    await anna.presses("Andere soort")
    await anna.sees_button("Meer soorten")
    await anna.presses("Meer soorten")
    await anna.sees_button("Koken")
    await anna.presses("Koken")
    preview = await anna.sees("🙋 Vraag · Koken")
    assert "🕒 morgen" in preview.content
    await anna.presses("Ander moment")
    await anna.sees("Wanneer? Ik lees: zaterdag 28 november")
    await anna.presses("Komende week")
    preview = await anna.sees("🕒 vandaag tot en met woensdag 2 december")
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")
    [post] = all_posts(running)
    assert post.category == "cooking"
    assert post.window_start == clock.now
    assert post.window_end == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    assert running.emulator.errors == []


async def test_stopping_places_nothing(street: Street, running: RunningBot) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur")
    await anna.sends(SHOPPING)
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Zo komt het")
    await anna.presses("Stoppen")
    await anna.sees("Oké, ik heb niets geplaatst.")
    assert all_posts(running) == []
    assert chat_state(running, anna) is None
    await anna.sends("Nog iets")
    lost = await anna.sees("Dat begrijp ik niet helemaal")
    # "Kies iets in het menu" comes with the menu.
    assert lost.buttons == [
        ["🙋 Iets vragen", "🤝 Iets aanbieden"],
        ["👀 Kijk in de buurt", "📋 Mijn berichten"],
    ]
    await anna.presses("🙋 Iets vragen")
    await anna.sees("Wat kan een buur voor je doen?")
    assert running.emulator.errors == []


async def test_too_long_text_is_refused_kindly_and_the_draft_is_kept(
    street: Street, running: RunningBot
) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur")
    await anna.sends("x" * (MAX_TEXT_LENGTH + 1))
    await anna.sees(f"Dat is wat lang: {MAX_TEXT_LENGTH + 1} tekens. Lukt het in 500 tekens?")
    state = chat_state(running, anna)
    assert state is not None
    assert (state.flow, state.step) == ("post", "text")

    # A shorter version goes on as usual; a too long one at the preview leaves the preview be.
    await anna.sends(SHOPPING)
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Zo komt het")
    await anna.sends("y" * 4000)
    await anna.sees("Dat is wat lang: 4000 tekens.")
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")
    assert [post.text for post in all_posts(running)] == [SHOPPING]
    assert running.emulator.errors == []


async def test_the_open_post_limit_is_said_kindly(street: Street, running: RunningBot) -> None:
    anna = street.anna
    with session_scope(running.engine) as session:
        resident = session.get(Resident, street.anna_id)
        assert resident is not None
        for number in range(MAX_OPEN_POSTS):
            add_post(session, resident, f"Vraag {number}", NOW - timedelta(days=2))
        add_post(session, resident, "Klaar", NOW - timedelta(days=2), status="done")
    await anna.sends("/vraag")
    said = await anna.sees(f"Er staan al {MAX_OPEN_POSTS} berichten van je open")
    assert "/mijn" in said.content
    assert chat_state(running, anna) is None
    assert len(all_posts(running)) == MAX_OPEN_POSTS + 1
    assert running.emulator.errors == []


async def test_the_limit_is_checked_again_when_placing(
    street: Street, running: RunningBot
) -> None:
    anna = street.anna
    with session_scope(running.engine) as session:
        resident = session.get(Resident, street.anna_id)
        assert resident is not None
        for number in range(MAX_OPEN_POSTS - 1):
            add_post(session, resident, f"Vraag {number}", NOW - timedelta(days=2))
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur")
    await anna.sends(LADDER)
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer past het?")
    await anna.presses("Maakt niet uit")
    await anna.sees("Zo komt het")
    # Meanwhile another post was placed (from another device, say).
    with session_scope(running.engine) as session:
        resident = session.get(Resident, street.anna_id)
        assert resident is not None
        extra = add_post(session, resident, "Nog een", NOW)
    answer = await anna.presses("✅ Plaatsen")
    assert answer.show_alert
    assert answer.text is not None
    assert "Er staan al 5 berichten van je open" in answer.text
    assert len(all_posts(running)) == MAX_OPEN_POSTS
    # The draft is kept: once one is closed, the same button places it.
    with session_scope(running.engine) as session:
        stored = session.get(Post, extra.id)
        assert stored is not None
        stored.status = "done"
        session.add(stored)
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")
    assert all_posts(running)[-1].text == LADDER
    assert running.emulator.errors == []


async def test_rapid_posting_gets_a_calm_pause(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    anna = street.anna
    # The script types faster than any person; Telegram's per-chat send limit is not the point.
    running.emulator.set_limits(Limits(per_chat_per_second=None))
    for number in range(FLOOD_MAX_POSTS):
        await post_request(anna, f"Wie kan zaterdag mijn boodschapen doen? ({number})")
        clock.now += timedelta(minutes=1)
    await anna.sends("/vraag")
    await anna.sees("Over een paar minuten kan er weer een bij")
    assert chat_state(running, anna) is None
    clock.now += timedelta(minutes=10)
    await anna.sends("/aanbod")
    await anna.sees("Wat wil je aanbieden?")
    assert len(all_posts(running)) == FLOOD_MAX_POSTS
    assert running.emulator.errors == []


async def test_residents_without_a_wijk_are_pointed_to_the_settings(
    running: RunningBot, scene: Scene
) -> None:
    newcomer = scene.resident("Nina")
    resident_for(running, newcomer, None, NOW)
    await newcomer.sends("/vraag")
    await newcomer.sees("kies je eerst je wijk. Dat kan bij /instellingen")
    stranger = scene.resident("Sam")
    await stranger.sends("/aanbod")
    await stranger.sees("kies je eerst je wijk. Dat kan bij /instellingen")
    await show_main_menu(running, newcomer)
    await newcomer.presses("👀 Kijk in de buurt")
    await sees_times(running, newcomer, "kies je eerst je wijk. Dat kan bij /instellingen", 2)
    gone = scene.resident("Gijs")
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Dapperbuurt", NOW)
    resident_for(running, gone, wijk, NOW, stopped=True)
    await gone.sends("/vraag")
    await gone.sees("Wil je weer meedoen? Typ /start.")
    assert chat_state(running, newcomer) is None
    assert all_posts(running) == []
    assert running.emulator.errors == []


async def test_forged_and_stale_draft_buttons_change_nothing(
    street: Street, running: RunningBot
) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur")
    await anna.sends(SHOPPING)
    first = await anna.sees("Klopt dat?")
    for data in ("pst:cat:nonsense", "pst:ok", "pst:time:today", "pst:zzz", "pst:", "pst:cat:"):
        answer = await forge_press(running, anna, first, data)
        assert answer.text is not None
        assert STALE in answer.text
    state = chat_state(running, anna)
    assert state is not None
    assert (state.step, state.data["category"]) == ("category", "groceries")

    # New words make a new question; the old one's buttons no longer count.
    await anna.sends(LADDER)
    await anna.sees("over spullen lenen gaat")
    answer = await forge_press(running, anna, first, "pst:cat:groceries")
    assert answer.text is not None
    assert STALE in answer.text
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer past het?")
    await anna.presses("Maakt niet uit")
    preview = await anna.sees("Zo komt het")
    assert "Spullen lenen" in preview.content
    await anna.presses("✅ Plaatsen")
    placed = await anna.sees("Je vraag is geplaatst")
    # A second tap on "Plaatsen" (the button is gone, but a client can still send it).
    answer = await forge_press(running, anna, placed, "pst:ok")
    assert answer.text is not None
    assert STALE in answer.text
    assert len(all_posts(running)) == 1
    assert running.emulator.errors == []


async def test_a_command_replaces_the_draft(street: Street, running: RunningBot) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur")
    await anna.sends("/aanbod")
    await anna.sees("Wat wil je aanbieden?")
    state = chat_state(running, anna)
    assert state is not None
    assert state.data["kind"] == "offer"
    await anna.sends("/buurt")
    await anna.sees("Er staat nu niets open bij jou in de buurt")
    assert chat_state(running, anna) is None
    assert running.emulator.errors == []


AWKWARD_PIECES = (
    *("<", ">", "&", "&amp;", "<b>", "</i>", '"', "'", " ", "\n"),
    *("🪜", "👩‍👧", "🇳🇱", "مرحبا", "שלום", "\u200f", "\u202e", "\x00"),
    *("boodschappen", "zaterdag", "ladder", "x"),
)
AWKWARD_TEXT = st.one_of(
    st.text(min_size=1, max_size=300),
    st.lists(st.sampled_from(AWKWARD_PIECES), min_size=1, max_size=80).map("".join),
    st.text(min_size=MAX_TEXT_LENGTH - 5, max_size=4096),
).filter(lambda text: bool(text.strip()) and len(text) <= 4096 and not text.startswith("/"))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=AWKWARD_TEXT)
async def test_any_text_is_handled_without_errors(
    running: RunningBot, scene: Scene, text: str
) -> None:
    """Markup characters, emoji, right-to-left text and up to 4096 characters: the bot answers,
    Telegram (the emulator) never refuses a message, and what is placed is what was typed.

    One bot serves all examples (the fixture is made once per test function); each example is
    a new resident, so no limit comes into play."""
    with session_scope(running.engine) as session:
        wijk = session.get(Wijk, 1) or add_wijk(session, "Transvaalbuurt", NOW)
    person = scene.resident("Test")
    resident_for(running, person, wijk, NOW)
    await person.sends("/vraag")
    await person.sees("Wat kan een buur")
    await person.sends(text)
    kept = clean_text(text)
    if not kept:
        await person.sees("Ik zie nog geen tekst")
    elif len(kept) > MAX_TEXT_LENGTH:
        await person.sees(f"Dat is wat lang: {len(kept)} tekens")
    else:
        await running.emulator.wait_for(
            lambda: len(bot_messages(running, person)) == 2, what="the category question"
        )
        if "Wat wil je vragen?" in person.last_message().content:
            # Words without recognisable content get one question; the same again is taken.
            await person.sends(text)
            await running.emulator.wait_for(
                lambda: len(bot_messages(running, person)) == 3, what="the category question"
            )
        if person.last_message().button("✓ Ja, klopt") is not None:
            await person.presses("✓ Ja, klopt")
        else:
            await person.presses("Iets anders")
        await person.sees("Wanneer")
        await person.presses("Maakt niet uit")
        await person.sees("Zo komt het")
        await person.presses("✅ Plaatsen")
        posted = await person.sees("Je vraag is geplaatst!")
        assert kept in posted.content
        assert all_posts(running)[-1].text == kept
    assert running.emulator.errors == []


async def test_a_draft_whose_moment_passed_asks_for_a_new_time(
    street: Street, running: RunningBot, clock: Clock
) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur voor je doen?")
    await anna.sends("Wie kan vanmiddag mijn boodschappen doen?")
    await anna.sees("Klopt dat?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Wanneer?")
    await anna.presses("✓ Ja, klopt")
    await anna.sees("Zo komt het in de buurt te staan")
    clock.now = NOW + timedelta(days=1)  # she comes back to it the next day
    answer = await anna.presses("✅ Plaatsen")
    assert answer.text == "Dat moment is al voorbij. Kies een nieuw moment."
    await anna.sees_button("Vandaag")
    assert all_posts(running) == []
    await anna.presses("Maakt niet uit")
    await anna.sees("Zo komt het in de buurt te staan")
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")
    [post] = all_posts(running)
    assert post.window_end is None


async def test_keyboard_mash_gets_one_friendly_question_then_the_words_are_taken(
    street: Street, running: RunningBot
) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur voor je doen?")
    await anna.sends("asdf")
    question = await anna.sees("Wat wil je vragen?")
    assert "Bijvoorbeeld" in question.content
    assert all_posts(running) == []
    await anna.sends("Ladder lenen")
    await anna.sees("Klopt dat?")
    # An offer's question speaks of offering; asked once, the next words are taken as meant.
    await anna.sends("/aanbod")
    await anna.sees("Wat wil je aanbieden?")
    await anna.sends("hallo")
    await anna.sees("Wat wil je aanbieden? Schrijf in een paar woorden")
    await anna.sends("hallo")
    await anna.sees("Klopt dat?")


async def test_a_command_while_writing_says_whether_the_draft_waits_or_was_left(
    street: Street, running: RunningBot
) -> None:
    anna = street.anna
    await anna.sends("/vraag")
    await anna.sees("Wat kan een buur voor je doen?")
    await anna.sends("/help")
    await anna.sees("staat nog klaar")
    await anna.sends(SHOPPING)
    await anna.sees("Klopt dat?")
    await anna.sends("/buurt")
    await anna.sees("Ik heb niets geplaatst.")
    assert all_posts(running) == []
