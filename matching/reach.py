"""How far a request travels: the asker's reach, as rings of h3 cells around the request's cell.

Areas are h3 resolution 8 cells (see :mod:`matching.area`): in the Netherlands their edges are
460-515 m, so the centres of neighbouring cells lie about 0.9 km apart. Everyone within k rings
lives in the same cell or at most k cells away: a walk of roughly k x 0.9 km between cell
centres, plus up to half a cell (~0.5 km) at either end.

- straat, 1 ring (7 cells, ~4 km²): the own cell and the six around it, centres at most 0.9 km
  apart: typically a 10-15 minute walk. One ring is the least that works at all, because a
  house near a cell's edge has its next-door neighbours in the next cell.
- buurt, 2 rings (19 cells, ~12 km²): centres at most 1.8 km apart, a short bike ride; about
  what a Dutch "buurt" of a few thousand people spans, seen from anywhere inside it.
- wijk, 4 rings (61 cells, ~38 km²) or the same wijk: centres at most 3.6 km apart, still a
  bike ride, plus everyone who joined the asker's wijk even if their area is unknown or
  further away. A wijk is a few buurten; 4 rings cross even a large one from its edge.

Reach only ever widens with the asker's consent (see :mod:`matching.flow`).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Final

import h3


class Reach(StrEnum):
    """How far the asker lets a request travel; widest last."""

    STRAAT = "straat"
    BUURT = "buurt"
    WIJK = "wijk"


REACH_ORDER: Final[tuple[Reach, ...]] = (Reach.STRAAT, Reach.BUURT, Reach.WIJK)
REACH_RINGS: Final[dict[Reach, int]] = {Reach.STRAAT: 1, Reach.BUURT: 2, Reach.WIJK: 4}
WIDEST_RINGS: Final = REACH_RINGS[REACH_ORDER[-1]]
# Reaches that also include everyone in the asker's wijk, wherever in it they live.
WHOLE_WIJK_REACHES: Final = frozenset({Reach.WIJK})


def wider_reaches(reach: Reach) -> tuple[Reach, ...]:
    """The reaches wider than `reach`, nearest first."""
    return REACH_ORDER[REACH_ORDER.index(reach) + 1 :]


def reaches_for(area_cell: str | None) -> tuple[Reach, ...]:
    """The reaches an asker can choose: rings need a known area, the wijk always works."""
    if area_cell is None:
        return tuple(reach for reach in REACH_ORDER if reach in WHOLE_WIJK_REACHES)
    return REACH_ORDER


def ring_distances(area_cell: str, rings: int = WIDEST_RINGS) -> dict[str, int]:
    """Every cell within `rings` of `area_cell`, with its grid distance (0 for the cell itself).

    Raises ValueError when `area_cell` is not an h3 cell.
    """
    # Each plan asks for the same few cells several times; h3 takes ~0.2 ms for the rings.
    return dict(_ring_distances(area_cell, rings))


@lru_cache(maxsize=4096)
def _ring_distances(area_cell: str, rings: int) -> tuple[tuple[str, int], ...]:
    return tuple(_computed_ring_distances(area_cell, rings).items())


def _computed_ring_distances(area_cell: str, rings: int) -> dict[str, int]:
    if not h3.is_valid_cell(area_cell):
        raise ValueError(f"not an h3 cell: {area_cell!r}")
    distances: dict[str, int] = {}
    for ring in range(rings + 1):
        try:
            cells = h3.grid_ring(area_cell, ring)
        except h3.H3BaseException:
            # grid_ring gives up next to one of h3's twelve pentagons (none on land in Europe);
            # the slower disk plus distance works everywhere.
            return _ring_distances_near_pentagon(area_cell, rings)
        for cell in cells:
            distances.setdefault(str(cell), ring)
    return distances


def _ring_distances_near_pentagon(area_cell: str, rings: int) -> dict[str, int]:
    distances: dict[str, int] = {}
    for cell in h3.grid_disk(area_cell, rings):
        try:
            distances[str(cell)] = int(h3.grid_distance(area_cell, cell))
        except h3.H3BaseException:
            continue
    return distances


def cells_within(area_cell: str, reach: Reach) -> frozenset[str]:
    """The cells a request in `area_cell` reaches by rings (for the storage layer's prefilter)."""
    return frozenset(ring_distances(area_cell, REACH_RINGS[reach]))
