"""Scottish local government STV (SSI 2007/42, Schedule 1, rules 45–52; counting.md §3): the default STV.

Weighted inclusive Gregory method in units of 10^-5 votes: quota floor(V/(seats+1)) + 1 (rule 46), elected at
or over the quota (47), the largest surplus first, one per stage, every paper the candidate holds moving at
floor_5dp(surplus × value when received ÷ total) (48, 49), every surplus before any exclusion (50(1)),
no deferral, exclusion of the lowest with all papers at their current values (50), ties by the most recent
earlier stage at which the candidates differed and then by lot (49(2)–(3), 51), and the last vacancies
filled when continuing candidates equal the seats left (52). Truncation losses leave the count and are
kept on the sheet as "rounding".
"""

from __future__ import annotations

from collections.abc import Sequence

from governance.counting.figures import Value
from governance.counting.model import Contest, CountSheet
from governance.counting.wigm import WigmRules, count_wigm

PLACES = 5
UNIT = 100_000  # 10^-5 votes


def _quota(valid_poll: int, seats: int) -> Value:
    return (valid_poll // (seats + 1) + 1) * UNIT


def _transfer_value(value: Value, surplus: Value, total: Value) -> Value:
    # Rule 48(3): (surplus × value when received) ÷ total, to five decimal places, remainder ignored.
    return (surplus * value) // total


SCOTTISH_STV_2007 = WigmRules(
    method="scottish_stv",
    name="Scottish STV (SSI 2007/42, Schedule 1, rules 45-52)",
    places=PLACES,
    scaled=True,
    quota=_quota,
    strict_quota=False,
    transfer_value=_transfer_value,
    earlier_stages=True,
    transfer_zero_surplus=False,
    quota_places=0,
    references={
        "surplus": "rules 48 and 49",
        "surplus_tie_stage": "rule 49(2)",
        "surplus_tie_lot": "rule 49(3)",
        "exclusion": "rule 50",
        "exclusion_tie_stage": "rule 51(2)(a)",
        "exclusion_tie_lot": "rule 51(2)(b)",
        "last": "rule 52",
    },
)


def count_scottish_stv(
    contest: Contest, *, seed: int | None = None, tie_order: Sequence[str] | None = None
) -> CountSheet:
    """Count `contest` by the Scottish rules.

    A tie that the rules send to lot (rules 49(3), 51(2)(b)) is decided by `random.Random(seed)`, or, when
    `tie_order` is given, by that order fixed by lot in advance (the candidate earliest in it goes first or is
    excluded). With neither, such a tie raises `CountError` asking for a seed.
    """
    return count_wigm(contest, SCOTTISH_STV_2007, seed=seed, tie_order=tie_order)
