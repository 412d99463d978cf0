"""The candidate query: what the database hands the matching engine for one request.

Contract tests on a real, migrated database (SQLite, and PostgreSQL when configured).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import h3
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.engine import OfferInfo, RequestInfo, plan_invitations
from matching.pace import Pace
from matching.reach import Reach
from storage.candidates import (
    already_invited,
    blocked_pairs_for,
    candidate_from_row,
    candidates_for,
    open_requests_near,
)
from storage.db import session_scope
from storage.models import Block, PostKind, Resident, Wijk
from tests.storage.neighbourhood import add_invitation, add_post, add_resident, add_wijk

CENTER = h3.latlng_to_cell(52.3560, 4.9270, 8)


def cell_at(distance: int) -> str:
    return str(sorted(h3.grid_ring(CENTER, distance))[0])


class Street:
    """A wijk with an asker in the centre cell and their request; residents added per test."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.wijk = add_wijk(session, "Oost", now)
        self.other_wijk = add_wijk(session, "West", now)
        self._next_user = 1000
        self.asker = self.add("Asker")
        self.request_post = add_post(session, self.asker, "Wie doet mijn boodschappen?", now)

    def add(self, name: str, *, wijk: Wijk | None = None, **fields: Any) -> Resident:
        self._next_user += 1
        fields.setdefault("area_cell", CENTER)
        fields.setdefault("pace", Pace.WHENEVER.value)
        return add_resident(
            self.session,
            telegram_user_id=self._next_user,
            first_name=name,
            wijk=wijk or self.wijk,
            now=self.now,
            **fields,
        )

    def block(self, blocker: Resident, blocked: Resident) -> None:
        assert blocker.id is not None
        assert blocked.id is not None
        self.session.add(Block(blocker_id=blocker.id, blocked_id=blocked.id))
        self.session.flush()

    def request(self, reach: Reach = Reach.BUURT) -> RequestInfo:
        assert self.request_post.id is not None
        assert self.asker.id is not None
        assert self.wijk.id is not None
        return RequestInfo(
            post_id=self.request_post.id,
            asker_id=self.asker.id,
            wijk_id=self.wijk.id,
            area_cell=CENTER,
            category="groceries",
            text=self.request_post.text,
            reach=reach,
        )

    def candidate_ids(self, reach: Reach = Reach.BUURT, **kwargs: Any) -> list[int]:
        found = candidates_for(
            self.session, request=self.request(reach), reach=reach, now=self.now, **kwargs
        )
        return [candidate.resident_id for candidate in found]


@pytest.fixture
def street(engine: Engine, now: datetime) -> Any:
    with session_scope(engine) as session:
        yield Street(session, now)


def test_residents_in_the_reach_cells_are_candidates_and_those_outside_are_not(
    street: Street,
) -> None:
    here = street.add("Here")
    next_door = street.add("NextDoor", area_cell=cell_at(1))
    two_away = street.add("TwoAway", area_cell=cell_at(2))
    three_away = street.add("ThreeAway", area_cell=cell_at(3))
    far_same_wijk = street.add("FarSameWijk", area_cell=cell_at(8))
    far_other_wijk = street.add("FarOtherWijk", area_cell=cell_at(8), wijk=street.other_wijk)
    no_area = street.add("NoArea", area_cell=None)

    assert set(street.candidate_ids(Reach.STRAAT)) == {here.id, next_door.id}
    assert set(street.candidate_ids(Reach.BUURT)) == {here.id, next_door.id, two_away.id}
    # The wijk reach adds everyone of the asker's wijk, wherever they live (or if unknown).
    assert set(street.candidate_ids(Reach.WIJK)) == {
        here.id,
        next_door.id,
        two_away.id,
        three_away.id,
        far_same_wijk.id,
        no_area.id,
    }
    assert far_other_wijk.id not in street.candidate_ids(Reach.WIJK)


def test_people_who_cannot_be_asked_are_left_out(street: Street) -> None:
    now = street.now
    kept = street.add("Kept")
    back_tomorrow = street.add("BackTomorrow", paused=True, paused_until=now + timedelta(hours=5))
    street.add("Stopped", stopped=True)
    street.add("BlockedTheBot", unreachable_since=now - timedelta(days=1))
    street.add("PausedOpenEnded", paused=True)
    street.add("PausedLong", paused=True, paused_until=now + timedelta(days=3))
    street.add("Never", pace=Pace.NEVER.value)
    street.add("NotOnboarded", onboarded=False)
    invited = street.add("Invited")
    add_invitation(street.session, street.request_post, invited, now - timedelta(hours=2))

    assert set(street.candidate_ids()) == {kept.id, back_tomorrow.id}
    assert street.asker.id not in street.candidate_ids()


def test_pace_cutoffs_use_the_last_invitation(street: Street) -> None:
    now = street.now
    monthly_new = street.add("MonthlyNew", pace=Pace.MONTHLY.value)
    street.add("MonthlyRecent", pace=Pace.MONTHLY.value, last_invited_at=now - timedelta(days=10))
    monthly_old = street.add(
        "MonthlyOld", pace=Pace.MONTHLY.value, last_invited_at=now - timedelta(days=40)
    )
    # Free again within the engine's hold horizon (24 hours): kept for next_available_at.
    monthly_soon = street.add(
        "MonthlySoon", pace=Pace.MONTHLY.value, last_invited_at=now - timedelta(days=29, hours=12)
    )
    once_new = street.add("OnceNew", pace=Pace.ONCE.value)
    street.add("OnceUsed", pace=Pace.ONCE.value, last_invited_at=now - timedelta(days=300))
    street.add("WeeklyRecent", pace=Pace.WEEKLY.value, last_invited_at=now - timedelta(days=3))
    weekly_old = street.add(
        "WeeklyOld", pace=Pace.WEEKLY.value, last_invited_at=now - timedelta(days=8)
    )
    whenever = street.add("Whenever", last_invited_at=now - timedelta(hours=1))

    assert set(street.candidate_ids()) == {
        monthly_new.id,
        monthly_old.id,
        monthly_soon.id,
        once_new.id,
        weekly_old.id,
        whenever.id,
    }


def test_never_invited_come_first_then_the_longest_ago_then_by_id(street: Street) -> None:
    now = street.now
    recent = street.add("Recent", last_invited_at=now - timedelta(days=1))
    new_a = street.add("NewA")
    old = street.add("Old", last_invited_at=now - timedelta(days=20))
    new_b = street.add("NewB")

    assert street.candidate_ids() == [new_a.id, new_b.id, old.id, recent.id]
    assert street.candidate_ids(limit=2) == [new_a.id, new_b.id]


def test_candidates_carry_recent_invitations_likes_and_open_offers(street: Street) -> None:
    now = street.now
    helper = street.add("Helper", likes=["groceries"])
    for days in (0.2, 0.5, 40):
        other = add_post(street.session, street.asker, f"Vraag {days}", now)
        add_invitation(street.session, other, helper, now - timedelta(days=days))
    add_post(street.session, helper, "Ik doe graag boodschappen", now, kind=PostKind.OFFER)
    add_post(
        street.session,
        helper,
        "Ladder te leen",
        now,
        kind=PostKind.OFFER,
        category="lending",
        status="withdrawn",
    )

    (candidate,) = candidates_for(
        street.session, request=street.request(), reach=Reach.BUURT, now=now
    )

    assert candidate.resident_id == helper.id
    assert candidate.likes == frozenset({"groceries"})
    assert candidate.invitations_received == (
        now - timedelta(days=0.5),
        now - timedelta(days=0.2),
    )
    # last_invited_at was never written on the row; the recent invitations stand in for it.
    assert candidate.last_invited_at == now - timedelta(days=0.2)
    assert candidate.offer_texts == ("Ik doe graag boodschappen",)
    assert candidate.offer_categories == frozenset({"groceries"})


def test_blocks_and_earlier_invitations_are_read_for_the_asker_and_post(street: Street) -> None:
    blocker = street.add("Blocker")
    blocked = street.add("Blocked")
    bystander = street.add("Bystander")
    invited = street.add("Invited")
    assert street.asker.id is not None
    assert street.request_post.id is not None
    street.block(blocker, street.asker)
    street.block(street.asker, blocked)
    street.block(bystander, invited)
    add_invitation(street.session, street.request_post, invited, street.now)
    street.session.flush()

    assert sorted(blocked_pairs_for(street.session, street.asker.id)) == sorted(
        [(blocker.id, street.asker.id), (street.asker.id, blocked.id)]
    )
    assert already_invited(street.session, street.request_post.id) == {invited.id}


def test_a_plan_over_the_query_invites_the_best_fitting_neighbours(street: Street) -> None:
    liker = street.add("Liker", likes=["groceries"])
    blocked = street.add("Blocked", likes=["groceries"])
    open_to_all = street.add("OpenToAll")
    pets_a = street.add("PetsA", likes=["pets"])
    street.add("PetsB", likes=["pets"])
    street.add("Far", likes=["groceries"], area_cell=cell_at(6))
    assert street.asker.id is not None
    assert street.request_post.id is not None
    street.block(blocked, street.asker)
    street.session.flush()
    request = street.request()

    plan = plan_invitations(
        request,
        candidates_for(street.session, request=request, reach=request.reach, now=street.now),
        blocked_pairs_for(street.session, street.asker.id),
        already_invited(street.session, street.request_post.id),
        street.now,
    )

    assert plan.invite == (liker.id, open_to_all.id, pets_a.id)
    assert plan.eligible_now == 4


def test_open_requests_near_an_offer_are_prefiltered_by_place_and_state(
    street: Street,
) -> None:
    now = street.now
    neighbour = street.add("Neighbour")
    near = add_post(street.session, neighbour, "Hulp met boodschappen", now)
    far = street.add("Far", area_cell=cell_at(8), wijk=street.other_wijk)
    add_post(street.session, far, "Ver weg boodschappen", now)
    add_post(street.session, neighbour, "Al gedaan", now, status="done")
    add_post(street.session, neighbour, "Te laat", now, window_end=now - timedelta(hours=1))
    add_post(street.session, neighbour, "Aanbod", now, kind=PostKind.OFFER)
    offerer = street.add("Offerer")
    add_post(street.session, offerer, "Mijn eigen vraag", now)
    assert offerer.id is not None

    found = open_requests_near(
        street.session,
        offer=OfferInfo(
            post_id=0,
            offerer_id=offerer.id,
            wijk_id=street.wijk.id,
            area_cell=CENTER,
            category="groceries",
            text="Ik doe boodschappen",
        ),
        now=now,
    )

    assert [request.post_id for request in found] == [street.request_post.id, near.id]
    assert found[0].reach is Reach.BUURT  # the column's default


def test_under_the_limit_the_likely_best_fits_are_kept(street: Street) -> None:
    """The engine only ranks what it is given: the query keeps whom it would rank highest."""
    now = street.now  # everyone here was never invited
    street.add("PetsHere", likes=["pets"])
    street.add("OpenFarther", area_cell=cell_at(2))
    liker_next_door = street.add("LikerNextDoor", likes=["groceries"], area_cell=cell_at(1))
    offerer = street.add("Offerer", likes=["pets"])
    add_post(street.session, offerer, "Ik doe boodschappen", now, kind=PostKind.OFFER)
    open_here = street.add("OpenHere")

    assert street.candidate_ids(limit=3) == [offerer.id, liker_next_door.id, open_here.id]


def test_a_whole_resident_row_makes_the_same_candidate(street: Street) -> None:
    """candidate_from_row also serves a plain SELECT of every column (bench's full scan)."""
    now = street.now
    helper = street.add(
        "Helper", likes=["garden"], pace=Pace.WEEKLY.value, last_invited_at=now - timedelta(days=9)
    )
    table = Resident.__table__  # type: ignore[attr-defined]
    row = street.session.execute(select(table).where(table.c.id == helper.id)).one()
    later, earlier = now - timedelta(days=2), now - timedelta(days=5)

    candidate = candidate_from_row(
        row,
        invitations_received=[later, earlier],
        offer_categories=["lending", "lending"],
        offer_texts=["Ladder te leen"],
    )

    assert candidate.resident_id == helper.id
    assert candidate.pace is Pace.WEEKLY
    assert candidate.likes == frozenset({"garden"})
    assert candidate.invitations_received == (earlier, later)
    # The stale last_invited_at on the row gives way to the newest invitation.
    assert candidate.last_invited_at == later
    assert candidate.offer_categories == frozenset({"lending"})
    assert candidate.offer_texts == ("Ladder te leen",)
    assert candidate_from_row(
        row, invitations_received=(), offer_categories=(), offer_texts=()
    ).last_invited_at == now - timedelta(days=9)
