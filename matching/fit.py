"""How well an offer's words fit a request's words, from 0 (not at all) to 1 (clearly the same).

Whole sentences are compared by their content words only: with the little words left in,
"Ik heb een ladder te leen" scores 85 out of 100 against "Wie kan mijn boodschappen doen?"
because both say "ik", "een", "kan". Without them it is "ladder leen" against
"boodschappen", which scores below the floor, while "Ik doe graag boodschappen" scores 90.
The comparison itself is :func:`matching.text.similarity` (the one rapidfuzz scorer), without
normalising a second time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from matching.category_words import STOPWORDS
from matching.text import normalise, similarity_of_normalised, words

# Similarities below this floor are chance resemblance between unrelated texts; from the floor
# up to 100 the fit rises linearly from 0 to 1.
TEXT_FIT_FLOOR: Final = 70.0
# Shorter words say too little about what a text is about ("ik", "op", "wc").
MIN_CONTENT_WORD_LENGTH: Final = 3
# Long texts are cut to their first content words: enough to say what they are about, and it
# keeps each comparison to a few microseconds.
MAX_CONTENT_WORDS: Final = 12


@lru_cache(maxsize=16384)
def content_words(text: str) -> str:
    """The words of `text` that say what it is about, normalised and joined by spaces."""
    kept = [
        word
        for word in words(text)
        if len(word) >= MIN_CONTENT_WORD_LENGTH and word not in STOPWORDS and not word.isdigit()
    ]
    content = " ".join(kept[:MAX_CONTENT_WORDS])
    # normalise is not always idempotent (casefolding before decomposing leaves "𝓐" as "A"):
    # normalising until nothing changes lets content_fit compare without normalising again.
    while (again := normalise(content)) != content:
        content = again
    return content


def content_fit(content_a: str, content_b: str) -> float:
    """The fit of two texts already reduced with :func:`content_words`."""
    if not content_a or not content_b:
        return 0.0
    # content_words are normalised words joined by spaces: normalising again changes nothing.
    score = similarity_of_normalised(content_a, content_b)
    if score <= TEXT_FIT_FLOOR:
        return 0.0
    return (score - TEXT_FIT_FLOOR) / (100.0 - TEXT_FIT_FLOOR)


def text_fit(text_a: str, text_b: str) -> float:
    """How well two texts people wrote fit each other, 0 to 1 (symmetric)."""
    return content_fit(content_words(text_a), content_words(text_b))
