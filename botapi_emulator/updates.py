"""The update queue with Telegram's confirmation semantics.

Updates stay queued until the bot confirms them: by calling getUpdates with an ``offset``
greater than their id, or by answering a webhook delivery with a 2xx status. Anything not
confirmed is delivered again, which is exactly the behaviour that double-processing bugs
need in order to show up in tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from botapi_emulator.jsontypes import JSONDict

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# What Telegram delivers when allowed_updates was never set or set to an empty list.
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


@dataclass(frozen=True)
class QueuedUpdate:
    update_id: int
    kind: str
    payload: JSONDict

    def to_api(self) -> JSONDict:
        return {"update_id": self.update_id, self.kind: self.payload}


class UpdateQueue:
    """Pending (unconfirmed) updates in id order, filtered by ``allowed_updates``."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.next_id = first_update_id
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.pending: list[QueuedUpdate] = []

    def __len__(self) -> int:
        return len(self.pending)

    def push(self, kind: str, payload: JSONDict) -> QueuedUpdate | None:
        """Queue an update; None when ``allowed_updates`` excludes its type (Telegram drops it)."""
        if kind not in self.allowed:
            return None
        update = QueuedUpdate(self.next_id, kind, payload)
        self.next_id += 1
        self.pending.append(update)
        return update

    def set_allowed(self, kinds: Iterable[str]) -> None:
        """Apply a new ``allowed_updates`` list; queued updates of excluded types are dropped."""
        wanted = frozenset(kinds) & ALL_UPDATE_TYPES
        self.allowed = wanted or DEFAULT_UPDATE_TYPES
        self.pending = [u for u in self.pending if u.kind in self.allowed]

    def confirm(self, offset: int) -> int:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset``.

        Returns the number of updates that were confirmed (and are gone forever).
        """
        before = len(self.pending)
        if offset > 0:
            self.pending = [u for u in self.pending if u.update_id >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]
        return before - len(self.pending)

    def take(self, limit: int) -> list[QueuedUpdate]:
        """The oldest ``limit`` pending updates; they stay pending until confirmed."""
        return self.pending[:limit]

    def clear(self) -> int:
        dropped = len(self.pending)
        self.pending = []
        return dropped


@dataclass
class WebhookConfig:
    """What setWebhook stored, plus the delivery status getWebhookInfo reports."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    allowed_updates: list[str] = field(default_factory=list)
    last_error_date: int | None = None
    last_error_message: str | None = None

    def to_api(self, pending: int) -> JSONDict:
        info: JSONDict = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
        }
        if self.ip_address:
            info["ip_address"] = self.ip_address
        if self.allowed_updates:
            info["allowed_updates"] = list(self.allowed_updates)
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info
