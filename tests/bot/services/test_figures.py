"""Small-count suppression: a count below 5 never shows, and no suppressed count can be worked
out from what does show (the buckets and the total, by subtraction)."""

from __future__ import annotations

import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.services.figures import THRESHOLD, CategoryRows, by_category, shown, shown_total


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


# --- per category ------------------------------------------------------------------------------


def test_small_categories_are_counted_together_until_that_is_not_small() -> None:
    # The buckets show the total (30) exactly: "others" is exact, and never below 5.
    rows = by_category({"groceries": 12, "jobs": 9, "lift": 5, "pets": 3, "company": 1}, [30])
    assert rows.own == [("groceries", 12), ("jobs", 9)]  # lift joined pets and company (4)
    assert (rows.others, rows.others_count) == ("9", 9)
    assert by_category({"groceries": 7}, [7]) == CategoryRows([("groceries", 7)], None, 0)
    # Everything small: the row says what the total says.
    assert by_category({"pets": 3, "other": 1}, [4]).others == "<5"
    assert by_category({}, [0]) == CategoryRows([], "<5", 0)  # none looks like a few


def test_with_a_suppressed_bucket_the_categories_do_not_give_the_total_away() -> None:
    # Buckets 3 and 7: the total is 10 but shows as "≥7"; showing "groceries 10" (or
    # "groceries 5, others 5") would give the 3 away.
    rows = by_category({"groceries": 10}, [3, 7])
    assert rows.own == []
    assert rows.others == "≥7"
    # With room to spare, a category shows, and "others" says only "≥5".
    rows = by_category({"lending": 14, "company": 5, "pets": 2}, [3, 5, 6, 7])
    assert rows.own == [("lending", 14)]
    assert rows.others == "≥5"
    assert not rows.others_exact


def _display(categories: dict[str, int], buckets: list[int]) -> tuple[object, ...]:
    rows = by_category(categories, buckets)
    return (tuple(shown(n) for n in buckets), shown_total(buckets), tuple(rows.own), rows.others)


@settings(max_examples=60, deadline=None)
# Buckets 4 and 6 with two categories of 5: "c0 5, others ≥5" would say the total is 10 and so
# the first bucket 4.
@example(buckets=[4, 6], spread=[5, 5])
@example(buckets=[5], spread=[2, 3])
# Buckets 1 and 9, two categories of 5: "c0 5, others ≥5" with c1 at most 5 says the total is 10.
@example(buckets=[1, 9], spread=[5, 0])
# Buckets 2 and 9: c0 would have kept its place in a tie with c1's 6, so it is at most 5.
@example(buckets=[2, 9], spread=[5, 6])
# An exact total: "c2 5, others 8" with c0 and c1 each below c2's 5 says both are 4.
@example(buckets=[7, 6], spread=[4, 4, 8])
@given(
    st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=2),
    st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=3),
)
def test_no_small_count_can_be_derived_from_buckets_and_categories(
    buckets: list[int], spread: list[int]
) -> None:
    """Whoever sees the chart (buckets, total, categories) and knows every category key cannot
    pin down a bucket below 5 or a category with 1 to 4: another consistent set of counts,
    with the same picture, gives it another value."""
    total = sum(buckets)
    # Spread the same total over the categories (the last one takes what is left).
    counts = []
    left = total
    for share in spread[:-1]:
        counts.append(min(share, left))
        left -= counts[-1]
    counts.append(left)
    keys = [f"c{n}" for n in range(len(counts))]
    categories = dict(zip(keys, counts, strict=True))
    display = _display(categories, buckets)
    shown_own = {key for key, _ in by_category(categories, buckets).own}
    hidden_buckets = [i for i, n in enumerate(buckets) if n < THRESHOLD]
    hidden_keys = [key for key in keys if key not in shown_own]
    possible_buckets: dict[int, set[int]] = {i: set() for i in hidden_buckets}
    possible_keys: dict[str, set[int]] = {key: set() for key in hidden_keys}
    bucket_values = itertools.product(range(THRESHOLD), repeat=len(hidden_buckets))
    for bucket_alternative in bucket_values:
        other_buckets = list(buckets)
        for where, value in zip(hidden_buckets, bucket_alternative, strict=True):
            other_buckets[where] = value
        for key_alternative in itertools.product(range(total + 9), repeat=len(hidden_keys)):
            other = dict(categories)
            other.update(zip(hidden_keys, key_alternative, strict=True))
            if sum(other.values()) != sum(other_buckets):
                continue
            if _display(other, other_buckets) != display:
                continue
            for where in hidden_buckets:
                possible_buckets[where].add(other_buckets[where])
            for key in hidden_keys:
                possible_keys[key].add(other[key])
    for where, values in possible_buckets.items():
        assert len(values) > 1, (buckets, categories, "bucket", where, values)
    for key, values in possible_keys.items():
        # (A category that is certainly empty may show as such: a zero is nobody.)
        if 0 < categories[key] < THRESHOLD:
            assert len(values) > 1, (buckets, categories, key, values)
