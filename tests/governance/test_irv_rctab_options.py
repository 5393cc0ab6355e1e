"""RCTab rule options beyond the shipped cases: config mapping, errors, and the ask-a-person tie modes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from governance.counting.model import Contest, CountError, RankedBallot
from governance.counting.rctab import (
    RctabRules,
    TieNeedsDecision,
    count_rctab,
    count_rctab_passes,
    rules_from_rctab_config,
)


def _config(**rules: object) -> dict[str, Any]:
    return {
        "outputSettings": {"contestName": "Chair"},
        "cvrFileSources": [{"provider": "cdf", "filePath": "cvr.json", "undeclaredWriteInLabel": "UWI"}],
        "candidates": [
            {"name": "Ann", "aliases": ["ANN"], "excluded": False},
            {"name": "Bee", "excluded": True},
        ],
        "rules": {"winnerElectionMode": "singleWinnerMajority", "numberOfWinners": "1", **rules},
    }


def _tied() -> Contest:
    ballots = (RankedBallot(((0,),), 2), RankedBallot(((1,),), 2), RankedBallot(((2,),), 3))
    return Contest("t", ("A", "B", "C"), 1, ballots)


def test_config_maps_every_option() -> None:
    rules = rules_from_rctab_config(
        _config(
            maxSkippedRanksAllowed="unlimited",
            maxRankingsAllowed="max",
            decimalPlacesForVoteArithmetic=2,
            stopTabulationEarlyAfterRound="",
            randomSeed="",
            minimumVoteThreshold="10",
            batchElimination="true",
            tiebreakMode="previousRoundCountsThenAsk",
        )
    )
    assert rules.max_skipped_ranks_allowed is None
    assert rules.max_rankings_allowed is None
    assert rules.decimal_places == 2
    assert rules.stop_tabulation_early_after_round is None
    assert rules.random_seed is None
    assert rules.minimum_vote_threshold == Decimal(10)
    assert rules.batch_elimination is True
    assert rules.excluded == frozenset({"Bee"})
    assert rules.candidate_order == ("Ann", "Bee")
    assert rules.undeclared_write_ins is True
    assert rules.contest_name == "Chair"
    assert rules.sources[0].provider == "cdf"
    assert rules.as_options()["maxSkippedRanksAllowed"] == "unlimited"


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"overvoteRule": "guess"}, "rules.overvoteRule 'guess' is not one of"),
        ({"maxSkippedRanksAllowed": "lots"}, "rules.maxSkippedRanksAllowed must be a whole number"),
        ({"batchElimination": "maybe"}, "rules.batchElimination must be true or false"),
        ({"winnerElectionMode": "bottomsUpUsingPercentageThreshold"}, "not supported"),
        ({"minimumVoteThreshold": "ten"}, "minimumVoteThreshold 'ten' is not a number"),
    ],
)
def test_bad_config_values_are_named(rules: dict[str, object], message: str) -> None:
    with pytest.raises(CountError, match=message):
        rules_from_rctab_config(_config(**rules))


def test_stop_counting_and_ask_stops_at_a_tie() -> None:
    with pytest.raises(TieNeedsDecision, match="Round 1: A and B are tied on 2 votes"):
        count_rctab(_tied(), RctabRules(tiebreak_mode="stopCountingAndAsk"))
    with pytest.raises(TieNeedsDecision, match="tied on 2 votes in every round"):
        count_rctab(_tied(), RctabRules(tiebreak_mode="previousRoundCountsThenAsk"))


def test_candidate_order_breaks_the_tie_and_says_so() -> None:
    sheet = count_rctab(_tied(), RctabRules(tiebreak_mode="useCandidateOrder"))
    assert sheet.rounds[0].excluded == ("B",)  # listed later, so excluded
    reason = next(e.message for e in sheet.rounds[0].events if e.kind == "tie_break")
    assert "B was chosen to be excluded because they come latest" in reason


def test_minimum_vote_threshold_excludes_everyone_below_it() -> None:
    contest = Contest(
        "t",
        ("A", "B", "C", "D"),
        1,
        (
            RankedBallot(((0,),), 5),
            RankedBallot(((1,), (0,)), 4),
            RankedBallot(((2,), (1,)), 1),
            RankedBallot(((3,), (1,)), 1),
        ),
    )
    sheet = count_rctab(contest, RctabRules(minimum_vote_threshold=Decimal(2)))
    assert set(sheet.rounds[0].excluded) == {"C", "D"}
    assert sheet.rounds[1].tallies == {"A": 5, "B": 6}
    assert sheet.elected == ("B",)


def test_excluded_candidates_must_stand_and_multi_pass_sets_winners_aside() -> None:
    with pytest.raises(CountError, match="not standing in this contest: Zed"):
        count_rctab(_tied(), RctabRules(excluded=frozenset({"Zed"})))
    contest = Contest(
        "t",
        ("A", "B", "C"),
        2,
        (RankedBallot(((0,), (1,)), 3), RankedBallot(((1,),), 2), RankedBallot(((2,), (1,)), 1)),
    )
    passes = count_rctab_passes(contest, RctabRules(winner_election_mode="multiPassIrv"))
    assert [p.elected for p in passes] == [("A",), ("B",)]
    assert "A" not in passes[1].rounds[0].tallies
    joined = count_rctab(contest, RctabRules(winner_election_mode="multiPassIrv"))
    assert joined.elected == ("A", "B")
    assert joined.options["pass_rounds"] == [len(p.rounds) for p in passes]


def test_hare_and_fractional_thresholds() -> None:
    contest = Contest(
        "t", ("A", "B", "C"), 2, tuple(RankedBallot(((c,),), w) for c, w in ((0, 4), (1, 3), (2, 3)))
    )
    base = RctabRules(winner_election_mode="multiWinnerAllowMultipleWinnersPerRound", decimal_places=4)
    assert count_rctab(contest, base).rounds[0].threshold == 4  # floor(10/3) + 1
    fractional = count_rctab(contest, RctabRules(**{**_fields(base), "non_integer_winning_threshold": True}))
    assert fractional.rounds[0].threshold == Decimal("3.3334")
    hare = count_rctab(contest, RctabRules(**{**_fields(base), "hare_quota": True}))
    assert hare.rounds[0].threshold == 5  # ceil(10/2)


def _fields(rules: RctabRules) -> dict[str, Any]:
    return {name: getattr(rules, name) for name in rules.__dataclass_fields__}
