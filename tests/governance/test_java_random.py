"""The java.util.Random / Collections.shuffle / HashSet-order port, against values Java itself gives.

The RCTab seeded cases (`tiebreak_seed_test`, `tiebreak_generate_permutation_test`,
`tiebreak_previous_round_counts_then_random_test`) exercise the port end to end in
`tests/conformance/test_rctab.py`.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from governance.counting.java_random import (
    JavaRandom,
    java_hash_set_order,
    java_shuffle,
    java_string_hash,
)


def test_next_int_matches_java() -> None:
    rnd = JavaRandom(0)
    assert rnd.next_int() == -1155484576
    assert rnd.next_int() == -723955400


def test_next_long_matches_java() -> None:
    assert JavaRandom(0).next_long() == -4962768465676381896


def test_bounded_next_int_matches_java() -> None:
    assert JavaRandom(42).next_int(10) == 0


def test_next_double_matches_java() -> None:
    assert JavaRandom(1).next_double() == 0.7308781907032909
    assert JavaRandom(12345).next_double() == 0.3618031071604718


def test_next_index_is_floor_of_double_times_size() -> None:
    # Random(1).nextDouble() = 0.7308..., so 4 tied candidates give index 2 and 10 give index 7.
    assert JavaRandom(1).next_index(4) == 2
    assert JavaRandom(1).next_index(10) == 7


def test_string_hash_matches_java() -> None:
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("") == 0
    assert java_string_hash("Sneezy") == -1814050598


def test_hash_set_order_walks_buckets() -> None:
    # "Sneezy" lands in bucket 5 and "Dopey" in bucket 11 of a 16-bucket table.
    assert java_hash_set_order(["Dopey", "Sneezy"]) == ["Sneezy", "Dopey"]
    assert java_hash_set_order(["Sneezy", "Dopey", "Sneezy"]) == ["Sneezy", "Dopey"]


@given(st.lists(st.integers(), max_size=30), st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_shuffle_is_a_permutation_and_repeatable(items: list[int], seed: int) -> None:
    once = java_shuffle(items, JavaRandom(seed))
    assert sorted(once) == sorted(items)
    assert java_shuffle(items, JavaRandom(seed)) == once


def test_next_int_stays_in_bound() -> None:
    rnd = JavaRandom(7)
    for bound in (1, 2, 3, 5, 7, 16, 1000, 2**31 - 1):
        assert 0 <= rnd.next_int(bound) < bound
