"""Small hand-worked STV counts: every figure can be checked with pencil and paper."""

from __future__ import annotations

from decimal import Decimal

import pytest

from governance.counting.blt import parse_blt
from governance.counting.meek import count_meek_stv
from governance.counting.model import Contest, CountError, RankedBallot
from governance.counting.rankings import prepare_rankings
from governance.counting.scottish import count_scottish_stv
from governance.counting.tiebreak import by_earlier_stages
from governance.counting.wigm_prf import count_wigm_prf


def _contest(seats: int, names: str, *lines: tuple[int, str]) -> Contest:
    """`_contest(2, "ABC", (60, "AB"), (30, "B"))`: weight and preference letters."""
    ballots = tuple(
        RankedBallot(tuple((names.index(ch),) for ch in prefs), weight) for weight, prefs in lines
    )
    return Contest("test", tuple(names), seats, ballots)


def test_scottish_surplus_at_truncated_transfer_value() -> None:
    # V = 100, 2 seats: quota floor(100/3) + 1 = 34. A's surplus 26 moves at 26/60 = 0.43333 (truncated).
    sheet = count_scottish_stv(_contest(2, "ABC", (60, "AB"), (30, "B"), (10, "CB")))
    assert sheet.quota == 34
    first, second = sheet.rounds[:2]
    assert first.tallies == {"A": 60, "B": 30, "C": 10}
    assert first.elected == ("A",)
    assert first.events[-1].message == "A is elected with 60.00000 votes, above the quota of 34."
    assert second.tallies == {"A": 34, "B": Decimal("55.99980"), "C": 10}
    assert second.transfers["A"] == {
        "B": Decimal("25.99980"),
        "non_transferable": Decimal("0.00000"),
        "rounding": Decimal("0.00020"),
    }
    assert second.elected == ("B",)
    assert sheet.elected == ("A", "B")
    assert len(sheet.rounds) == 2


def test_scottish_exclusions_then_rule_52() -> None:
    # V = 18, 2 seats, quota floor(18/3) + 1 = 7, which nobody reaches. D (3) then C (4) are excluded, their
    # papers non-transferable; A and B are then as many as the seats left and are elected below the quota.
    sheet = count_scottish_stv(_contest(2, "ABCD", (6, "A"), (5, "B"), (4, "C"), (3, "D")))
    assert sheet.quota == 7
    assert [r.excluded for r in sheet.rounds] == [(), ("D",), ("C",)]
    assert sheet.rounds[2].tallies == {"A": 6, "B": 5}
    assert sheet.rounds[2].inactive == {"non_transferable": 7, "rounding": 0}
    assert sheet.rounds[2].elected == ("A", "B")
    assert "rule 52" in sheet.rounds[2].events[-1].message
    assert sheet.elected == ("A", "B")


def test_scottish_every_surplus_before_an_exclusion() -> None:
    # Quota 4: A's surplus of 3 moves first (stage 2), 7 papers at 3/7 = 0.42857 each: B gains 2.99999.
    sheet = count_scottish_stv(_contest(2, "ABC", (7, "AB"), (2, "B"), (1, "C")))
    assert sheet.rounds[1].transfers["A"]["B"] == Decimal("2.99999")
    assert sheet.rounds[1].transfers["A"]["rounding"] == Decimal("0.00001")
    assert sheet.rounds[1].excluded == ()
    assert sheet.elected == ("A", "B")


def test_scottish_tie_at_the_first_stage_goes_to_lot() -> None:
    # Quota floor(8/2) + 1 = 5. Stage 1: A 4, B 2, C 2: B and C tie with no earlier stage (51(2)(b)).
    contest = _contest(1, "ABC", (4, "A"), (2, "B"), (1, "C"), (1, "CB"))
    with pytest.raises(CountError, match="decided by lot"):
        count_scottish_stv(contest)
    sheet = count_scottish_stv(contest, seed=3)
    assert sheet.seed == 3
    (tie,) = [e for r in sheet.rounds for e in r.events if e.kind == "tie_break"]
    assert "random seed 3" in tie.message
    assert count_scottish_stv(contest, seed=3).to_json() == sheet.to_json()
    fixed = count_scottish_stv(contest, tie_order=("C", "B", "A"))
    assert fixed.rounds[1].excluded == ("C",)


def test_scottish_tie_decided_by_the_most_recent_earlier_stage() -> None:
    # Quota floor(21/2) + 1 = 11. Stage 1: A 6, B 5, C 5, D 5: B, C and D tie with no earlier stage, and the
    # order fixed by lot excludes D, whose one "DB" paper gives B 6 (stage 2: A 6, B 6, C 5). C is excluded
    # (stage 3, papers non-transferable). A and B are still tied at 6, as at stage 2, but at stage 1 B had
    # fewer (5 against 6): B is excluded (rule 51(2)(a)) and A is elected.
    contest = _contest(1, "ABCD", (3, "AB"), (3, "AC"), (5, "B"), (5, "C"), (4, "D"), (1, "DB"))
    sheet = count_scottish_stv(contest, tie_order=("D", "C", "B", "A"))
    assert sheet.rounds[1].excluded == ("D",)
    assert sheet.rounds[1].tallies == {"A": 6, "B": 6, "C": 5}
    assert sheet.rounds[2].excluded == ("C",)
    assert sheet.rounds[3].excluded == ("B",)
    (tie,) = [e.message for e in sheet.rounds[3].events if e.kind == "tie_break"]
    assert "A had more votes" not in tie and "B had fewer votes at stage 1" in tie
    assert tie.endswith("(rule 51(2)(a)).")
    assert sheet.elected == ("A",)


def test_skipped_rank_and_overvote_end_the_paper() -> None:
    contest = parse_blt("3 1\n2 1 - 2 0\n1 1=2 3 0\n3 3 0\n1 2 2 3 0\n0\nA\nB\nC\nT\n")
    ranked = prepare_rankings(contest)
    assert dict(zip(ranked.prefs, ranked.weights, strict=True)) == {(0,): 2, (2,): 3, (1, 2): 1}
    assert ranked.invalid == 1  # the overvote at the first preference
    assert ranked.valid_poll == 6


def test_withdrawn_candidate_is_passed_over() -> None:
    contest = parse_blt("3 1\n-1\n4 1 2 0\n3 3 0\n0\nA\nB\nC\nT\n")
    sheet = count_scottish_stv(contest)
    assert sheet.rounds[0].tallies == {"B": 4, "C": 3}
    assert sheet.elected == ("B",)


def test_too_few_candidates_fills_what_it_can() -> None:
    sheet = count_scottish_stv(_contest(3, "AB", (3, "A"), (1, "B")))
    assert sheet.elected == ("A", "B")
    assert any("remain unfilled" in e.message for e in sheet.rounds[-1].events)


def test_no_valid_papers_is_an_error() -> None:
    with pytest.raises(CountError, match="no valid ballot papers"):
        count_scottish_stv(Contest("t", ("A", "B"), 1, (RankedBallot(((),), 3),)))


def test_wigm_prf_quota_and_double_truncation() -> None:
    # 42.blt: V = 6, 2 seats: quota 6/3 + 0.0001 = 2.0001. Castor's surplus 1.9999 moves at
    # trunc(trunc(1 × 1.9999) / 4) = 0.4999 per paper: Pollux 1.9996, rounding 0.0003.
    contest = _contest(2, "CPH", (4, "CP"), (2, "H"))
    sheet = count_wigm_prf(contest)
    assert sheet.quota == Decimal("2.0001")
    assert sheet.rounds[1].tallies == {"C": Decimal("2.0001"), "P": Decimal("1.9996"), "H": 2}
    assert sheet.rounds[1].inactive["rounding"] == Decimal("0.0003")
    assert sheet.elected == ("C", "H")


def test_meek_prf_keep_factor_iteration() -> None:
    # 42.blt under the PRF Meek rule (Droop's report): Castor is elected, then his keep factor settles so
    # that he keeps 2.000000004 and passes 1.999999996 to Pollux; Pollux is defeated and Helen elected.
    contest = _contest(2, "CPH", (4, "CP"), (2, "H"))
    sheet = count_meek_stv(contest)
    assert sheet.rounds[0].elected == ("C",)
    assert sheet.rounds[1].tallies == {
        "C": Decimal("2.000000004"),
        "P": Decimal("1.999999996"),
        "H": Decimal("2.000000000"),
    }
    assert sheet.rounds[1].excluded == ("P",)
    assert sheet.elected == ("C", "H")


def test_meek_rational_agrees_with_exact_arithmetic() -> None:
    contest = _contest(2, "CPH", (4, "CP"), (2, "H"))
    # Exactly, Pollux ends within the total surplus of Helen: a tie, decided by the order fixed by lot.
    sheet = count_meek_stv(contest, arithmetic="rational", tie_order=("C", "P", "H"))
    assert sheet.elected == ("C", "H")
    assert any(e.kind == "tie_break" for r in sheet.rounds for e in r.events)
    assert sheet.method == "meek_rational"


def test_unknown_tie_order_names_are_rejected() -> None:
    with pytest.raises(CountError, match="unknown candidates: Z"):
        count_scottish_stv(_contest(1, "AB", (1, "A")), tie_order=("A", "Z"))


def test_empty_papers_are_invalid_and_repeats_are_passed_over() -> None:
    contest = Contest(
        "t",
        ("A", "B", "C"),
        1,
        (RankedBallot((), 2), RankedBallot(((0,), (1,), (0,), (2,)), 3), RankedBallot(((1,),), 1)),
    )
    ranked = prepare_rankings(contest)
    assert (ranked.prefs, ranked.weights, ranked.invalid) == ([(1,), (0, 1, 2)], [1, 3], 2)
    assert prepare_rankings(contest, repeats_allowed=True).prefs == [(0, 1, 0, 2), (1,)]
    cleaned = Contest(
        "t", ("A", "B", "C"), 1, (RankedBallot(((0,), (1,), (2,)), 3), RankedBallot(((1,),), 1))
    )
    for counter in (count_scottish_stv, count_wigm_prf, count_meek_stv):
        with_repeats, without = counter(contest), counter(cleaned)
        assert [(r.tallies, r.elected, r.excluded, r.transfers) for r in with_repeats.rounds] == [
            (r.tallies, r.elected, r.excluded, r.transfers) for r in without.rounds
        ]


def test_scottish_equal_surpluses_with_no_earlier_stage_go_to_lot() -> None:
    # V = 16, 3 seats, quota 5: A and B both have 7 at stage 1, so rule 49(3) decides by lot whose surplus
    # of 2 moves first; the seed is on the sheet and the tie-break is told in words.
    contest = _contest(3, "ABCD", (7, "AC"), (7, "BD"), (1, "C"), (1, "D"))
    sheet = count_scottish_stv(contest, seed=5)
    tie, later = [e for r in sheet.rounds for e in r.events if e.kind == "tie_break"]
    assert tie.message.startswith("A and B are tied, and were equal at every earlier stage; ")
    assert tie.message.endswith("(rule 49(3)).")
    assert "by lot (random seed 5)" in tie.message and "has their surplus transferred first" in tie.message
    assert tie.candidate in ("A", "B")
    assert list(sheet.rounds[1].transfers) == [tie.candidate]
    assert sheet.seed == 5
    # C and D then tie at 2.99997 for exclusion; the stage before, one of them had only 1 vote.
    assert "the most recent stage at which they differed" in later.message


def test_earlier_stage_ties_narrow_stage_by_stage() -> None:
    history = [[5, 3, 5, 1], [6, 6, 6, 1], [7, 7, 7, 1]]  # stages 1-3; stage 3 is the current one
    assert by_earlier_stages([0, 1, 2], history, prefer_highest=True) == ([0, 2], 1)
    assert by_earlier_stages([0, 1, 2], history, prefer_highest=False) == ([1], 1)
    assert by_earlier_stages([0, 2], history, prefer_highest=True) == ([0, 2], None)
