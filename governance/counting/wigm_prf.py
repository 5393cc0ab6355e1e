"""The PR Foundation reference WIGM rule, in its 4-decimal fixed point and in exact fractions (Droop's WIGM).

Same engine as the Scottish rules (`governance.counting.wigm`); what differs: the quota is V/(seats+1)
truncated to 4 decimals plus 0.0001 (A.1), or exactly V/(seats+1) with election on votes strictly above it
in exact arithmetic; each product and quotient is truncated to 4 decimals (D.4), so a paper's new value is
trunc(trunc(value × surplus) ÷ total); a candidate elected exactly at the quota still has a zero surplus
"transferred" (B.3); and every tie is decided by a tie-breaking order fixed by lot in advance (D.1), with no
look at earlier stages.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from governance.counting.figures import Value
from governance.counting.model import Contest, CountSheet
from governance.counting.wigm import WigmRules, count_wigm

PLACES = 4
UNIT = 10_000  # 10^-4 votes
RATIONAL_PLACES = 12

_REFERENCES = {
    "surplus": "PRF WIGM B.3",
    "surplus_tie_lot": "PRF WIGM D.1",
    "exclusion": "PRF WIGM B.4",
    "exclusion_tie_lot": "PRF WIGM D.1",
    "last": "PRF WIGM C",
}


def _fixed_quota(valid_poll: int, seats: int) -> Value:
    return valid_poll * UNIT // (seats + 1) + 1


def _fixed_transfer_value(value: Value, surplus: Value, total: Value) -> Value:
    return (value * surplus // UNIT) * UNIT // total


def _exact_quota(valid_poll: int, seats: int) -> Value:
    return Fraction(valid_poll, seats + 1)


def _exact_transfer_value(value: Value, surplus: Value, total: Value) -> Value:
    return Fraction(value) * surplus / total


WIGM_PRF = WigmRules(
    method="wigm_prf",
    name="PR Foundation reference WIGM (4-decimal fixed point)",
    places=PLACES,
    scaled=True,
    quota=_fixed_quota,
    strict_quota=False,
    transfer_value=_fixed_transfer_value,
    earlier_stages=False,
    transfer_zero_surplus=True,
    quota_places=PLACES,
    references=_REFERENCES,
)

WIGM_RATIONAL = WigmRules(
    method="wigm_rational",
    name="WIGM in exact rational arithmetic (PR Foundation reference WIGM steps, exact quota)",
    places=RATIONAL_PLACES,
    scaled=False,
    quota=_exact_quota,
    strict_quota=True,
    transfer_value=_exact_transfer_value,
    earlier_stages=False,
    transfer_zero_surplus=True,
    quota_places=RATIONAL_PLACES,
    references=_REFERENCES,
)


def count_wigm_prf(
    contest: Contest,
    *,
    arithmetic: Literal["fixed", "rational"] = "fixed",
    seed: int | None = None,
    tie_order: Sequence[str] | None = None,
) -> CountSheet:
    """Count `contest` by the PRF reference WIGM rule (`arithmetic="rational"`: exact fractions).

    Ties go to `tie_order` (the order fixed by lot before the count; the earliest is transferred first or
    excluded), or failing that to `random.Random(seed)`; with neither, a tie raises `CountError`.
    """
    rules = WIGM_PRF if arithmetic == "fixed" else WIGM_RATIONAL
    return count_wigm(contest, rules, seed=seed, tie_order=tie_order)
