"""/cijfers and /export through the emulator: a valid PNG chart whose numbers, read back from
the summary, match the database; counts below 5 (a wijk with 3 matches) show as "<5", also in
totals; the upload_photo action while it renders; the CSV carries the same aggregates."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import func, select

from bot.harness import RunningBot
from botapi_emulator.scenario import Scene
from storage.db import session_scope
from storage.models import Match, Post, PostKind, Role, RoleKind, Signal
from tests.e2e.neighbours import NOW, Clock, resident, resident_for
from tests.storage.neighbourhood import add_post, add_wijk


def fill_oost(running: RunningBot, scene: Scene) -> int:
    """Oost this week: 7 requests, 6 offers, 3 matches, 2 requests that found nobody."""
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", NOW)
        assert oost.id is not None
        oost_id = oost.id
    people = [scene.resident(name) for name in ("Anna", "Ben")]
    anna_id, ben_id = (resident_for(running, person, oost, NOW) for person in people)
    with session_scope(running.engine) as session:
        anna, ben = resident(running, anna_id), resident(running, ben_id)
        requests = [add_post(session, anna, f"Vraag {n}", NOW) for n in range(7)]
        for n in range(6):
            add_post(session, ben, f"Aanbod {n}", NOW, kind=PostKind.OFFER)
        for post in requests[:3]:
            assert post.id is not None
            session.add(
                Match(
                    post_id=post.id,
                    asker_id=anna_id,
                    helper_id=ben_id,
                    status="active",
                    created_at=NOW,
                    accepted_at=NOW + timedelta(minutes=5),
                )
            )
        for _ in range(2):
            session.add(Signal(wijk_id=oost_id, category="other", reason="nobody", created_at=NOW))
    return oost_id


async def test_the_chart_matches_the_database_and_suppresses_small_counts(
    running: RunningBot, scene: Scene, clock: Clock
) -> None:
    oost_id = fill_oost(running, scene)
    willem = scene.resident("Willem")
    resident_for(running, willem, None, NOW)
    with session_scope(running.engine) as session:
        session.add(
            Role(telegram_user_id=willem.user.id, wijk_id=oost_id, kind=RoleKind.BUURTWERKER)
        )
    clock.now = NOW + timedelta(hours=1)
    await willem.sends("/cijfers week")
    chart = await willem.sees("Oost, deze week:")
    assert chart.photo is not None
    biggest = chart.photo[-1]
    data = running.emulator.world.file_bytes(biggest["file_id"])
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    # Per week above, per category below: one picture, tall enough for a phone.
    assert (biggest["width"], biggest["height"]) == (900, 1200)
    actions = [e for e in running.emulator.events if e.kind == "chat_action"]
    assert [e.data["action"] for e in actions] == ["upload_photo"]
    lines = chart.content.split("\n")
    assert len(lines) == 3
    found = re.search(r"(\S+) vragen en (\S+) keer aanbod", lines[0])
    assert found is not None
    with session_scope(running.engine) as session:
        in_db = {
            kind: session.exec(
                select(func.count())
                .select_from(Post)
                .where(Post.wijk_id == oost_id, Post.kind == kind)
            ).one()
            for kind in ("request", "offer")
        }
        matches = session.exec(select(func.count()).select_from(Match)).one()
    assert (found[1], found[2]) == (str(in_db["request"]), str(in_db["offer"]))
    assert matches == 3
    # 3 matches and 2 unanswered: below 5, so "<5", never the number.
    assert lines[1] == "Gekoppeld: <5. Zonder reactie gebleven: <5."
    assert "De meeste vragen gingen over" in lines[2]


async def test_export_and_refusals(running: RunningBot, scene: Scene) -> None:
    oost_id = fill_oost(running, scene)
    willem, anna = scene.resident("Willem"), scene.resident("Olga")
    resident_for(running, willem, None, NOW)
    resident_for(running, anna, None, NOW)
    with session_scope(running.engine) as session:
        session.add(
            Role(telegram_user_id=willem.user.id, wijk_id=oost_id, kind=RoleKind.BUURTWERKER)
        )
    await willem.sends("/export maand")
    sent = await willem.sees("Oost, de laatste 4 weken:")
    assert sent.document is not None
    assert sent.document["file_name"] == "cijfers-month.csv"
    rows = running.emulator.world.file_bytes(sent.document["file_id"]).decode().splitlines()
    assert rows[0] == "periode,Vragen,Aanbod,Gekoppeld,Zonder reactie"
    total = rows.index("totaal,≥7,≥6,<5,<5")
    assert rows[total - 1] == "wk 48,7,6,<5,<5"
    assert rows[1] == "wk 45,<5,<5,<5,<5"
    # The earlier weeks are suppressed zeros, so the totals only say "at least", and the
    # categories may not say more: "Boodschappen 7" would give the earlier weeks away.
    assert rows[total + 1 :] == [
        "",
        "categorie,Vragen,Aanbod,Gekoppeld,Zonder reactie",
        '"Overige, samen geteld",≥7,≥6,<5,<5',
    ]
    # This week alone shows the totals exactly, so the categories can show too; the three
    # matches and the two requests that found nobody stay "<5".
    await willem.sends("/export week")
    sent = await willem.sees("Oost, deze week:")
    assert sent.document is not None
    rows = running.emulator.world.file_bytes(sent.document["file_id"]).decode().splitlines()
    assert rows[1:3] == ["wk 48,7,6,<5,<5", "totaal,7,6,<5,<5"]
    assert rows[3:] == [
        "",
        "categorie,Vragen,Aanbod,Gekoppeld,Zonder reactie",
        "Boodschappen,7,6,,",
        '"Overige, samen geteld",,,<5,<5',
    ]
    await anna.sends("/cijfers Oost")
    await anna.sees("Dit kunnen de buurtwerkers van deze wijk.")
