"""An ask (invitation, digest, announcement) is claimed against the pace inside a row lock,
so two transactions deciding about the same person at once give them one ask, not two; notes
with their own count ("elke keer") are claimed under the same lock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import matchmaking, nudges
from storage.asks import claim_asks, claim_notes
from storage.db import session_scope
from storage.models import NudgeKind
from tests.conftest import postgres_admin_url
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _people(engine: Engine) -> tuple[int, int, int, int]:
    """(weekly, monthly, once, a request's id)."""
    with session_scope(engine) as session:
        wijk = add_wijk(session, "Oost", NOW)
        asker = add_resident(session, telegram_user_id=1, first_name="A", wijk=wijk, now=NOW)
        ids = [
            add_resident(
                session, telegram_user_id=10 + n, first_name=f"B{n}", wijk=wijk, now=NOW, pace=pace
            ).id
            for n, pace in enumerate(("weekly", "monthly", "once"))
        ]
        post = add_post(session, asker, "boodschappen", NOW)
        weekly, monthly, once = (rid for rid in ids if rid is not None)
        assert post.id is not None
        return weekly, monthly, once, post.id


def test_claims_count_invitations_and_digests_against_the_pace(engine: Engine) -> None:
    weekly, monthly, once, post_id = _people(engine)
    with session_scope(engine) as session:
        assert claim_asks(session, [weekly, monthly, once], now=NOW) == {weekly, monthly, once}
        matchmaking.add_invitation(session, post_id=post_id, resident_id=weekly, now=NOW)
        nudges.record_digest(session, resident_id=monthly, at=NOW)
        matchmaking.add_invitation(session, post_id=post_id, resident_id=once, now=NOW)
    later = NOW + timedelta(days=3)
    with Session(engine) as session:
        assert claim_asks(session, [weekly, monthly, once], now=later) == set()
    with Session(engine) as session:
        # A week on, "about weekly" may be asked again; "monthly" and "once" not yet / never.
        assert claim_asks(session, [weekly, monthly, once], now=NOW + timedelta(days=8)) == {
            weekly
        }


def test_notes_count_only_their_own_kind_against_the_pace(engine: Engine) -> None:
    weekly, monthly, once, post_id = _people(engine)
    everyone = [weekly, monthly, once]
    with session_scope(engine) as session:
        # Asked to help: that leaves their notes' own count untouched.
        for resident_id in everyone:
            matchmaking.add_invitation(session, post_id=post_id, resident_id=resident_id, now=NOW)
        assert claim_notes(session, everyone, kind=NudgeKind.SUBSCRIBED, now=NOW) == set(everyone)
        for ref, resident_id in enumerate(everyone):
            nudges.record(
                session, resident_id=resident_id, kind=NudgeKind.SUBSCRIBED, ref=ref, at=NOW
            )
    with Session(engine) as session:
        later = NOW + timedelta(days=8)
        assert claim_notes(session, everyone, kind=NudgeKind.SUBSCRIBED, now=later) == {weekly}
        assert claim_notes(session, [], kind=NudgeKind.SUBSCRIBED, now=later) == set()


@pytest.mark.skipif(
    postgres_admin_url() is None,
    reason="needs PostgreSQL (set BUURTBOT_TEST_POSTGRES_URL): SQLite has one writer, so two "
    "transactions never decide at once",
)
def test_two_transactions_at_once_give_one_ask(engine: Engine) -> None:
    weekly, _monthly, _once, post_id = _people(engine)
    first_claimed = threading.Event()
    second: dict[str, set[int]] = {}

    def digest_round() -> None:
        first_claimed.wait(10)
        with session_scope(engine) as session:
            # Waits for the first transaction's lock, then counts its invitation.
            second["allowed"] = claim_asks(session, [weekly], now=NOW)

    other = threading.Thread(target=digest_round)
    other.start()
    with session_scope(engine) as session:
        assert claim_asks(session, [weekly], now=NOW) == {weekly}
        first_claimed.set()
        other.join(0.5)
        assert other.is_alive(), "the second claim did not wait for the lock"
        matchmaking.add_invitation(session, post_id=post_id, resident_id=weekly, now=NOW)
    other.join(10)
    assert second["allowed"] == set()
