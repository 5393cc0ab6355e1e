"""CSV, CDF and ES&S readers lay their ballots out as the rank table directly (`ballots_table`), and simple
CSV reads each distinct line once: the same contests, ballots and errors as before."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.counting.csv_ballots import aggregate_rankings, ballots_table, read_simple_csv
from governance.counting.model import (
    OVERVOTE_UNKNOWN,
    UNDECLARED_WRITE_IN,
    Contest,
    CountError,
    RankedBallot,
    TableBallots,
)

N = 4
_rank = st.one_of(
    *[st.integers(0, N - 1).map(lambda c: (c,))] * 6,
    st.just(()),  # skipped
    st.just((UNDECLARED_WRITE_IN,)),
    st.just((OVERVOTE_UNKNOWN,)),
    st.just((N + 2,)),  # a number that is no declared candidate
    st.lists(st.integers(0, N - 1), min_size=2, max_size=3).map(tuple),  # overvote
)
_rankings = st.lists(st.lists(_rank, max_size=5).map(tuple), max_size=40)


@given(_rankings)
def test_ballots_table_holds_exactly_the_merged_ballots(rankings: list[tuple[tuple[int, ...], ...]]) -> None:
    ballots = ballots_table(rankings, N)
    expected = aggregate_rankings(rankings)
    assert ballots == expected
    assert [(b.ranks, b.weight) for b in ballots] == [(b.ranks, b.weight) for b in expected]
    # Laid out directly, the table is the one the contest would lay out from the merged ballots.
    direct, from_ballots = Contest("t", tuple("ABCD"), 1, ballots), Contest("t", tuple("ABCD"), 1, expected)
    assert np.array_equal(direct.table.cells, from_ballots.table.cells)
    assert np.array_equal(direct.table.weights, from_ballots.table.weights)


_names = st.sampled_from(["Ann", "Bob", "Cat", "Dee", '"Smith, Jo"', "Zed"])


@st.composite
def simple_csv_files(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# candidates: Ann, Bob, Cat, Dee" + draw(st.sampled_from(["", ', "Smith, Jo"'])))
    if draw(st.integers(0, 3)) == 0:
        lines.append(draw(st.sampled_from(["# seats: 2", "# seats: x", "# a comment"])))
    for _ in range(draw(st.integers(0, 25))):
        if draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", ",", "Ann,,Bob"])))
            continue
        choices = draw(st.lists(_names, min_size=1, max_size=4))
        lines.append(draw(st.sampled_from([",", ", ", " ,"])).join(choices))
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


def _read(text: str, bulk: bool) -> Contest | str:
    try:
        return read_simple_csv(text, bulk=bulk)
    except CountError as error:
        return str(error)


@given(simple_csv_files())
def test_simple_csv_read_by_distinct_line_matches_reading_every_record(text: str) -> None:
    bulk, every = _read(text, True), _read(text, False)
    assert bulk == every
    if isinstance(every, Contest):
        assert isinstance(every.ballots, TableBallots)
        assert np.array_equal(every.table.cells, bulk.table.cells)  # type: ignore[union-attr]


def test_simple_csv_counts_each_distinct_line_once_and_keeps_its_copies() -> None:
    contest = read_simple_csv("Ann, Bob\n" * 1000 + "Bob\n" * 500 + "Ann,Bob\n")
    assert contest.ballots == (RankedBallot(((0,), (1,)), 1001), RankedBallot(((1,),), 500))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# candidates: Ann, Bob\n" + "Ann, Bob\n" * 300 + "Ann, Eve\n", "line 302: 'Eve' is not one of"),
        ("# seats: many\nAnn\n", "line 1: seats 'many' is not a number"),
        ("\n\n", "no candidates and no ballots"),
    ],
)
def test_simple_csv_errors_still_name_the_line(text: str, message: str) -> None:
    with pytest.raises(CountError, match=message):
        read_simple_csv(text)
