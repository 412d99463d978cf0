"""The candidate pool gives the plans a full scan of every resident gives.

A hypothesis property over small random cities (likes, offers, pauses, blocks, paces with
earlier invitations, quiet hours, unknown areas, two wijken, residents changed after they
joined), on a real migrated database (SQLite, and PostgreSQL when configured); and contract
tests for keeping the pool in step, reloading it, and comparing it with a full scan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import h3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.engine import Candidate, RequestInfo, plan_invitations
from matching.pace import Pace
from matching.reach import REACH_ORDER, Reach
from storage import matchmaking
from storage.candidate_pool import compare_with_full_scan, pool_agrees, pool_for
from storage.candidates import (
    already_invited,
    blocked_pairs_for,
    candidate_from_row,
    plan_for,
    reload_pools,
    same_plan,
)
from storage.models import (
    Block,
    Invitation,
    Post,
    PostKind,
    PostStatus,
    Resident,
    Wijk,
)
from tests.storage.neighbourhood import add_post, add_resident, add_wijk

CENTER = h3.latlng_to_cell(52.3560, 4.9270, 8)
# The centre and cells out to one ring beyond the widest reach.
CELLS = [CENTER] + [str(sorted(h3.grid_ring(CENTER, ring))[0]) for ring in range(1, 6)]
CATEGORIES = ("groceries", "odd_jobs", "company", "transport")
WORDS = ("boodschappen doen", "ladder lenen", "koffie drinken", "naar het ziekenhuis", "tuin")
QUIET = (("21:00", "08:00"), ("23:00", "07:00"), ("09:00", "17:00"))
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
MOMENTS = (NOW, NOW.replace(hour=22), NOW.replace(hour=6, minute=59), NOW + timedelta(days=3))

resident_st = st.fixed_dictionaries(
    {
        "cell": st.sampled_from([*CELLS, None]),
        "other_wijk": st.booleans(),
        "pace": st.sampled_from(list(Pace)),
        "likes": st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True),
        "offers": st.lists(
            st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(WORDS)), max_size=2
        ),
        "pause": st.sampled_from(["none", "none", "open", "until_soon", "until_later", "past"]),
        "stopped": st.sampled_from([False, False, False, True]),
        "unreachable": st.sampled_from([False, False, False, True]),
        "onboarded": st.sampled_from([True, True, True, False]),
        "quiet": st.sampled_from(QUIET),
        "invited_hours_ago": st.lists(st.integers(1, 40 * 24), max_size=3),
        "moves_to": st.none() | st.sampled_from(CELLS),
        "likes_later": st.none() | st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True),
    }
)
city_st = st.fixed_dictionaries(
    {
        "residents": st.lists(resident_st, min_size=4, max_size=22),
        "requests": st.lists(
            st.tuples(
                st.integers(0, 21),
                st.sampled_from(CATEGORIES),
                st.sampled_from(WORDS),
                st.sampled_from(list(Reach)),
            ),
            min_size=1,
            max_size=3,
        ),
        "blocks": st.lists(st.tuples(st.integers(0, 21), st.integers(0, 21)), max_size=4),
    }
)


def _pause_fields(kind: str) -> dict[str, Any]:
    if kind == "open":
        return {"paused": True, "paused_until": None}
    if kind == "until_soon":
        return {"paused": True, "paused_until": NOW + timedelta(hours=5)}
    if kind == "until_later":
        return {"paused": True, "paused_until": NOW + timedelta(days=3)}
    if kind == "past":
        return {"paused": True, "paused_until": NOW - timedelta(days=1)}
    return {}


def build_city(session: Session, city: dict[str, object]) -> list[Post]:
    """Residents, their offers and earlier invitations, then some of them change, then the
    requests: every write through the usual ORM and storage functions."""
    wijken = [add_wijk(session, "Oost", NOW), add_wijk(session, "West", NOW)]
    residents: list[Resident] = []
    specs = city["residents"]
    assert isinstance(specs, list)
    for number, spec in enumerate(specs):
        wijk: Wijk = wijken[1 if spec["other_wijk"] else 0]
        residents.append(
            add_resident(
                session,
                telegram_user_id=5000 + number,
                first_name=f"Buur{number}",
                wijk=wijk,
                now=NOW - timedelta(days=60),
                area_cell=spec["cell"],
                pace=spec["pace"].value,
                likes=spec["likes"],
                stopped=spec["stopped"],
                unreachable_since=NOW - timedelta(days=2) if spec["unreachable"] else None,
                onboarded=spec["onboarded"],
                quiet_start=spec["quiet"][0],
                quiet_end=spec["quiet"][1],
                **_pause_fields(spec["pause"]),
            )
        )
    # Earlier requests, one per earlier invitation of a resident (one invitation per request).
    earlier = [
        add_post(session, residents[0], "eerder", NOW - timedelta(days=50)) for _ in range(3)
    ]
    for resident, spec in zip(residents, specs, strict=True):
        for category, text in spec["offers"]:
            add_post(session, resident, text, NOW, kind=PostKind.OFFER, category=category)
        for number, hours in enumerate(sorted(spec["invited_hours_ago"], reverse=True)):
            assert resident.id is not None
            invitation = Invitation(
                post_id=_post_id(earlier[number]),
                resident_id=resident.id,
                status="sent",
                sent_at=NOW - timedelta(hours=hours),
            )
            session.add(invitation)
            resident.last_invited_at = NOW - timedelta(hours=hours)
        session.flush()
    for resident, spec in zip(residents, specs, strict=True):
        if spec["moves_to"] is not None:
            resident.area_cell = spec["moves_to"]
        if spec["likes_later"] is not None:
            resident.likes = spec["likes_later"]
    session.flush()
    blocks = city["blocks"]
    assert isinstance(blocks, list)
    pairs: set[tuple[int | None, int | None]] = set()
    for a, b in blocks:
        first, second = residents[a % len(residents)], residents[b % len(residents)]
        if first.id != second.id and (first.id, second.id) not in pairs:
            pairs.add((first.id, second.id))
            session.add(Block(blocker_id=first.id, blocked_id=second.id, created_at=NOW))
            session.flush()
    posts = []
    wishes = city["requests"]
    assert isinstance(wishes, list)
    for author_number, category, text, reach in wishes:
        author = residents[author_number % len(residents)]
        posts.append(add_post(session, author, text, NOW, category=category, reach=reach.value))
    return posts


def every_resident(session: Session, now: datetime) -> list[Candidate]:
    """The full scan: every onboarded resident as a Candidate, with all their invitations."""
    received: dict[int, list[datetime]] = defaultdict(list)
    for invitation in session.exec(select(Invitation)).scalars():  # type: ignore[call-overload]
        received[invitation.resident_id].append(invitation.sent_at)
    offers: dict[int, list[Post]] = defaultdict(list)
    for post in session.execute(
        select(Post).where(Post.kind == PostKind.OFFER.value, Post.status == "open")  # type: ignore[arg-type]
    ).scalars():
        offers[post.resident_id].append(post)
    found = []
    for row in session.execute(select(Resident.__table__)):  # type: ignore[attr-defined]
        if row.onboarded:
            found.append(
                candidate_from_row(
                    row,
                    invitations_received=[
                        moment for moment in received[row.id] if moment > now - timedelta(days=30)
                    ],
                    offer_categories=[post.category for post in offers[row.id]],
                    offer_texts=[post.text for post in sorted(offers[row.id], key=_post_id)],
                )
            )
    return found


def _post_id(post: Post) -> int:
    assert post.id is not None
    return post.id


def _leave_out_and_ask(moment: datetime) -> Callable[[list[Candidate]], list[Candidate]]:
    """An `adjust` like the bot's (bot.services.request_steps): every fifth resident is left
    out (suspended), every third was just sent a digest (an ask an hour ago)."""

    def adjust(found: list[Candidate]) -> list[Candidate]:
        asked = moment - timedelta(hours=1)
        return [
            replace(c, invitations_received=(*c.invitations_received, asked))
            if c.resident_id % 3 == 0
            else c
            for c in found
            if c.resident_id % 5 != 0
        ]

    return adjust


def request_of(post: Post) -> RequestInfo:
    assert post.id is not None
    return RequestInfo(
        post_id=post.id,
        asker_id=post.resident_id,
        wijk_id=post.wijk_id,
        area_cell=post.area_cell,
        category=post.category,
        text=post.text,
        reach=Reach(post.reach),
        needed_by=post.window_end,
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(city=city_st)
def test_the_index_plans_what_a_full_scan_of_every_resident_plans(
    engine: Engine, city: dict[str, object]
) -> None:
    with Session(engine) as session:
        try:
            posts = build_city(session, city)
            for moment in MOMENTS:
                everyone = every_resident(session, moment)
                for post in posts:
                    request = request_of(post)
                    blocked = blocked_pairs_for(session, request.asker_id)
                    invited = already_invited(session, request.post_id)
                    for reach in REACH_ORDER[REACH_ORDER.index(request.reach) :]:
                        for batch in (1, 3):
                            # Plain, and as the bot passes it: some left out, some just asked
                            # by a digest.
                            for adjust in (None, _leave_out_and_ask(moment)):
                                seen = everyone if adjust is None else adjust(everyone)
                                full = plan_invitations(
                                    request, seen, blocked, invited, moment, batch, reach=reach
                                )
                                fast = plan_for(
                                    session,
                                    request=request,
                                    now=moment,
                                    reach=reach,
                                    read_reach=Reach.WIJK,
                                    batch_size=batch,
                                    adjust=adjust,
                                )
                                assert same_plan(fast, full), (moment, reach, batch, fast, full)
                            assert pool_agrees(
                                session,
                                pool_for(session),
                                request=request,
                                now=moment,
                                reach=reach,
                                batch_size=batch,
                            )
        finally:
            session.rollback()


def _topics(session: Session, resident_id: int | None) -> list[str]:
    """The topics the session's pool files this resident under (after catching up)."""
    pool = pool_for(session)
    pool.catch_up(session, NOW)
    candidate = pool.filed.get(resident_id) if resident_id is not None else None
    if candidate is None:
        return []
    # The lists per quiet-hours kind start with the kind; the topic is the first string.
    return sorted(
        {key[0] if isinstance(key[0], str) else key[1] for key in pool._list_keys(candidate)}
    )


def test_the_pool_follows_likes_offers_pauses_and_invitations(engine: Engine) -> None:
    with Session(engine) as session:
        wijk = add_wijk(session, "Oost", NOW)
        asker = add_resident(session, telegram_user_id=1, first_name="A", wijk=wijk, now=NOW)
        helper = add_resident(
            session, telegram_user_id=2, first_name="B", wijk=wijk, now=NOW, pace="once"
        )
        assert _topics(session, helper.id) == ["*any"]
        helper.likes = ["groceries"]
        session.flush()
        assert _topics(session, helper.id) == ["*other", "groceries"]
        offer = add_post(session, helper, "ladder", NOW, kind=PostKind.OFFER, category="odd_jobs")
        assert _topics(session, helper.id) == ["*other+o", "groceries+o", "odd_jobs+o"]
        offer.status = PostStatus.WITHDRAWN.value
        session.flush()
        assert _topics(session, helper.id) == ["*other", "groceries"]
        helper.paused = True
        session.flush()
        assert _topics(session, helper.id) == []  # paused until they resume
        helper.paused = False
        helper.unreachable_since = NOW  # Telegram said 403: they blocked the bot
        session.flush()
        assert _topics(session, helper.id) == []
        helper.unreachable_since = None  # they wrote to the bot again
        session.flush()
        assert _topics(session, helper.id) == ["*other", "groceries"]
        request = add_post(session, asker, "boodschappen", NOW)
        assert request.id is not None
        assert helper.id is not None
        matchmaking.add_invitation(session, post_id=request.id, resident_id=helper.id, now=NOW)
        assert _topics(session, helper.id) == []  # "once" is used now
        session.rollback()


def test_reindex_reloads_the_pool_and_the_check_finds_it_in_step(engine: Engine) -> None:
    with Session(engine) as session:
        wijk = add_wijk(session, "Oost", NOW)
        people = [
            add_resident(session, telegram_user_id=10 + n, first_name=f"B{n}", wijk=wijk, now=NOW)
            for n in range(6)
        ]
        first = add_post(session, people[0], "boodschappen", NOW)
        add_post(session, people[1], "ladder", NOW, category="odd_jobs")
        assert compare_with_full_scan(session, sample=10, now=NOW, seed=1) == (2, 2)
        # A pool that lost everyone (as if changes had gone unheard) disagrees with the scan...
        pool = pool_for(session)
        pool.catch_up(session, NOW)
        for person in people[1:]:
            assert person.id is not None
            pool._remove(person.id)
        request = request_of(first)
        assert not pool_agrees(session, pool, request=request, now=NOW)
        # ...and agrees again once `buurtbot reindex` had every pool load again.
        assert reload_pools(session.connection()) == 6
        assert pool_agrees(session, pool, request=request, now=NOW)
        session.rollback()
