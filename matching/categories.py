"""Which kind of request or offer a piece of free text is about.

`suggest_category` reads what a neighbour typed ("Wie kan zaterdag mijn boodschapen doen?")
and proposes a category for them to confirm with a button; it never decides for them.
`search_categories` is for someone typing (part of) a category name.

How a text is scored: every word is compared with the vocabulary in
:mod:`matching.category_words` -- exactly, as part of a Dutch compound, or as a typo -- and so
is every run of two or three words, for phrases like "te leen" or "walk my dog". A match counts
for as much as the word's tier (core, related, hint) allows; a category's score is its best
match plus a small bonus for each further distinct word that points to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from matching.category_words import STOPWORDS, VOCABULARY, CategoryWords
from matching.text import best_word_match, normalise, prefix_or_typo_score, word_cutoff

CATEGORY_KEYS: Final[tuple[str, ...]] = tuple(category.key for category in VOCABULARY)

CORE_WEIGHT: Final = 1.0
RELATED_WEIGHT: Final = 0.8
HINT_WEIGHT: Final = 0.6

# A known word found as the last part of a compound is the compound's head in Dutch
# ("belasting|aangifte" is an aangifte); as the first part it only modifies the head
# ("koffiezet|apparaat" is no coffee date), so it counts for less.
COMPOUND_HEAD_SIMILARITY: Final = 90.0
COMPOUND_MODIFIER_SIMILARITY: Final = 75.0
# Below these lengths a "compound" split is more likely a coincidence ("kat|oen", "be|taal").
MIN_COMPOUND_PART: Final = 4
MIN_COMPOUND_REST: Final = 3

# Typos are only looked for among longer known words, starting with the same letter as the typed
# word: people rarely mistype the first letter, and everyday words are often one letter away
# from a short known word ("there"/"thee", "weten"/"eten", "altijd"/"maaltijd").
MIN_FUZZY_TERM_LENGTH: Final = 5

# A phrase with a typo must be closer than a single word: phrases share many letters by chance.
PHRASE_CUTOFF: Final = 88.0
EXTRA_WORD_BONUS: Final = 5.0
SUGGEST_CUTOFF: Final = 50.0
SUGGEST_LIMIT: Final = 3

# In search the person is naming a category, so every tier counts, the weaker ones a bit less.
SEARCH_TIER_WEIGHTS: Final = (1.0, 0.95, 0.9)
SEARCH_CUTOFF: Final = 80.0
SEARCH_LIMIT: Final = 3

# Words people type in requests that are not about the request itself.
_EXTRA_IGNORED: Final = frozenset({"postcode", "huisnummer", "adres", "address", "nummer"})


@dataclass(frozen=True, slots=True)
class CategoryGuess:
    """A proposed category and how sure we are, from 0 (not at all) to 100."""

    key: str
    score: float


@dataclass(frozen=True, slots=True)
class _Target:
    key: str
    weight: float


_Index = Mapping[str, tuple[_Target, ...]]


def _tiers(category: CategoryWords) -> tuple[tuple[tuple[str, ...], float], ...]:
    return (
        (category.core, CORE_WEIGHT),
        (category.related, RELATED_WEIGHT),
        (category.hints, HINT_WEIGHT),
    )


def _build_index() -> tuple[_Index, dict[int, _Index]]:
    """Map each normalised vocabulary entry to the categories it points to, by word count."""
    best: dict[str, dict[str, float]] = defaultdict(dict)
    for category in VOCABULARY:
        for terms, weight in _tiers(category):
            for term in terms:
                targets = best[normalise(term)]
                targets[category.key] = max(weight, targets.get(category.key, 0.0))
    singles: dict[str, tuple[_Target, ...]] = {}
    phrases: dict[int, dict[str, tuple[_Target, ...]]] = defaultdict(dict)
    for term, targets in best.items():
        entry = tuple(_Target(key, weight) for key, weight in targets.items())
        size = len(term.split())
        if size == 1:
            singles[term] = entry
        else:
            phrases[size][term] = entry
    return singles, dict(phrases)


_SINGLES, _PHRASES = _build_index()
# Hints are too common as word endings to split compounds on ("voodsch|appen").
_COMPOUND_PARTS: Final = frozenset(
    term
    for term, targets in _SINGLES.items()
    if max(target.weight for target in targets) >= RELATED_WEIGHT
)
_FUZZY_TERMS_BY_INITIAL: Final[dict[str, tuple[str, ...]]] = {
    initial: tuple(
        term for term in _SINGLES if term[0] == initial and len(term) >= MIN_FUZZY_TERM_LENGTH
    )
    for initial in {term[0] for term in _SINGLES}
}
_PHRASE_TERMS: Final = {size: tuple(terms) for size, terms in _PHRASES.items()}


def _is_ignored(word: str) -> bool:
    return len(word) < 2 or word.isdigit() or word in STOPWORDS or word in _EXTRA_IGNORED


def _compound_parts(word: str) -> list[tuple[str, float]]:
    """Known words that make up the Dutch compound `word`, with how much each one counts."""
    parts: list[tuple[str, float]] = []
    for cut in range(MIN_COMPOUND_REST, len(word) - MIN_COMPOUND_REST + 1):
        head, tail = word[:cut], word[cut:]
        if len(head) >= MIN_COMPOUND_PART and head in _COMPOUND_PARTS:
            parts.append((head, COMPOUND_MODIFIER_SIMILARITY))
        if len(tail) >= MIN_COMPOUND_PART and tail in _COMPOUND_PARTS:
            parts.append((tail, COMPOUND_HEAD_SIMILARITY))
    return parts


@lru_cache(maxsize=8192)
def _word_matches(word: str) -> tuple[tuple[str, float], ...]:
    """Vocabulary words that `word` stands for: itself, the parts of a compound, or a typo."""
    if word in _SINGLES:
        return ((word, 100.0),)
    parts = _compound_parts(word)
    typo = best_word_match(word, _FUZZY_TERMS_BY_INITIAL.get(word[0], ()))
    # A typo can look like a compound ("boodschap|ppen"); the closer reading wins.
    if typo is not None and typo[1] >= max((score for _part, score in parts), default=0.0):
        return (typo,)
    return tuple(parts)


@lru_cache(maxsize=8192)
def _phrase_match(phrase: str, size: int) -> tuple[str, float] | None:
    if phrase in _PHRASES[size]:
        return phrase, 100.0
    return best_word_match(phrase, _PHRASE_TERMS[size], max(PHRASE_CUTOFF, word_cutoff(phrase)))


def _phrases(text_words: tuple[str, ...]) -> Iterable[tuple[str, int]]:
    for size in _PHRASES:
        for start in range(len(text_words) - size + 1):
            window = text_words[start : start + size]
            if not all(_is_ignored(word) for word in window):
                yield " ".join(window), size


def _evidence(text_words: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """For each category: the vocabulary entries found in the text and what each is worth."""
    found: list[tuple[str, float, tuple[_Target, ...]]] = []
    for word in dict.fromkeys(text_words):
        if not _is_ignored(word):
            found.extend((term, sim, _SINGLES[term]) for term, sim in _word_matches(word))
    for phrase, size in dict.fromkeys(_phrases(text_words)):
        match = _phrase_match(phrase, size)
        if match is not None:
            term, sim = match
            found.append((term, sim, _PHRASES[size][term]))
    evidence: dict[str, dict[str, float]] = defaultdict(dict)
    for term, sim, targets in found:
        for target in targets:
            worth = sim * target.weight
            evidence[target.key][term] = max(worth, evidence[target.key].get(term, 0.0))
    return evidence


def _sorted_guesses(
    scores: Mapping[str, tuple[float, int]], cutoff: float, limit: int
) -> tuple[CategoryGuess, ...]:
    order = {key: position for position, key in enumerate(CATEGORY_KEYS)}
    ranked = sorted(scores.items(), key=lambda item: (-item[1][0], -item[1][1], order[item[0]]))
    return tuple(
        CategoryGuess(key, round(score, 1)) for key, (score, _count) in ranked if score >= cutoff
    )[:limit]


def rank_categories(text: str, limit: int = SUGGEST_LIMIT) -> tuple[CategoryGuess, ...]:
    """Return up to `limit` plausible categories for free `text`, the most likely first.

    For offering a few buttons when the first guess may be wrong. Empty when nothing fits.
    """
    text_words = tuple(normalise(text).split())
    scores: dict[str, tuple[float, int]] = {}
    for key, terms in _evidence(text_words).items():
        best = max(terms.values())
        score = min(100.0, best + EXTRA_WORD_BONUS * (len(terms) - 1))
        scores[key] = (score, len(terms))
    return _sorted_guesses(scores, SUGGEST_CUTOFF, limit)


def suggest_category(text: str) -> CategoryGuess | None:
    """Return the most likely category for free `text` ("ik heb een ladder te leen"), or None."""
    ranked = rank_categories(text, limit=1)
    return ranked[0] if ranked else None


@lru_cache(maxsize=1)
def _search_terms() -> tuple[tuple[str, str, float], ...]:
    """(normalised term, category key, weight) for everything a category may be called."""
    entries: list[tuple[str, str, float]] = []
    for category in VOCABULARY:
        entries.append((normalise(category.key.replace("_", " ")), category.key, 1.0))
        for (terms, _weight), search_weight in zip(
            _tiers(category), SEARCH_TIER_WEIGHTS, strict=True
        ):
            entries.extend((normalise(term), category.key, search_weight) for term in terms)
    return tuple(entries)


def search_categories(query: str, limit: int = SEARCH_LIMIT) -> tuple[CategoryGuess, ...]:
    """Return categories whose names or words match what someone typed ("compu", "boodschapen").

    Matches the start of a word or a misspelling; a longer query that names no category is
    read as free text, like :func:`rank_categories`.
    """
    wanted = normalise(query)
    if not wanted:
        return ()
    scores: dict[str, tuple[float, int]] = {}
    for term, key, weight in _search_terms():
        score = prefix_or_typo_score(wanted, term) * weight
        if score > scores.get(key, (0.0, 0))[0]:
            scores[key] = (score, 1)
    found = _sorted_guesses(scores, SEARCH_CUTOFF, limit)
    return found or rank_categories(query, limit)
