"""Whether a pool can fund a proposal (issue 14, item 7): the facts for `governance.affordability`, loaded
from the pool's stored balances and one aggregate over approved proposals (never rows per member), the
check that refuses a proposal before its vote opens, and the figures shown on the ballot and vote pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from coop.budgets.service import NotEnoughMoney
from coop.budgets.tables import BudgetPool, PoolAccount
from coop.commissioning.tables import CommissionProposal
from coop.votes.extras import register_vote_facts
from governance.affordability import Funds, PeriodCost, funding_violations, period_cost
from governance.violations import Violation

#: Proposals whose decision is still to come: the figures then show what the pool would have left.
DECIDING = ("vote_open", "awaiting_board")


async def pool_funds(pool_id: int) -> Funds:
    """The pool's stored balance, commitments and floor, and what approved proposals not yet contracted
    will need: one statement, whatever the number of members or proposals."""
    rows = await BudgetPool.raw(
        "SELECT p.name, p.balance_pence, p.committed_pence, p.floor_pence, "
        "(SELECT COALESCE(SUM(c.total_pence), 0) FROM commission_proposal c "
        "WHERE c.pool = p.id AND c.status = 'approved') AS agreed "
        "FROM budget_pool p WHERE p.id = {}",
        pool_id,
    )
    row = rows[0]
    return Funds(
        row["name"],
        int(row["balance_pence"]),
        int(row["committed_pence"]),
        int(row["agreed"]),
        int(row["floor_pence"]),
    )


async def share_funds(pool_id: int, shares: dict[int, int]) -> list[tuple[Funds, int]]:
    """Each payer's sub-account with their share. Reads only the payers' own accounts, and the shares of
    approved proposals not yet contracted (a handful: a proposal is approved, then contracted)."""
    # By primary key alone, so the lookup never walks the pool's index; the pool is checked on the rows.
    found = await PoolAccount.select(
        PoolAccount.id,
        PoolAccount.pool,
        PoolAccount.name,
        PoolAccount.balance_pence,
        PoolAccount.committed_pence,
        PoolAccount.floor_pence,
    ).where(PoolAccount.id.is_in(sorted(shares) or [-1]))
    accounts = [a for a in found if int(a["pool"]) == pool_id]
    agreed: dict[int, int] = {}
    for proposal in await CommissionProposal.select(CommissionProposal.shares).where(
        (CommissionProposal.pool == pool_id) & (CommissionProposal.status == "approved")
    ):
        for key, pence in json.loads(proposal["shares"]).items():
            agreed[int(key)] = agreed.get(int(key), 0) + int(pence)
    return [
        (
            Funds(
                a["name"],
                int(a["balance_pence"]),
                int(a["committed_pence"]),
                agreed.get(int(a["id"]), 0),
                int(a["floor_pence"]),
            ),
            shares[int(a["id"])],
        )
        for a in sorted(accounts, key=lambda a: int(a["id"]))
    ]


async def funding_problems(pool_id: int, shares: dict[int, int]) -> list[Violation]:
    """Why this pool cannot fund these shares now; [] when it can."""
    return funding_violations(
        sum(shares.values()), await pool_funds(pool_id), await share_funds(pool_id, shares)
    )


async def refuse_unless_funded(pool_id: int, shares: dict[int, int]) -> None:
    """Raise NotEnoughMoney (nothing changed) unless the pool can fund these shares. Call inside the
    write transaction that opens the vote or approves the purchase, so the figures are the latest."""
    problems = await funding_problems(pool_id, shares)
    if problems:
        raise NotEnoughMoney(problems)


@dataclass(frozen=True, slots=True)
class FundingFigures:
    """What a proposal costs and what its pool has, as shown beside the decision (pool totals only:
    individual amounts stay private)."""

    pool: Funds
    cost: PeriodCost
    period_start: date
    period_end: date
    deciding: bool  # still to be decided: the figures show what would be left after it

    @property
    def left_after_pence(self) -> int:
        return self.pool.left_after(self.cost.total_pence)


async def funding_figures(
    pool_id: int, total_pence: int, start: date, end: date, *, deciding: bool
) -> FundingFigures:
    return FundingFigures(
        await pool_funds(pool_id), period_cost(total_pence, start, end), start, end, deciding
    )


async def proposal_figures(proposal: dict[str, Any]) -> FundingFigures:
    return await funding_figures(
        int(proposal["pool"]),
        int(proposal["total_pence"]),
        proposal["period_start"],
        proposal["period_end"],
        deciding=proposal["status"] in DECIDING,
    )


async def _commission_vote_facts(organisation_id: int, vote_id: int) -> dict[str, Any] | None:
    """For a vote on buying a service: the cost and what the pool can afford, for the vote's pages."""
    proposal = (
        await CommissionProposal.select()
        .where((CommissionProposal.vote == vote_id) & (CommissionProposal.organisation == organisation_id))
        .first()
    )
    if proposal is None:
        return None
    return {"template": "commissioning/_funding.html", "funding": await proposal_figures(proposal)}


register_vote_facts(_commission_vote_facts, purposes=("commission",))
