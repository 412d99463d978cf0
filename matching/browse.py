"""Looking around the neighbourhood: which open posts come first, and in pages of a few.

Nearest first, in the same rough steps that are shown ("in je buurt", "~1 km", "~2 km"), so the
list never looks out of order; within a step the newest first. Posts whose distance is unknown
(no area on either side) come after the ones with a known distance, newest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Generic, TypeVar

from matching.distance import RoughDistance, rough_distance

PAGE_SIZE: Final = 5

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """One post to show, with what ordering needs; `item` is the caller's own object."""

    item: T
    area_cell: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Placed(Generic[T]):
    """A post in browsing order, with its rough distance from the viewer (None: unknown)."""

    item: T
    distance: RoughDistance | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Page `number` (1-based) of `count` pages."""

    entries: tuple[Placed[T], ...]
    number: int
    count: int
    first_position: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def nearest_then_newest(
    viewer_cell: str | None, listings: Iterable[Listing[T]]
) -> list[Placed[T]]:
    """The listings in browsing order, each with its rough distance from `viewer_cell`."""
    placed = [(rough_distance(viewer_cell, listing.area_cell), listing) for listing in listings]
    placed.sort(key=lambda pair: pair[1].created_at.timestamp(), reverse=True)
    placed.sort(key=lambda pair: (pair[0] is None, 0 if pair[0] is None else pair[0].rank))
    return [Placed(listing.item, distance) for distance, listing in placed]


def page_of(ordered: Sequence[Placed[T]], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """Page `number` of `ordered`; a number past the end gives the last page (the list may
    have shrunk since the button was made), and an empty list gives one empty page."""
    count = max(1, -(-len(ordered) // size))
    number = min(max(1, number), count)
    start = (number - 1) * size
    return Page(
        entries=tuple(ordered[start : start + size]),
        number=number,
        count=count,
        first_position=start + 1,
        total=len(ordered),
    )
