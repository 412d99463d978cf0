"""Each person's pace: how often the bot may invite them, as a hard cap over a rolling window.

The pace a resident picks is a promise (product value 4): the engine never invites anyone more
often than it allows, whatever the request. What counts is invitations *received*: saying
"nu even niet" is not recorded against anyone and never changes what the pace allows.

Windows are rolling and half-open: an invitation sent at `t` counts until `t + window`, and at
exactly `t + window` it no longer does. So with pace "weekly" an invitation on Monday 10:00
allows the next one from the following Monday 10:00 on, and no 7-day stretch ever holds two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final


class Pace(StrEnum):
    """The rhythm a resident chose; `Resident.pace` (storage.models) stores its value."""

    NEVER = "never"
    ONCE = "once"
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    WHENEVER = "whenever"


@dataclass(frozen=True, slots=True)
class PaceCap:
    """At most `limit` invitations in any `window` (None: over all time)."""

    limit: int
    window: timedelta | None


# "whenever" still has a ceiling: three invitations in a day is already a lot of messages from a
# bot, and a popular neighbour should not become the street's default helper.
WHENEVER_DAILY_LIMIT: Final = 3

PACE_CAPS: Final[dict[Pace, PaceCap]] = {
    Pace.NEVER: PaceCap(limit=0, window=None),
    Pace.ONCE: PaceCap(limit=1, window=None),
    Pace.MONTHLY: PaceCap(limit=1, window=timedelta(days=30)),
    Pace.WEEKLY: PaceCap(limit=1, window=timedelta(days=7)),
    Pace.WHENEVER: PaceCap(limit=WHENEVER_DAILY_LIMIT, window=timedelta(hours=24)),
}

# The longest rolling window: the storage layer only needs to load invitations this recent.
INVITATION_HISTORY: Final = max(cap.window for cap in PACE_CAPS.values() if cap.window is not None)


def pace_allows(
    pace: Pace,
    invitations_received: Iterable[datetime],
    *,
    ever_invited: bool,
    now: datetime,
) -> bool:
    """Whether one more invitation at `now` stays within `pace`.

    `invitations_received` must hold at least every invitation of the last
    INVITATION_HISTORY (older ones are ignored); `ever_invited` says whether the person was
    ever invited at all (for "once"). Invitations dated after `now` (clock skew) count.
    """
    cap = PACE_CAPS[pace]
    if cap.limit == 0:
        return False
    if cap.window is None:
        return not ever_invited
    since = now - cap.window
    count = 0
    for sent_at in invitations_received:
        if sent_at > since:
            count += 1
            if count >= cap.limit:
                return False
    return True


def pace_free_at(
    pace: Pace, invitations_received: Iterable[datetime], *, ever_invited: bool, now: datetime
) -> datetime | None:
    """The first moment from `now` on at which `pace` allows one more invitation.

    `now` itself when it allows one already; None when it never will ("never", or "once" after
    an invitation).
    """
    cap = PACE_CAPS[pace]
    if cap.limit == 0 or (cap.window is None and ever_invited):
        return None
    if cap.window is None:
        return now
    since = now - cap.window
    recent = sorted(sent_at for sent_at in invitations_received if sent_at > since)
    if len(recent) < cap.limit:
        return now
    # One more fits once all but limit - 1 of the recent ones have left the window.
    return recent[len(recent) - cap.limit] + cap.window
