"""Signals through the emulator: the posting choice "een buurtwerker mag contact met me
opnemen" (offered only where the wijk has a buurtwerker, default off), /signalen without the
person unless they agreed, "ik pak het op" (one buurtwerker wins, the asker hears it only with
consent) and "afgehandeld"."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.harness import RunningBot
from botapi_emulator.scenario import Scene
from storage.db import session_scope
from storage.matchmaking import add_signal
from storage.models import Post, Role, RoleKind, Signal
from tests.e2e.neighbours import NOW, resident, resident_for
from tests.storage.neighbourhood import add_post, add_wijk


def posts(running: RunningBot) -> list[Post]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(Post).order_by(col(Post.id))).all())


async def test_the_contact_choice_is_offered_only_with_a_buurtwerker(
    running: RunningBot, scene: Scene
) -> None:
    anna, cor = scene.resident("Anna"), scene.resident("Cor")
    with session_scope(running.engine) as session:
        oost, zuid = add_wijk(session, "Oost", NOW), add_wijk(session, "Zuid", NOW)
        assert oost.id is not None
        session.add(Role(telegram_user_id=1, wijk_id=oost.id, kind=RoleKind.BUURTWERKER))
    resident_for(running, anna, oost, NOW)
    resident_for(running, cor, zuid, NOW)
    for person in (anna, cor):
        await person.sends("/vraag")
        await person.sees("Wat kan een buur voor je doen?")
        await person.sends("Wie kan mijn lamp ophangen?")
        await person.sees("Klopt dat?")
        await person.presses("✓ Ja, klopt")
        await person.sees("Wanneer")
        await person.presses("Maakt niet uit")
        await person.sees("Zo komt het in de buurt te staan")
    assert cor.last_message().button("☐ Een buurtwerker mag contact met me opnemen") is None
    await anna.presses("☐ Een buurtwerker mag contact met me opnemen")
    await anna.sees_button("☑ Een buurtwerker mag contact met me opnemen")
    await anna.presses("✅ Plaatsen")
    await anna.sees("Je vraag is geplaatst!")
    await cor.presses("✅ Plaatsen")
    await cor.sees("Je vraag is geplaatst!")
    assert [(p.text, p.contact_ok) for p in posts(running)] == [
        ("Wie kan mijn lamp ophangen?", True),
        ("Wie kan mijn lamp ophangen?", False),
    ]


async def test_signals_are_picked_up_once_and_the_asker_told_only_with_consent(
    running: RunningBot, scene: Scene
) -> None:
    anna, ben = scene.resident("Anna"), scene.resident("Ben")
    willem, xandra = scene.resident("Willem"), scene.resident("Xandra")
    with session_scope(running.engine) as session:
        oost = add_wijk(session, "Oost", NOW)
        assert oost.id is not None
        oost_id = oost.id
    anna_id = resident_for(running, anna, oost, NOW)
    ben_id = resident_for(running, ben, oost, NOW)
    for person in (willem, xandra):
        resident_for(running, person, None, NOW)
        with session_scope(running.engine) as session:
            session.add(
                Role(telegram_user_id=person.user.id, wijk_id=oost_id, kind=RoleKind.BUURTWERKER)
            )
    with session_scope(running.engine) as session:
        agreed = add_post(session, resident(running, anna_id), "Wie tilt mijn kast?", NOW)
        agreed.contact_ok = True
        private = add_post(session, resident(running, ben_id), "Geheime klus bij Ben", NOW)
        add_signal(session, post=private, reason="nobody", now=NOW - timedelta(days=1))
        add_signal(session, post=agreed, reason="nobody", now=NOW)
    await willem.sends("/signalen")
    shown = await willem.sees("Signalen in Oost:")
    assert "Geheime klus" not in shown.content
    assert "Ben" not in shown.content
    assert "Anna vindt contact goed: “Wie tilt mijn kast?”" in shown.content
    assert "2. Vraag zonder reactie:" in shown.content
    await xandra.sends("/signalen")
    await xandra.sees("Signalen in Oost:")
    await willem.presses("Ik pak 1 op")
    await willem.sees("Willem pakt het op")
    await anna.sees("Willem, buurtwerker van Oost, kijkt met je mee")
    answer = await xandra.presses("Ik pak 1 op")
    assert answer.text == "Willem pakt dit al op."
    await xandra.presses("Ik pak 2 op")
    await xandra.sees("Xandra pakt het op")
    # Ben did not agree to be contacted: he hears nothing.
    assert running.emulator.messages(ben.chat_id) == []
    await xandra.presses("2 afgehandeld")
    with session_scope(running.engine) as session:
        handled = session.exec(select(Signal).where(col(Signal.handled_at).is_not(None))).all()
        assert [s.post_id for s in handled] == [None]  # Ben's signal never named his request
    # Someone from elsewhere sees nothing.
    outsider = scene.resident("Olga")
    resident_for(running, outsider, None, NOW)
    await outsider.sends("/signalen Oost")
    await outsider.sees("Dit kunnen de buurtwerkers van deze wijk.")
