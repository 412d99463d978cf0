"""What the storage layer may leave out before it builds Candidates: a prefilter for SQL.

Every resident :func:`CandidateFilter.drops` leaves out is one :func:`plan_invitations` would
leave out as well, now and within HOLD_HORIZON, so filtering in the database changes no plan;
it only keeps the rows few. The engine checks every rule again on what it gets.

The same filter as SQL (``:name`` parameters from the filter's fields; the NOT EXISTS can
also be a set of ids passed as `already_invited`)::

    SELECT ... FROM resident r
    WHERE (r.area_cell IN (:cells) OR r.wijk_id = :wijk_id)   -- wijk part only if set
      AND r.onboarded AND NOT r.stopped AND r.unreachable_since IS NULL
      AND r.pace IN (:paces)
      AND NOT (r.paused AND r.paused_until IS NULL)
      AND (r.paused_until IS NULL OR r.paused_until <= :paused_until_at_most)
      AND r.id NOT IN (:exclude_ids)
      AND (r.pace <> 'once' OR r.last_invited_at IS NULL)
      AND (r.pace <> 'monthly' OR r.last_invited_at IS NULL
           OR r.last_invited_at <= :cutoff_monthly)
      AND (r.pace <> 'weekly' OR r.last_invited_at IS NULL
           OR r.last_invited_at <= :cutoff_weekly)
      AND NOT EXISTS (SELECT 1 FROM invitation i
                      WHERE i.post_id = :post_id AND i.resident_id = r.id)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from matching.engine import HOLD_HORIZON, Candidate, RequestInfo
from matching.pace import INVITATION_HISTORY, PACE_CAPS, Pace
from matching.reach import REACH_RINGS, WHOLE_WIJK_REACHES, Reach, ring_distances


@dataclass(frozen=True, slots=True)
class CandidateFilter:
    """A generous prefilter for one request at one reach and moment.

    `last_invited_cutoffs` maps a pace to the moment after which a last invitation rules a
    resident of that pace out (None: any invitation at all does, for "once"). `cells` is empty
    and `wijk_id` None-or-set when the request has no area.
    """

    post_id: int
    cells: frozenset[str]
    wijk_id: int | None
    exclude_ids: frozenset[int]
    paces: frozenset[Pace]
    last_invited_cutoffs: Mapping[Pace, datetime | None]
    paused_until_at_most: datetime
    invitations_since: datetime

    def drops(self, candidate: Candidate) -> bool:
        """Whether the filter leaves `candidate` out: the SQL above, written in Python."""
        in_place = candidate.area_cell in self.cells or (
            self.wijk_id is not None and candidate.wijk_id == self.wijk_id
        )
        if not in_place or candidate.stopped or candidate.unreachable:
            return True
        if candidate.pace not in self.paces:
            return True
        if candidate.paused and candidate.paused_until is None:
            return True
        if candidate.paused_until is not None and candidate.paused_until > (
            self.paused_until_at_most
        ):
            return True
        if candidate.resident_id in self.exclude_ids:
            return True
        if Pace(candidate.pace) in self.last_invited_cutoffs:
            cutoff = self.last_invited_cutoffs[Pace(candidate.pace)]
            last = candidate.last_invited_at
            if last is not None and (cutoff is None or last > cutoff):
                return True
        return False


def candidate_filter(request: RequestInfo, reach: Reach, now: datetime) -> CandidateFilter:
    """The prefilter for `request` at `reach` (usually the request's current reach) at `now`."""
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    now = now.astimezone(UTC)
    cells: frozenset[str] = frozenset()
    if request.area_cell is not None:
        cells = frozenset(ring_distances(request.area_cell, REACH_RINGS[reach]))
    cutoffs: dict[Pace, datetime | None] = {}
    for pace, cap in PACE_CAPS.items():
        if cap.limit == 1:
            # With room for one invitation per window, the last one decides: free again at
            # last + window, which must come within HOLD_HORIZON to matter.
            cutoffs[pace] = None if cap.window is None else now - cap.window + HOLD_HORIZON
    return CandidateFilter(
        post_id=request.post_id,
        cells=cells,
        wijk_id=request.wijk_id if reach in WHOLE_WIJK_REACHES else None,
        exclude_ids=frozenset({request.asker_id}),
        paces=frozenset(pace for pace, cap in PACE_CAPS.items() if cap.limit > 0),
        last_invited_cutoffs=cutoffs,
        paused_until_at_most=now + HOLD_HORIZON,
        invitations_since=now - INVITATION_HISTORY,
    )
