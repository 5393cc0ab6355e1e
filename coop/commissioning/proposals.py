"""Proposals to buy a service from a pool, decided by the board or by a members' vote as the constitution's
spending rules say; a members' vote is opened with the proposal and its result recorded once it closes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from coop.audit.guarded import guarded_update
from coop.audit.service import SYSTEM, Actor, AuditEntry, record
from coop.budgets import ledger
from coop.budgets.approvals import Approvals
from coop.budgets.errors import NotFound, refusal
from coop.budgets.ledger import audit_refusal
from coop.budgets.tables import BudgetPool
from coop.commissioning import funding
from coop.commissioning.providers import UNITS
from coop.commissioning.rows import in_org
from coop.commissioning.tables import (
    CommissionProposal,
    Contract,
    ProposalApproval,
    Provider,
    ServiceOffer,
)
from coop.db import write_transaction
from coop.organisations.service import constitution_of
from coop.votes import lifecycle as votes
from coop.votes.records import get_vote
from governance.budget import (
    ApprovalSubject,
    CostRule,
    format_pence,
    spending_requirement,
    split_cost,
)
from governance.constitution.schema import SpendingRules

STATUS_NAMES = {
    "awaiting_board": "Waiting for the board",
    "vote_open": "Members are voting",
    "approved": "Approved",
    "not_approved": "Not approved",
    "contracted": "Contract agreed",
}
MAX_VOTE_DAYS = 60


#: A board-route proposal's approvals: the same flow as payments' (nobody approves their own, or twice).
PROPOSALS = Approvals(ApprovalSubject.PROPOSAL, ProposalApproval, "proposal")


def decision_route(total_pence: int, rules: SpendingRules) -> tuple[str, int]:
    """("members_vote", 0) or ("board", directors who must approve), from the constitution's spending
    rules: a members' vote when every new contract needs one or the cost is above the vote threshold;
    otherwise the board, with two approvers above the two-person threshold and one below it."""
    requirement = spending_requirement(total_pence, rules)
    if rules.members_vote_on_new_contracts or requirement.needs_members_vote:
        return "members_vote", 0
    return "board", max(1, requirement.approvers_needed)


@dataclass(frozen=True, slots=True)
class ProposalDetails:
    quantity: int
    period_start: date
    period_end: date
    participants: tuple[int, ...]  # pool account ids
    minutes: dict[int, int]  # by-hours pools: account id -> expected minutes of use
    vote_days: int = 14


async def proposal_shares(
    pool: dict[str, Any], offer: dict[str, Any], details: ProposalDetails
) -> dict[int, int]:
    """The cost split among the participants by the pool's rule (exact to the penny)."""
    accounts = {int(a["id"]): a for a in await ledger.accounts_of(int(pool["id"])) if a["left_on"] is None}
    chosen = [a for a in details.participants if a in accounts]
    if not chosen or len(chosen) != len(details.participants):
        raise refusal("commissioning.participants", "Choose who will use this service")
    total = details.quantity * int(offer["price_pence"])
    rule = CostRule(pool["cost_rule"])
    if rule is CostRule.EQUAL:
        return split_cost(total, rule, chosen)
    if rule is CostRule.FIXED_SHARES:
        weights = {a: int(accounts[a]["share"]) for a in chosen}
    else:
        weights = {a: details.minutes.get(a, 0) for a in chosen}
        if not any(weights.values()):
            raise refusal("commissioning.hours", "Enter the hours each person is expected to use")
    return {k: v for k, v in split_cost(total, rule, chosen, weights).items() if v}


async def create_proposal(
    organisation_id: int,
    pool: dict[str, Any],
    offer: dict[str, Any],
    details: ProposalDetails,
    *,
    now: datetime,
    actor: Actor,
) -> str:
    """Record a proposal and start its decision: a members' vote is created and opened at once (in the same
    transaction), a board decision waits for directors to approve it. Refused (NotEnoughMoney, nothing
    recorded) if the pool cannot fund it: members are never asked to vote for what cannot be bought."""
    shares, route, approvals = await _priced(organisation_id, pool, offer, details)
    total = sum(shares.values())
    provider = await Provider.select(Provider.name).where(Provider.id == offer["provider"]).first()
    assert provider is not None
    refused = AuditEntry(
        "commissioning.proposal_refused",
        organisation_id=organisation_id,
        target_type="budget_pool",
        target_id=str(pool["public_id"]),
        outcome="refused",
        detail={"total_pence": total},
    )
    async with audit_refusal(refused, actor), write_transaction():
        # Checked in the transaction that opens the vote, against the latest figures.
        await funding.refuse_unless_funded(int(pool["id"]), shares)
        vote_id: int | None = None
        if route == "members_vote":
            vote_id = await _open_members_vote(
                organisation_id, pool, offer, provider["name"], details, total, now=now, actor=actor
            )
        rows = await CommissionProposal.insert(
            CommissionProposal(
                organisation=organisation_id,
                pool=pool["id"],
                offer=offer["id"],
                quantity=details.quantity,
                period_start=details.period_start,
                period_end=details.period_end,
                total_pence=total,
                shares=json.dumps({str(k): v for k, v in shares.items()}, sort_keys=True),
                route=route,
                approvals_needed=approvals,
                status="vote_open" if route == "members_vote" else "awaiting_board",
                vote=vote_id,
                proposed_by=actor.person_id,
            )
        ).returning(CommissionProposal.public_id)
        public_id = str(rows[0]["public_id"])
        detail = {"offer": str(offer["public_id"]), "total_pence": total, "route": route, "vote": vote_id}
        entry = AuditEntry(
            "commissioning.proposed",
            organisation_id=organisation_id,
            target_type="commission_proposal",
            target_id=public_id,
            detail=detail,
        )
        await record(entry, actor)
    return public_id


async def _priced(
    organisation_id: int, pool: dict[str, Any], offer: dict[str, Any], details: ProposalDetails
) -> tuple[dict[int, int], str, int]:
    """Check the proposal's details and price it: each participant's share, and how it is decided
    (`decision_route`)."""
    if details.quantity <= 0:
        raise refusal("commissioning.quantity", "Enter how many units to buy")
    if details.period_end < details.period_start:
        raise refusal("commissioning.period", "The end of the period must be on or after its start")
    shares = await proposal_shares(pool, offer, details)
    route, approvals = decision_route(sum(shares.values()), await spending_rules(organisation_id))
    return shares, route, approvals


async def _open_members_vote(
    organisation_id: int,
    pool: dict[str, Any],
    offer: dict[str, Any],
    provider_name: str,
    details: ProposalDetails,
    total: int,
    *,
    now: datetime,
    actor: Actor,
) -> int:
    """Create and open, in the caller's transaction, the members' vote on buying this; returns its id."""
    vote_id = await votes.create_vote(
        organisation_id,
        votes.NewVote(
            title=f"Buy {offer['name']} from {provider_name}"[:200],
            question=(
                f"Should {pool['name']} buy {details.quantity} × {UNITS[offer['unit']]} of "
                f"{offer['name']} from {provider_name}, costing {format_pence(total)}, for "
                f"{details.period_start:%-d %B %Y} to {details.period_end:%-d %B %Y}?"
            ),
            kind="motion",
            purpose="commission",
            closes_at=now + timedelta(days=details.vote_days),
        ),
        actor=actor,
    )
    await votes.open_vote(organisation_id, vote_id, now=now, actor=actor)
    return vote_id


async def proposal_in_org(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    return await in_org(CommissionProposal, organisation_id, public_id)


async def proposals_of(organisation_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    return (
        await CommissionProposal.select(
            *CommissionProposal.all_columns(),
            CommissionProposal.offer.name.as_alias("offer_name"),
            CommissionProposal.offer._.provider._.name.as_alias("provider_name"),
        )
        .where(CommissionProposal.organisation == organisation_id)
        .order_by(CommissionProposal.id, ascending=False)
        .limit(limit)
    )


async def approve_proposal(
    organisation_id: int, public_id: str, *, approver_person_id: int, actor: Actor
) -> str:
    """One director's approval of a board-route proposal; returns the proposal's status after it."""
    proposal = await proposal_in_org(organisation_id, public_id)
    if proposal is None:
        raise refusal("commissioning.proposal", "Proposal not found", NotFound)
    async with write_transaction():
        # Touch the row first: concurrent approvals of one proposal queue here (PostgreSQL row lock).
        current = await CommissionProposal.raw(
            "UPDATE commission_proposal SET status = status WHERE id = {} RETURNING status", proposal["id"]
        )
        if current[0]["status"] != "awaiting_board":
            raise refusal("commissioning.decided", "This proposal is not waiting for the board.")
        approvals = await PROPOSALS.approve(
            int(proposal["id"]),
            requester=proposal["proposed_by"],
            approver=approver_person_id,
            needed=int(proposal["approvals_needed"]),
        )
        status = "awaiting_board"
        if approvals >= int(proposal["approvals_needed"]):
            # The last approval makes it a promise on the pool's money: only if the pool can still fund it.
            shares = {int(k): int(v) for k, v in json.loads(proposal["shares"]).items()}
            await funding.refuse_unless_funded(int(proposal["pool"]), shares)
            status = "approved"
        if status == "approved":
            await CommissionProposal.update({CommissionProposal.status: status}).where(
                CommissionProposal.id == proposal["id"]
            )
        await record(
            AuditEntry(
                "commissioning.board_approved",
                organisation_id=organisation_id,
                target_type="commission_proposal",
                target_id=public_id,
                detail={"approvals": approvals, "needed": int(proposal["approvals_needed"])},
            ),
            actor,
        )
    return status


async def settle_vote(organisation_id: int, proposal: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """For a proposal whose members' vote has closed (the worker closes it at its closing time), record
    the result: approved if the motion was carried. Returns the proposal now."""
    if proposal["status"] != "vote_open" or proposal["vote"] is None:
        return proposal
    vote = await get_vote(organisation_id, int(proposal["vote"]))
    if vote is None:
        return proposal
    if vote.status != "closed" or vote.result is None:
        return proposal
    status = "approved" if vote.result.get("carried") else "not_approved"
    await guarded_update(
        CommissionProposal,
        {CommissionProposal.status: status},
        (CommissionProposal.id == proposal["id"]) & (CommissionProposal.status == "vote_open"),
        returning=[CommissionProposal.id],
        audit=lambda _: AuditEntry(
            "commissioning.vote_result",
            organisation_id=organisation_id,
            target_type="commission_proposal",
            target_id=str(proposal["public_id"]),
            detail={"vote": vote.id, "carried": status == "approved"},
        ),
        actor=SYSTEM,
    )
    refreshed = await proposal_in_org(organisation_id, str(proposal["public_id"]))
    assert refreshed is not None
    return refreshed


async def settle_closed_votes(organisation_id: int, *, now: datetime) -> None:
    """Settle every proposal whose members' vote has closed or is past its closing time, so lists show
    the result without anyone having to open the proposal first."""
    waiting = await CommissionProposal.select().where(
        (CommissionProposal.organisation == organisation_id) & (CommissionProposal.status == "vote_open")
    )
    for proposal in waiting:
        await settle_vote(organisation_id, proposal, now=now)


async def spending_rules(organisation_id: int) -> SpendingRules:
    return (await constitution_of(organisation_id)).spending


async def related(row: dict[str, Any]) -> dict[str, Any]:
    """The offer, its provider and the pool a proposal or contract is about (already scoped by the row)."""
    offer = await ServiceOffer.select().where(ServiceOffer.id == row["offer"]).first()
    assert offer is not None
    provider = await Provider.select().where(Provider.id == offer["provider"]).first()
    pool = await BudgetPool.select().where(BudgetPool.id == row["pool"]).first()
    return {"offer": offer, "provider": provider, "pool": pool}


async def contract_for(proposal_id: int) -> dict[str, Any] | None:
    return await Contract.select(Contract.public_id).where(Contract.proposal == proposal_id).first()
