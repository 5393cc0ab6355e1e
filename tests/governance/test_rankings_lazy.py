"""The bulk paper reader WIGM counts with (`read_on`, over the contest's `RankTable`) gives the counts of
cleaning every ballot first (`prepare_rankings`): skipped ranks, overvotes, write-in markers, withdrawn and
repeated candidates."""

from __future__ import annotations

import numpy as np
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
from governance.counting.rankings import prepare_rankings
from governance.counting.scottish import count_scottish_stv
from governance.counting.table import STOP, read_on
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
    at = np.full(7, -1, dtype=np.intp)
    first = read_on(
        contest.table, np.arange(7, dtype=np.intp), at, [True, True, True, False], irregular_ends=True
    )
    assert [(c, sorted(papers.tolist()), total) for c, papers, total in first.to] == [
        (0, [0], 2),
        (2, [1, 6], 4),
    ]
    assert at.tolist() == [0, 1, -1, -1, -1, -1, 0]  # C after the withdrawn D; papers not placed stay unread
    assert (first.ended_weight, sorted(first.ended.tolist()), first.stopped.size) == (15, [2, 3, 4, 5], 0)
    ranked = prepare_rankings(contest, repeats_allowed=True)
    assert (ranked.valid_poll, ranked.invalid) == (6, 15)
    # Read on with only B continuing: paper 0 goes to B at its second rank; paper 6 passes over C (repeated)
    # and A, then ends, and keeps the rank it was last placed at.
    moves = read_on(
        contest.table, np.array([0, 6], dtype=np.intp), at, [False, True, False, False], irregular_ends=True
    )
    assert [(c, papers.tolist(), total) for c, papers, total in moves.to] == [(1, [0], 2)]
    assert (moves.ended.tolist(), at[0], at[6]) == ([6], 1, 0)


def test_the_rank_table_codes_every_kind_of_rank() -> None:
    contest = Contest(
        "t",
        ("A", "B", "C"),
        1,
        (
            RankedBallot(((0,), (2,)), 2),
            RankedBallot(((1, 2), (0,)), 1),
            RankedBallot(((UNDECLARED_WRITE_IN,), (), (9,), (OVERVOTE_UNKNOWN,)), 4),
            RankedBallot((), 3),
        ),
    )
    unknown, irregular = 4, 5  # three candidates: codes 1-3, then "no declared candidate", then the rest
    assert (contest.table.unknown, contest.table.irregular) == (unknown, irregular)
    assert contest.table.cells.tolist() == [
        [1, 3, STOP, STOP, STOP],
        [irregular, 1, STOP, STOP, STOP],
        [irregular, irregular, unknown, irregular, STOP],
        [irregular, STOP, STOP, STOP, STOP],  # no ranks at all: not the same as ranks that ran out
    ]
    assert contest.table.weights.tolist() == [2, 1, 4, 3]
    assert contest == Contest("t", contest.candidates, 1, contest.ballots)  # the table is not compared
    with pytest.raises(CountError, match="too large"):
        Contest("t", ("A",), 1, (RankedBallot(((0,),), 2**63),))


def test_a_restated_contest_shares_the_table_and_counts_as_a_new_one() -> None:
    contest = Contest(
        "t",
        ("A", "B", "C", "D"),
        1,
        tuple(RankedBallot(((a,), (b,)), w) for a, b, w in [(0, 1, 5), (1, 2, 4), (2, 0, 3), (3, 1, 2)]),
        withdrawn=frozenset({3}),
    )
    two = contest.restated(title="Board", seats=2)
    assert two.table is contest.table
    assert two == Contest("Board", contest.candidates, 2, contest.ballots, contest.withdrawn)
    assert (contest.title, contest.seats) == ("t", 1)  # the original is untouched
    assert contest.restated() == contest
    assert count_scottish_stv(two) == count_scottish_stv(
        Contest("Board", contest.candidates, 2, contest.ballots, contest.withdrawn)
    )


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


def test_a_contest_of_more_candidates_than_16_bit_codes_hold() -> None:
    n = 70_000
    names = tuple(f"C{c}" for c in range(n))
    contest = Contest("t", names, 1, (RankedBallot(((n - 1,), (5,)), 2), RankedBallot(((n,), (0,)), 1)))
    assert contest.table.cells.dtype == np.uint32
    assert contest.table.cells.tolist() == [[n, 6, STOP], [contest.table.unknown, 1, STOP]]
    at = np.full(2, -1, dtype=np.intp)
    first = read_on(contest.table, np.array([0, 1], dtype=np.intp), at, [True] * n, irregular_ends=True)
    assert [(c, papers.tolist(), total) for c, papers, total in first.to] == [(n - 1, [0], 2)]
    assert (first.stopped.tolist(), first.stopped_at.tolist(), at.tolist()) == ([1], [0], [0, -1])
    with pytest.raises(CountError, match=f"candidate number {n + 1}, but there are only {n}"):
        count_scottish_stv(contest)


@pytest.mark.parametrize(
    ("seats", "withdrawn", "weight", "message"),
    [
        (0, frozenset(), 1, "at least one seat"),
        (1, frozenset({3}), 1, "withdrawn candidate is not in the list"),
        (1, frozenset(), -1, "weight cannot be negative"),
        (1, frozenset(), 0, "no valid ballot papers"),
    ],
)
def test_a_count_that_cannot_run_says_why(
    seats: int, withdrawn: frozenset[int], weight: int, message: str
) -> None:
    contest = Contest("t", ("A", "B", "C"), seats, (RankedBallot(((0,), (1,)), weight),), withdrawn)
    for counter in (count_scottish_stv, count_wigm_prf):
        with pytest.raises(CountError, match=message):
            counter(contest, seed=1)


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
