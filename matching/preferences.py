"""The choices a resident makes about being asked: quiet hours and the things they like doing.

Pure rules shared by onboarding and /instellingen: which quiet hours can be picked, how a
choice travels in a button ("2200-0700"), and how toggling a liked activity keeps the list
clean (known keys only, in the catalogue's order, each once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from matching.categories import CATEGORY_KEYS


@dataclass(frozen=True, slots=True)
class QuietHours:
    """No messages from `start` until `end` ("HH:MM", local time); may run past midnight."""

    start: str
    end: str

    @property
    def code(self) -> str:
        """Short form for button data: "2100-0800"."""
        return f"{self.start.replace(':', '')}-{self.end.replace(':', '')}"


DEFAULT_QUIET_HOURS: Final = QuietHours("21:00", "08:00")
# The default first, then a few common alternatives; anything else is not offered (yet).
QUIET_HOURS_CHOICES: Final = (
    DEFAULT_QUIET_HOURS,
    QuietHours("22:00", "07:00"),
    QuietHours("20:00", "09:00"),
    QuietHours("23:00", "09:00"),
)


def quiet_hours_from_code(code: str) -> QuietHours | None:
    """The offered quiet hours with this button code, or None for anything else."""
    for choice in QUIET_HOURS_CHOICES:
        if choice.code == code:
            return choice
    return None


def clean_likes(likes: Iterable[str]) -> list[str]:
    """Known category keys only, each once, in CATEGORY_KEYS order."""
    wanted = set(likes)
    return [key for key in CATEGORY_KEYS if key in wanted]


def toggle_like(likes: Iterable[str], key: str) -> list[str]:
    """Add `key` to the liked activities, or remove it when it was there already.

    Raises ValueError for a key that is not a category (button data is never trusted).
    """
    if key not in CATEGORY_KEYS:
        raise ValueError(f"not a category: {key!r}")
    current = set(clean_likes(likes))
    current.symmetric_difference_update({key})
    return clean_likes(current)
