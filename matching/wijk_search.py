"""Finding a wijk by the name someone typed: forgiving case, accents, typos and half names.

People type "transvaal", "Transvaalbuurt" or "transval" and all mean the Transvaalbuurt. The
comparison itself lives in :mod:`matching.text` (the one rapidfuzz caller); this module only
decides which names count as found and in which order to offer them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from matching.text import normalise, similarity

# Two letters match half the city ("tr", "uu"); three is where a name starts to be a name.
MIN_QUERY_LENGTH: Final = 3
# A typo in a long name still scores in the 80s ("transval": 84), unrelated names stay below 60.
WIJK_SEARCH_CUTOFF: Final = 80.0
# More than a few buttons stops being a suggestion and becomes a list to read.
WIJK_SEARCH_LIMIT: Final = 5


def search_wijk_names(
    query: str, names: Sequence[str], *, limit: int = WIJK_SEARCH_LIMIT
) -> list[str]:
    """Return the names that `query` could mean, the most likely first (at most `limit`).

    An exact match (after normalising) comes first; names scoring the same keep their order.
    Queries shorter than MIN_QUERY_LENGTH letters find nothing.
    """
    # Single letters name nothing; they are what is left of punctuation ("<i>", "a.").
    wanted = " ".join(word for word in normalise(query).split() if len(word) > 1)
    if len(wanted) < MIN_QUERY_LENGTH:
        return []
    scored = [
        (normalise(name) == wanted, similarity(wanted, name), -index, name)
        for index, name in enumerate(names)
    ]
    found = [entry for entry in scored if entry[0] or entry[1] >= WIJK_SEARCH_CUTOFF]
    found.sort(reverse=True)
    return [name for *_, name in found[:limit]]
