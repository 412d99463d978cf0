"""Whom to invite for a request, now: a few willing neighbours nearby, each at their own pace.

The storage layer gathers plain data (a :class:`RequestInfo`, the :class:`Candidate` residents
around it, the blocks involving the asker, who was invited for this request already) and
:func:`plan_invitations` decides who gets an invitation now. When to send the next batch, ask
the asker to widen the reach, or give up kindly is decided by :mod:`matching.flow`.

Eligibility (every rule is a hard rule; :func:`why_not` names the first one that applies):

- not the asker, and not invited for this request before;
- reachable: not stopped, not paused (until resumed, or until the pause's end date);
- within the asker's reach (:mod:`matching.reach`);
- not blocked, whoever blocked whom;
- within their pace (:mod:`matching.pace`): a hard cap on invitations received;
- not in their quiet hours at the moment of sending (:mod:`matching.quiet_hours`).

Ranking among the eligible is a weighted sum of four parts, each from 0 to 1:

- category (W_CATEGORY): 1 when the request's category is one they said they like or offer
  themselves; NO_LIKES_FIT when they named no likes (open to anything); 0 when they named
  other things;
- offer words (W_OFFER_TEXT): the best :func:`matching.fit.text_fit` of the request's text
  with the texts of their open offers;
- nearby (W_NEARBY): 1 in the request's own cell, one step less per ring, 0 beyond the widest
  reach (same wijk, far away); UNKNOWN_AREA_NEARBY when their area is unknown;
- fairness (W_FAIRNESS): 1 for people never invited; otherwise it grows with the time since
  their last invitation (half after FAIRNESS_HALF_TIME), so the same few people are not asked
  again and again.

Ties go to the lower resident id, so a plan is the same every time for the same input.
Scores are internal to this module: they are never stored and never shown to anyone, neither to
residents nor to buurtwerkers. Nobody is ranked in front of people.

What the storage layer gathers for one plan (the engine re-checks every rule itself, so its
prefilter only has to be generous; :mod:`matching.candidate_filter` gives one that is safe):

- candidates: the residents around the request that the filter keeps, with their invitations
  of the last INVITATION_HISTORY, their last invitation ever, and the category and text of
  their open offers. The plan only knows about the people it is given: `wider_reach` can only
  be found if some residents of the wider reaches are among them;
- blocked: the block rows where the asker is blocker or blocked;
- already_invited: the resident ids of this request's invitations.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from matching.availability import is_reachable
from matching.fit import content_fit, content_words
from matching.pace import PACE_CAPS, Pace, pace_free_at
from matching.quiet_hours import (
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    DEFAULT_TIME_ZONE,
    is_quiet,
    parse_clock,
    quiet_ends_at,
    zone,
)
from matching.reach import (
    REACH_ORDER,
    REACH_RINGS,
    WHOLE_WIJK_REACHES,
    WIDEST_RINGS,
    Reach,
    ring_distances,
)

BATCH_SIZE: Final = 3

W_CATEGORY: Final = 0.35
W_OFFER_TEXT: Final = 0.20
W_NEARBY: Final = 0.25
W_FAIRNESS: Final = 0.20
NO_LIKES_FIT: Final = 0.5
UNKNOWN_AREA_NEARBY: Final = 0.5
FAIRNESS_HALF_TIME: Final = timedelta(days=14)

# Someone held back only for now (quiet hours, a full pace window, a pause with an end date)
# still counts as part of the nearby pool if they can be asked within this time; people further
# off do not keep a request waiting.
HOLD_HORIZON: Final = timedelta(hours=24)

# requests_for_offer: how a request fits an offer.
OFFER_W_CATEGORY: Final = 0.45
OFFER_W_TEXT: Final = 0.30
OFFER_W_NEARBY: Final = 0.25
OFFER_MATCH_LIMIT: Final = 5

_WIJK_LEVEL: Final = REACH_ORDER.index(Reach.WIJK)
# For each grid distance up to the widest reach, the narrowest reach that includes it.
_RING_LEVEL: Final[tuple[int, ...]] = tuple(
    min(level for level, reach in enumerate(REACH_ORDER) if REACH_RINGS[reach] >= distance)
    for distance in range(WIDEST_RINGS + 1)
)
# Public for candidate sources that group residents the way classify does (storage.candidate_pool).
RING_LEVEL: Final = _RING_LEVEL
WIJK_LEVEL: Final = _WIJK_LEVEL
_NEARBY_AT_DISTANCE: Final[tuple[float, ...]] = tuple(
    1.0 - distance / (WIDEST_RINGS + 1) for distance in range(WIDEST_RINGS + 1)
)
# The highest score a request of another category than the offer's can reach (its words fit
# perfectly, next door): a candidate source can stop reading other categories once it has
# enough requests of the offer's own category scoring above this.
OFFER_OTHER_CATEGORY_CEILING: Final = (
    OFFER_W_TEXT + OFFER_W_NEARBY * max(*_NEARBY_AT_DISTANCE, UNKNOWN_AREA_NEARBY) + 1e-9
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A resident who might be invited, as the storage layer sees them at this moment.

    `invitations_received` needs at least every invitation of the last
    :data:`matching.pace.INVITATION_HISTORY` (30 days), for the pace windows;
    `last_invited_at` is the most recent invitation ever (None: never invited), for "once" and
    for fairness. Timestamps are best given in UTC, as stored (it is also the fast path).
    How anyone answered is not part of this on purpose: an invitation counts against a pace
    whatever the answer was, and "nu even niet" leaves no trace that could count against them.
    `offer_categories` and `offer_texts` are those of their open offers.
    """

    resident_id: int
    wijk_id: int | None
    area_cell: str | None
    pace: Pace
    quiet_start: str = DEFAULT_QUIET_START
    quiet_end: str = DEFAULT_QUIET_END
    time_zone: str = DEFAULT_TIME_ZONE
    likes: frozenset[str] = frozenset()
    offer_categories: frozenset[str] = frozenset()
    offer_texts: tuple[str, ...] = ()
    paused: bool = False
    paused_until: datetime | None = None
    stopped: bool = False
    # Telegram said they blocked the bot: an invitation could not reach them (until they
    # write to the bot again).
    unreachable: bool = False
    invitations_received: tuple[datetime, ...] = ()
    last_invited_at: datetime | None = None

    def __post_init__(self) -> None:
        # Fail where bad data enters, not halfway through a plan.
        Pace(self.pace)
        parse_clock(self.quiet_start)
        parse_clock(self.quiet_end)
        zone(self.time_zone)

    @property
    def ever_invited(self) -> bool:
        return self.last_invited_at is not None or bool(self.invitations_received)


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestInfo:
    """An open request (vraag). `reach` is how far it may travel now (widened only with consent).

    `needed_by` is the end of the time it is for, if it has one; past it the request is not
    offered to anyone any more.
    """

    post_id: int
    asker_id: int
    wijk_id: int
    area_cell: str | None
    category: str
    text: str
    reach: Reach
    needed_by: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferInfo:
    """An offer (aanbod) someone posted, for finding the open requests it fits."""

    post_id: int
    offerer_id: int
    wijk_id: int | None
    area_cell: str | None
    category: str
    text: str


class Exclusion(StrEnum):
    """Why someone is not invited now. Internal: never shown to anyone, never stored."""

    ASKER = "asker"
    ALREADY_INVITED = "already_invited"
    STOPPED = "stopped"
    UNREACHABLE = "unreachable"  # they blocked the bot: until they write to it again
    PAUSED = "paused"  # until they resume
    PAUSED_UNTIL = "paused_until"  # until a date that has not come yet
    PACE_NEVER = "pace_never"
    PACE_USED = "pace_used"  # pace "once", and they were invited before
    BLOCKED = "blocked"
    OUT_OF_REACH = "out_of_reach"
    PACE_CAP = "pace_cap"  # their pace allows no more invitations in the current window
    QUIET_HOURS = "quiet_hours"


# Reasons that pass with time: the person may still be asked for this request later.
TEMPORARY_EXCLUSIONS: Final = frozenset(
    {Exclusion.PAUSED_UNTIL, Exclusion.PACE_CAP, Exclusion.QUIET_HOURS}
)
# Looking an enum member up on its class costs more than the check it reports.
_OUT_OF_REACH: Final = Exclusion.OUT_OF_REACH
_PACE_CAP: Final = Exclusion.PACE_CAP
_QUIET_HOURS: Final = Exclusion.QUIET_HOURS


@dataclass(frozen=True, slots=True)
class InvitationPlan:
    """Who to invite now for a request, and what is left of the pool around it.

    `eligible_now` counts everyone who could be invited right now at `reach` (including
    `invite`). `next_available_at` is the earliest moment, within HOLD_HORIZON, at which someone
    at `reach` who is held back only for now can be asked (None: nobody). `wider_reach` is the
    nearest wider reach that adds someone to ask, now or within HOLD_HORIZON (None: none does).
    """

    reach: Reach
    invite: tuple[int, ...]
    eligible_now: int
    next_available_at: datetime | None
    wider_reach: Reach | None

    @property
    def exhausted(self) -> bool:
        """Nobody is left to ask at this reach after this batch, now or soon."""
        return self.eligible_now <= len(self.invite) and self.next_available_at is None


@dataclass(slots=True)
class _Call:
    """Everything one planning call computes once and shares between all candidates."""

    request: RequestInfo
    now: datetime
    asker_blocks: set[int]
    already_invited: Set[int]
    rings: dict[str, int]
    asker_id: int
    wijk_id: int
    # Per pace that allows anything: (limit, start of its window at `now`, None for all time).
    pace_rules: dict[str, tuple[int, datetime | None]]
    quiet_now: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    quiet_end: dict[tuple[str, str, str], datetime] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        request: RequestInfo,
        blocked: Iterable[tuple[int, int]],
        already_invited: Collection[int],
        now: datetime,
    ) -> _Call:
        if now.utcoffset() is None:
            raise ValueError("now must be a timezone-aware datetime")
        # In UTC, like the stored timestamps: datetimes with the same tzinfo compare without
        # asking the zone for an offset, which is most of the cost of comparing them.
        now = now.astimezone(UTC)
        return cls(
            request=request,
            now=now,
            asker_blocks=_blocked_with(request.asker_id, blocked),
            already_invited=(
                already_invited if isinstance(already_invited, Set) else set(already_invited)
            ),
            rings=ring_distances(request.area_cell) if request.area_cell is not None else {},
            asker_id=request.asker_id,
            wijk_id=request.wijk_id,
            pace_rules={
                pace.value: (cap.limit, None if cap.window is None else now - cap.window)
                for pace, cap in PACE_CAPS.items()
                if cap.limit > 0
            },
        )

    def classify(self, candidate: Candidate) -> tuple[Exclusion | None, int, int | None]:
        """(the first rule that keeps the candidate out now or None, their reach level, distance).

        The level is the index in REACH_ORDER of the narrowest reach that includes them (-1
        when no reach does, with OUT_OF_REACH); the distance is in grid rings (None: unknown,
        or beyond the widest rings). Rules that last for the whole request come first, then
        the place, then the rules that pass with time (TEMPORARY_EXCLUSIONS).
        """
        # The hottest loop of the engine: locals and precomputed rules, cheapest checks first.
        rid = candidate.resident_id
        if rid == self.asker_id:
            return Exclusion.ASKER, -1, None
        if rid in self.already_invited:
            return Exclusion.ALREADY_INVITED, -1, None
        if candidate.stopped:
            return Exclusion.STOPPED, -1, None
        if candidate.unreachable:
            return Exclusion.UNREACHABLE, -1, None
        now = self.now
        paused_until = candidate.paused_until
        pause_passes = paused_until is not None and paused_until > now
        # A pause whose end date is still to come passes with time (PAUSED_UNTIL, below).
        if (
            candidate.paused
            and not pause_passes
            and not is_reachable(paused=True, paused_until=paused_until, stopped=False, now=now)
        ):
            return Exclusion.PAUSED, -1, None
        rule = self.pace_rules.get(candidate.pace)
        if rule is None:
            return Exclusion.PACE_NEVER, -1, None
        limit, since = rule
        received = candidate.invitations_received
        if since is None and (candidate.last_invited_at is not None or received):
            return Exclusion.PACE_USED, -1, None
        if rid in self.asker_blocks:
            return Exclusion.BLOCKED, -1, None
        cell = candidate.area_cell
        distance = self.rings.get(cell) if cell is not None else None
        if distance is not None:
            level = _RING_LEVEL[distance]
        elif candidate.wijk_id == self.wijk_id:
            level = _WIJK_LEVEL
        else:
            return _OUT_OF_REACH, -1, None
        if pause_passes:
            return Exclusion.PAUSED_UNTIL, level, distance
        if received and since is not None:
            # The same rule as matching.pace.pace_allows, with the window's start computed
            # once per call instead of once per person.
            count = 0
            for sent_at in received:
                if sent_at > since:
                    count += 1
            if count >= limit:
                return _PACE_CAP, level, distance
        key = (candidate.time_zone, candidate.quiet_start, candidate.quiet_end)
        quiet = self.quiet_now.get(key)
        if quiet is None:
            quiet = is_quiet(candidate.quiet_start, candidate.quiet_end, key[0], now)
            self.quiet_now[key] = quiet
        return (_QUIET_HOURS if quiet else None), level, distance

    def available_at(
        self, candidate: Candidate, reason: Exclusion, horizon: datetime
    ) -> datetime | None:
        """When a candidate held back for `reason` may first be asked, if before `horizon`.

        A hint for when to look again: the rules are checked afresh at that moment.
        """
        start, end, zone_name = candidate.quiet_start, candidate.quiet_end, candidate.time_zone
        if reason is _QUIET_HOURS:
            # Pause and pace passed already; only the clock holds them back.
            key = (zone_name, start, end)
            ends = self.quiet_end.get(key)
            if ends is None:
                ends = quiet_ends_at(start, end, zone_name, self.now)
                self.quiet_end[key] = ends
            return ends if ends <= horizon else None
        moment = self.now
        if candidate.paused_until is not None and candidate.paused_until > moment:
            moment = candidate.paused_until
        if moment > horizon:
            return None
        rule = self.pace_rules.get(candidate.pace)
        if reason is _PACE_CAP and rule is not None and rule[1] is not None:
            # Nobody is free before their oldest invitation in the window has left it: most
            # people held back by their pace are days away, so skip the exact sum for them.
            since = rule[1]
            oldest = min(candidate.invitations_received)
            if oldest <= since:
                oldest = min(
                    sent_at for sent_at in candidate.invitations_received if sent_at > since
                )
            if oldest + (self.now - since) > horizon:
                return None
        free = pace_free_at(
            candidate.pace,
            candidate.invitations_received,
            ever_invited=candidate.ever_invited,
            now=self.now,
        )
        if free is None:
            return None
        moment = max(moment, free)
        if moment > horizon:
            return None
        moment = quiet_ends_at(start, end, zone_name, moment)
        return moment if moment <= horizon else None

    def base_score(self, candidate: Candidate, distance: int | None) -> float:
        """The score without the offer words, which are the costly part."""
        category = self.request.category
        if category in candidate.likes or category in candidate.offer_categories:
            category_fit = 1.0
        elif not candidate.likes:
            category_fit = NO_LIKES_FIT
        else:
            category_fit = 0.0
        if distance is not None:
            nearby = _NEARBY_AT_DISTANCE[distance]
        else:
            nearby = UNKNOWN_AREA_NEARBY if candidate.area_cell is None else 0.0
        latest = candidate.last_invited_at
        received = candidate.invitations_received
        if received:
            newest = max(received)
            if latest is None or newest > latest:
                latest = newest
        if latest is None:
            fairness = 1.0
        else:
            waited = max((self.now - latest) / FAIRNESS_HALF_TIME, 0.0)
            fairness = waited / (waited + 1.0)
        return W_CATEGORY * category_fit + W_NEARBY * nearby + W_FAIRNESS * fairness


def _blocked_with(resident_id: int, blocked: Iterable[tuple[int, int]]) -> set[int]:
    """Everyone who blocked `resident_id` or was blocked by them."""
    others: set[int] = set()
    for blocker, blocked_one in blocked:
        if blocker == resident_id:
            others.add(blocked_one)
        elif blocked_one == resident_id:
            others.add(blocker)
    return others


def why_not(
    candidate: Candidate,
    request: RequestInfo,
    *,
    blocked: Iterable[tuple[int, int]] = frozenset(),
    already_invited: Collection[int] = frozenset(),
    now: datetime,
    reach: Reach | None = None,
) -> Exclusion | None:
    """The first rule that keeps `candidate` from being invited for `request` now, or None.

    For tests and logs; :func:`plan_invitations` applies exactly the same rules.
    """
    call = _Call.start(request, blocked, already_invited, now)
    reason, level, _distance = call.classify(candidate)
    in_time = reason is None or reason in TEMPORARY_EXCLUSIONS
    if in_time and level > REACH_ORDER.index(reach or request.reach):
        return Exclusion.OUT_OF_REACH
    return reason


def plan_invitations(
    request: RequestInfo,
    candidates: Iterable[Candidate],
    blocked: Iterable[tuple[int, int]],
    already_invited: Collection[int],
    now: datetime,
    batch_size: int = BATCH_SIZE,
    *,
    reach: Reach | None = None,
) -> InvitationPlan:
    """Decide whom to invite for `request` at `now`: the best `batch_size` eligible people.

    `reach` overrides `request.reach`. `candidates` should be everyone the storage layer found
    around the request at the widest reach (so the plan can say whether widening would help);
    anyone further away is simply out of reach. `blocked` holds (blocker, blocked) pairs; only
    pairs involving the asker matter. The plan's scores are never exposed.
    """
    if batch_size < 0:
        raise ValueError("batch_size must not be negative")
    current = REACH_ORDER.index(reach or request.reach)
    call = _Call.start(request, blocked, already_invited, now)
    # Keyed by resident id: someone listed twice is still one person, asked at most once.
    eligible: dict[int, tuple[float, Candidate]] = {}
    wider_now: set[int] = set()
    # People held back for now, with their reach level. Those held only by their quiet hours
    # all wake at the same moment per zone and hours, so one of each kind is enough.
    held: list[tuple[int, Candidate, Exclusion]] = []
    sleeping: dict[tuple[int, str, str, str], Candidate] = {}
    for candidate in candidates:
        reason, level, distance = call.classify(candidate)
        if reason is None:
            if level > current:
                wider_now.add(level)
            elif candidate.resident_id not in eligible:
                eligible[candidate.resident_id] = (call.base_score(candidate, distance), candidate)
        elif reason is _QUIET_HOURS:
            kind = (level, candidate.time_zone, candidate.quiet_start, candidate.quiet_end)
            sleeping.setdefault(kind, candidate)
        elif reason in TEMPORARY_EXCLUSIONS:
            held.append((level, candidate, reason))
    held.extend((kind[0], candidate, _QUIET_HOURS) for kind, candidate in sleeping.items())
    invite = _best(call, list(eligible.values()), batch_size)
    horizon = call.now + HOLD_HORIZON
    next_available_at: datetime | None = None
    nearest_wider = min(wider_now, default=len(REACH_ORDER))
    for level, candidate, reason in held:
        if level > current and level >= nearest_wider:
            continue  # a nearer wider reach has someone already
        at = call.available_at(candidate, reason, horizon)
        if at is None:
            continue
        if level > current:
            nearest_wider = level
        elif next_available_at is None or at < next_available_at:
            next_available_at = at
    return InvitationPlan(
        reach=REACH_ORDER[current],
        invite=invite,
        eligible_now=len(eligible),
        next_available_at=next_available_at,
        wider_reach=REACH_ORDER[nearest_wider] if nearest_wider < len(REACH_ORDER) else None,
    )


def _best(
    call: _Call, eligible: list[tuple[float, Candidate]], batch_size: int
) -> tuple[int, ...]:
    """The ids of the `batch_size` best-scoring eligible candidates, best first.

    Comparing texts is the one costly part, and it adds at most W_OFFER_TEXT. The batch's
    worst score without texts is a floor for the batch's worst full score, so anyone whose
    score cannot reach that floor even with a perfect text is left out before texts are
    compared, and the result is still exact.
    """
    if batch_size == 0 or not eligible:
        return ()
    if len(eligible) > batch_size:
        floor = heapq.nlargest(batch_size, [base for base, _candidate in eligible])[-1]
        eligible = [
            (base, candidate)
            for base, candidate in eligible
            if base >= floor or (candidate.offer_texts and base + W_OFFER_TEXT >= floor)
        ]
    ranked = _full_scores(call, eligible)
    return tuple(rid for _score, rid in heapq.nsmallest(batch_size, ranked))


def _full_scores(
    call: _Call, eligible: Iterable[tuple[float, Candidate]]
) -> list[tuple[float, int]]:
    """(-score, resident id) with the offer words added to each base score."""
    request_words = content_words(call.request.text)
    fits: dict[str, float] = {}
    ranked: list[tuple[float, int]] = []
    for base, candidate in eligible:
        score = base
        if candidate.offer_texts:
            best_fit = 0.0
            for text in candidate.offer_texts:
                fit = fits.get(text)
                if fit is None:
                    fit = content_fit(request_words, content_words(text))
                    fits[text] = fit
                best_fit = max(best_fit, fit)
            score = base + W_OFFER_TEXT * best_fit
        ranked.append((-score, candidate.resident_id))
    return ranked


class Scorer:
    """The exact score of one candidate at a time, as :func:`eligible_scores` gives it: for a
    candidate source that examines residents one by one (storage.candidate_pool). Everything
    that is the same for every candidate is computed once."""

    __slots__ = ("_call", "_current", "_fits", "_words")

    def __init__(
        self,
        request: RequestInfo,
        blocked: Iterable[tuple[int, int]],
        already_invited: Collection[int],
        now: datetime,
        *,
        reach: Reach | None = None,
    ) -> None:
        self._call = _Call.start(request, blocked, already_invited, now)
        self._current = REACH_ORDER.index(reach or request.reach)
        self._words = content_words(request.text)
        self._fits: dict[str, float] = {}

    def score(self, candidate: Candidate) -> float | None:
        """Their score, or None when they cannot be invited now at the reach."""
        reason, level, distance = self._call.classify(candidate)
        if reason is not None or level > self._current:
            return None
        score = self._call.base_score(candidate, distance)
        if candidate.offer_texts:
            best_fit = 0.0
            for text in candidate.offer_texts:
                fit = self._fits.get(text)
                if fit is None:
                    fit = content_fit(self._words, content_words(text))
                    self._fits[text] = fit
                best_fit = max(best_fit, fit)
            score += W_OFFER_TEXT * best_fit
        return score

    def quiet_level(self, candidate: Candidate) -> int | None:
        """The reach level (index in REACH_ORDER) of a candidate whom only their quiet hours
        keep from being asked now, or None for anyone else."""
        reason, level, _distance = self._call.classify(candidate)
        return level if reason is _QUIET_HOURS else None


def eligible_scores(
    request: RequestInfo,
    candidates: Iterable[Candidate],
    blocked: Iterable[tuple[int, int]],
    already_invited: Collection[int],
    now: datetime,
    *,
    reach: Reach | None = None,
) -> dict[int, float]:
    """The exact score of everyone in `candidates` who could be invited now at `reach`.

    The numbers :func:`plan_invitations` ranks by (highest first, ties to the lower id), for a
    candidate source that searches by :func:`score_ceiling` and needs to know when to stop.
    Internal like every score: never stored, never shown.
    """
    current = REACH_ORDER.index(reach or request.reach)
    call = _Call.start(request, blocked, already_invited, now)
    eligible: dict[int, tuple[float, Candidate]] = {}
    for candidate in candidates:
        reason, level, distance = call.classify(candidate)
        if reason is None and level <= current and candidate.resident_id not in eligible:
            eligible[candidate.resident_id] = (call.base_score(candidate, distance), candidate)
    return {rid: -negative for negative, rid in _full_scores(call, eligible.values())}


# Added to every ceiling so that rounding in a different order of additions never puts a
# ceiling below the exact score it bounds.
_CEILING_SLACK: Final = 1e-9


def score_ceiling(
    *,
    category_fit: float,
    has_offers: bool,
    nearby: float,
    last_invited_at: datetime | None,
    now: datetime,
) -> float:
    """An upper bound on the score of someone with this category fit, nearby part and last
    invitation (None: never), with a perfect offer text if they have open offers.

    A last invitation older than the truth only raises the bound: fairness falls as the last
    invitation comes nearer.
    """
    if last_invited_at is None:
        fairness = 1.0
    else:
        waited = max((now - last_invited_at) / FAIRNESS_HALF_TIME, 0.0)
        fairness = waited / (waited + 1.0)
    ceiling = W_CATEGORY * category_fit + W_NEARBY * nearby + W_FAIRNESS * fairness
    if has_offers:
        ceiling += W_OFFER_TEXT
    return ceiling + _CEILING_SLACK


def nearby_at(distance: int | None, *, area_known: bool) -> float:
    """The nearby part of the score at a grid distance (None: beyond the widest rings)."""
    if distance is not None:
        return _NEARBY_AT_DISTANCE[distance]
    return 0.0 if area_known else UNKNOWN_AREA_NEARBY


def requests_for_offer(
    offer: OfferInfo,
    open_requests: Iterable[RequestInfo],
    blocked: Iterable[tuple[int, int]],
    now: datetime,
    limit: int = OFFER_MATCH_LIMIT,
) -> tuple[RequestInfo, ...]:
    """The open requests `offer` fits best, best first, at most `limit`: see
    :func:`scored_requests_for_offer`."""
    best = scored_requests_for_offer(offer, open_requests, blocked, now, limit)
    return tuple(request for _score, request in best)


def scored_requests_for_offer(
    offer: OfferInfo,
    open_requests: Iterable[RequestInfo],
    blocked: Iterable[tuple[int, int]],
    now: datetime,
    limit: int = OFFER_MATCH_LIMIT,
) -> tuple[tuple[float, RequestInfo], ...]:
    """The open requests `offer` fits best with their scores, best first, at most `limit`.

    A request fits when its category is the offer's or their words fit. Left out: the
    offerer's own requests, requests of anyone blocked with the offerer (either way), requests
    whose `needed_by` has passed, and requests whose reach does not include the offerer. This
    answers someone who is looking and sends nothing, so pace and quiet hours do not apply. Ties
    go to the older request (lower post id).
    """
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if limit <= 0:
        return ()
    blocks = _blocked_with(offer.offerer_id, blocked)
    rings = ring_distances(offer.area_cell) if offer.area_cell is not None else {}
    offer_words = content_words(offer.text)
    ranked: list[tuple[float, int, RequestInfo]] = []
    seen: set[int] = set()
    for request in open_requests:
        if request.post_id in seen:
            continue
        seen.add(request.post_id)
        if request.asker_id == offer.offerer_id or request.asker_id in blocks:
            continue
        if request.needed_by is not None and request.needed_by <= now:
            continue
        distance = rings.get(request.area_cell) if request.area_cell is not None else None
        in_rings = distance is not None and distance <= REACH_RINGS[request.reach]
        in_wijk = request.reach in WHOLE_WIJK_REACHES and request.wijk_id == offer.wijk_id
        if not (in_rings or in_wijk):
            continue
        category_fit = 1.0 if request.category == offer.category else 0.0
        words_fit = content_fit(offer_words, content_words(request.text))
        if category_fit == 0.0 and words_fit == 0.0:
            continue
        if distance is not None:
            nearby = _NEARBY_AT_DISTANCE[distance]
        else:
            unknown = offer.area_cell is None or request.area_cell is None
            nearby = UNKNOWN_AREA_NEARBY if unknown else 0.0
        score = (
            OFFER_W_CATEGORY * category_fit + OFFER_W_TEXT * words_fit + OFFER_W_NEARBY * nearby
        )
        ranked.append((-score, request.post_id, request))
    best = heapq.nsmallest(limit, ranked, key=lambda item: (item[0], item[1]))
    return tuple((-negative, request) for negative, _post_id, request in best)
