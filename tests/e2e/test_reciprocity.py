"""The reciprocity word through the emulator: five days after a help that worked, Anna hears
she could offer something, and, since her wijk has an activity coming, that she could join one;
its button lists the activities still coming then, and one press opens an activity's card."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from bot.harness import RunningBot
from bot.runner import perform
from bot.sender import send_due_messages
from bot.services import nudges
from bot.services.unit import Unit
from botapi_emulator.scenario import Scene
from matching.activities import Repeat, RoleSpec
from storage import activities
from storage.db import session_scope
from storage.models import Match, MatchStatus, Resident, Wijk
from tests.e2e.neighbours import NOW, Clock, bot_context, resident_for
from tests.storage.neighbourhood import add_post, add_wijk

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _wijk(running: RunningBot) -> Wijk:
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", NOW)
        session.expunge(oost)
        return oost


def _cooking_evening(running: RunningBot, organiser_id: int, wijk_id: int) -> None:
    """Weekly on Thursdays 18:00-20:30 from 26 November."""
    with session_scope(running.engine) as session:
        activities.create_activity(
            session,
            wijk_id=wijk_id,
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
            roles=[RoleSpec("gasten", 8)],
            zone=AMSTERDAM,
            now=NOW,
        )


def _helped(running: RunningBot, asker_id: int, helper_id: int) -> int:
    """A match whose help worked (the asker said so); returns its id."""
    with session_scope(running.engine) as session:
        asker = session.get(Resident, asker_id)
        assert asker is not None
        post = add_post(session, asker, "Wie kan mijn boodschappen doen?", NOW)
        match = Match(
            post_id=post.id or 0,
            asker_id=asker_id,
            helper_id=helper_id,
            status=MatchStatus.ENDED.value,
            created_at=NOW,
            accepted_at=NOW,
            asker_worked=True,
        )
        session.add(match)
        session.flush()
        assert match.id is not None
        return match.id


async def test_the_word_after_a_help_also_shows_the_wijks_coming_activities(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    anna, ben, olga = (scene.resident(name) for name in ("Anna", "Ben", "Olga"))
    oost = _wijk(running)
    assert oost.id is not None
    _cooking_evening(running, resident_for(running, olga, oost, NOW), oost.id)
    match_id = _helped(
        running, resident_for(running, anna, oost, NOW), resident_for(running, ben, oost, NOW)
    )

    def plan(unit: Unit) -> bool:
        match = unit.session.get(Match, match_id)
        assert match is not None
        return nudges.after_help_worked(unit, match)

    assert await perform(bot_context(running), None, plan)
    clock.now = NOW + timedelta(days=5)  # Monday 30 November, 10:00
    await send_due_messages(bot_context(running))

    word = await anna.sees("Fijn dat het gelukt is met je vraag.")
    assert "Meedoen met een activiteit bij jou in de buurt kan ook." in word.content
    assert "Kookavond" not in word.content
    assert word.buttons == [["Iets aanbieden"], ["Activiteiten in de buurt"]]

    await anna.presses("Activiteiten in de buurt")
    listed = await anna.sees("Dit staat binnenkort op de agenda bij jou in de buurt")
    assert "• Kookavond, donderdag 3 december, 18:00 tot 20:30" in listed.content
    assert listed.buttons == [["Kookavond"]]

    await anna.presses("Kookavond")
    card = await anna.sees("gasten: nog 8 van de 8 plekken vrij")
    assert "Kookavond" in card.content
    assert "donderdag 3 december, 18:00 tot 20:30" in card.content
    assert running.emulator.errors == []
