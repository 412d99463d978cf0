"""A made-up neighbourhood for benchmarks and tests: residents around a request, seeded.

Not used by the bot. The mix follows what the product expects: most people at a low pace,
default quiet hours for most, a few paused or gone, likes for some, open offers for a few, and
invitations spread over the last month.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Final

from matching.categories import CATEGORY_KEYS
from matching.engine import Candidate, RequestInfo
from matching.pace import Pace
from matching.reach import WIDEST_RINGS, Reach, ring_distances

# Amsterdam, Oosterpark.
CENTER_CELL: Final = "8819695263fffff"
REQUEST_WIJK: Final = 1

_PACES: Final = (Pace.NEVER, Pace.ONCE, Pace.MONTHLY, Pace.WEEKLY, Pace.WHENEVER)
_PACE_WEIGHTS: Final = (10, 10, 40, 25, 15)
_QUIET: Final = (("21:00", "08:00"), ("22:00", "07:00"), ("20:00", "09:00"), ("23:00", "09:00"))
_ZONES: Final = ("Europe/Amsterdam", "Europe/London", "Europe/Istanbul", "America/Paramaribo")
_OFFER_PHRASES: Final = (
    "Ik doe graag boodschappen voor je",
    "Ik heb een ladder te leen",
    "Kleine klusjes in huis, lamp ophangen en zo",
    "Samen een kopje koffie drinken",
    "Hulp met je telefoon of computer",
    "Ik kan je hond uitlaten",
    "Ik rijd je naar het ziekenhuis",
    "Tuin bijhouden, gras maaien",
    "Brieven lezen en formulieren invullen",
    "Nederlands oefenen met een kop thee",
    "I can help with groceries on Saturdays",
    "Boormachine te leen",
)
_EXTRA_WORDS: Final = ("graag", "zaterdag", "hoek", "plein", "avond", "weekend", "buurman", "fijn")


def population(
    size: int, now: datetime, seed: int = 8, center_cell: str = CENTER_CELL
) -> list[Candidate]:
    """`size` residents within the widest reach of `center_cell` (a few without an area).

    Timestamps are in UTC, as the database returns them.
    """
    rng = random.Random(seed)
    now = now.astimezone(UTC)
    cells = sorted(ring_distances(center_cell, WIDEST_RINGS))
    residents: list[Candidate] = []
    for number in range(1, size + 1):
        area = None if rng.random() < 0.1 else rng.choice(cells)
        quiet = rng.choice(_QUIET) if rng.random() < 0.95 else ("08:00", "08:00")
        recent = tuple(
            now - timedelta(hours=rng.uniform(1, 30 * 24)) for _ in range(rng.choice((0, 0, 1, 2)))
        )
        last = max(recent, default=None)
        if last is None and rng.random() < 0.3:
            last = now - timedelta(days=rng.uniform(31, 365))
        offers = tuple(
            f"{rng.choice(_OFFER_PHRASES)} {rng.choice(_EXTRA_WORDS)} {number}"
            for _ in range(rng.choice((1, 2)) if rng.random() < 0.1 else 0)
        )
        paused = rng.random() < 0.05
        residents.append(
            Candidate(
                resident_id=number,
                wijk_id=REQUEST_WIJK if rng.random() < 0.7 else 2,
                area_cell=area,
                pace=rng.choices(_PACES, _PACE_WEIGHTS)[0],
                quiet_start=quiet[0],
                quiet_end=quiet[1],
                time_zone=_ZONES[0] if rng.random() < 0.95 else rng.choice(_ZONES),
                likes=frozenset(rng.sample(CATEGORY_KEYS, rng.choice((0, 1, 2, 3)))),
                offer_texts=offers,
                paused=paused,
                paused_until=now + timedelta(days=3) if paused and rng.random() < 0.5 else None,
                stopped=rng.random() < 0.02,
                invitations_received=recent,
                last_invited_at=last,
            )
        )
    return residents


def request(
    reach: Reach = Reach.WIJK, center_cell: str = CENTER_CELL, asker_id: int = 1
) -> RequestInfo:
    """A groceries request at `center_cell`."""
    return RequestInfo(
        post_id=1,
        asker_id=asker_id,
        wijk_id=REQUEST_WIJK,
        area_cell=center_cell,
        category="groceries",
        text="Wie kan zaterdag mijn boodschappen doen bij de Albert Heijn?",
        reach=reach,
    )
