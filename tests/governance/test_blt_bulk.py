"""The BLT reader's bulk path (`blt_numeric`, `table_layout`): the same contest and errors as reading line by
line, with no Python object per paper."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.counting.blt import parse_blt, parse_blt_by_line
from governance.counting.irv import count_irv
from governance.counting.model import Contest, CountError, RankedBallot, TableBallots
from governance.counting.scottish import count_scottish_stv
from governance.counting.table_layout import aggregated, rankings_table


def _outcome(parse: object, text: str) -> Contest | str:
    try:
        return parse(text)  # type: ignore[operator, no-any-return]
    except CountError as error:
        return f"CountError: {error}"


def _assert_same(text: str) -> Contest | str:
    """`parse_blt` gives what the line-by-line reader gives: the same contest and rank table, or the same
    error; returns the outcome."""
    bulk, by_line = _outcome(parse_blt, text), _outcome(parse_blt_by_line, text)
    if isinstance(by_line, str) or isinstance(bulk, str):
        assert bulk == by_line
        return bulk
    assert bulk == by_line  # title, candidates, seats, every ballot and weight in order, withdrawn
    assert list(bulk.ballots) == list(by_line.ballots)
    assert np.array_equal(bulk.table.cells, by_line.table.cells)
    assert np.array_equal(bulk.table.weights, by_line.table.weights)
    assert bulk.total_weight == by_line.total_weight
    return bulk


# A preference token: mostly a candidate number, now and then another form the bulk path leaves alone (and,
# in a file with mistakes, one the reader must refuse).
def _pref(n: int, mistakes: bool) -> st.SearchStrategy[str]:
    number = st.integers(1, n).map(str)
    odd = st.sampled_from(["007", "1/* c */", "-", "-", *(["0", str(n + 1), "x"] if mistakes else [])])
    return st.one_of(*[number] * 12, odd, st.tuples(number, number).map("=".join))


@st.composite
def blt_files(draw: st.DrawFn, plain: bool = False) -> str:
    """BLT texts; `plain`: only the form the bulk path reads. Otherwise any form, and in one file in four
    mistakes the reader must report (each of them now and then, so that most such files still read)."""
    mistakes = not plain and draw(st.integers(0, 3)) == 0
    n = draw(st.integers(1, 6))
    seats = draw(st.sampled_from([1, 1, 2, 3, *([0] if mistakes else [])]))
    lines = [draw(st.sampled_from([f"{n} {seats}", f" {n}\t{seats} ", f"{n} {seats} /* header */"]))]
    if draw(st.booleans()):
        top = n + 1 if mistakes and draw(st.integers(0, 4)) == 0 else n
        lines.append(" ".join(f"-{c}" for c in draw(st.lists(st.integers(1, top), max_size=2))))
    pref = st.integers(1, n).map(str) if plain else _pref(n, mistakes)
    weight = st.sampled_from(["1", "1", "2", "0", "10", "00", *([] if plain else ["(4) 1"])])
    wrong_lines = ["1 1", "5", "1 1 0 0", "-1", " 0 ", "1 1 1", "x 1 0"]
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 15))
        if kind == 13:
            lines.append(draw(st.sampled_from(["", "   ", "\t"])))  # blank lines, plain or not
        elif kind == 14 and not plain:
            lines.append(draw(st.sampled_from(["(7) 1 1 0", "/* c */ 1 2 0"])))
        elif kind == 15 and mistakes:
            lines.append(draw(st.sampled_from(wrong_lines)))
        else:
            prefs = draw(st.lists(pref, max_size=n + 1))
            sep = draw(st.sampled_from([" ", "  ", "\t"]))
            lines.append(sep.join([draw(weight), *prefs, "0"]) + draw(st.sampled_from(["", "", " "])))
    lines.append(draw(st.sampled_from(["0", "0 ", " 0"]) if not plain else st.just("0")))
    names = [f"Cand {i}" for i in range(n)]
    if mistakes and n > 1 and draw(st.integers(0, 4)) == 0:
        names[-1] = names[0]  # repeated name
    missing = int(mistakes and draw(st.integers(0, 4)) == 0)
    quoted = draw(st.booleans())
    lines.extend(f'"{name}"' if quoted else name for name in names[: n - missing])
    if draw(st.booleans()):
        lines.append('"A title"')
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + draw(st.sampled_from([ending, ""]))


@given(blt_files())
def test_bulk_reader_matches_the_line_by_line_reader_on_any_file(text: str) -> None:
    _assert_same(text)


@given(blt_files(plain=True))
def test_plain_files_are_read_in_bulk_with_the_same_meaning(text: str) -> None:
    contest = _assert_same(text)
    if isinstance(contest, Contest):
        assert isinstance(contest.ballots, TableBallots)  # the bulk path ran: no object per paper


def test_plain_file_makes_no_ballot_object_per_paper() -> None:
    lines = [f"1 {(i % 3) + 1} {((i + 1) % 3) + 1} 0" for i in range(3000)]
    contest = parse_blt("3 1\n" + "\n".join(lines) + "\n0\nA\nB\nC\n")
    assert isinstance(contest.ballots, TableBallots)
    assert contest.ballots.raw == {}
    assert contest.table.cells.shape == (3, 3)  # 3,000 papers, 3 distinct rankings, merged in numpy
    assert contest.table.weights.tolist() == [1000, 1000, 1000]


def test_ballot_with_no_preferences_and_weight_zero_lines() -> None:
    contest = _assert_same("2 1\n3 0\n0 1 2 0\n2 2 0\n1 0\n0\nA\nB\n")
    assert isinstance(contest, Contest) and isinstance(contest.ballots, TableBallots)
    assert contest.ballots == (RankedBallot((), 4), RankedBallot(((1,),), 2))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 1\n" + "1 1 2 0\n" * 1000 + "1 1 3 0\n0\nA\nB\n", "BLT line 1002: candidate 3 does not exist"),
        ("2 1\n" + "1 2 0\n" * 500 + "1 1 2\n0\nA\nB\n", "BLT line 502: a ballot line must end with 0"),
        ("2 1\n" + "1 2 0\n" * 500 + "1 0 2 0\n0\nA\nB\n", "BLT line 502: '0' is not a candidate number"),
        ("2 1\n" + "1 2 0\n" * 500 + "7\n0\nA\nB\n", "BLT line 502: a ballot line must end with 0"),
        ("2 1\n-3\n1 1 0\n0\nA\nB\n", "BLT line 2: withdrawn candidate 3 does not exist"),
        ("2 1\n" + "1 2 0\n" * 300 + '0\nA\n"B\n', "BLT line 304: unterminated quoted name"),
        ("2 1\n" + "1 2 0\n" * 300 + "0\nA\n", "ends early; expected the name of candidate 2"),
        ("2 1\n1 1 0\n0\nA\nA\n", "repeated: A"),
        ("0 1\n1 1 0\n0\nA\n", "BLT line 1: there must be at least one candidate"),
    ],
)
def test_bad_files_give_the_same_plain_english_error_with_the_line(text: str, message: str) -> None:
    with pytest.raises(CountError, match=message):
        parse_blt(text)
    _assert_same(text)


def test_huge_weights_are_refused_not_wrapped() -> None:
    text = "2 1\n" + "999999999999999999 1 0\n" * 20 + "0\nA\nB\n"
    assert _assert_same(text) == "CountError: a ballot weight is too large to count"


def test_counts_from_the_bulk_table_equal_counts_from_the_ballots() -> None:
    import random

    rnd = random.Random(5)
    lines = []
    for _ in range(4000):
        order = rnd.sample(range(1, 7), rnd.randint(1, 6))
        lines.append(f"{rnd.randint(1, 3)} {' '.join(map(str, order))} 0")
    text = "6 3\n-4\n" + "\n".join(lines) + "\n0\n" + "\n".join(f"C{i}" for i in range(6)) + "\nT\n"
    bulk, by_line = parse_blt(text), parse_blt_by_line(text)
    assert isinstance(bulk.ballots, TableBallots)
    assert count_scottish_stv(bulk, seed=1) == count_scottish_stv(by_line, seed=1)
    one = bulk.restated(seats=1)
    assert count_irv(one, seed=1) == count_irv(by_line.restated(seats=1), seed=1)


def test_rows_that_do_not_pack_into_one_integer_are_merged_too() -> None:
    # 300 candidates, ballots of 12 ranks: 9 bits a code x 13 cells do not fit in 64 bits.
    rnd_rows = [[(i * 7 + j * 13) % 300 + 1 for j in range(12)] for i in range(50)]
    lines = [f"1 {' '.join(map(str, row))} 0" for row in rnd_rows * 3]
    text = "300 2\n" + "\n".join(lines) + "\n0\n" + "\n".join(f"C{i}" for i in range(300)) + "\n"
    contest = _assert_same(text)
    assert isinstance(contest, Contest) and len(contest.ballots) == 50
    assert contest.table.weights.tolist() == [3] * 50


def test_irregular_rows_with_equal_codes_stay_apart() -> None:
    rankings = {((0, 1),): 1, ((0, 2),): 2, ((0,), ()): 1, ((0,),): 4}
    ballots = rankings_table(rankings, 3)
    assert ballots == tuple(RankedBallot(r, w) for r, w in rankings.items())
    again = aggregated(ballots.table.cells, ballots.table.weights, ballots.raw, 3)
    assert again == ballots


def test_table_ballots_behave_as_a_tuple() -> None:
    contest = parse_blt("3 1\n2 1 2 0\n1 3 0\n4 2 0\n0\nA\nB\nC\n")
    ballots = contest.ballots
    expected = (RankedBallot(((0,), (1,)), 2), RankedBallot(((2,),), 1), RankedBallot(((1,),), 4))
    assert isinstance(ballots, TableBallots)
    assert len(ballots) == 3 and ballots[-1] == expected[-1] and ballots[1:] == expected[1:]
    assert ballots == expected and expected == ballots and hash(ballots) == hash(expected)
    assert list(reversed(ballots)) == list(reversed(expected))
    assert ballots != expected[:2]
    with pytest.raises(IndexError):
        ballots[3]
    assert "3 ballots" in repr(ballots)
    # Rebuilt from its ballots, the contest is equal and keeps the shared table.
    assert Contest("x", contest.candidates, 1, ballots).table is contest.table
    assert Contest(contest.title, contest.candidates, 1, tuple(ballots)) == contest
