"""Builders for the matching engine tests: a request in Oosterpark and residents around it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import h3

from matching.engine import Candidate, RequestInfo
from matching.pace import Pace
from matching.reach import Reach

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Wednesday 25 November 2026, 10:00 in Amsterdam: nobody's default quiet hours.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=AMSTERDAM)

CENTER = "8819695263fffff"  # Amsterdam, Oosterpark
WIJK = 1
OTHER_WIJK = 2
ASKER = 1


def cell_at(distance: int, index: int = 0) -> str:
    """A cell exactly `distance` rings from CENTER (the `index`-th of that ring, in id order)."""
    ring = sorted(h3.grid_ring(CENTER, distance))
    return str(ring[index % len(ring)])


def request(**overrides: Any) -> RequestInfo:
    fields: dict[str, Any] = {
        "post_id": 100,
        "asker_id": ASKER,
        "wijk_id": WIJK,
        "area_cell": CENTER,
        "category": "groceries",
        "text": "Wie kan zaterdag mijn boodschappen doen?",
        "reach": Reach.BUURT,
    }
    fields.update(overrides)
    return RequestInfo(**fields)


def candidate(resident_id: int = 2, **overrides: Any) -> Candidate:
    """An eligible neighbour in the next cell at NOW, unless `overrides` say otherwise."""
    fields: dict[str, Any] = {
        "resident_id": resident_id,
        "wijk_id": WIJK,
        "area_cell": cell_at(1),
        "pace": Pace.WEEKLY,
    }
    fields.update(overrides)
    return Candidate(**fields)
