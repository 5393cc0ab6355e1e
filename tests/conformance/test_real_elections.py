"""Real elections with official results: Burlington 2009 mayor (IRV), Portland 2024 District 1 (STV).

Each folder's README states the rules and the facts checked here (counting.md §9): Burlington's winner, its
round-1 figures and final round (with the documented one-vote difference for Wright), and Portland's elected
set under Portland's published rules.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from coop.ballot_files import load_contest
from governance.counting.irv import count_irv
from governance.counting.rctab import EXHAUSTED_CHOICES, OVERVOTES, RctabRules, count_rctab

BURLINGTON = Path("real_irv/burlington_2009_mayor/us_vt_btv_2009_03_mayor.normalized.csv")
PORTLAND = Path("real_stv/portland_2024_council_d1/Portland_D1_Condensed.csv")

# Burlington's IRV as the README describes it: majority of continuing votes, the hopeless candidates
# eliminated together in the first runoff round, an overvote ends the ballot at that rank.
BURLINGTON_RULES = RctabRules(
    winner_election_mode="singleWinnerMajority",
    number_of_winners=1,
    decimal_places=0,
    batch_elimination=True,
    overvote_rule="exhaustImmediately",
)
OFFICIAL_ROUND_1 = {
    "Kurt Wright": 2951,
    "Bob Kiss": 2585,
    "Andy Montroll": 2063,
    "Dan Smith": 1306,
    "James Simpson": 35,
    "Write-in": 36,
}

# Portland's proportional RCV as published: threshold floor(votes/(seats+1)) + 1, every ballot of a winner
# moves on at the surplus fraction, otherwise the last-place candidate is eliminated.
PORTLAND_RULES = RctabRules(
    winner_election_mode="multiWinnerAllowMultipleWinnersPerRound",
    number_of_winners=3,
    decimal_places=4,
    overvote_rule="exhaustImmediately",
)


def _data(conformance_dir: Path, relative: Path) -> Path:
    path = conformance_dir / relative
    if not path.is_file():
        pytest.fail(f"conformance data missing: {path}", pytrace=False)
    return path


def test_burlington_2009_official_winner_and_rounds(conformance_dir: Path) -> None:
    contest = load_contest(_data(conformance_dir, BURLINGTON), format="long-csv")
    assert contest.total_weight == 8980
    sheet = count_rctab(contest, BURLINGTON_RULES)
    assert sheet.elected == ("Bob Kiss",)
    first = sheet.rounds[0]
    assert dict(first.tallies) == {name: Decimal(v) for name, v in OFFICIAL_ROUND_1.items()}
    assert set(first.excluded) == {"Dan Smith", "James Simpson", "Write-in"}
    assert sheet.rounds[1].excluded == ("Andy Montroll",)
    final = sheet.rounds[-1]
    assert final.tallies["Bob Kiss"] == 4313
    # Certified 4,061; this normalised file gives one vote fewer (README: allow ±1 on Wright only).
    assert abs(final.tallies["Kurt Wright"] - 4061) <= 1
    inactive = final.inactive[EXHAUSTED_CHOICES] + final.inactive[OVERVOTES]
    assert final.tallies["Bob Kiss"] + final.tallies["Kurt Wright"] + inactive == 8980


def test_burlington_2009_one_at_a_time_elimination_same_winner(conformance_dir: Path) -> None:
    contest = load_contest(_data(conformance_dir, BURLINGTON), format="long-csv")
    sheet = count_irv(contest)
    assert sheet.elected == ("Bob Kiss",)
    assert sheet.rounds[-1].tallies["Bob Kiss"] == 4313
    assert [r.excluded for r in sheet.rounds[:-1]] == [
        ("James Simpson",),
        ("Write-in",),
        ("Dan Smith",),
        ("Andy Montroll",),
    ]


@pytest.mark.slow
def test_portland_2024_district_1_elected_set(conformance_dir: Path) -> None:
    contest = load_contest(_data(conformance_dir, PORTLAND), format="wide-csv", seats=3)
    assert contest.total_weight == 42871
    first = count_rctab(contest, PORTLAND_RULES)
    assert first.rounds[0].threshold == 10718
    round_1 = first.rounds[0].tallies
    assert (round_1["Candace Avalos"], round_1["Loretta Smith"], round_1["Jamie Dunphy"]) == (
        8297,
        5586,
        5064,
    )
    assert set(first.elected) == {"Candace Avalos", "Jamie Dunphy", "Loretta Smith"}
