"""What other residents may see of someone's name: only the first word of their first name.

Telegram first names often hold a whole name ("Jan de Vries"); showing more than "Jan" to a
neighbour would reveal more than the person chose to share in the neighbourhood.
"""

from __future__ import annotations

from typing import Final

FIRST_NAME_LENGTH: Final = 32


def first_word(name: str) -> str:
    """The first word of a name, cut to a sane length; "" when the name is empty."""
    words = name.split()
    return words[0][:FIRST_NAME_LENGTH] if words else ""
