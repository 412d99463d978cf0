"""Fuzzy text comparison: the one module in Buurtbot that talks to rapidfuzz.

Everything that compares words people typed with words we know goes through here, so the
choice of scorer, the text normalisation and the cutoffs are made once and in one place.

rapidfuzz 3 no longer lowercases or strips anything by default, so every public function
here normalises its input with :func:`normalise` (or documents that it expects text that was
normalised already, for the hot paths that compare one word with a prepared vocabulary).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

from rapidfuzz import fuzz, process

# Whole strings (a category name, a wijk name, a short phrase): WRatio copes with extra words
# and partial matches, which is what a person picking from a list expects.
CHOICE_SCORER: Final = fuzz.WRatio
# Single words against single words: plain Indel similarity. WRatio's partial matching would
# let short words match inside long ones ("taal" inside "betaald").
WORD_SCORER: Final = fuzz.ratio
# A query typed as the start of a word ("compu" for "computer") counts as this good.
PREFIX_SCORE: Final = 95.0
# Queries shorter than this never count as a prefix: two letters match far too much.
MIN_PREFIX_LENGTH: Final = 3

DEFAULT_CUTOFF: Final = 80.0

# Cutoffs for a single typed word, by its length. With Indel similarity one substituted letter
# costs 2 / (len_a + len_b): in a 5-letter word that is 80 ("lenen"/"lezen"), so words of 5-6
# letters may only gain or lose a letter, while longer words may carry a real typo
# ("boodschapen", "zatedag", "grocerys"). Words of 4 letters or fewer must be spelt right:
# too many everyday words are one letter away from a known one ("voel"/"vogel", "hand"/"hond").
EXACT_ONLY_MAX_LENGTH: Final = 4
MEDIUM_WORD_MAX_LENGTH: Final = 6
MEDIUM_WORD_CUTOFF: Final = 85.0
LONG_WORD_MAX_LENGTH: Final = 7
LONG_WORD_CUTOFF: Final = 84.0
VERY_LONG_WORD_CUTOFF: Final = 80.0


def normalise(text: str) -> str:
    """Return `text` casefolded, without accents, with punctuation and runs of space as one space.

    This is the processor for every comparison: "Één  Koffietje, graag!" -> "een koffietje graag".
    Letters and digits of any script survive (Arabic, Cyrillic), everything else (emoji,
    punctuation, symbols) separates words.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = [
        char if unicodedata.category(char)[0] in "LN" else " "
        for char in decomposed
        if not unicodedata.combining(char)
    ]
    return " ".join("".join(kept).split())


def words(text: str) -> tuple[str, ...]:
    """Split `text` into normalised words."""
    return tuple(normalise(text).split())


def similarity(a: str, b: str) -> float:
    """Return how alike two strings are, 0 (nothing alike) to 100 (the same after normalising)."""
    return float(CHOICE_SCORER(a, b, processor=normalise))


def similarity_of_normalised(a: str, b: str) -> float:
    """:func:`similarity` for strings that are already :func:`normalise`-d (normalising is
    idempotent, so the result is the same; it skips most of the cost)."""
    return float(CHOICE_SCORER(a, b))


def best_match(
    query: str, choices: Iterable[str], cutoff: float = DEFAULT_CUTOFF
) -> tuple[str, float] | None:
    """Return the choice most like `query` and its score, or None when none reaches `cutoff`.

    The returned choice is the original string from `choices`, not its normalised form.
    """
    if not normalise(query):
        return None
    found = process.extractOne(
        query, choices, scorer=CHOICE_SCORER, processor=normalise, score_cutoff=cutoff
    )
    if found is None:
        return None
    choice, score, _index = found
    return choice, float(score)


def word_cutoff(word: str) -> float:
    """Return the similarity a known word needs to count as a typo of `word`.

    Words of up to EXACT_ONLY_MAX_LENGTH letters must match exactly (a cutoff of 100).
    """
    length = len(word)
    if length <= EXACT_ONLY_MAX_LENGTH:
        return 100.0
    if length <= MEDIUM_WORD_MAX_LENGTH:
        return MEDIUM_WORD_CUTOFF
    if length <= LONG_WORD_MAX_LENGTH:
        return LONG_WORD_CUTOFF
    return VERY_LONG_WORD_CUTOFF


def best_word_match(
    word: str, vocabulary: Sequence[str], cutoff: float | None = None
) -> tuple[str, float] | None:
    """Return the vocabulary entry closest to `word` (a typo or inflection of it), with its score.

    Both `word` and `vocabulary` must already be normalised: this runs once per typed word
    against a few hundred known words, so it skips the processor. `cutoff` defaults to
    :func:`word_cutoff` of the word.
    """
    needed = word_cutoff(word) if cutoff is None else cutoff
    found = process.extractOne(word, vocabulary, scorer=WORD_SCORER, score_cutoff=needed)
    if found is None:
        return None
    choice, score, _index = found
    return choice, float(score)


def prefix_or_typo_score(query: str, candidate: str) -> float:
    """Score a partly typed or misspelt `query` against a known `candidate` (both normalised).

    For search-as-you-type: the start of a word scores PREFIX_SCORE, otherwise plain similarity.
    """
    if len(query) >= MIN_PREFIX_LENGTH and candidate.startswith(query):
        return 100.0 if query == candidate else PREFIX_SCORE
    return float(WORD_SCORER(query, candidate))
