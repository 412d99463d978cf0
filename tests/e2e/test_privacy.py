"""/mijngegevens and /verwijder through the emulator: see everything, delete everything."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import col, select
from telegram import InlineKeyboardButton

from bot.harness import RunningBot
from botapi_emulator.scenario import Person, Scene
from storage.db import session_scope
from storage.models import Resident
from tests.e2e.neighbours import bot_sends, has_started, resident_for
from tests.storage.neighbourhood import (
    BEN_ID,
    BEN_POST,
    OFFER,
    REQUEST,
    add_post,
    add_wijk,
    build_rich_resident,
    leftovers,
)

FILE_CAPTION = "Alles wat ik over je bewaar, als bestand."


async def downloaded_json(running: RunningBot, person: Person) -> dict[str, object]:
    """The JSON file the bot sent, as the person would open it."""
    message = await person.sees(FILE_CAPTION)
    document = message.document
    assert document is not None
    assert document["file_name"] == "buurtbot-data.json"
    data: dict[str, object] = json.loads(running.emulator.world.file_bytes(document["file_id"]))
    return data


async def test_my_data_shows_a_summary_and_sends_everything_as_a_file(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    zerlinde = scene.resident("Zerlinde")
    has_started(running, zerlinde)
    build_rich_resident(running.engine, now, telegram_user_id=zerlinde.user.id)
    await zerlinde.sends("/mijngegevens")
    summary = await zerlinde.sees("Dit bewaar ik over jou")
    for line in (
        "Naam: Zerlinde",
        "Pauze: nee",
        "Je berichten (2)",
        REQUEST,
        OFFER,
        "Uitnodigingen aan jou: 1. Uitnodigingen voor jouw berichten: 1.",
        "Door jou geblokkeerd: Carla",
        "Meldingen van jou: 1",
        "Rol: buurtwerker in Transvaalbuurt",
        "Alles staat ook in het bestand hieronder.",
    ):
        assert line in summary.content
    # What others did about her stays theirs: Ben blocked her, Carla reported her.
    assert "Ben" not in summary.content
    data = await downloaded_json(running, zerlinde)
    assert [post["text"] for post in data["post"]] == [REQUEST, OFFER]  # type: ignore[attr-defined]
    assert data["block"] == [{"blocked_first_name": "Carla"}]
    assert BEN_POST not in json.dumps(data)
    assert str(BEN_ID) not in json.dumps(data)
    assert running.emulator.errors == []


async def test_my_data_in_english(scene: Scene, running: RunningBot, now: datetime) -> None:
    zoe = scene.resident("Zoe", language="en")
    has_started(running, zoe)
    build_rich_resident(running.engine, now, telegram_user_id=zoe.user.id, language="en")
    await zoe.sends("/mijngegevens")
    summary = await zoe.sees("This is what I keep about you")
    assert "Blocked by you: Carla" in summary.content
    await zoe.sees("Everything I keep about you, as a file.")


async def test_a_long_history_stays_one_readable_message(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    piet = scene.resident("Piet")
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", now)
    piet_id = resident_for(running, piet, oost, now)
    with session_scope(running.engine) as session:
        piet_row = session.get(Resident, piet_id)
        assert piet_row is not None
        for number in range(15):
            add_post(session, piet_row, f"Vraag nummer {number}: " + "<lang> & " * 80, now)
    await piet.sends("/mijngegevens")
    summary = await piet.sees("Je berichten (15)")
    assert "… en nog 5. Die staan in het bestand." in summary.content
    assert "&lt;lang&gt;" not in summary.content  # escaped for HTML, shown as typed
    assert "<lang> &" in summary.content
    assert len((await downloaded_json(running, piet))["post"]) == 15  # type: ignore[arg-type]
    assert running.emulator.errors == []


async def test_someone_unknown_hears_nothing_is_kept(scene: Scene) -> None:
    newcomer = scene.resident("Noor")
    await newcomer.sends("/mijngegevens")
    answer = await newcomer.sees("Ik bewaar niets over jou.")
    assert answer.document is None, "no file for someone with no data"


async def test_delete_removes_everything_and_start_begins_fresh(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    zerlinde = scene.resident("Zerlinde")
    has_started(running, zerlinde)
    rich = build_rich_resident(running.engine, now, telegram_user_id=zerlinde.user.id)
    assert leftovers(running.engine, rich.traces) != []
    await zerlinde.sends("/verwijder")
    question = await zerlinde.sees("Wil je dat ik alles over jou wis?")
    assert question.buttons == [["Ja, wis alles", "Nee, laat maar"]]
    await zerlinde.presses("Ja, wis alles")
    await zerlinde.sees("Alles over jou is gewist. Dag, en het ga je goed!")
    assert leftovers(running.engine, rich.traces) == []
    with session_scope(running.engine) as session:
        names = session.exec(select(Resident.first_name).order_by(col(Resident.id))).all()
    assert list(names) == ["Ben", "Carla"]

    await zerlinde.sends("/start")
    await zerlinde.sees("Hoi Zerlinde!")
    with session_scope(running.engine) as session:
        fresh = session.exec(
            select(Resident).where(Resident.telegram_user_id == zerlinde.user.id)
        ).one()
    assert fresh.id != rich.traces.resident_id
    assert not fresh.onboarded
    assert not fresh.stopped
    assert fresh.wijk_id is None
    # Ben, signed up for Zerlinde's activity, hears that it does not go ahead; he exists only
    # in the database (no chat in this emulator), so that note is the one send that fails.
    errors = running.emulator.errors
    assert [(e.description, str(e.params["chat_id"])) for e in errors] == [
        ("Bad Request: chat not found", str(BEN_ID))
    ]
    assert "gaat niet door" in str(errors[0].params["text"])


async def test_saying_no_keeps_everything(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    zerlinde = scene.resident("Zerlinde")
    has_started(running, zerlinde)
    rich = build_rich_resident(running.engine, now, telegram_user_id=zerlinde.user.id)
    await zerlinde.sends("/verwijder")
    await zerlinde.sees("Wil je dat ik alles over jou wis?")
    await zerlinde.presses("Nee, laat maar")
    await zerlinde.sees("Oké, ik wis niets.")
    with session_scope(running.engine) as session:
        assert session.get(Resident, rich.traces.resident_id) is not None


async def test_stop_then_delete_everything(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    zerlinde = scene.resident("Zerlinde")
    has_started(running, zerlinde)
    rich = build_rich_resident(running.engine, now, telegram_user_id=zerlinde.user.id)
    await zerlinde.sends("/stop")
    await zerlinde.sees("ik stuur je niets meer")
    await zerlinde.presses("🗑 Wis al mijn gegevens")
    await zerlinde.presses("Ja, wis alles")
    await zerlinde.sees("Alles over jou is gewist.")
    assert leftovers(running.engine, rich.traces) == []


async def test_a_garbage_delete_button_deletes_nothing(
    scene: Scene, running: RunningBot, now: datetime
) -> None:
    zerlinde = scene.resident("Zerlinde")
    rich_id = resident_for(running, zerlinde, None, now)
    await bot_sends(
        running, zerlinde, "Oud bericht", InlineKeyboardButton("X", callback_data="del:alles")
    )
    answer = await zerlinde.presses("X")
    assert answer.text == "Deze knop werkt niet meer. Probeer het opnieuw."
    with session_scope(running.engine) as session:
        assert session.get(Resident, rich_id) is not None
