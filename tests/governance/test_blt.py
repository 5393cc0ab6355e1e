"""The BLT reader: layout variants, raw ranks kept, and errors that name the line."""

from __future__ import annotations

import pytest

from governance.counting.blt import parse_blt
from governance.counting.model import CountError, RankedBallot


def test_plain_unquoted_file() -> None:
    contest = parse_blt(
        "3 2\n4 1 2 0\n2 3 0\n0\nAnn SMITH (Lab)\nBob JONES (SNP)\nCat GRAY (Grn)\nWard 1 - Test\n"
    )
    assert contest.candidates == ("Ann SMITH (Lab)", "Bob JONES (SNP)", "Cat GRAY (Grn)")
    assert contest.seats == 2
    assert contest.title == "Ward 1 - Test"
    assert contest.ballots == (RankedBallot(((0,), (1,)), 4), RankedBallot(((2,),), 2))
    assert contest.withdrawn == frozenset()


def test_quoted_names_withdrawn_line_and_trailing_lines_ignored() -> None:
    text = '3 1\n-2\n1 1 2 0\n1 2 3 0\n0\n"A b"\n"C"\n"D e"\n"The title"\n"Source: x"\nFirst Prefs\n  9 9\n'
    contest = parse_blt(text)
    assert contest.candidates == ("A b", "C", "D e")
    assert contest.title == "The title"
    assert contest.withdrawn == frozenset({1})


def test_equal_rankings_and_skipped_ranks_are_kept_raw() -> None:
    contest = parse_blt("3 1\n2 1=2 - 3 0\n0\nA\nB\nC\nT\n")
    assert contest.ballots == (RankedBallot(((0, 1), (), (2,)), 2),)


def test_identical_ballot_lines_are_merged() -> None:
    contest = parse_blt("2 1\n1 1 2 0\n3 2 0\n2 1 2 0\n0\nA\nB\nT\n")
    assert contest.ballots == (RankedBallot(((0,), (1,)), 3), RankedBallot(((1,),), 3))
    assert contest.total_weight == 6


def test_missing_title_is_empty() -> None:
    assert parse_blt("1 1\n1 1 0\n0\nA\n").title == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3\n", "line 1"),
        ("2 1\n1 1 3 0\n0\nA\nB\nT\n", "line 2: candidate 3 does not exist"),
        ("2 1\n1 1 2\n0\nA\nB\nT\n", "line 2: a ballot line must end with 0"),
        ("2 1\n1 1 0\nx 1 0\n0\nA\nB\n", "line 3"),
        ("2 1\n1 1 0\n0\nA\n", "ends early"),
        ("2 1\n1 1 0\n", "ends early"),
        ("2 1\n-3\n1 1 0\n0\nA\nB\n", "line 2: withdrawn candidate 3"),
        ("2 0\n1 1 0\n0\nA\nB\n", "at least one seat"),
        ("2 1\n1 a 0\n0\nA\nB\n", "line 2"),
        ("2 1\n1 1 0\n0\nA\nA\n", "repeated: A"),
    ],
)
def test_bad_input_names_the_line(text: str, message: str) -> None:
    with pytest.raises(CountError, match=message):
        parse_blt(text)
