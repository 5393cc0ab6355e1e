"""count_irv's defaults for coop's own elections, rule by rule, on small hand-checked ballots."""

from __future__ import annotations

import pytest

from governance.counting.irv import count_irv
from governance.counting.model import OVERVOTE_UNKNOWN, Contest, CountError, RankedBallot
from governance.counting.rctab import EXHAUSTED_CHOICES, OVERVOTES, UNDERVOTES, TieNeedsLot


def _contest(*ballots: tuple[tuple[tuple[int, ...], ...], int], names: str = "ABC") -> Contest:
    return Contest("t", tuple(names), 1, tuple(RankedBallot(r, w) for r, w in ballots))


def test_majority_of_continuing_votes_recomputed_each_round() -> None:
    sheet = count_irv(_contest((((0,),), 4), (((1,), (0,)), 2), (((2,), (1,)), 3)))
    # Round 1: A 4, C 3, B 2 of 9 (threshold 5): B excluded, 2 to A.  Round 2: A 6 of 9.
    assert [r.threshold for r in sheet.rounds] == [5, 5]
    assert sheet.rounds[0].excluded == ("B",)
    assert sheet.rounds[0].transfers == {"B": {"A": 2}}
    assert sheet.elected == ("A",)
    assert sheet.method == "irv"


def test_exhausted_ballots_lower_the_threshold() -> None:
    sheet = count_irv(_contest((((0,),), 4), (((1,),), 2), (((2,),), 2), (((2,), (1,)), 1)))
    # Round 1: A 4, C 3, B 2 (threshold 5); B goes and its 2 ballots exhaust.  Round 2: 7 active, threshold 4.
    assert sheet.rounds[1].threshold == 4
    assert sheet.rounds[1].inactive[EXHAUSTED_CHOICES] == 2
    assert sheet.elected == ("A",)


def test_overvote_ends_the_ballot_skips_are_passed_over_blank_is_undervote() -> None:
    sheet = count_irv(
        _contest(
            (((0, 1), (2,)), 1),  # overvote at rank 1: the ballot stops there
            (((), (2,)), 1),  # a skipped first rank: counts for C
            ((), 1),  # ranks nobody
            ((((OVERVOTE_UNKNOWN,),)), 1),
            (((0,),), 2),
        )
    )
    first = sheet.rounds[0]
    assert first.tallies == {"A": 2, "B": 0, "C": 1}
    assert first.inactive[OVERVOTES] == 2
    assert first.inactive[UNDERVOTES] == 1
    assert sheet.elected == ("A",)


def test_a_repeated_candidate_counts_once() -> None:
    sheet = count_irv(_contest((((2,), (2,), (0,)), 2), (((0,),), 3), (((1,),), 4)))
    # Round 1: A 3, B 4, C 2: C goes, and the repeated C is passed over to reach A, who wins 5 to 4.
    assert sheet.rounds[0].excluded == ("C",)
    assert sheet.rounds[0].transfers == {"C": {"A": 2}}
    assert sheet.elected == ("A",)


def test_tie_settled_by_earlier_round_then_by_lot_with_recorded_seed() -> None:
    tied = _contest((((0,),), 1), (((1,),), 1), (((2,), (0,)), 2))
    with pytest.raises(TieNeedsLot, match="A and B are tied"):
        count_irv(tied)
    sheet = count_irv(tied, seed=42)
    assert sheet.seed == 42
    assert any(e.kind == "tie_break" and "by lot" in e.message for e in sheet.rounds[0].events)
    assert count_irv(tied, seed=42).elected == sheet.elected


def test_one_seat_only_and_bad_marks() -> None:
    with pytest.raises(CountError, match="one seat"):
        count_irv(Contest("t", ("A", "B"), 2, (RankedBallot(((0,),)),)))
    with pytest.raises(CountError, match="candidate number 5"):
        count_irv(_contest((((4,),), 1)))
