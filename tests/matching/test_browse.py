"""Browsing order (nearest in the steps shown, then newest) and pages of a few posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import pytest

from matching.area import area_cell
from matching.browse import PAGE_SIZE, Listing, Placed, nearest_then_newest, page_of
from matching.distance import NEARBY, RoughDistance

HOME = area_cell(52.3550, 4.9250)
NEXT_DOOR = str(h3.grid_ring(HOME, 1)[0])
TWO_KM = str(h3.grid_ring(HOME, 2)[0])
FOUR_KM = str(h3.grid_ring(HOME, 5)[0])
MORNING = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(minutes: int) -> datetime:
    return MORNING + timedelta(minutes=minutes)


def test_nearest_step_first_then_newest_within_a_step_then_unknown_newest_first() -> None:
    listings = [
        Listing("far, newest", FOUR_KM, at(50)),
        Listing("unknown, old", None, at(1)),
        Listing("two km, old", TWO_KM, at(2)),
        Listing("next door, old", NEXT_DOOR, at(3)),
        Listing("same cell, new", HOME, at(40)),
        Listing("unknown, new", None, at(45)),
        Listing("two km, new", TWO_KM, at(30)),
    ]
    ordered = nearest_then_newest(HOME, listings)
    assert [placed.item for placed in ordered] == [
        "same cell, new",
        "next door, old",
        "two km, new",
        "two km, old",
        "far, newest",
        "unknown, new",
        "unknown, old",
    ]
    assert ordered[0].distance == NEARBY
    assert ordered[2].distance == RoughDistance(False, 2)
    assert ordered[-1].distance is None


def test_without_an_area_of_ones_own_it_is_newest_first() -> None:
    listings = [Listing(n, HOME, at(n)) for n in (3, 9, 1)]
    assert [p.item for p in nearest_then_newest(None, listings)] == [9, 3, 1]


def test_times_in_other_zones_are_compared_as_instants() -> None:
    later = Listing("later", HOME, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    # 10:30 on the Amsterdam clock is 09:30 UTC: earlier, though its wall-clock time is later.
    earlier = Listing("earlier", HOME, datetime(2026, 11, 25, 10, 30, tzinfo=AMSTERDAM))
    ordered = nearest_then_newest(HOME, [earlier, later])
    assert [p.item for p in ordered] == ["later", "earlier"]


def placed(count: int) -> list[Placed[int]]:
    """`count` posts without an area, item n being the n-th newest."""
    return nearest_then_newest(None, [Listing(n, None, at(-n)) for n in range(count)])


@pytest.mark.parametrize(
    ("count", "number", "expected_number", "items", "previous", "more"),
    [
        (12, 1, 1, [0, 1, 2, 3, 4], False, True),
        (12, 2, 2, [5, 6, 7, 8, 9], True, True),
        (12, 3, 3, [10, 11], True, False),
        (12, 9, 3, [10, 11], True, False),  # the list shrank since the button was made
        (12, 0, 1, [0, 1, 2, 3, 4], False, True),
        (5, 1, 1, [0, 1, 2, 3, 4], False, False),
        (0, 1, 1, [], False, False),
    ],
)
def test_pages(
    count: int, number: int, expected_number: int, items: list[int], previous: bool, more: bool
) -> None:
    page = page_of(placed(count), number)
    assert page.number == expected_number
    assert [entry.item for entry in page.entries] == items
    assert (page.has_previous, page.has_next) == (previous, more)
    assert page.total == count
    if items:
        assert page.first_position == items[0] + 1


def test_a_page_holds_a_few_posts() -> None:
    assert 3 <= PAGE_SIZE <= 8
