"""Signals through the emulator: the posting choice "een buurtwerker mag contact met me
opnemen" (offered only where the wijk has a buurtwerker, default off), /signalen without the
person unless they agreed, "ik pak het op" (one buurtwerker wins, the asker hears it only with
consent) and "afgehandeld"."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import col, select
from telegram import InlineKeyboardButton

from bot import callbacks
from bot.harness import RunningBot
from botapi_emulator.scenario import Person, Scene
from storage.db import session_scope
from storage.matchmaking import add_signal
from storage.models import (
    AuditEntry,
    OutboxMessage,
    Post,
    Report,
    Role,
    RoleKind,
    Signal,
    SignalSpike,
)
from storage.moderation import report_post
from tests.e2e.neighbours import NOW, bot_sends, resident, resident_for, sees_times
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
    # Willem erases his data: the message that named him to Anna goes with it.

    def naming_willem_to_anna() -> list[str]:
        with session_scope(running.engine) as session:
            to_anna = session.exec(
                select(OutboxMessage).where(OutboxMessage.chat_id == anna.chat_id)
            ).all()
            return [m.text for m in to_anna if "Willem" in m.text]

    assert len(naming_willem_to_anna()) == 1
    await willem.sends("/verwijder")
    await willem.sees("Wil je dat ik alles over jou wis?")
    await willem.presses("Ja, wis alles")
    await willem.sees("Alles over jou is gewist.")
    assert naming_willem_to_anna() == []


@dataclass
class Desk:
    """Oost with three unanswered requests for small jobs this month and Anna's report of
    Ben's post; Willem and Xandra are its buurtwerkers, Wendy works in West, Olga lives in
    Oost without a role."""

    anna: Person
    willem: Person
    xandra: Person
    wendy: Person
    olga: Person
    report_id: int


@pytest.fixture
def desk(running: RunningBot, scene: Scene) -> Desk:
    anna, ben, willem, xandra, wendy, olga = (
        scene.resident(name) for name in ("Anna", "Ben", "Willem", "Xandra", "Wendy", "Olga")
    )
    with session_scope(running.engine) as session:
        oost, west = add_wijk(session, "Oost", NOW), add_wijk(session, "West", NOW)
        assert oost.id is not None
        assert west.id is not None
        oost_id, west_id = oost.id, west.id
    anna_id = resident_for(running, anna, oost, NOW)
    ben_id = resident_for(running, ben, oost, NOW)
    resident_for(running, olga, oost, NOW)
    for person, wijk_id in ((willem, oost_id), (xandra, oost_id), (wendy, west_id)):
        resident_for(running, person, None, NOW)
        with session_scope(running.engine) as session:
            session.add(
                Role(telegram_user_id=person.user.id, wijk_id=wijk_id, kind=RoleKind.BUURTWERKER)
            )
    with session_scope(running.engine) as session:
        ben_resident = resident(running, ben_id)
        for day in range(3):
            request = add_post(session, ben_resident, f"Klusje {day}", NOW, category="small_jobs")
            add_signal(session, post=request, reason="nobody", now=NOW - timedelta(days=day))
        spam = add_post(session, ben_resident, "Koop nu mijn zonnepanelen!", NOW)
        report = report_post(
            session, reporter=resident(running, anna_id), post=spam, reason="spam", now=NOW
        )
        session.flush()
        assert report.id is not None
        return Desk(anna, willem, xandra, wendy, olga, report.id)


def spikes(running: RunningBot) -> list[SignalSpike]:
    with session_scope(running.engine) as session:
        return list(session.exec(select(SignalSpike)).all())


def the_report(running: RunningBot, report_id: int) -> Report:
    with session_scope(running.engine) as session:
        report = session.get(Report, report_id)
        assert report is not None
        return report


def audit(running: RunningBot) -> list[tuple[str, int]]:
    with session_scope(running.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        return [(entry.action, entry.actor_telegram_id) for entry in entries]


async def test_a_spike_and_a_report_have_their_own_buttons_and_one_buurtwerker_wins(
    running: RunningBot, desk: Desk
) -> None:
    willem, xandra = desk.willem, desk.xandra
    await willem.sends("/signalen")
    shown = await willem.sees("Signalen in Oost:")
    assert "1. Deze maand vaak zonder reactie: klusjes (3 keer)" in shown.content
    assert "2. Melding: “Koop nu mijn zonnepanelen!” (Reclame of spam)" in shown.content
    assert "Anna" not in shown.content  # the reporter chose to stay anonymous
    assert "Klusje" not in shown.content  # nor the asker's words, without consent
    assert shown.buttons[:2] == [
        ["Ik pak 1 op", "1 afgehandeld"],
        ["Ik pak 2 op", "2 afgehandeld"],
    ]
    await xandra.sends("/signalen")
    await xandra.sees("Signalen in Oost:")

    # Both pick up the spike at the same moment: one wins, the other hears who.
    answers = await asyncio.gather(willem.presses("Ik pak 1 op"), xandra.presses("Ik pak 1 op"))
    [spike] = spikes(running)
    winner = willem if spike.claimed_by == willem.user.id else xandra
    assert spike.claimed_by == winner.user.id
    assert [a.text for a in answers if a.text] == [f"{winner.name} pakt dit al op."]
    await sees_times(running, winner, f"— {winner.name} pakt het op", 1)

    # The report: Willem picks it up; Xandra, pressing her older list, is told.
    await willem.sends("/signalen")
    await sees_times(running, willem, "Signalen in Oost:", 2)
    await willem.presses("Ik pak 2 op")
    await sees_times(running, willem, "(Reclame of spam) — Willem pakt het op", 1)
    assert the_report(running, desk.report_id).claimed_by == willem.user.id
    answer = await xandra.presses("Ik pak 2 op")
    assert answer.text == "Willem pakt dit al op."

    # "Afgehandeld" on the report asks what was done, logs it and tells the reporter.
    await willem.presses("2 afgehandeld")
    await willem.sees("Wat is er gedaan?")
    await willem.sends("Ben gebeld, hij haalt het weg")
    done = await willem.sees("Gedaan: afgehandeld.")
    assert done.buttons == [["Ongedaan maken"]]
    await desk.anna.sees("Er is naar je melding gekeken.")
    report = the_report(running, desk.report_id)
    assert (report.status, report.outcome, report.handled_by) == (
        "handled",
        "done",
        willem.user.id,
    )

    # "Afgehandeld" on the spike takes it off the list.
    await willem.sends("/signalen")
    await sees_times(running, willem, "Signalen in Oost:", 3)
    await willem.presses("1 afgehandeld")
    assert spikes(running)[0].handled_at == NOW

    def latest() -> str:
        return running.emulator.messages(willem.chat_id)[-1].content

    await running.emulator.wait_for(lambda: "vaak zonder reactie" not in latest(), 5.0)
    assert latest().startswith("Signalen in Oost:\n1. Vraag zonder reactie: klusjes")
    assert [action for action, _ in audit(running)] == [
        "signal_claim",
        "report_claim",
        "done",
        "signal_done",
    ]
    # Like every action on a report, "afgehandeld" can be undone: the report is open again.
    await willem.presses("Ongedaan maken")
    await willem.sees("Ongedaan gemaakt: afgehandeld.")
    assert the_report(running, desk.report_id).status == "open"


async def test_forged_signal_presses_are_refused(running: RunningBot, desk: Desk) -> None:
    await desk.willem.sends("/signalen")
    await desk.willem.sees("Signalen in Oost:")
    [spike] = spikes(running)
    assert spike.id is not None
    forged = [
        InlineKeyboardButton("Pak op", callback_data=callbacks.SPIKE_CLAIM(spike.id)),
        InlineKeyboardButton("Klaar", callback_data=callbacks.SPIKE_DONE(spike.id)),
        InlineKeyboardButton("Melding", callback_data=callbacks.REPORT_PICKUP(desk.report_id)),
        InlineKeyboardButton("Gedaan", callback_data=callbacks.MODERATE(desk.report_id, "done")),
    ]
    for person in (desk.olga, desk.wendy):  # a resident of Oost; a buurtwerker of West
        await bot_sends(running, person, "Knoppen", *forged)
        for label in ("Pak op", "Klaar", "Melding", "Gedaan"):
            answer = await person.presses(label)
            assert answer.text == "Dit kunnen de buurtwerkers van deze wijk.", label
    [spike] = spikes(running)
    assert (spike.claimed_by, spike.handled_at) == (None, None)
    report = the_report(running, desk.report_id)
    assert (report.status, report.claimed_by) == ("open", None)
    assert audit(running) == []
