"""Offer -> requests: the open requests nearby an offer fits best, read from the database, are
exactly those requests_for_offer picks from every open request of the city.

A hypothesis property over small random cities (categories, words, reaches, time windows,
closed posts, blocks, unknown areas, two wijken), with small limits so that the shortcut
(the offer's own category first) is taken often; and the case the shortcut must not get wrong.
On a real migrated database (SQLite, and PostgreSQL when configured).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import h3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.engine import (
    OFFER_OTHER_CATEGORY_CEILING,
    OfferInfo,
    RequestInfo,
    requests_for_offer,
    scored_requests_for_offer,
)
from matching.reach import Reach
from storage.candidates import (
    REQUEST_COLUMNS,
    blocked_pairs_for,
    request_info,
    requests_matching_offer,
)
from storage.models import Block, Post, PostKind, PostStatus, Resident
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

CENTER = h3.latlng_to_cell(52.3560, 4.9270, 8)
CELLS = [CENTER] + [str(sorted(h3.grid_ring(CENTER, ring))[0]) for ring in range(1, 6)]
CATEGORIES = ("groceries", "odd_jobs", "company")
WORDS = ("boodschappen doen", "ladder lenen", "koffie drinken", "boodschappen halen", "tuin")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
_post = Post.__table__  # type: ignore[attr-defined]

request_st = st.fixed_dictionaries(
    {
        "author": st.integers(0, 9),
        "category": st.sampled_from(CATEGORIES),
        "words": st.sampled_from(WORDS),
        "reach": st.sampled_from(list(Reach)),
        "ends": st.sampled_from([None, None, -2, 30]),  # hours from now
        "status": st.sampled_from([PostStatus.OPEN, PostStatus.OPEN, PostStatus.OPEN, "done"]),
    }
)
city_st = st.fixed_dictionaries(
    {
        "homes": st.lists(
            st.tuples(st.sampled_from([*CELLS, None]), st.booleans()), min_size=10, max_size=10
        ),
        "requests": st.lists(request_st, max_size=30),
        "blocks": st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=3),
        "offerer": st.integers(0, 9),
        "offer": st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(WORDS)),
        "limit": st.integers(1, 5),
    }
)


def _people(session: Session, homes: list[tuple[str | None, bool]]) -> list[Resident]:
    wijken = [add_wijk(session, "Oost", NOW), add_wijk(session, "West", NOW)]
    return [
        add_resident(
            session,
            telegram_user_id=7000 + number,
            first_name=f"Buur{number}",
            wijk=wijken[1 if other_wijk else 0],
            now=NOW - timedelta(days=30),
            area_cell=cell,
        )
        for number, (cell, other_wijk) in enumerate(homes)
    ]


def _offer_of(post: Post) -> OfferInfo:
    assert post.id is not None
    return OfferInfo(
        post_id=post.id,
        offerer_id=post.resident_id,
        wijk_id=post.wijk_id,
        area_cell=post.area_cell,
        category=post.category,
        text=post.text,
    )


def _from_every_open_request(session: Session, offer: OfferInfo, limit: int) -> list[int]:
    rows = session.execute(
        select(*REQUEST_COLUMNS).where(
            _post.c.kind == PostKind.REQUEST.value, _post.c.status == PostStatus.OPEN.value
        )
    )
    blocked = blocked_pairs_for(session, offer.offerer_id)
    found = requests_for_offer(offer, map(request_info, rows), blocked, NOW, limit)
    return [request.post_id for request in found]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(city=city_st)
def test_the_matches_read_nearby_are_those_of_every_open_request(
    engine: Engine, city: dict[str, Any]
) -> None:
    with Session(engine) as session:
        try:
            people = _people(session, city["homes"])
            for spec in city["requests"]:
                ends = spec["ends"]
                add_post(
                    session,
                    people[spec["author"]],
                    spec["words"],
                    NOW,
                    category=spec["category"],
                    reach=spec["reach"].value,
                    status=str(spec["status"]),
                    window_end=None if ends is None else NOW + timedelta(hours=ends),
                )
            for a, b in set(city["blocks"]):
                if a != b:
                    session.add(Block(blocker_id=people[a].id, blocked_id=people[b].id))
            session.flush()
            category, words = city["offer"]
            offerer = people[city["offerer"]]
            offer = _offer_of(
                add_post(session, offerer, words, NOW, kind=PostKind.OFFER, category=category)
            )
            limit = city["limit"]

            found = requests_matching_offer(session, offer=offer, now=NOW, limit=limit)

            assert [request.post_id for request in found] == _from_every_open_request(
                session, offer, limit
            )
        finally:
            session.rollback()


def test_a_request_of_another_category_next_door_beats_far_ones_of_the_offers_own(
    engine: Engine,
) -> None:
    """Enough requests of the offer's category are found, but all far away: a request whose
    words fit next door scores higher, so the other categories must be read too."""
    with Session(engine) as session:
        *far, near, offerer = _people(session, [(CELLS[5], False)] * 3 + [(CENTER, False)] * 2)
        far_posts = [
            add_post(session, person, "tuin", NOW, category="groceries", reach=Reach.WIJK.value)
            for person in far
        ]
        fitting = add_post(session, near, "boodschappen doen", NOW, category="company")
        offered = add_post(
            session, offerer, "boodschappen doen", NOW, kind=PostKind.OFFER, category="groceries"
        )
        offer = _offer_of(offered)

        found = requests_matching_offer(session, offer=offer, now=NOW, limit=2)

        assert [request.post_id for request in found] == _from_every_open_request(
            session, offer, 2
        )
        assert found[0].post_id == fitting.id
        assert found[1].post_id in {post.id for post in far_posts}
        session.rollback()


def test_the_ceiling_bounds_every_other_category_score() -> None:
    """The shortcut rests on this: the best a request of another category can score."""
    offer = OfferInfo(
        post_id=1, offerer_id=1, wijk_id=1, area_cell=CENTER, category="groceries", text="tuin"
    )
    best = RequestInfo(
        post_id=2,
        asker_id=2,
        wijk_id=1,
        area_cell=CENTER,
        category="company",
        text="tuin",
        reach=Reach.BUURT,
    )
    ((score, _request),) = scored_requests_for_offer(offer, [best], [], NOW)
    assert score <= OFFER_OTHER_CATEGORY_CEILING
    assert score > OFFER_OTHER_CATEGORY_CEILING - 1e-6
