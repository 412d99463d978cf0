"""Finding a wijk by a typed name: case, accents, typos and half names all find it."""

from __future__ import annotations

import pytest

from matching.wijk_search import WIJK_SEARCH_LIMIT, search_wijk_names

AMSTERDAM_OOST = (
    "Dapperbuurt",
    "Indische Buurt",
    "Oosterparkbuurt",
    "Transvaalbuurt",
    "Watergraafsmeer",
    "Jordaan",
    "De Pijp",
)


@pytest.mark.parametrize(
    "typed", ["transvaal", "Transvaalbuurt", "transval", "TRANSVAALBUURT", "  transvaal! 🏠"]
)
def test_spellings_of_a_name_find_that_wijk_first(typed: str) -> None:
    assert search_wijk_names(typed, AMSTERDAM_OOST) == ["Transvaalbuurt"]


def test_accents_do_not_matter() -> None:
    assert search_wijk_names("Cité", ["Cite Nord", "Dapperbuurt"]) == ["Cite Nord"]


def test_a_shared_word_offers_every_wijk_with_it_in_list_order() -> None:
    assert search_wijk_names("buurt", AMSTERDAM_OOST) == [
        "Dapperbuurt",
        "Indische Buurt",
        "Oosterparkbuurt",
        "Transvaalbuurt",
    ]


def test_an_exact_name_comes_before_names_that_merely_contain_it() -> None:
    names = ["Pijp-Noord", "De Pijp"]
    assert search_wijk_names("de pijp", names)[0] == "De Pijp"


@pytest.mark.parametrize("typed", ["", "tr", "<b>&</b>", "🏠🏠", "a b c", "xyzzy", "Amsterdam"])
def test_too_little_or_unrelated_text_finds_nothing(typed: str) -> None:
    assert search_wijk_names(typed, AMSTERDAM_OOST) == []


def test_markup_around_a_name_is_ignored() -> None:
    assert search_wijk_names("<i>transval</i>", AMSTERDAM_OOST) == ["Transvaalbuurt"]


def test_at_most_a_few_names_are_offered() -> None:
    names = [f"Buurt {letter}{letter}" for letter in "abcdefghij"]
    assert len(search_wijk_names("buurt", names)) == WIJK_SEARCH_LIMIT
    assert search_wijk_names("buurt", names, limit=2) == ["Buurt aa", "Buurt bb"]
