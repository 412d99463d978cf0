"""The daily signal message through the emulator: once a day (at 09:00, or the set hour) a wijk's
team chat, or else each of its buurtwerkers privately, hears what is new among the signals,
counts and categories only, with a button that opens /signalen; nothing new means no message, a
wijk without a team chat or buurtwerker hears nothing, and a second run the same day sends
nothing again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from bot.harness import RunningBot
from bot.runner import perform
from bot.sender import deliver
from bot.services import signal_news
from botapi_emulator.scenario import Person, Scene
from storage.db import session_scope
from storage.matchmaking import add_signal
from storage.models import Role, RoleKind, Wijk
from tests.e2e.neighbours import NOW, Clock, bot_context, resident, resident_for
from tests.storage.neighbourhood import add_post, add_wijk

TITLE = "Nieuw bij de signalen van Oost:"


async def run_news(running: RunningBot) -> int:
    """One run of the periodic job, as the job queue would do it."""
    context = bot_context(running)
    queued = await perform(context, None, signal_news.send_due)
    outgoing, context.outgoing = context.outgoing, []
    await deliver(context, outgoing)
    return queued


@dataclass
class Oost:
    """Oost with Willem (Dutch) and Xandra (English) as buurtwerkers, Ben who asks and Olga
    who lives there without a role; West has signals but nobody to hear them."""

    willem: Person
    xandra: Person
    olga: Person
    oost_id: int
    west_id: int
    ben_id: int
    west_asker_id: int


@pytest.fixture
def oost(running: RunningBot, scene: Scene) -> Oost:
    willem, olga, ben, cor = (scene.resident(name) for name in ("Willem", "Olga", "Ben", "Cor"))
    xandra = scene.resident("Xandra", language="en")
    with session_scope(running.engine) as session:
        oost_row, west_row = add_wijk(session, "Oost", NOW), add_wijk(session, "West", NOW)
        assert oost_row.id is not None
        assert west_row.id is not None
        oost_id, west_id = oost_row.id, west_row.id
    for person in (willem, xandra):
        resident_for(running, person, None, NOW)
        with session_scope(running.engine) as session:
            session.add(
                Role(telegram_user_id=person.user.id, wijk_id=oost_id, kind=RoleKind.BUURTWERKER)
            )
    resident_for(running, olga, oost_row, NOW)
    ben_id = resident_for(running, ben, oost_row, NOW)
    cor_id = resident_for(running, cor, west_row, NOW)
    return Oost(willem, xandra, olga, oost_id, west_id, ben_id, cor_id)


def unanswered(
    running: RunningBot,
    resident_id: int,
    text: str,
    hours_ago: float,
    category: str = "groceries",
) -> None:
    """A request of the resident that found nobody, `hours_ago` before NOW."""
    with session_scope(running.engine) as session:
        author = resident(running, resident_id)
        post = add_post(session, author, text, NOW, category=category)
        add_signal(session, post=post, reason="nobody", now=NOW - timedelta(hours=hours_ago))


def link_team(running: RunningBot, oost: Oost) -> int:
    team = running.emulator.add_group(
        "Team Oost", members=[oost.willem.user, oost.xandra.user, oost.olga.user]
    )
    with session_scope(running.engine) as session:
        wijk = session.get(Wijk, oost.oost_id)
        assert wijk is not None
        wijk.team_chat_id = team.id
        session.add(wijk)
    return team.id


def signal_news_sent_at(running: RunningBot, wijk_id: int) -> object:
    with session_scope(running.engine) as session:
        wijk = session.get(Wijk, wijk_id)
        assert wijk is not None
        return wijk.signal_news_sent_at


async def test_the_team_chat_gets_one_message_and_its_button_opens_the_signals(
    running: RunningBot, oost: Oost
) -> None:
    emulator = running.emulator
    team_id = link_team(running, oost)
    unanswered(running, oost.ben_id, "Geheime boodschappen van Ben", 1)
    unanswered(running, oost.ben_id, "Nog meer boodschappen", 2)
    for number in range(3):
        unanswered(running, oost.ben_id, f"Klusje {number}", 3, category="small_jobs")
    assert await run_news(running) == 1
    [message] = emulator.messages(team_id)
    assert message.content == (
        f"{TITLE}\n"
        "• Vragen zonder reactie, boodschappen: 2\n"
        "• Vragen zonder reactie, klusjes: 3\n"
        "• Deze maand vaak zonder reactie: klusjes (3 keer)\n"
        "Bekijk ze met de knop hieronder of met /signalen."
    )
    assert "Ben" not in message.content  # counts and categories, never the person or the text
    # Privately nobody hears it as well: the team chat is where it goes.
    assert emulator.messages(oost.willem.chat_id) == []
    assert emulator.messages(oost.xandra.chat_id) == []
    # A member of the team chat without the role cannot open the list with the button...
    query = await emulator.press_button(oost.olga.user, message, "Bekijk de signalen")
    refused = await emulator.wait_for_callback_answer(query)
    assert refused.text == "Dit kunnen de buurtwerkers van deze wijk."
    # ... a buurtwerker can: the message becomes the list, with its buttons.
    query = await emulator.press_button(oost.willem.user, message, "Bekijk de signalen")
    await emulator.wait_for_callback_answer(query)
    await emulator.wait_for(
        lambda: emulator.messages(team_id)[0].content.startswith("Signalen in Oost:"), 5.0
    )
    assert emulator.messages(team_id)[0].buttons[0] == ["Ik pak 1 op", "1 afgehandeld"]


async def test_without_a_team_chat_each_buurtwerker_hears_it_privately(
    running: RunningBot, oost: Oost
) -> None:
    emulator = running.emulator
    unanswered(running, oost.ben_id, "Wie doet mijn boodschappen?", 1)
    unanswered(running, oost.west_asker_id, "In West", 1)  # West has nobody to tell
    assert await run_news(running) == 2
    dutch = await oost.willem.sees(TITLE)
    assert "• Vragen zonder reactie, boodschappen: 1" in dutch.content
    assert dutch.buttons == [["Bekijk de signalen"]]
    english = await oost.xandra.sees("New among the signals of Oost:")
    assert "• Requests without an answer, groceries: 1" in english.content
    assert english.buttons == [["See the signals"]]
    assert emulator.messages(oost.olga.chat_id) == []
    assert signal_news_sent_at(running, oost.west_id) is None
    await oost.willem.presses("Bekijk de signalen")
    await oost.willem.sees("Signalen in Oost:")


async def test_nothing_new_sends_nothing(running: RunningBot, oost: Oost, clock: Clock) -> None:
    emulator = running.emulator
    team_id = link_team(running, oost)
    # Older than the look-back of a first message: told before, or too long ago to be news.
    unanswered(running, oost.ben_id, "Van vorige week", 24 * 3)
    assert await run_news(running) == 0
    assert emulator.messages(team_id) == []
    assert signal_news_sent_at(running, oost.oost_id) == NOW


async def test_twice_the_same_day_sends_once_and_the_next_day_only_what_is_new(
    running: RunningBot, oost: Oost, clock: Clock
) -> None:
    emulator = running.emulator
    team_id = link_team(running, oost)
    unanswered(running, oost.ben_id, "Boodschappen", 1)
    assert await run_news(running) == 1
    clock.now = NOW + timedelta(hours=3)
    unanswered(running, oost.ben_id, "Een lamp ophangen", -2, category="small_jobs")
    # Later the same day (a restart, or a second process): the day's message went already.
    assert await run_news(running) == 0
    assert len(emulator.messages(team_id)) == 1
    # The next morning: only what came after yesterday's message.
    clock.now = NOW + timedelta(days=1)
    assert await run_news(running) == 1
    first, second = emulator.messages(team_id)
    assert "boodschappen" in first.content
    assert "• Vragen zonder reactie, klusjes: 1" in second.content
    assert "boodschappen" not in second.content


async def test_at_night_nothing_is_sent_until_the_morning(
    running: RunningBot, oost: Oost, clock: Clock
) -> None:
    team_id = link_team(running, oost)
    unanswered(running, oost.ben_id, "Boodschappen", 0.5)
    clock.now = NOW + timedelta(hours=16)  # 02:00 the next night: yesterday's slot is old
    assert await run_news(running) == 0
    assert signal_news_sent_at(running, oost.oost_id) is None
    clock.now = NOW + timedelta(hours=23, minutes=5)  # 09:05
    assert await run_news(running) == 1
    [message] = running.emulator.messages(team_id)
    assert "• Vragen zonder reactie, boodschappen: 1" in message.content


async def test_the_hour_is_a_setting(running: RunningBot, oost: Oost, clock: Clock) -> None:
    services = running.application.bot_data["services"]
    later = services.settings.model_copy(update={"signal_news_hour": 14})
    running.application.bot_data["services"] = replace(services, settings=later)
    team_id = link_team(running, oost)
    unanswered(running, oost.ben_id, "Boodschappen", 0.5)
    assert await run_news(running) == 0  # 10:00: yesterday's 14:00 is too long ago
    clock.now = NOW + timedelta(hours=3, minutes=55)  # 13:55
    assert await run_news(running) == 0
    clock.now = NOW + timedelta(hours=4, minutes=5)  # 14:05
    assert await run_news(running) == 1
    [message] = running.emulator.messages(team_id)
    assert TITLE in message.content
