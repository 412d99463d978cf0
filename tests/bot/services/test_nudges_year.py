"""A simulated year in a small wijk, through the real services and the outbox (clock injected,
no sleeping): requests come and go, neighbours answer or not, askers choose or forget,
follow-ups are answered, and every few hours the jobs run and the outbox is delivered.

What must hold all year, for everyone, with every pace:
- nobody gets more asks (invitations and digests together) than their pace allows;
- someone paused gets nothing at all while paused, not even something queued before;
- nothing is delivered in anyone's quiet hours;
- reciprocity at most once per help received, and at most once a month.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.services import delivery, follow_up, invitations, nudges, request_steps
from bot.services.unit import Caller, Unit
from bot.settings import Settings
from matching.pace import PACE_CAPS, Pace
from matching.quiet_hours import is_quiet
from storage.db import session_scope
from storage.matchmaking import start_flow
from storage.models import (
    Invitation,
    InvitationStatus,
    Match,
    MatchStatus,
    Nudge,
    NudgeKind,
    OutboxMessage,
    Resident,
)
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

START = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
DAYS = 365
SETTINGS = Settings(_env_file=None)
ZONE = SETTINGS.timezone
QUIET = (("21:00", "08:00"), ("22:00", "07:00"), ("18:00", "09:00"), ("23:00", "10:00"))
PAUSED_FROM, PAUSED_UNTIL = START + timedelta(days=100), START + timedelta(days=150)
WORDS = ("boodschappen doen", "lamp ophangen", "koffie drinken", "hond uitlaten", "tuin")


@dataclass
class Year:
    session: Session
    rng: random.Random
    people: list[Resident]
    always_paused: Resident
    sometimes_paused: Resident
    now: datetime = START
    delivered: list[tuple[datetime, int, str]] = field(default_factory=list)
    worked: int = 0

    def unit(self, caller: Resident | None = None) -> Unit:
        who = (
            None
            if caller is None
            else Caller(user_id=caller.telegram_user_id, chat_id=caller.telegram_user_id)
        )
        self.session.flush()
        unit = Unit(session=self.session, now=self.now, settings=SETTINGS, caller=who)
        unit.load_caller()
        return unit

    def step(self) -> None:
        rng, session = self.rng, self.session
        if rng.random() < 0.1:
            self.post_a_request()
        while request_steps.step_due(self.unit()) is not None:
            pass
        self.answer_invitations()
        self.choose()
        follow_up.queue_follow_ups(self.unit())
        self.answer_follow_ups()
        self.pause_and_resume()
        nudges.lapse_waiting_yeses(self.unit())
        nudges.digest_round(self.unit())
        self.deliver()
        session.flush()

    def post_a_request(self) -> None:
        asker = self.rng.choice(self.people)
        if asker.paused:
            return
        window: dict[str, Any] = {}
        if self.rng.random() < 0.6:
            day = (self.now + timedelta(days=self.rng.randint(1, 4))).replace(minute=0)
            start = day.replace(hour=self.rng.choice((8, 13, 17)))
            window = {"window_start": start, "window_end": start + timedelta(hours=2)}
        post = add_post(self.session, asker, self.rng.choice(WORDS), self.now, **window)
        start_flow(self.session, post=post, now=self.now)

    def answer_invitations(self) -> None:
        for invitation in self.session.exec(
            select(Invitation).where(Invitation.status == InvitationStatus.SENT.value)
        ).all():
            if self.now - invitation.sent_at < timedelta(hours=1):
                continue
            invitee = self.session.get(Resident, invitation.resident_id)
            roll = self.rng.random()
            if roll < 0.3:
                invitations.say_yes(self.unit(invitee), invitation.id or 0)
            elif roll < 0.6:
                invitations.say_not_now(self.unit(invitee), invitation.id or 0)

    def choose(self) -> None:
        for match in self.session.exec(
            select(Match).where(Match.status == MatchStatus.PROPOSED.value)
        ).all():
            asker = self.session.get(Resident, match.asker_id)
            roll = self.rng.random()
            if roll < 0.25:
                invitations.accept(self.unit(asker), match.id or 0)
            elif roll < 0.3:
                invitations.decline(self.unit(asker), match.id or 0)
            # otherwise the yes waits (and lapses after two days)

    def answer_follow_ups(self) -> None:
        for match in self.session.exec(
            select(Match).where(
                col(Match.accepted_at).is_not(None),
                col(Match.follow_up_at).is_(None),
                col(Match.asker_worked).is_(None),
            )
        ).all():
            if self.rng.random() < 0.5:
                asker = self.session.get(Resident, match.asker_id)
                pressed = follow_up.answer(self.unit(asker), match.id or 0, follow_up.WORKED)
                self.worked += not pressed.stale

    def pause_and_resume(self) -> None:
        person = self.sometimes_paused
        paused = PAUSED_FROM <= self.now < PAUSED_UNTIL
        if person.paused != paused:
            person.paused = paused
            self.session.add(person)

    def deliver(self) -> None:
        session = self.session
        while outgoing := delivery.claim(session, SETTINGS, self.now):
            outcomes = []
            for message in outgoing:
                row = session.get(OutboxMessage, message.id)
                assert row is not None
                self.delivered.append((self.now, message.chat_id, row.dedupe_key or ""))
                outcomes.append(delivery.Outcome(message.id, message_id=1))
            delivery.record(session, outcomes, self.now)


@pytest.fixture
def year(engine: Engine) -> Iterator[Year]:
    rng = random.Random(12)
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Indische Buurt", START)
        paces = [pace for pace in Pace for _ in range(2)] + [Pace.WEEKLY, Pace.WEEKLY]
        people = [
            add_resident(
                session,
                telegram_user_id=7000 + number,
                first_name=f"Buur{number}",
                wijk=wijk,
                now=START - timedelta(days=30),
                pace=pace.value,
                quiet_start=QUIET[number % len(QUIET)][0],
                quiet_end=QUIET[number % len(QUIET)][1],
            )
            for number, pace in enumerate(paces)
        ]
        always = people[-1]
        always.paused = True
        session.add(always)
        yield Year(session, rng, people, always, people[-2])


def asks_within_pace(pace: Pace, asks: list[datetime]) -> bool:
    cap = PACE_CAPS[pace]
    if cap.window is None:
        return len(asks) <= cap.limit
    ordered = sorted(asks)
    return all(
        sum(1 for other in ordered if moment - cap.window < other <= moment) <= cap.limit
        for moment in ordered
    )


def test_a_year_of_nudges_keeps_every_promise(year: Year) -> None:
    end = START + timedelta(days=DAYS)
    while year.now < end:
        year.step()
        # Every few hours, at a different minute each time, so deliveries fall at all hours.
        year.now += timedelta(hours=5, minutes=year.rng.randint(0, 119))
    session = year.session
    by_chat = {person.telegram_user_id: person for person in year.people}
    asks: dict[int, list[datetime]] = defaultdict(list)
    for invitation in session.exec(select(Invitation)).all():
        asks[invitation.resident_id].append(invitation.sent_at)
    digests = session.exec(select(Nudge).where(Nudge.kind == NudgeKind.DIGEST.value)).all()
    for digest in digests:
        asks[digest.resident_id].append(digest.at)
    for person in year.people:
        assert person.id is not None
        assert asks_within_pace(Pace(person.pace), asks[person.id]), person.pace
    # Paused: nothing planned, nothing delivered.
    assert asks[year.always_paused.id or 0] == []
    assert not [d for d in year.delivered if d[1] == year.always_paused.telegram_user_id]
    sometimes = year.sometimes_paused.telegram_user_id
    assert not [
        d for d in year.delivered if d[1] == sometimes and PAUSED_FROM <= d[0] < PAUSED_UNTIL
    ]
    # Quiet hours hold for every message delivered.
    for moment, chat_id, key in year.delivered:
        person = by_chat[chat_id]
        assert not is_quiet(person.quiet_start, person.quiet_end, ZONE, moment), key
    # Reciprocity: once per help received (the unique row), at most once a month.
    reciprocity = session.exec(
        select(Nudge).where(Nudge.kind == NudgeKind.RECIPROCITY.value)
    ).all()
    planned: dict[int, list[datetime]] = defaultdict(list)
    for row in reciprocity:
        planned[row.resident_id].append(row.at)
    for moments in planned.values():
        moments.sort()
        assert all(b - a >= timedelta(days=30) for a, b in itertools.pairwise(moments))
    assert len(reciprocity) <= year.worked
    # And the year really had all of it: digests, reminders, lapses, reciprocity.
    kinds: dict[str, int] = defaultdict(int)
    for _moment, _chat, key in year.delivered:
        kinds[key.split(":")[0]] += 1
    assert kinds["digest"] > 0
    assert kinds["invite"] > 0
    assert kinds["remind"] > 0
    assert kinds["yes-wait"] > 0
    assert kinds["yes-lapsed"] > 0
    assert kinds["reciprocity"] > 0
