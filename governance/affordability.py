"""Can a pool fund a purchase before members are asked to vote for it? Pure: money in integer pence, dates
passed in.

"Uncommitted" is what a pool (or one person's sub-account in it) holds, less everything already promised
from it: what open contracts still need and payments awaiting approval (both set aside in the ledger as
`committed`), and purchases already approved but not yet made into contracts (`agreed`, promised by a
decision but not yet set aside). A purchase can be funded when its cost fits in what is uncommitted above
the contingency the pool must keep (its floor) - the same test the contract step's conditional UPDATE
applies later, so a proposal that passes here is refused there only if the money changed in between.
Proposals still being decided are not counted: members may weigh alternatives, and only one may win.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from governance.budget import format_pence
from governance.violations import Violation


@dataclass(frozen=True, slots=True)
class Funds:
    """Money held by a pool or a sub-account, and what is already promised from it, in pence."""

    name: str
    balance_pence: int
    committed_pence: (
        int  # set aside in the ledger: open contracts' remaining cost, payments awaiting approval
    )
    agreed_pence: int = 0  # approved purchases not yet made into contracts
    floor_pence: int = 0  # the contingency that must always stay

    @property
    def uncommitted_pence(self) -> int:
        return self.balance_pence - self.committed_pence - self.agreed_pence

    @property
    def spare_pence(self) -> int:
        """What can still be promised without touching the contingency (never below zero)."""
        return max(0, self.uncommitted_pence - self.floor_pence)

    def left_after(self, cost_pence: int) -> int:
        return self.uncommitted_pence - cost_pence


def _keeping(funds: Funds) -> str:
    return f" and must keep {format_pence(funds.floor_pence)} as its contingency" if funds.floor_pence else ""


def funding_violations(
    cost_pence: int, pool: Funds, shares: Sequence[tuple[Funds, int]] = ()
) -> list[Violation]:
    """Why the pool, or someone paying a share, cannot fund `cost_pence` on top of what is already
    promised; [] when it can. `shares` pairs each payer's sub-account with their share of the cost.
    Messages give the figures, so whoever proposed it knows by how much to buy less. When the pool as a
    whole cannot fund it, that is the one answer (buy less); a payer's own limit is said when the pool
    could fund it but that person's part cannot."""
    if cost_pence > pool.spare_pence:
        return [
            Violation(
                "commissioning.cannot_afford",
                f"{pool.name} cannot pay for this: it costs {format_pence(cost_pence)}, but the pool has "
                f"{format_pence(pool.uncommitted_pence)} not yet committed{_keeping(pool)}, so it can take "
                f"on at most {format_pence(pool.spare_pence)}. Buy less, or add money to the pool first.",
            )
        ]
    violations: list[Violation] = []
    for account, share in shares:
        if share > account.spare_pence:
            violations.append(
                Violation(
                    "commissioning.share_cannot_afford",
                    f"{account.name}'s share is {format_pence(share)}, but their part of the pool has "
                    f"{format_pence(account.uncommitted_pence)} not yet committed{_keeping(account)}, so "
                    f"it can take on at most {format_pence(account.spare_pence)}.",
                )
            )
    return violations


@dataclass(frozen=True, slots=True)
class PeriodCost:
    """A purchase's cost over its period, and about how much that is a week."""

    total_pence: int
    days: int
    per_week_pence: int


def period_cost(total_pence: int, first_day: date, last_day: date) -> PeriodCost:
    """The cost a week over the period (both days included), rounded up to the penny so it is never
    understated."""
    days = max(1, (last_day - first_day).days + 1)
    return PeriodCost(total_pence, days, -(-total_pence * 7 // days))
