"""Small-count suppression: a count below 5 never shows, and no suppressed count can be worked
out from what does show (the buckets and the total, by subtraction)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from bot.services.figures import shown, shown_total


def test_counts_below_five_show_as_less_than_five() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == ["<5", "<5", "<5", "5", "12"]
    assert shown_total([6, 7]) == "13"
    assert shown_total([1, 2]) == "<5"
    assert shown_total([3, 9]) == "≥9"
    assert shown_total([3, 4]) == "≥5"


@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=4))
def test_no_suppressed_count_can_be_derived(counts: list[int]) -> None:
    display = ([shown(n) for n in counts], shown_total(counts))
    suppressed = [index for index, n in enumerate(counts) if n < 5]
    for index in suppressed:
        possible = set()
        for alternative in itertools.product(range(5), repeat=len(suppressed)):
            candidate = list(counts)
            for where, value in zip(suppressed, alternative, strict=True):
                candidate[where] = value
            if ([shown(n) for n in candidate], shown_total(candidate)) == display:
                possible.add(candidate[index])
        assert len(possible) > 1, (counts, index, possible)
