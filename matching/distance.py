"""How far apart two neighbours roughly are, from their coarse h3 cells (never their homes).

The answer is deliberately vague: "in je buurt" for the same or a touching cell, otherwise
whole kilometres between the cells' centres. That is enough to judge whether to walk over and
too coarse to locate anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import h3

# Cells that share an edge are "nearby": at resolution 8 their centres are under a kilometre
# apart, and any finer statement would say more about where someone lives than is needed.
NEARBY_STEPS: Final = 1


@dataclass(frozen=True, slots=True)
class RoughDistance:
    """`nearby`, or else `km` whole kilometres (at least 1)."""

    nearby: bool
    km: int = 0

    @property
    def rank(self) -> int:
        """For sorting: nearby first, then by kilometres, so order matches what is shown."""
        return 0 if self.nearby else self.km


NEARBY: Final = RoughDistance(nearby=True)


def rough_distance(cell_a: str | None, cell_b: str | None) -> RoughDistance | None:
    """The rough distance between two h3 cells; None when either is unknown or not a cell."""
    if not cell_a or not cell_b or not h3.is_valid_cell(cell_a) or not h3.is_valid_cell(cell_b):
        return None
    try:
        steps: int | None = h3.grid_distance(cell_a, cell_b)
    except h3.H3BaseException:
        steps = None  # across a pentagon or too far apart to count steps: use the centres
    if steps is not None and steps <= NEARBY_STEPS:
        return NEARBY
    km = h3.great_circle_distance(h3.cell_to_latlng(cell_a), h3.cell_to_latlng(cell_b), unit="km")
    return RoughDistance(nearby=False, km=max(1, round(km)))
