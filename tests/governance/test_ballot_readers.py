"""The ballot readers: every format to a `Contest` with aggregated, raw ranks, and errors naming the place."""

from __future__ import annotations

import pytest

from governance.counting.cdf import read_cdf
from governance.counting.csv_ballots import (
    aggregate_rankings,
    read_long_csv,
    read_rctab_csv,
    read_simple_csv,
    read_wide_csv,
)
from governance.counting.ess import read_ess_rows
from governance.counting.model import (
    OVERVOTE_UNKNOWN,
    UNDECLARED_WRITE_IN,
    CountError,
    RankedBallot,
    aggregate,
)


def _as_dict(ballots: tuple[RankedBallot, ...]) -> dict[tuple[tuple[int, ...], ...], int]:
    return {b.ranks: b.weight for b in ballots}


def test_aggregate_rankings_keeps_first_seen_order() -> None:
    merged = aggregate_rankings([((1,),), ((0,),), ((1,),)])
    assert merged == (RankedBallot(((1,),), 2), RankedBallot(((0,),), 1))


def test_merged_ballots_share_equal_ranks() -> None:
    # Built the way a reader builds them: a fresh one-element tuple per rank per paper.
    papers = [tuple((c,) for c in order) for order in ([0, 1, 2], [1, 0], [2, 1, 0], [0, 1, 2])]
    for merged in (
        aggregate_rankings(papers),
        aggregate(RankedBallot(ranks) for ranks in papers),
    ):
        assert [(b.ranks, b.weight) for b in merged] == [
            (((0,), (1,), (2,)), 2),
            (((1,), (0,)), 1),
            (((2,), (1,), (0,)), 1),
        ]
        shared = {id(rank) for b in merged for rank in b.ranks}
        assert len(shared) == 3  # one object per candidate's rank, however many papers rank them


# ---------------------------------------------------------------- simple CSV


def test_simple_csv_with_directives_and_quotes() -> None:
    text = '# candidates: Ann, "Bee, Jr", Cy\n# seats: 2\nAnn, "Bee, Jr"\n\n"Bee, Jr"\nAnn, "Bee, Jr"\n'
    contest = read_simple_csv(text, title="AGM")
    assert contest.candidates == ("Ann", "Bee, Jr", "Cy")
    assert contest.seats == 2
    assert _as_dict(contest.ballots) == {((0,), (1,)): 2, ((1,),): 1}
    assert read_simple_csv(text, seats=1).seats == 1


def test_simple_csv_without_directive_takes_names_in_order_of_appearance() -> None:
    contest = read_simple_csv("Cy, Ann\nBee\n")
    assert contest.candidates == ("Cy", "Ann", "Bee")
    assert contest.seats == 1


def test_simple_csv_unknown_name_names_the_line() -> None:
    with pytest.raises(CountError, match=r"line 3: 'Zed' is not one of the candidates"):
        read_simple_csv("# candidates: Ann, Bee\nAnn\nZed, Ann\n")


def test_simple_csv_bad_seats_and_empty_file() -> None:
    with pytest.raises(CountError, match="line 1: seats 'two'"):
        read_simple_csv("# seats: two\nAnn\n")
    with pytest.raises(CountError, match="no candidates"):
        read_simple_csv("# just a comment\n")


# ---------------------------------------------------------------- long CSV


def test_long_csv_groups_rows_by_ballot_and_keeps_marks_raw() -> None:
    text = (
        "ballot_id,rank,choice\n"
        "1,1,Kiss\n1,2,Wright\n"
        "2,2,Kiss\n2,1,$UNDERVOTE\n"
        "3,1,$OVERVOTE\n3,2,Wright\n"
        "4,1,$UNDERVOTE\n"
    )
    contest = read_long_csv(text)
    assert contest.candidates == ("Kiss", "Wright")
    assert _as_dict(contest.ballots) == {
        ((0,), (1,)): 1,
        ((), (0,)): 1,
        ((OVERVOTE_UNKNOWN,), (1,)): 1,
        (): 1,
    }


def test_long_csv_errors_name_the_row_and_field() -> None:
    with pytest.raises(CountError, match="row 3, field rank"):
        read_long_csv("ballot_id,rank,choice\n1,1,A\n1,second,B\n")
    with pytest.raises(CountError, match="header must name"):
        read_long_csv("id,rank,choice\n")


# ---------------------------------------------------------------- wide CSV


def test_wide_csv_reads_rank_columns_only() -> None:
    text = "Precinct,rank1,rank2,rank3\nP1,Avalos,skipped,Smith\nP2,Smith,,skipped\nP3,Avalos,skipped,Smith\n"
    contest = read_wide_csv(text, seats=3)
    assert contest.candidates == ("Avalos", "Smith")
    assert _as_dict(contest.ballots) == {((0,), (), (1,)): 2, ((1,),): 1}
    assert contest.seats == 3


def test_wide_csv_needs_every_rank_column() -> None:
    with pytest.raises(CountError, match="lacks rank2"):
        read_wide_csv("rank1,rank3\nA,B\n")


# ---------------------------------------------------------------- RCTab generic CSV


def test_rctab_csv_ranks_per_candidate_column() -> None:
    text = "id,A,B,C,Write-In\nr1,1,2,,\nr2,,1,1,\nr3,2,,,1\n"
    contest = read_rctab_csv(
        text, candidates=("A", "B", "C"), first_vote_column_index=2, undeclared_write_in_label="Write-In"
    )
    assert _as_dict(contest.ballots) == {
        ((0,), (1,)): 1,
        ((1, 2),): 1,  # two candidates given rank 1: an overvote
        ((UNDECLARED_WRITE_IN,), (0,)): 1,
    }


def test_rctab_csv_bad_rank_names_row_and_column() -> None:
    with pytest.raises(CountError, match="row 3, column 2: rank 'x'"):
        read_rctab_csv("id,A\nr1,1\nr2,x\n", first_vote_column_index=2)
    with pytest.raises(CountError, match="'D' is not one of the candidates"):
        read_rctab_csv("id,D\nr1,1\n", candidates=("A",), first_vote_column_index=2)


# ---------------------------------------------------------------- ES&S rows


def test_ess_rows_labels_delimiter_and_absent_rows() -> None:
    rows: list[list[str | None]] = [
        ["id", "Choice 1", "Choice 2", "Choice 3", "Count"],
        ["1", "Ann", "overvote", "Bee", "1"],
        ["2", "undervote", "Ann ", None, "1"],
        [],  # not stored in the file: ignored
        ["3", "Ann|Bee", "UWI", "Al", "1"],
        ["4", None, None, None, None],  # stored but empty: a ballot ranking nobody
    ]
    contest = read_ess_rows(
        rows,
        candidates=("Ann", "Bee"),
        aliases={"Al": "Ann"},
        first_vote_column_index=2,
        first_vote_row_index=2,
        max_rankings=3,
        overvote_label="overvote",
        skipped_rank_label="undervote",
        undeclared_write_in_label="UWI",
        overvote_delimiter="|",
    )
    assert _as_dict(contest.ballots) == {
        ((0,), (OVERVOTE_UNKNOWN,), (1,)): 1,
        ((), (0,)): 1,
        ((0, 1), (UNDECLARED_WRITE_IN,), (0,)): 1,
        (): 1,
    }


def test_ess_blank_as_write_in_and_unknown_name() -> None:
    rows: list[list[str | None]] = [["h", "c1", "c2"], ["1", "Ann", None]]
    contest = read_ess_rows(
        rows,
        candidates=("Ann",),
        first_vote_column_index=2,
        first_vote_row_index=2,
        treat_blank_as_undeclared_write_in=True,
    )
    assert _as_dict(contest.ballots) == {((0,), (UNDECLARED_WRITE_IN,)): 1}
    with pytest.raises(CountError, match="row 2, column C: 'Zed'"):
        read_ess_rows(
            [["h", "c1", "c2"], ["1", "Ann", "Zed"]],
            candidates=("Ann",),
            first_vote_column_index=2,
            first_vote_row_index=2,
        )


# ---------------------------------------------------------------- NIST CDF


def _cdf(cvrs: list[dict[str, object]]) -> dict[str, object]:
    return {
        "Election": [
            {
                "Candidate": [{"@id": "c-a", "Name": "Ann"}, {"@id": "c-b", "Name": "Bee"}],
                "Contest": [
                    {
                        "@id": "contest-1",
                        "Name": "Chair",
                        "ContestSelection": [
                            {"@id": "cs-a", "CandidateIds": ["c-a"]},
                            {"@id": "cs-b", "CandidateIds": ["c-b"]},
                        ],
                    }
                ],
            }
        ],
        "CVR": cvrs,
    }


def _cvr(*marks: tuple[str, int]) -> dict[str, object]:
    return {
        "CurrentSnapshotId": "s1",
        "CVRSnapshot": [
            {
                "@id": "s1",
                "CVRContest": [
                    {
                        "ContestId": "contest-1",
                        "CVRContestSelection": [
                            {"ContestSelectionId": sel, "SelectionPosition": [{"Rank": rank}]}
                            for sel, rank in marks
                        ],
                    }
                ],
            }
        ],
    }


def test_cdf_ranks_overvotes_and_skips() -> None:
    data = _cdf([_cvr(("cs-a", 1), ("cs-b", 2)), _cvr(("cs-a", 1), ("cs-b", 1)), _cvr(("cs-b", 2))])
    contest = read_cdf(data, contest_id="Chair")
    assert contest.title == "Chair"
    assert contest.candidates == ("Ann", "Bee")
    assert _as_dict(contest.ballots) == {((0,), (1,)): 1, ((0, 1),): 1, ((), (1,)): 1}


def test_cdf_unknown_selection_names_the_ballot() -> None:
    with pytest.raises(CountError, match=r"CVR\[1\] selection 1 refers to unknown ContestSelectionId 'cs-x'"):
        read_cdf(_cdf([_cvr(("cs-a", 1)), _cvr(("cs-x", 1))]))
    with pytest.raises(CountError, match="no contest named 'Mayor'"):
        read_cdf(_cdf([]), contest_id="Mayor")
