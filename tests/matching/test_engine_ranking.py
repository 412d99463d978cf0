"""Who is asked first among the eligible, what a plan says about the pool, and offer matching."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import (
    HOLD_HORIZON,
    Candidate,
    InvitationPlan,
    OfferInfo,
    RequestInfo,
    plan_invitations,
    requests_for_offer,
)
from matching.fit import text_fit
from matching.pace import Pace
from matching.reach import Reach, reaches_for
from tests.matching.engine_factories import (
    AMSTERDAM,
    NOW,
    OTHER_WIJK,
    WIJK,
    candidate,
    cell_at,
    request,
)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def plan(
    people: list[Candidate], batch_size: int = 3, at: datetime = NOW, **request_fields: object
) -> InvitationPlan:
    return plan_invitations(
        request(**request_fields), people, frozenset(), frozenset(), at, batch_size
    )


def first(people: list[Candidate]) -> int:
    return plan(people, batch_size=1).invite[0]


def test_someone_who_likes_this_kind_of_thing_comes_first() -> None:
    likes_it = candidate(9, likes=frozenset({"groceries"}))
    likes_other = candidate(2, likes=frozenset({"garden"}))
    assert first([likes_other, likes_it]) == 9


def test_someone_open_to_anything_comes_between_a_match_and_a_mismatch() -> None:
    match = candidate(7, likes=frozenset({"groceries", "pets"}))
    open_to_all = candidate(8)
    other = candidate(2, likes=frozenset({"digital"}))
    assert plan([other, open_to_all, match]).invite == (7, 8, 2)


def test_an_offer_in_the_requests_category_counts_like_a_like() -> None:
    offers = candidate(9, likes=frozenset({"garden"}), offer_categories=frozenset({"groceries"}))
    other = candidate(2, likes=frozenset({"garden"}))
    assert first([other, offers]) == 9


def test_an_offer_in_the_same_words_comes_before_an_unrelated_offer() -> None:
    groceries = candidate(9, offer_texts=("Ik doe graag boodschappen voor je",))
    ladder = candidate(2, offer_texts=("Ik heb een ladder te leen",))
    assert first([ladder, groceries]) == 9


def test_offer_words_are_compared_by_what_they_are_about_not_by_little_words() -> None:
    ask = "Wie kan zaterdag mijn boodschappen doen?"
    assert text_fit(ask, "Ik doe graag boodschappen voor je") > 0.5
    assert text_fit(ask, "Ik heb een ladder te leen") == 0.0
    assert text_fit(ask, "") == 0.0
    assert text_fit("ik kan", "ik kan") == 0.0  # nothing but little words


def test_nearer_comes_first_and_an_unknown_area_counts_as_halfway() -> None:
    people = [
        candidate(10 + distance, area_cell=cell_at(distance), wijk_id=WIJK)
        for distance in range(5)
    ]
    unknown = candidate(99, area_cell=None, wijk_id=WIJK)
    ranked = plan([*people, unknown], batch_size=10, reach=Reach.WIJK).invite
    assert ranked == (10, 11, 12, 99, 13, 14)


def test_people_invited_less_recently_come_first_and_never_invited_people_first_of_all() -> None:
    def invited(resident_id: int, days_ago: float | None) -> Candidate:
        at = None if days_ago is None else NOW - days_ago * DAY
        return candidate(resident_id, pace=Pace.WHENEVER, last_invited_at=at)

    people = [invited(2, 1), invited(3, 60), invited(4, None), invited(5, 10), invited(6, 400)]
    assert plan(people, batch_size=5).invite == (4, 6, 3, 5, 2)


def test_recent_invitations_in_the_window_count_for_fairness_too() -> None:
    # Even if the stored last_invited_at lags behind, the newest known invitation counts.
    stale = candidate(2, pace=Pace.WHENEVER, invitations_received=(NOW - DAY,))
    fresh = candidate(3, pace=Pace.WHENEVER, last_invited_at=NOW - 20 * DAY)
    assert first([stale, fresh]) == 3


def test_ties_go_to_the_lower_resident_id_whatever_the_order_given() -> None:
    people = [candidate(resident_id) for resident_id in range(2, 30)]
    for seed in range(5):
        random.Random(seed).shuffle(people)
        assert plan(people).invite == (2, 3, 4)


def test_the_batch_is_at_most_batch_size_and_nobody_is_in_it_twice() -> None:
    people = [candidate(5), candidate(5), candidate(6), candidate(7), candidate(8)]
    result = plan(people, batch_size=3)
    assert len(result.invite) == 3
    assert len(set(result.invite)) == 3
    assert result.eligible_now == 4
    assert plan(people, batch_size=0).invite == ()
    with pytest.raises(ValueError, match="batch_size"):
        plan(people, batch_size=-1)


def test_the_plan_counts_what_is_left_of_the_pool() -> None:
    people = [candidate(resident_id) for resident_id in range(2, 6)]
    first_batch = plan(people)
    assert first_batch.eligible_now == 4
    assert not first_batch.exhausted
    last = plan([candidate(9)])
    assert last.invite == (9,)
    assert last.exhausted


def test_widening_is_offered_only_to_a_reach_that_adds_someone() -> None:
    at_two = candidate(2, area_cell=cell_at(2), wijk_id=OTHER_WIJK)
    at_four = candidate(3, area_cell=cell_at(4), wijk_id=OTHER_WIJK)
    far_in_wijk = candidate(4, area_cell=cell_at(6), wijk_id=WIJK)
    assert plan([at_two, at_four], reach=Reach.STRAAT).wider_reach is Reach.BUURT
    assert plan([at_four], reach=Reach.STRAAT).wider_reach is Reach.WIJK  # buurt adds nobody
    assert plan([far_in_wijk], reach=Reach.BUURT).wider_reach is Reach.WIJK
    assert plan([at_two, at_four], reach=Reach.WIJK).wider_reach is None
    assert plan([], reach=Reach.STRAAT).wider_reach is None
    # Someone further away who can never be asked is no reason to widen.
    never = candidate(5, area_cell=cell_at(2), pace=Pace.NEVER)
    assert plan([never], reach=Reach.STRAAT).wider_reach is None


def test_people_in_their_quiet_hours_keep_the_pool_open_until_they_wake() -> None:
    evening = datetime(2026, 11, 25, 22, 0, tzinfo=AMSTERDAM)
    sleeper = candidate(2, quiet_start="21:00", quiet_end="08:00")
    result = plan([sleeper], at=evening)
    assert result.invite == ()
    assert result.next_available_at == datetime(2026, 11, 26, 8, 0, tzinfo=AMSTERDAM)
    assert not result.exhausted


def test_people_whose_pace_frees_up_soon_keep_the_pool_open_and_later_ones_do_not() -> None:
    soon = candidate(
        2, pace=Pace.WEEKLY, invitations_received=(NOW - 7 * DAY + timedelta(hours=2),)
    )
    result = plan([soon])
    assert result.invite == ()
    assert result.next_available_at == NOW + timedelta(hours=2)
    # Free at 06:00 tomorrow, in their quiet hours: they can be asked at 08:00, within a day.
    overnight = candidate(6, pace=Pace.WEEKLY, invitations_received=(NOW - 7 * DAY + 20 * HOUR,))
    assert plan([overnight]).next_available_at == datetime(2026, 11, 26, 8, 0, tzinfo=AMSTERDAM)
    days_away = candidate(3, pace=Pace.WEEKLY, invitations_received=(NOW - 2 * DAY,))
    assert plan([days_away]).next_available_at is None
    assert plan([days_away]).exhausted
    back_this_afternoon = candidate(4, paused=True, paused_until=NOW + timedelta(hours=6))
    assert plan([back_this_afternoon]).next_available_at == NOW + timedelta(hours=6)
    back_next_week = candidate(5, paused=True, paused_until=NOW + HOLD_HORIZON + DAY)
    assert plan([back_next_week]).next_available_at is None


def test_someone_back_after_the_night_is_available_when_their_quiet_hours_end() -> None:
    # Their pause ends at 23:00, during quiet hours: they can be asked at 08:00.
    pause_end = datetime(2026, 11, 25, 23, 0, tzinfo=AMSTERDAM)
    person = candidate(2, paused=True, paused_until=pause_end)
    assert plan([person]).next_available_at == datetime(2026, 11, 26, 8, 0, tzinfo=AMSTERDAM)


def test_reaches_need_an_area_except_the_wijk() -> None:
    assert reaches_for(None) == (Reach.WIJK,)
    assert reaches_for(cell_at(0)) == (Reach.STRAAT, Reach.BUURT, Reach.WIJK)


# -- which open requests fit an offer ---------------------------------------------------------

OFFERER = 50


def offer(**overrides: object) -> OfferInfo:
    fields: dict[str, object] = {
        "post_id": 500,
        "offerer_id": OFFERER,
        "wijk_id": WIJK,
        "area_cell": cell_at(1),
        "category": "groceries",
        "text": "Ik doe graag boodschappen voor je",
    }
    fields.update(overrides)
    return OfferInfo(**fields)  # type: ignore[arg-type]


def open_request(post_id: int, asker_id: int, **overrides: object) -> RequestInfo:
    return request(post_id=post_id, asker_id=asker_id, **overrides)


def matches(requests: list[RequestInfo], **kwargs: object) -> list[int]:
    blocked = kwargs.pop("blocked", frozenset())
    limit = kwargs.pop("limit", 5)
    found = requests_for_offer(offer(**kwargs), requests, blocked, NOW, limit)  # type: ignore[arg-type]
    return [found_request.post_id for found_request in found]


def test_an_offer_finds_requests_of_its_kind_first_then_by_words() -> None:
    requests = [
        open_request(1, 10, category="lending", text="Heeft iemand boodschappentassen te leen?"),
        open_request(2, 11, category="groceries", text="Wie haalt brood voor me?"),
        open_request(3, 12, category="garden", text="Wie maait mijn gras?"),
    ]
    assert matches(requests) == [2, 1]


def test_an_offer_never_shows_the_offerers_own_or_blocked_requests() -> None:
    requests = [open_request(1, OFFERER), open_request(2, 10), open_request(3, 11)]
    assert matches(requests) == [2, 3]
    assert matches(requests, blocked=frozenset({(OFFERER, 10)})) == [3]
    assert matches(requests, blocked=frozenset({(11, OFFERER)})) == [2]


def test_an_offer_respects_each_askers_reach_and_time() -> None:
    requests = [
        open_request(1, 10, reach=Reach.STRAAT, area_cell=cell_at(3)),  # too far for straat
        open_request(2, 11, reach=Reach.WIJK, area_cell=cell_at(3)),
        open_request(3, 12, reach=Reach.WIJK, area_cell=None, wijk_id=WIJK),
        open_request(4, 13, reach=Reach.BUURT, area_cell=None, wijk_id=WIJK),
        open_request(5, 14, needed_by=NOW - timedelta(minutes=1)),
        open_request(6, 15, reach=Reach.WIJK, area_cell=None, wijk_id=OTHER_WIJK),
    ]
    assert sorted(matches(requests)) == [2, 3]


def test_an_offer_lists_nearer_requests_first_and_older_ones_on_a_tie() -> None:
    requests = [
        open_request(7, 10, reach=Reach.WIJK, area_cell=cell_at(4)),
        open_request(5, 11, area_cell=cell_at(1)),
        open_request(3, 12, area_cell=cell_at(1)),
        open_request(9, 13, area_cell=cell_at(0)),
    ]
    assert matches(requests, area_cell=cell_at(0)) == [9, 3, 5, 7]
    assert matches(requests, area_cell=cell_at(0), limit=2) == [9, 3]
    assert matches(requests, limit=0) == []


def test_a_request_listed_twice_is_shown_once() -> None:
    repeated = [open_request(1, 10), open_request(1, 10)]
    assert matches(repeated) == [1]


# -- the shortcut in ranking changes nothing ----------------------------------------------------

OFFER_TEXTS = [
    "Ik doe graag boodschappen voor je",
    "Boodschappen op zaterdag",
    "Ik heb een ladder te leen",
    "Samen koffie drinken",
    "boodschappenhulp",
]


@st.composite
def populations(draw: st.DrawFn) -> list[Candidate]:
    people = []
    for resident_id in range(2, draw(st.integers(3, 40))):
        days_ago = draw(st.none() | st.integers(31, 400))
        people.append(
            candidate(
                resident_id,
                area_cell=draw(st.none() | st.sampled_from([cell_at(d) for d in range(5)])),
                likes=frozenset(draw(st.sets(st.sampled_from(["groceries", "garden"])))),
                offer_texts=tuple(draw(st.lists(st.sampled_from(OFFER_TEXTS), max_size=2))),
                last_invited_at=None if days_ago is None else NOW - days_ago * DAY,
            )
        )
    return people


@settings(max_examples=100, deadline=None)
@given(people=populations(), batch_size=st.integers(1, 5))
def test_a_small_batch_is_the_start_of_the_full_ranking(
    people: list[Candidate], batch_size: int
) -> None:
    # With a batch as large as the pool nothing is skipped, so this checks the skipping.
    full = plan(people, batch_size=len(people), reach=Reach.WIJK).invite
    assert plan(people, batch_size=batch_size, reach=Reach.WIJK).invite == full[:batch_size]
    assert sorted(full) == sorted(person.resident_id for person in people)
