"""A property over random histories of a small street, through the real services and the outbox
(clock injected, no sleeping; the simulated year in test_nudges_year.py is one fixed history).

Hypothesis draws the bot's time zone, the start date, the reciprocity delay, each neighbour's
pace and quiet hours (overnight, daytime, none, any quarter hour), and a list of what happens:
requests, yeses, choices, helps that worked (the asker says so to "is het gelukt?"), pauses of
every length, resumes, /stop and /start again, new quiet hours; after each, time passes (at any
minute), the jobs run and the due outbox is delivered. What must hold, whatever the history:
- nobody gets more asks (invitations and digests together) than their pace allows;
- nothing is planned for or delivered to someone paused or stopped;
- nothing is delivered inside the quiet hours the person has at that moment, on the bot's clock;
- reciprocity at most once per help received, at most once a month, never planned for someone
  paused or stopped.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.services import (
    control,
    delivery,
    follow_up,
    invitations,
    nudges,
    onboarding,
    request_steps,
)
from bot.services.unit import Caller, Unit
from bot.settings import Settings
from matching.nudges import RECIPROCITY_AT_MOST_EVERY
from matching.pace import Pace
from matching.pause import PauseLength
from matching.quiet_hours import is_quiet
from storage.candidate_pool import pool_for
from storage.matchmaking import start_flow
from storage.models import (
    Invitation,
    InvitationStatus,
    Match,
    MatchStatus,
    Nudge,
    NudgeKind,
    OutboxMessage,
    PostStatus,
    Resident,
)
from storage.residents import set_quiet_hours
from tests.bot.services.test_nudges_year import asks_within_pace
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

PEOPLE = 3
ZONES = ("Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "Pacific/Auckland")
WORDS = ("boodschappen doen", "lamp ophangen", "koffie drinken", "hond uitlaten")

# Any quarter hour: equal ends (no quiet hours), daytime stretches and nights over midnight.
clock = st.integers(min_value=0, max_value=24 * 4 - 1).map(
    lambda q: f"{q // 4:02d}:{q % 4 * 15:02d}"
)
quiet_hours = st.tuples(clock, clock)
who = st.integers(min_value=0, max_value=PEOPLE - 1)
pick = st.integers(min_value=0, max_value=3)  # which of the open ones (modulo how many)

# Requests and helps that worked twice as often as the rest: they are what asks and
# reciprocity come from.
ask = st.tuples(st.just("ask"), who, st.booleans())
helped = st.tuples(st.just("helped"), who, who)
action = st.one_of(
    ask,
    ask,
    helped,
    helped,
    st.tuples(st.just("yes"), pick),
    st.tuples(st.just("accept"), pick),
    st.tuples(st.just("worked"), pick),
    st.tuples(st.just("pause"), who, st.sampled_from(list(PauseLength))),
    st.tuples(st.just("resume"), who),
    st.tuples(st.just("stop"), who),
    st.tuples(st.just("quiet"), who, quiet_hours),
)
# Then time passes, at any minute: mostly a few hours, sometimes days.
wait = st.tuples(
    st.one_of(st.integers(min_value=0, max_value=12), st.integers(min_value=12, max_value=24 * 9)),
    st.integers(min_value=0, max_value=59),
)
step = st.tuples(action, wait)


def away(person: Resident, now: datetime) -> bool:
    """Paused (and the pause has not ended) or stopped: written out here, not the bot's own
    helper, so a mistake there cannot hide itself."""
    paused = person.paused and (person.paused_until is None or person.paused_until > now)
    return paused or person.stopped


@dataclass
class Street:
    session: Session
    settings: Settings
    people: list[Resident]
    now: datetime
    seen_nudges: set[int] = field(default_factory=set)
    seen_invitations: set[int] = field(default_factory=set)
    delivered: list[tuple[datetime, Resident, str]] = field(default_factory=list)

    def unit(self, caller: Resident | None = None) -> Unit:
        who = (
            None
            if caller is None
            else Caller(user_id=caller.telegram_user_id, chat_id=caller.telegram_user_id)
        )
        self.session.flush()
        unit = Unit(session=self.session, now=self.now, settings=self.settings, caller=who)
        unit.load_caller()
        return unit

    def rows(self, model: Any, *where: Any) -> list[Any]:
        return list(self.session.exec(select(model).where(*where).order_by(col(model.id))).all())

    # --- what happens -------------------------------------------------------------------------

    def run(self, what: tuple[Any, ...], hours: int, minutes: int) -> None:
        kind, *args = what
        getattr(self, kind)(*args)
        self.check_planned()
        self.deliver()
        self.wait(hours, minutes)
        self.check_planned()
        self.deliver()

    def wait(self, hours: int, minutes: int) -> None:
        self.now += timedelta(hours=hours, minutes=minutes)
        while request_steps.step_due(self.unit()) is not None:
            pass
        follow_up.queue_follow_ups(self.unit())
        nudges.lapse_waiting_yeses(self.unit())
        nudges.digest_round(self.unit())

    def ask(self, person: int, with_time: bool) -> None:
        asker = self.people[person]
        if asker.stopped:
            return
        window: dict[str, Any] = {}
        if with_time:
            start = (self.now + timedelta(days=1)).replace(minute=0)
            window = {"window_start": start, "window_end": start + timedelta(hours=2)}
        post = add_post(self.session, asker, WORDS[person], self.now, **window)
        start_flow(self.session, post=post, now=self.now)

    def yes(self, which: int) -> None:
        sent = self.rows(Invitation, Invitation.status == InvitationStatus.SENT.value)
        if sent:
            invitation = sent[which % len(sent)]
            invitee = self.session.get(Resident, invitation.resident_id)
            invitations.say_yes(self.unit(invitee), invitation.id or 0)

    def accept(self, which: int) -> None:
        proposed = self.rows(Match, Match.status == MatchStatus.PROPOSED.value)
        if proposed:
            match = proposed[which % len(proposed)]
            invitations.accept(self.unit(self.session.get(Resident, match.asker_id)), match.id)

    def worked(self, which: int) -> None:
        """The asker of a match whose "is het gelukt?" went out says it worked."""
        asked = self.rows(
            Match,
            col(Match.accepted_at).is_not(None),
            col(Match.follow_up_at).is_(None),
            col(Match.asker_worked).is_(None),
        )
        if asked:
            match = asked[which % len(asked)]
            asker = self.session.get(Resident, match.asker_id)
            follow_up.answer(self.unit(asker), match.id or 0, follow_up.WORKED)

    def helped(self, person: int, other: int) -> None:
        """A help that went ahead without the search (quicker than a whole flow): "is het
        gelukt?" goes out now, and the asker answers that it worked."""
        asker, helper = (
            self.people[person],
            self.people[(person + 1 + other % (PEOPLE - 1)) % PEOPLE],
        )
        assert asker.id is not None
        assert helper.id is not None
        post = add_post(self.session, asker, WORDS[person], self.now)
        post.status = PostStatus.MATCHED.value
        match = Match(
            post_id=post.id or 0,
            asker_id=asker.id,
            helper_id=helper.id,
            status=MatchStatus.ACTIVE.value,
            created_at=self.now - timedelta(hours=2),
            accepted_at=self.now - timedelta(hours=1),
            follow_up_at=self.now,
        )
        self.session.add_all([post, match])
        follow_up.queue_follow_ups(self.unit())
        follow_up.answer(self.unit(asker), match.id or 0, follow_up.WORKED)

    def pause(self, person: int, length: PauseLength) -> None:
        control.pause(self.unit(self.people[person]), length.value)

    def resume(self, person: int) -> None:
        """The resume button after a pause, or /start after /stop."""
        resident = self.people[person]
        if resident.stopped:
            onboarding.start(self.unit(resident), onboarding.StartLink())
        else:
            control.resume(self.unit(resident))

    def stop(self, person: int) -> None:
        control.stop(self.unit(self.people[person]))

    def quiet(self, person: int, hours: tuple[str, str]) -> None:
        start, end = hours
        set_quiet_hours(
            self.session, resident=self.people[person], start=start, end=end, now=self.now
        )

    def deliver(self) -> None:
        session = self.session
        while outgoing := delivery.claim(session, self.settings, self.now):
            outcomes = []
            for message in outgoing:
                row = session.get(OutboxMessage, message.id)
                assert row is not None
                person = session.get(Resident, row.resident_id)
                assert person is not None, row.dedupe_key
                key = row.dedupe_key or row.about or "unkeyed"
                assert not away(person, self.now), f"{key} delivered to someone away"
                quiet = (person.quiet_start, person.quiet_end)
                assert not is_quiet(*quiet, self.settings.timezone, self.now), (
                    f"{key} delivered at {self.now} in quiet hours {quiet}"
                )
                self.delivered.append((self.now, person, key))
                outcomes.append(delivery.Outcome(message.id, message_id=1))
            delivery.record(session, outcomes, self.now)

    # --- what must hold -----------------------------------------------------------------------

    def check_planned(self) -> None:
        """What this step planned (asks, reciprocity) was planned for someone not away."""
        self.session.flush()
        for nudge in self.rows(Nudge, col(Nudge.id).not_in(self.seen_nudges)):
            self.seen_nudges.add(nudge.id)
            person = self.session.get(Resident, nudge.resident_id)
            assert person is not None
            assert not away(person, self.now), f"{nudge.kind} planned for someone away"
        for invitation in self.rows(Invitation, col(Invitation.id).not_in(self.seen_invitations)):
            self.seen_invitations.add(invitation.id)
            person = self.session.get(Resident, invitation.resident_id)
            assert person is not None
            assert not away(person, self.now), "invitation for someone away"

    def check_history(self) -> None:
        asks: dict[int, list[datetime]] = defaultdict(list)
        for invitation in self.rows(Invitation):
            asks[invitation.resident_id].append(invitation.sent_at)
        for digest in self.rows(Nudge, Nudge.kind == NudgeKind.DIGEST.value):
            asks[digest.resident_id].append(digest.at)
        for person in self.people:
            assert asks_within_pace(Pace(person.pace), asks[person.id or 0]), person.pace
        helped = {
            match.id: match.asker_id
            for match in self.rows(Match, col(Match.asker_worked).is_(True))
        }
        planned: dict[int, list[datetime]] = defaultdict(list)
        for row in self.rows(Nudge, Nudge.kind == NudgeKind.RECIPROCITY.value):
            # Once per help received: each is about a help this person said worked.
            assert helped.get(row.ref) == row.resident_id, row.ref
            planned[row.resident_id].append(row.at)
        for moments in planned.values():
            moments.sort()
            assert all(
                b - a >= RECIPROCITY_AT_MOST_EVERY for a, b in itertools.pairwise(moments)
            ), f"reciprocity twice within a month: {moments}"
        keys = [key for _at, _person, key in self.delivered if key.startswith("reciprocity:")]
        assert len(keys) == len(set(keys))
        # What the histories reach (pytest --hypothesis-show-statistics).
        for kind in sorted({key.split(":")[0] for _at, _person, key in self.delivered}):
            event(f"delivered {kind}")
        if any(len(moments) > 1 for moments in planned.values()):
            event("reciprocity twice for one person")


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    zone=st.sampled_from(ZONES),
    start=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(2026, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    after_days=st.integers(min_value=1, max_value=10),
    neighbours=st.lists(
        st.tuples(st.sampled_from(list(Pace)), quiet_hours), min_size=PEOPLE, max_size=PEOPLE
    ),
    history=st.lists(step, min_size=10, max_size=40),
)
def test_random_histories_keep_pace_pause_quiet_hours_and_reciprocity(
    engine: Engine,
    zone: str,
    start: datetime,
    after_days: int,
    neighbours: list[tuple[Pace, tuple[str, str]]],
    history: list[tuple[tuple[Any, ...], tuple[int, int]]],
) -> None:
    config = Settings(_env_file=None, timezone=zone, reciprocity_after_days=after_days)
    with Session(engine) as session:
        # Each history starts from a pool that loads afresh (another history rolled back), so
        # a history runs the same way every time: hypothesis can replay and shrink it.
        pool_for(session).forget()
        try:
            wijk = add_wijk(session, "Dapperbuurt", start)
            people = [
                add_resident(
                    session,
                    telegram_user_id=8000 + number,
                    first_name=f"Buur{number}",
                    wijk=wijk,
                    now=start - timedelta(days=60),
                    pace=pace.value,
                    quiet_start=quiet[0],
                    quiet_end=quiet[1],
                )
                for number, (pace, quiet) in enumerate(neighbours)
            ]
            street = Street(session, config, people, start)
            for what, (hours, minutes) in history:
                street.run(what, hours, minutes)
            street.check_history()
        finally:
            session.rollback()
