"""The lazy paper reader WIGM counts with (`read_first_preferences`) gives the counts of cleaning every ballot
first (`prepare_rankings`): skipped ranks, overvotes, write-in markers, withdrawn and repeated candidates."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.counting.model import (
    OVERVOTE_UNKNOWN,
    UNDECLARED_WRITE_IN,
    Contest,
    CountError,
    RankedBallot,
)
from governance.counting.rankings import prepare_rankings, read_first_preferences
from governance.counting.scottish import count_scottish_stv
from governance.counting.wigm_prf import count_wigm_prf

IRREGULAR: list[tuple[int, ...]] = [(), (0, 1), (UNDECLARED_WRITE_IN,), (OVERVOTE_UNKNOWN,)]


def _cleaned(contest: Contest) -> Contest:
    """The same contest with every ballot cleaned in advance, and the invalid papers kept as empty ones."""
    ranked = prepare_rankings(contest, repeats_allowed=True)
    ballots = [
        RankedBallot(tuple((c,) for c in prefs), weight)
        for prefs, weight in zip(ranked.prefs, ranked.weights, strict=True)
    ]
    if ranked.invalid:
        ballots.append(RankedBallot((), ranked.invalid))
    return Contest(contest.title, contest.candidates, contest.seats, tuple(ballots), contest.withdrawn)


def test_first_preferences_follow_the_cleaning_rules() -> None:
    contest = Contest(
        "t",
        ("A", "B", "C", "D"),
        1,
        (
            RankedBallot(((0,), (1,)), 2),  # regular
            RankedBallot(((3,), (2,)), 4),  # D withdrawn: passed over, C is the first preference
            RankedBallot(((3,), (), (1,)), 1),  # withdrawn then a skip: no usable first preference
            RankedBallot(((1, 2), (0,)), 5),  # overvote at the first rank: invalid
            RankedBallot(((UNDECLARED_WRITE_IN,), (0,)), 3),  # a write-in ends the paper: invalid
            RankedBallot((), 6),  # empty: invalid
            RankedBallot(((2,), (2,), (0,)), 0),  # weight 0 still counts as a (valid) paper
        ),
        withdrawn=frozenset({3}),
    )
    read = read_first_preferences(contest)
    assert [sorted(group) for group in read.first] == [[0], [], [1, 6], []]
    assert read.at[1] == 1  # C, after the withdrawn D
    assert read.first_weights == [2, 0, 4, 0]  # added up in the reading pass, the slow path's papers too
    assert read.weights == [2, 4, 1, 5, 3, 6, 0]
    assert (read.valid_poll, read.invalid) == (6, 15)
    ranked = prepare_rankings(contest, repeats_allowed=True)
    assert (ranked.valid_poll, ranked.invalid) == (read.valid_poll, read.invalid)


def test_a_candidate_number_past_the_list_is_an_error_when_read() -> None:
    with pytest.raises(CountError, match="candidate number 5, but there are only 3"):
        count_scottish_stv(Contest("t", ("A", "B", "C"), 1, (RankedBallot(((4,),), 1),)))
    # Read when B's paper moves on after B is excluded.
    contest = Contest(
        "t",
        ("A", "B", "C"),
        1,
        (RankedBallot(((0,),), 3), RankedBallot(((1,), (7,)), 1), RankedBallot(((2,),), 2)),
    )
    with pytest.raises(CountError, match="candidate number 8"):
        count_scottish_stv(contest)


@st.composite
def irregular_contests(draw: st.DrawFn) -> Contest:
    n = draw(st.integers(2, 6))
    seats = draw(st.integers(1, n - 1))
    ballots = []
    for _ in range(draw(st.integers(1, 25))):
        ranks: list[tuple[int, ...]] = [(c,) for c in draw(st.lists(st.integers(0, n - 1), max_size=n + 2))]
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(0, len(ranks)))
            ranks.insert(at, draw(st.sampled_from(IRREGULAR)))
        ballots.append(RankedBallot(tuple(ranks), draw(st.integers(0, 30))))
    withdrawn = frozenset(draw(st.sets(st.integers(0, n - 1), max_size=1)))
    names = tuple(f"Candidate {chr(65 + c)}" for c in range(n))
    return Contest("lazy", names, seats, tuple(ballots), withdrawn)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contest=irregular_contests(), rule=st.sampled_from(["scottish", "wigm_prf"]))
def test_lazy_reading_counts_as_cleaning_first(contest: Contest, rule: str) -> None:
    counter = count_scottish_stv if rule == "scottish" else count_wigm_prf
    try:
        expected = counter(_cleaned(contest), seed=3).to_json()
    except CountError as error:
        with pytest.raises(CountError, match=str(error)):
            counter(contest, seed=3)
        return
    assert counter(contest, seed=3).to_json() == expected
