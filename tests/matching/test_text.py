"""The fuzzy-text helpers: normalising, similarity and picking the best match."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.category_words import STOPWORDS
from matching.fit import (
    MAX_CONTENT_WORDS,
    MIN_CONTENT_WORD_LENGTH,
    TEXT_FIT_FLOOR,
    content_fit,
    content_words,
)
from matching.text import (
    PREFIX_SCORE,
    best_match,
    best_word_match,
    normalise,
    prefix_or_typo_score,
    similarity,
    similarity_of_normalised,
    word_cutoff,
    words,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Één  Koffietje, graag!", "een koffietje graag"),
        ("CAFÉ\tcrème", "cafe creme"),
        ("wi-fi / e-mail", "wi fi e mail"),
        ("straße", "strasse"),
        ("🙂 hond 🐕", "hond"),
        ("   ", ""),
        ("مرحبا جار", "مرحبا جار"),
    ],
)
def test_normalise_casefolds_strips_accents_and_punctuation(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_words_splits_normalised_text() -> None:
    assert words("Wie kan, zaterdag?") == ("wie", "kan", "zaterdag")


def test_similarity_ignores_case_and_accents() -> None:
    assert similarity("Café", "cafe") == 100.0
    assert similarity("ladder", "koffie") < 50.0


def test_best_match_returns_the_original_choice() -> None:
    match = best_match("boodschapen", ["Boodschappen", "Klusjes"])
    assert match is not None
    choice, score = match
    assert choice == "Boodschappen"
    assert score == pytest.approx(95.65, abs=0.01)


def test_best_match_returns_none_below_cutoff_or_for_empty_query() -> None:
    assert best_match("xyz", ["Boodschappen", "Klusjes"]) is None
    assert best_match("?!", ["Boodschappen"]) is None


@pytest.mark.parametrize(
    ("word", "cutoff"),
    [("kat", 100.0), ("hond", 100.0), ("lenen", 85.0), ("hondje", 85.0), ("zatedag", 84.0)],
)
def test_short_words_need_closer_matches(word: str, cutoff: float) -> None:
    assert word_cutoff(word) == cutoff


def test_short_words_only_match_exactly() -> None:
    # "hand" is one letter from "hond": too close a call for a four-letter word.
    assert best_word_match("hand", ["hond"]) is None
    assert best_word_match("hond", ["hond"]) == ("hond", 100.0)


def test_long_words_forgive_a_typo() -> None:
    match = best_word_match("grocerys", ["groceries", "grocery"])
    assert match is not None
    choice, score = match
    assert choice == "grocery"
    assert score == pytest.approx(93.3, abs=0.1)


def test_prefix_scores_partly_typed_words() -> None:
    assert prefix_or_typo_score("compu", "computer") == PREFIX_SCORE
    assert prefix_or_typo_score("computer", "computer") == 100.0
    # Two letters are too few to count as a prefix.
    assert prefix_or_typo_score("co", "computer") < 50.0


def _old_content_fit(a: str, b: str) -> float:
    """content_fit as it was: content words without the final normalising, compared with
    normalising (the result must not change)."""

    def old_words(text: str) -> str:
        kept = [
            word
            for word in words(text)
            if len(word) >= MIN_CONTENT_WORD_LENGTH
            and word not in STOPWORDS
            and not word.isdigit()
        ]
        return " ".join(kept[:MAX_CONTENT_WORDS])

    ca, cb = old_words(a), old_words(b)
    if not ca or not cb:
        return 0.0
    score = similarity(ca, cb)
    return 0.0 if score <= TEXT_FIT_FLOOR else (score - TEXT_FIT_FLOOR) / (100.0 - TEXT_FIT_FLOOR)


@settings(max_examples=500, deadline=None)
@given(
    a=st.text(max_size=60) | st.sampled_from(["Wie doet mijn boodschappen?", "00𝓐 ladder"]),
    b=st.text(max_size=60) | st.sampled_from(["Ik doe graag boodschappen", "ladder 𝓐𝓑𝓒"]),
)
def test_content_fit_without_normalising_again_is_the_same_fit(a: str, b: str) -> None:
    ca, cb = content_words(a), content_words(b)
    assert normalise(ca) == ca
    assert similarity_of_normalised(ca, cb) == similarity(ca, cb)
    assert content_fit(ca, cb) == _old_content_fit(a, b)
