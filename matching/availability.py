"""Whether the bot may start a conversation with someone: pausing and leaving are absolute."""

from __future__ import annotations

from datetime import datetime


def is_reachable(
    *, paused: bool, paused_until: datetime | None, stopped: bool, now: datetime
) -> bool:
    """False while paused (until resumed, or until `paused_until` passes) or after /stop.

    Replies to a person's own commands are always allowed; this decides everything else
    (invitations, digests, reminders, messages from other residents).
    """
    if stopped:
        return False
    if paused_until is not None and paused_until > now:
        return False
    return not (paused and paused_until is None)
