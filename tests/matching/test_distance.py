"""Rough distances between coarse areas: "in je buurt" for the same or a touching cell, else
whole kilometres, and nothing at all when an area is unknown."""

from __future__ import annotations

import h3
import pytest

from matching.area import area_cell
from matching.distance import NEARBY, RoughDistance, rough_distance

TRANSVAAL = area_cell(52.3550, 4.9250)
UTRECHT = area_cell(52.0907, 5.1214)


def ring(cell: str, steps: int) -> str:
    return str(h3.grid_ring(cell, steps)[0])


def test_the_same_cell_is_nearby() -> None:
    assert rough_distance(TRANSVAAL, TRANSVAAL) == NEARBY


def test_a_touching_cell_is_nearby_in_both_directions() -> None:
    neighbour = ring(TRANSVAAL, 1)
    assert rough_distance(TRANSVAAL, neighbour) == NEARBY
    assert rough_distance(neighbour, TRANSVAAL) == NEARBY


@pytest.mark.parametrize(("steps", "km"), [(2, 2), (3, 3), (5, 4)])
def test_further_cells_are_whole_kilometres_between_centres(steps: int, km: int) -> None:
    assert rough_distance(TRANSVAAL, ring(TRANSVAAL, steps)) == RoughDistance(False, km)


def test_another_city_is_tens_of_kilometres_away() -> None:
    distance = rough_distance(TRANSVAAL, UTRECHT)
    assert distance is not None
    assert not distance.nearby
    assert 30 <= distance.km <= 35


@pytest.mark.parametrize(
    ("cell_a", "cell_b"),
    [(None, TRANSVAAL), (TRANSVAAL, None), ("", TRANSVAAL), ("not-a-cell", TRANSVAAL)],
)
def test_unknown_or_invalid_areas_have_no_distance(cell_a: str | None, cell_b: str | None) -> None:
    assert rough_distance(cell_a, cell_b) is None


def test_cells_of_another_resolution_fall_back_to_their_centres() -> None:
    coarse = h3.latlng_to_cell(52.0907, 5.1214, 5)
    distance = rough_distance(TRANSVAAL, coarse)
    assert distance is not None
    assert distance.km > 20


def test_rank_puts_nearby_before_any_kilometre() -> None:
    assert NEARBY.rank < RoughDistance(False, 1).rank < RoughDistance(False, 2).rank
