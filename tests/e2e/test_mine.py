"""/mijn through the emulator: one's own open posts, with changing the words, "Geregeld" and
withdrawing; every press is checked against the database, so forged or stale ones change
nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.harness import RunningBot
from botapi_emulator import Limits
from botapi_emulator.scenario import Person, Scene
from matching.posting_rules import MAX_TEXT_LENGTH
from storage.db import session_scope
from storage.models import Match, Post, PostKind, PostStatus, Resident
from tests.e2e.neighbours import resident_for
from tests.e2e.posting_helpers import (
    NOW,
    all_posts,
    chat_state,
    forge_press,
    show_main_menu,
)
from tests.storage.neighbourhood import add_post, add_wijk

GONE = "Dit bericht staat niet meer open."
STALE = "Deze knop werkt niet meer. Probeer het opnieuw."


@dataclass
class Posts:
    """Anna has an open request and an open offer (and a closed one); Ben has an open one."""

    anna: Person
    ben: Person
    shopping: int
    ladder: int
    closed: int
    bens: int


@pytest.fixture
def posts(running: RunningBot, scene: Scene) -> Posts:
    with session_scope(running.engine) as session:
        wijk = add_wijk(session, "Transvaalbuurt", NOW)
    anna, ben = scene.resident("Anna"), scene.resident("Ben")
    anna_id = resident_for(running, anna, wijk, NOW)
    ben_id = resident_for(running, ben, wijk, NOW)
    with session_scope(running.engine) as session:
        anna_row, ben_row = session.get(Resident, anna_id), session.get(Resident, ben_id)
        assert anna_row is not None
        assert ben_row is not None
        made = [
            add_post(session, anna_row, "Wie kan zaterdag mijn boodschappen doen?", NOW),
            add_post(
                session,
                anna_row,
                "Ik heb een ladder te leen",
                NOW - timedelta(hours=1),
                kind=PostKind.OFFER,
                category="lending",
            ),
            add_post(session, anna_row, "Al geregeld", NOW - timedelta(days=1), status="done"),
            add_post(session, ben_row, "Ben zoekt een lift", NOW, category="transport"),
        ]
    ids = [post.id for post in made]
    assert all(ids)
    return Posts(anna, ben, *ids)  # type: ignore[arg-type]


def post(running: RunningBot, post_id: int) -> Post:
    with session_scope(running.engine) as session:
        found = session.get(Post, post_id)
        assert found is not None
        return found


async def test_own_open_posts_are_listed_newest_first(posts: Posts, running: RunningBot) -> None:
    anna = posts.anna
    await anna.sends("/mijn")
    listing = await anna.sees("Jouw open berichten.")
    request = "1. 🙋 Vraag · Boodschappen\nWie kan zaterdag mijn boodschappen doen?"
    offer = "2. 🤝 Aanbod · Spullen lenen\nIk heb een ladder te leen"
    assert listing.content.index(request) < listing.content.index(offer)
    assert "Al geregeld" not in listing.content
    assert "Ben" not in listing.content
    assert listing.buttons == [["1. Boodschappen"], ["2. Spullen lenen"]]
    assert running.emulator.errors == []


async def test_changing_the_words(posts: Posts, running: RunningBot) -> None:
    anna = posts.anna
    # Five answers within a second: the script types faster than anyone (see test_posting).
    running.emulator.set_limits(Limits(per_chat_per_second=None))
    await show_main_menu(running, anna)
    await anna.presses("📋 Mijn berichten")
    await anna.sees("Jouw open berichten.")
    await anna.presses("1. Boodschappen")
    detail = await anna.sees_button("✏️ Tekst aanpassen")
    assert detail.buttons == [
        ["✏️ Tekst aanpassen", "✅ Geregeld"],
        ["Intrekken"],
        ["◀ Naar je berichten"],
    ]
    await anna.presses("✏️ Tekst aanpassen")
    await anna.sees("Typ de nieuwe tekst. Nu staat er:\nWie kan zaterdag")
    await anna.sends("x" * (MAX_TEXT_LENGTH + 1))
    await anna.sees("Dat is wat lang")
    await anna.sends("Wie kan zondag mijn boodschappen doen? <graag> & dank")
    edited = await anna.sees("Aangepast! Zo staat het er nu:")
    assert "Wie kan zondag mijn boodschappen doen? <graag> & dank" in edited.content
    assert post(running, posts.shopping).text == (
        "Wie kan zondag mijn boodschappen doen? <graag> & dank"
    )
    assert chat_state(running, anna) is None
    await anna.presses("◀ Naar je berichten")
    await anna.sees("1. 🙋 Vraag · Boodschappen\nWie kan zondag")
    assert running.emulator.errors == []


async def test_a_command_while_changing_the_words_says_what_became_of_them(
    posts: Posts, running: RunningBot
) -> None:
    anna = posts.anna
    await anna.sends("/mijn")
    await anna.sees("Jouw open berichten.")
    await anna.presses("1. Boodschappen")
    await anna.sees_button("✏️ Tekst aanpassen")
    await anna.presses("✏️ Tekst aanpassen")
    await anna.sees("Typ de nieuwe tekst.")
    await anna.sends("/help")
    await anna.sees("Ik wacht nog op de nieuwe tekst voor je bericht.")
    await anna.sends("/buurt")
    await anna.sees("Je bericht heb ik niet aangepast. Het staat er nog zoals het was.")
    assert post(running, posts.shopping).text.startswith("Wie kan zaterdag")
    texts = [m.content for m in running.emulator.messages(anna.chat_id)]
    assert not any("dialog." in text for text in texts)
    assert running.emulator.errors == []


async def test_geregeld_and_withdrawing(posts: Posts, running: RunningBot) -> None:
    anna = posts.anna
    await anna.sends("/mijn")
    await anna.sees("Jouw open berichten.")
    await anna.presses("1. Boodschappen")
    await anna.sees_button("✅ Geregeld")
    await anna.presses("✅ Geregeld")
    await anna.sees("Fijn dat het geregeld is!")
    assert post(running, posts.shopping).status == "done"
    await anna.presses("◀ Naar je berichten")
    listing = await anna.sees("Jouw open berichten.")
    assert listing.buttons == [["1. Spullen lenen"]]
    await anna.presses("1. Spullen lenen")
    await anna.sees_button("Intrekken")
    await anna.presses("Intrekken")
    await anna.sees("Ingetrokken. Het staat niet meer in de buurt.")
    assert post(running, posts.ladder).status == "withdrawn"
    await anna.presses("◀ Naar je berichten")
    empty = await anna.sees("Je hebt nu niets open staan.")
    assert empty.buttons == [["🙋 Iets vragen", "🤝 Iets aanbieden"]]
    assert post(running, posts.bens).status == "open"
    assert running.emulator.errors == []


async def test_forged_and_stale_presses_change_nothing(posts: Posts, running: RunningBot) -> None:
    anna = posts.anna
    await anna.sends("/mijn")
    listing = await anna.sees("Jouw open berichten.")
    for action in ("show", "edit", "done", "wd"):
        for post_id in (posts.bens, posts.closed, 999_999):
            answer = await forge_press(running, anna, listing, f"mine:{action}:{post_id}")
            assert answer.text == GONE, (action, post_id)
    for data in ("mine:done:abc", "mine:wd:", "mine:edit:0", "mine:show:-3", "mine:x", "mine:"):
        answer = await forge_press(running, anna, listing, data)
        assert answer.text == STALE, data
    assert [(p.id, p.status, p.text) for p in all_posts(running)] == [
        (posts.shopping, "open", "Wie kan zaterdag mijn boodschappen doen?"),
        (posts.ladder, "open", "Ik heb een ladder te leen"),
        (posts.closed, "done", "Al geregeld"),
        (posts.bens, "open", "Ben zoekt een lift"),
    ]
    assert chat_state(running, anna) is None
    assert anna.last_message().content == listing.content

    # A post closed after its screen was shown: the old buttons find it no longer open.
    await anna.presses("1. Boodschappen")
    await anna.sees_button("✅ Geregeld")
    await anna.presses("✅ Geregeld")
    await anna.sees("Fijn dat het geregeld is!")
    answer = await forge_press(running, anna, listing, f"mine:wd:{posts.shopping}")
    assert answer.text == GONE
    assert post(running, posts.shopping).status == "done"
    assert running.emulator.errors == []


async def test_new_words_for_a_post_closed_meanwhile_are_not_saved(
    posts: Posts, running: RunningBot
) -> None:
    anna = posts.anna
    await anna.sends("/mijn")
    await anna.sees("Jouw open berichten.")
    await anna.presses("2. Spullen lenen")
    await anna.sees_button("✏️ Tekst aanpassen")
    await anna.presses("✏️ Tekst aanpassen")
    await anna.sees("Typ de nieuwe tekst.")
    with session_scope(running.engine) as session:
        ladder = session.get(Post, posts.ladder)
        assert ladder is not None
        ladder.status = "withdrawn"
        session.add(ladder)
    await anna.sends("Ik heb een trap te leen")
    await anna.sees(GONE)
    assert post(running, posts.ladder).text == "Ik heb een ladder te leen"
    assert chat_state(running, anna) is None
    assert running.emulator.errors == []


async def test_ben_cannot_touch_annas_posts(posts: Posts, running: RunningBot) -> None:
    ben = posts.ben
    await ben.sends("/mijn")
    listing = await ben.sees("Jouw open berichten.")
    assert listing.buttons == [["1. Vervoer"]]
    for action in ("show", "edit", "done", "wd"):
        answer = await forge_press(running, ben, listing, f"mine:{action}:{posts.shopping}")
        assert answer.text == GONE
    assert post(running, posts.shopping).status == "open"
    assert chat_state(running, ben) is None
    assert running.emulator.errors == []


async def test_a_yes_waiting_for_the_choice_and_a_conversation_show_what_can_be_done(
    posts: Posts, running: RunningBot
) -> None:
    anna, ben = posts.anna, posts.ben
    with session_scope(running.engine) as session:
        shopping = session.get(Post, posts.shopping)
        assert shopping is not None
        shopping.status = PostStatus.MATCHED.value
        session.add(shopping)
        anna_id, ben_id = shopping.resident_id, post(running, posts.bens).resident_id
        session.add(
            Match(post_id=posts.shopping, asker_id=anna_id, helper_id=ben_id, created_at=NOW)
        )
    await anna.sends("/mijn")
    listing = await anna.sees("Nu bezig.")
    assert "Ben wil graag helpen" in listing.content
    assert "Wie kan zaterdag mijn boodschappen doen?" in listing.content
    assert "Jouw open berichten." in listing.content  # the ladder offer is still listed
    assert listing.buttons[0] == ["1. Ja, graag, Ben", "1. Liever niet"]
    assert listing.buttons[1:] == [["2. Spullen lenen"]]
    await anna.presses("1. Ja, graag, Ben")
    await anna.sees("Fijn!")
    await ben.sees("Anna zegt ja, graag!")
    # Now it is a conversation through the bot, for both of them.
    await anna.sends("/mijn")
    again = await anna.sees("Je bent in contact met Ben")
    assert again.buttons[0] == ["1. Deel mijn gebruikersnaam", "1. Stoppen met Ben"]
    await ben.sends("/mijn")
    helper_side = await ben.sees("Je bent in contact met Anna")
    assert "Wie kan zaterdag mijn boodschappen doen?" in helper_side.content
    await ben.presses("1. Stoppen met Anna")
    await anna.sees("heeft het gesprek via Buurtbot gestopt")
