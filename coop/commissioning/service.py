"""Commissioning: the provider directory, proposals to buy a service from a pool (decided by the board or
by a members' vote, as the constitution's spending rules say), contracts whose cost is committed in the
pool's ledger, invoices that pay through the budgets payment path and draw the commitment down, and
members' ratings of the services they use.

Money moves only through `coop/budgets/service.py`, inside this module's `write_transaction()`, so a
contract or invoice row and its money land together or not at all. Lock order: the proposal or contract
row first, then the pool (budgets always takes the pool row before its accounts), so writers queue
rather than deadlock.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from coop.audit.guarded import guarded_update
from coop.audit.service import SYSTEM, Actor, AuditEntry, record
from coop.budgets import service as budgets
from coop.budgets.reversal_pairs import pairs
from coop.budgets.service import BudgetError, NotEnoughMoney, NotFound, is_public_id
from coop.budgets.tables import BudgetPool, PoolPayment
from coop.commissioning import funding
from coop.commissioning.tables import (
    CommissionProposal,
    Contract,
    ContractInvoice,
    ContractShare,
    ProposalApproval,
    Provider,
    ServiceOffer,
    ServiceRating,
)
from coop.db import write_transaction
from coop.organisations.service import constitution_of
from coop.votes import lifecycle as votes
from coop.votes.records import get_vote
from governance.budget import (
    CostRule,
    approval_violations,
    format_pence,
    spending_requirement,
    split_by_weights,
    split_cost,
)
from governance.constitution.schema import SpendingRules
from governance.violations import Violation

MANAGER_ROLES = ("director", "secretary", "treasurer")
BOARD_ROLE = "director"
PROVIDER_KINDS = {
    "cic": "Community interest company",
    "charity": "Charity",
    "company": "Company",
    "personal_assistant": "Personal assistant (self-employed)",
    "shared_lives_carer": "Shared Lives carer",
}
CQC_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate", "Not yet rated")
UNITS = {"hour": "hour", "session": "session", "day": "day", "week": "week", "month": "month"}
MET_OUTCOMES = {"yes": "Yes", "partly": "Partly", "no": "No"}
STATUS_NAMES = {
    "awaiting_board": "Waiting for the board",
    "vote_open": "Members are voting",
    "approved": "Approved",
    "not_approved": "Not approved",
    "contracted": "Contract agreed",
}
MAX_VOTE_DAYS = 60


def _error(code: str, message: str, cls: type[BudgetError] = BudgetError) -> BudgetError:
    return cls([Violation(code, message)])


@asynccontextmanager
async def audit_refusal(entry: AuditEntry, actor: Actor) -> AsyncIterator[None]:
    """Record `entry`, with the reasons' codes, when the block is refused for want of money (the refusal
    still raises). Enter it before the write transaction, so the record outlives the rollback."""
    try:
        yield
    except NotEnoughMoney as refused:
        codes = [v.code for v in refused.violations]
        await record(replace(entry, detail={**entry.detail, "codes": codes}), actor)
        raise


def _reference() -> str:
    return "K-" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))


async def _in_org(table: Any, organisation_id: int, public_id: str) -> dict[str, Any] | None:
    """A row of this organisation by its public id; another organisation's (or a bad id) is not found."""
    if not is_public_id(public_id):  # checked here: PostgreSQL would fail the query on a bad UUID
        return None
    row: dict[str, Any] | None = (
        await table.select()
        .where((table.public_id == public_id) & (table.organisation == organisation_id))
        .first()
    )
    return row


# ---------------------------------------------------------------------------------------------------------
# Providers and offers
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderDetails:
    name: str
    kind: str
    cqc_number: str = ""
    cqc_rating: str = ""
    contact: str = ""


@dataclass(frozen=True, slots=True)
class OfferDetails:
    name: str
    description: str
    unit: str
    price_pence: int


async def provider_in_org(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    return await _in_org(Provider, organisation_id, public_id)


async def providers_of(organisation_id: int, *, limit: int = 200) -> list[dict[str, Any]]:
    return (
        await Provider.select()
        .where(Provider.organisation == organisation_id)
        .order_by(Provider.name)
        .limit(limit)
    )


async def offer_in_org(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    return await _in_org(ServiceOffer, organisation_id, public_id)


async def offers_of(organisation_id: int, provider_id: int | None = None) -> list[dict[str, Any]]:
    query = (
        ServiceOffer.select(*ServiceOffer.all_columns(), ServiceOffer.provider.name.as_alias("provider_name"))
        .where(ServiceOffer.organisation == organisation_id)
        .order_by(ServiceOffer.provider.name)
        .order_by(ServiceOffer.name)
        .limit(500)
    )
    if provider_id is not None:
        query = query.where(ServiceOffer.provider == provider_id)
    return await query


async def create_provider(organisation_id: int, details: ProviderDetails, *, actor: Actor) -> str:
    if details.kind not in PROVIDER_KINDS:
        raise _error("commissioning.kind", "Choose what kind of provider this is")
    row = Provider(
        organisation=organisation_id,
        name=details.name,
        kind=details.kind,
        cqc_number=details.cqc_number,
        cqc_rating=details.cqc_rating,
        contact=details.contact,
        created_by=actor.person_id,
    )
    detail = {"name": details.name, "kind": details.kind, "cqc_number": details.cqc_number}
    return await _insert_audited(row, "commissioning.provider_added", detail, actor)


async def create_offer(organisation_id: int, provider_id: int, details: OfferDetails, *, actor: Actor) -> str:
    if details.unit not in UNITS:
        raise _error("commissioning.unit", "Choose the unit the price is for")
    row = ServiceOffer(
        organisation=organisation_id,
        provider=provider_id,
        name=details.name,
        description=details.description,
        unit=details.unit,
        price_pence=details.price_pence,
    )
    detail = {"name": details.name, "unit": details.unit, "price_pence": details.price_pence}
    return await _insert_audited(row, "commissioning.offer_added", detail, actor)


async def _insert_audited(row: Any, action: str, detail: dict[str, Any], actor: Actor) -> str:
    """Insert one directory row and its audit event together; returns the row's public id."""
    table = type(row)
    async with write_transaction():
        rows = await table.insert(row).returning(table.public_id)
        public_id = str(rows[0]["public_id"])
        await record(
            AuditEntry(
                action,
                organisation_id=int(row.organisation),
                target_type=table._meta.tablename,
                target_id=public_id,
                detail=detail,
            ),
            actor,
        )
    return public_id


# ---------------------------------------------------------------------------------------------------------
# Proposals
# ---------------------------------------------------------------------------------------------------------


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
    accounts = {int(a["id"]): a for a in await budgets.accounts_of(int(pool["id"])) if a["left_on"] is None}
    chosen = [a for a in details.participants if a in accounts]
    if not chosen or len(chosen) != len(details.participants):
        raise _error("commissioning.participants", "Choose who will use this service")
    total = details.quantity * int(offer["price_pence"])
    rule = CostRule(pool["cost_rule"])
    if rule is CostRule.EQUAL:
        return split_cost(total, rule, chosen)
    if rule is CostRule.FIXED_SHARES:
        weights = {a: int(accounts[a]["share"]) for a in chosen}
    else:
        weights = {a: details.minutes.get(a, 0) for a in chosen}
        if not any(weights.values()):
            raise _error("commissioning.hours", "Enter the hours each person is expected to use")
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
    if details.quantity <= 0:
        raise _error("commissioning.quantity", "Enter how many units to buy")
    if details.period_end < details.period_start:
        raise _error("commissioning.period", "The end of the period must be on or after its start")
    shares = await proposal_shares(pool, offer, details)
    total = sum(shares.values())
    rules = (await constitution_of(organisation_id)).spending
    route, approvals = decision_route(total, rules)
    provider = await Provider.select(Provider.name).where(Provider.id == offer["provider"]).first()
    assert provider is not None
    refusal = AuditEntry(
        "commissioning.proposal_refused",
        organisation_id=organisation_id,
        target_type="budget_pool",
        target_id=str(pool["public_id"]),
        outcome="refused",
        detail={"total_pence": total},
    )
    async with audit_refusal(refusal, actor), write_transaction():
        # Checked in the transaction that opens the vote, against the latest figures.
        await funding.refuse_unless_funded(int(pool["id"]), shares)
        vote_id: int | None = None
        if route == "members_vote":
            vote_id = await votes.create_vote(
                organisation_id,
                votes.NewVote(
                    title=f"Buy {offer['name']} from {provider['name']}"[:200],
                    question=(
                        f"Should {pool['name']} buy {details.quantity} × {UNITS[offer['unit']]} of "
                        f"{offer['name']} from {provider['name']}, costing {format_pence(total)}, for "
                        f"{details.period_start:%-d %B %Y} to {details.period_end:%-d %B %Y}?"
                    ),
                    kind="motion",
                    purpose="commission",
                    closes_at=now + timedelta(days=details.vote_days),
                ),
                actor=actor,
            )
            await votes.open_vote(organisation_id, vote_id, now=now, actor=actor)
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
        await record(
            AuditEntry(
                "commissioning.proposed",
                organisation_id=organisation_id,
                target_type="commission_proposal",
                target_id=public_id,
                detail={
                    "offer": str(offer["public_id"]),
                    "total_pence": total,
                    "route": route,
                    "vote": vote_id,
                },
            ),
            actor,
        )
    return public_id


async def proposal_in_org(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    return await _in_org(CommissionProposal, organisation_id, public_id)


async def proposals_of(organisation_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    return (
        await CommissionProposal.select(
            *CommissionProposal.all_columns(),
            CommissionProposal.offer.name.as_alias("offer_name"),
            CommissionProposal.offer.provider.name.as_alias("provider_name"),
        )
        .where(CommissionProposal.organisation == organisation_id)
        .order_by(CommissionProposal.id, ascending=False)
        .limit(limit)
    )


async def proposal_approvers(proposal_id: int) -> list[int]:
    rows = await ProposalApproval.select(ProposalApproval.approver).where(
        ProposalApproval.proposal == proposal_id
    )
    return [int(r["approver"]) for r in rows]


async def approve_proposal(
    organisation_id: int, public_id: str, *, approver_person_id: int, actor: Actor
) -> str:
    """One director's approval of a board-route proposal; returns the proposal's status after it."""
    proposal = await proposal_in_org(organisation_id, public_id)
    if proposal is None:
        raise _error("commissioning.proposal", "Proposal not found", NotFound)
    async with write_transaction():
        # Touch the row first: concurrent approvals of one proposal queue here (PostgreSQL row lock).
        current = await CommissionProposal.raw(
            "UPDATE commission_proposal SET status = status WHERE id = {} RETURNING status", proposal["id"]
        )
        if current[0]["status"] != "awaiting_board":
            raise _error("commissioning.decided", "This proposal is not waiting for the board.")
        already = await proposal_approvers(int(proposal["id"]))
        problems = approval_violations(
            requester=int(proposal["proposed_by"]) if proposal["proposed_by"] is not None else -1,
            approver=approver_person_id,
            already_approved=already,
            approvers_needed=int(proposal["approvals_needed"]),
        )
        if problems:
            # The budget rules speak of payments; here it is a proposal.
            raise BudgetError([Violation(v.code, v.message.replace("payment", "proposal")) for v in problems])
        status = "awaiting_board"
        if len(already) + 1 >= int(proposal["approvals_needed"]):
            # The last approval makes it a promise on the pool's money: only if the pool can still fund it.
            shares = {int(k): int(v) for k, v in json.loads(proposal["shares"]).items()}
            await funding.refuse_unless_funded(int(proposal["pool"]), shares)
            status = "approved"
        await ProposalApproval.insert(ProposalApproval(proposal=proposal["id"], approver=approver_person_id))
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
                detail={"approvals": len(already) + 1, "needed": int(proposal["approvals_needed"])},
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


async def provider_by_id(provider_id: int) -> dict[str, Any] | None:
    return await Provider.select().where(Provider.id == provider_id).first()


async def contract_for(proposal_id: int) -> dict[str, Any] | None:
    return await Contract.select(Contract.public_id).where(Contract.proposal == proposal_id).first()


# ---------------------------------------------------------------------------------------------------------
# Contracts
# ---------------------------------------------------------------------------------------------------------


async def create_contract(organisation_id: int, proposal_public_id: str, *, actor: Actor) -> str:
    """Turn an approved proposal into a contract and commit its cost against each participant's
    sub-account. Refused, changing nothing, if any sub-account or the pool would go below its floor."""
    proposal = await proposal_in_org(organisation_id, proposal_public_id)
    if proposal is None:
        raise _error("commissioning.proposal", "Proposal not found", NotFound)
    if proposal["status"] != "approved":
        raise _error(
            "commissioning.not_approved",
            "A contract can only be made once the proposal has been approved.",
        )
    offer = await ServiceOffer.select().where(ServiceOffer.id == proposal["offer"]).first()
    assert offer is not None
    shares = {int(k): int(v) for k, v in json.loads(proposal["shares"]).items()}
    pool_id = int(proposal["pool"])
    public_id = ""
    refusal = AuditEntry(
        "commissioning.contract_refused",
        organisation_id=organisation_id,
        target_type="commission_proposal",
        target_id=proposal_public_id,
        outcome="refused",
    )
    async with audit_refusal(refusal, actor), write_transaction():
        claimed = (
            await CommissionProposal.update({CommissionProposal.status: "contracted"})
            .where((CommissionProposal.id == proposal["id"]) & (CommissionProposal.status == "approved"))
            .returning(CommissionProposal.id)
        )
        if not claimed:
            raise _error("commissioning.contracted", "A contract has already been made for this proposal.")
        rows = await Contract.insert(
            Contract(
                organisation=organisation_id,
                reference=_reference(),
                pool=pool_id,
                proposal=proposal["id"],
                provider=offer["provider"],
                offer=offer["id"],
                total_pence=int(proposal["total_pence"]),
                created_by=actor.person_id,
            )
        ).returning(Contract.id, Contract.public_id, Contract.reference)
        public_id = str(rows[0]["public_id"])
        await ContractShare.insert(
            *(
                ContractShare(contract=rows[0]["id"], account=account, committed_pence=pence)
                for account, pence in sorted(shares.items())
            )
        )
        await budgets.commit_shares(
            organisation_id, pool_id, shares, actor=actor, target_type="contract", target_id=public_id
        )
        await record(
            AuditEntry(
                "commissioning.contract_created",
                organisation_id=organisation_id,
                target_type="contract",
                target_id=public_id,
                detail={"reference": rows[0]["reference"], "total_pence": int(proposal["total_pence"])},
            ),
            actor,
        )
    return public_id


async def end_contract(organisation_id: int, contract_public_id: str, *, actor: Actor) -> int:
    """End a contract early or when its work is done: what it has not invoiced goes back to each
    participant's available money. Returns the pence released."""
    contract = await contract_in_org(organisation_id, contract_public_id)
    if contract is None:
        raise _error("commissioning.contract", "Contract not found", NotFound)
    async with write_transaction():
        ended = (
            await Contract.update({Contract.status: "ended"})
            .where((Contract.id == contract["id"]) & (Contract.status == "active"))
            .returning(Contract.id)
        )
        if not ended:
            raise _error("commissioning.ended", "This contract has already ended.")
        # Read after the update: a concurrent invoice either finished first or now sees the contract ended.
        left = {
            int(p["account"]): int(p["committed_pence"]) - int(p["drawn_pence"])
            for p in await contract_shares(int(contract["id"]))
        }
        left = {k: v for k, v in left.items() if v}
        if left:
            await budgets.release_shares(
                organisation_id,
                int(contract["pool"]),
                left,
                actor=actor,
                target_type="contract",
                target_id=contract_public_id,
            )
        await record(
            AuditEntry(
                "commissioning.contract_ended",
                organisation_id=organisation_id,
                target_type="contract",
                target_id=contract_public_id,
                detail={"reference": contract["reference"], "released_pence": sum(left.values())},
            ),
            actor,
        )
    return sum(left.values())


async def contract_in_org(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    return await _in_org(Contract, organisation_id, public_id)


async def contracts_of(organisation_id: int, *, provider_id: int | None = None) -> list[dict[str, Any]]:
    query = (
        Contract.select(
            *Contract.all_columns(),
            Contract.offer.name.as_alias("offer_name"),
            Contract.provider.name.as_alias("provider_name"),
            Contract.pool.name.as_alias("pool_name"),
        )
        .where(Contract.organisation == organisation_id)
        .order_by(Contract.id, ascending=False)
        .limit(200)
    )
    if provider_id is not None:
        query = query.where(Contract.provider == provider_id)
    return await query


async def contract_shares(contract_id: int) -> list[dict[str, Any]]:
    return (
        await ContractShare.select(
            *ContractShare.all_columns(),
            ContractShare.account.name.as_alias("name"),
            ContractShare.account.member.as_alias("member"),
        )
        .where(ContractShare.contract == contract_id)
        .order_by(ContractShare.id)
    )


async def invoices_of(contract_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await ContractInvoice.select(
            *ContractInvoice.all_columns(),
            ContractInvoice.payment.public_id.as_alias("payment_public_id"),
            ContractInvoice.payment.status.as_alias("payment_status"),
            ContractInvoice.payment.reference.as_alias("payment_reference"),
            ContractInvoice.payment.txn.as_alias("txn_id"),
        )
        .where(ContractInvoice.contract == contract_id)
        .order_by(ContractInvoice.id)
    )
    # A reversed payment is shown as reversed (its money went back to the contract).
    reversed_by = await pairs([int(r["txn_id"]) for r in rows if r["txn_id"] is not None])
    for row in rows:
        row["reversed_by"] = reversed_by.get(int(row["txn_id"] or 0), {}).get("reversed_by", "")
    return rows


async def contract_commitments(pool_id: int) -> dict[int, int]:
    """What active contracts still hold against each sub-account of a pool (for the ledger invariants)."""
    rows = await ContractShare.select(
        ContractShare.account, ContractShare.committed_pence, ContractShare.drawn_pence
    ).where((ContractShare.contract.pool == pool_id) & (ContractShare.contract.status == "active"))
    held: dict[int, int] = {}
    for r in rows:
        held[int(r["account"])] = (
            held.get(int(r["account"]), 0) + int(r["committed_pence"]) - int(r["drawn_pence"])
        )
    return held


budgets.register_commitment_source(contract_commitments)


async def _invoice_payment_cancelled(
    organisation_id: int, payment_id: int, shares: dict[int, int], actor: Actor
) -> bool:
    """A cancelled invoice payment (a wrong amount, a disputed bill) is no longer invoiced: its money goes
    back to the contract's commitment, so the right invoice can be recorded against it. If the contract
    has ended, there is nothing to go back to and `cancel_payment` releases the money as usual."""
    invoice = (
        await ContractInvoice.select(
            ContractInvoice.public_id,
            ContractInvoice.contract,
            ContractInvoice.amount_pence,
            ContractInvoice.invoice_number,
            ContractInvoice.contract.reference.as_alias("reference"),
        )
        .where((ContractInvoice.payment == payment_id) & (ContractInvoice.organisation == organisation_id))
        .first()
    )
    if invoice is None:
        return False
    amount = int(invoice["amount_pence"])
    # Conditional on the contract still running: a concurrent `end_contract` either ran first (then this
    # releases nothing back) or waits and then releases what this gives back to the contract.
    undrawn = await Contract.raw(
        "UPDATE contract SET drawn_pence = drawn_pence - {} WHERE id = {} AND status = 'active' "
        "AND drawn_pence >= {} RETURNING id",
        amount,
        invoice["contract"],
        amount,
    )
    if not undrawn:
        return False
    for account_id in sorted(shares):
        back = await ContractShare.raw(
            "UPDATE contract_share SET drawn_pence = drawn_pence - {} WHERE contract = {} AND account = {} "
            "AND drawn_pence >= {} RETURNING id",
            shares[account_id],
            invoice["contract"],
            account_id,
            shares[account_id],
        )
        assert back, "an invoice's share was not drawn from the contract"
    await record(
        AuditEntry(
            "commissioning.invoice_cancelled",
            organisation_id=organisation_id,
            target_type="contract_invoice",
            target_id=str(invoice["public_id"]),
            detail={
                "contract": invoice["reference"],
                "invoice_number": invoice["invoice_number"],
                "amount_pence": amount,
            },
        ),
        actor,
    )
    return True


budgets.register_cancel_hook(_invoice_payment_cancelled)


# ---------------------------------------------------------------------------------------------------------
# Invoices
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceResult:
    public_id: str
    payment_public_id: str
    payment_status: str
    replayed: bool = False


def too_much_error(amount: int, left: int, reference: str) -> BudgetError:
    return _error(
        "commissioning.invoice_too_much",
        f"This invoice is for {format_pence(amount)} but only {format_pence(left)} is left on contract "
        f"{reference}. Enter {format_pence(left)} or less, or agree a new contract for the rest.",
    )


async def record_invoice(
    organisation_id: int,
    contract_public_id: str,
    *,
    invoice_number: str,
    amount_pence: int,
    idempotency_key: str,
    actor: Actor,
    period_start: date | None = None,
    period_end: date | None = None,
) -> InvoiceResult:
    """Pay an invoice from the contract's commitment, once per idempotency key: the contract and each
    participant's share are drawn down by conditional updates, and the payment goes through the budgets
    payment path (two approvers above the threshold) in the same transaction."""
    contract = await contract_in_org(organisation_id, contract_public_id)
    if contract is None:
        raise _error("commissioning.contract", "Contract not found", NotFound)
    if amount_pence <= 0:
        raise _error("commissioning.amount", "Enter an amount above £0")
    pool = await BudgetPool.select().where(BudgetPool.id == contract["pool"]).first()
    provider = await Provider.select(Provider.name).where(Provider.id == contract["provider"]).first()
    assert pool is not None and provider is not None
    for _ in range(2):
        try:
            async with write_transaction():
                replay = await _replayed_invoice(organisation_id, idempotency_key, contract, amount_pence)
                if replay is not None:
                    return replay
                if contract["status"] != "active":
                    raise _error("commissioning.ended", "This contract has ended, so it cannot be invoiced.")
                drawn = await Contract.raw(
                    "UPDATE contract SET drawn_pence = drawn_pence + {} WHERE id = {} AND status = 'active' "
                    "AND total_pence - drawn_pence >= {} RETURNING id",
                    amount_pence,
                    contract["id"],
                    amount_pence,
                )
                if not drawn:
                    now = await Contract.select(
                        Contract.total_pence, Contract.drawn_pence, Contract.status
                    ).where(Contract.id == contract["id"])
                    if now[0]["status"] != "active":
                        raise _error(
                            "commissioning.ended", "This contract has ended, so it cannot be invoiced."
                        )
                    left = int(now[0]["total_pence"]) - int(now[0]["drawn_pence"])
                    raise too_much_error(amount_pence, left, contract["reference"])
                parts = await contract_shares(int(contract["id"]))
                # In proportion to what each still has committed: no share can exceed what is left.
                split = split_by_weights(
                    amount_pence,
                    [(int(p["id"]), int(p["committed_pence"]) - int(p["drawn_pence"])) for p in parts],
                )
                shares: dict[int, int] = {}
                for part in parts:
                    pence = split[int(part["id"])]
                    if pence:
                        moved = await ContractShare.raw(
                            "UPDATE contract_share SET drawn_pence = drawn_pence + {} WHERE id = {} "
                            "AND committed_pence - drawn_pence >= {} RETURNING id",
                            pence,
                            part["id"],
                            pence,
                        )
                        # Shares are split in proportion to what is left, so none can overdraw.
                        assert moved, "a contract share would be overdrawn"
                        shares[int(part["account"])] = pence
                payment = await budgets.pay_from_commitment(
                    organisation_id,
                    pool,
                    budgets.PaymentRequest(
                        provider["name"],
                        f"Contract {contract['reference']}, invoice {invoice_number}",
                        amount_pence,
                        idempotency_key,
                        period_start=period_start,
                        period_end=period_end,
                    ),
                    shares,
                    actor=actor,
                )
                if payment.replayed:  # the key was used for some other payment
                    raise _error(
                        "commissioning.key",
                        "This form was already used. Start again from the contract page.",
                        budgets.IdempotencyConflict,
                    )
                payment_row = await PoolPayment.select(PoolPayment.id).where(
                    PoolPayment.public_id == payment.public_id
                )
                rows = await ContractInvoice.insert(
                    ContractInvoice(
                        organisation=organisation_id,
                        contract=contract["id"],
                        invoice_number=invoice_number,
                        amount_pence=amount_pence,
                        payment=payment_row[0]["id"],
                        recorded_by=actor.person_id,
                    )
                ).returning(ContractInvoice.public_id)
                public_id = str(rows[0]["public_id"])
                await record(
                    AuditEntry(
                        "commissioning.invoice_recorded",
                        organisation_id=organisation_id,
                        target_type="contract_invoice",
                        target_id=public_id,
                        detail={
                            "contract": contract["reference"],
                            "invoice_number": invoice_number,
                            "amount_pence": amount_pence,
                            "payment": payment.reference,
                            "payment_status": payment.status,
                        },
                    ),
                    actor,
                )
            return InvoiceResult(public_id, payment.public_id, payment.status)
        except BudgetError:
            raise
        except Exception as exc:
            # A concurrent submit of the same form won the unique index: go round again and replay it.
            if "unique" not in f"{type(exc).__name__} {exc}".lower():
                raise
    raise _error("commissioning.busy", "Another request with this form is still being processed. Try again.")


async def _replayed_invoice(
    organisation_id: int, key: str, contract: dict[str, Any], amount: int
) -> InvoiceResult | None:
    row = (
        await ContractInvoice.select(
            ContractInvoice.public_id,
            ContractInvoice.contract,
            ContractInvoice.amount_pence,
            ContractInvoice.payment.public_id.as_alias("payment_public_id"),
            ContractInvoice.payment.status.as_alias("payment_status"),
        )
        .where(
            (ContractInvoice.organisation == organisation_id)
            & (ContractInvoice.payment.idempotency_key == key)
        )
        .first()
    )
    if row is None:
        return None
    if int(row["contract"]) != int(contract["id"]) or int(row["amount_pence"]) != amount:
        raise _error(
            "commissioning.key",
            "This form was already used for a different invoice. Start again from the contract page.",
            budgets.IdempotencyConflict,
        )
    return InvoiceResult(
        str(row["public_id"]), str(row["payment_public_id"]), row["payment_status"], replayed=True
    )


# ---------------------------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------------------------


async def rate_service(
    organisation_id: int,
    contract: dict[str, Any],
    member_id: int,
    *,
    rating: int,
    met_outcomes: str,
    comment: str,
    actor: Actor,
) -> None:
    """A participant's rating of a service they use; rating again replaces their earlier rating."""
    if not 1 <= rating <= 5:
        raise _error("commissioning.rating", "Choose a rating from 1 to 5")
    if met_outcomes not in MET_OUTCOMES:
        raise _error("commissioning.met_outcomes", "Say whether the service met your outcomes")
    members = {p["member"] for p in await contract_shares(int(contract["id"]))}
    if member_id not in members:
        raise _error(
            "commissioning.not_participant", "Only the people who use this service can rate it", NotFound
        )
    async with write_transaction():
        await ServiceRating.delete().where(
            (ServiceRating.contract == contract["id"]) & (ServiceRating.member == member_id)
        )
        await ServiceRating.insert(
            ServiceRating(
                organisation=organisation_id,
                contract=contract["id"],
                member=member_id,
                rating=rating,
                met_outcomes=met_outcomes,
                comment=comment,
            )
        )
        await record(
            AuditEntry(
                "commissioning.service_rated",
                organisation_id=organisation_id,
                target_type="contract",
                target_id=str(contract["public_id"]),
                detail={"rating": rating, "met_outcomes": met_outcomes},
            ),
            actor,
        )


async def provider_outcomes(provider_id: int) -> dict[str, Any]:
    """The summary shown on a provider's page: how many ratings, the average, and outcomes met."""
    rows = await ServiceRating.select(ServiceRating.rating, ServiceRating.met_outcomes).where(
        ServiceRating.contract.provider == provider_id
    )
    count = len(rows)
    met = {key: sum(1 for r in rows if r["met_outcomes"] == key) for key in MET_OUTCOMES}
    # Average to one decimal place, in integers (tenths), so the figure is exact and reproducible.
    tenths = (sum(int(r["rating"]) for r in rows) * 10 * 2 + count) // (2 * count) if count else 0
    return {"count": count, "average": f"{tenths // 10}.{tenths % 10}" if count else "", "met": met}


async def my_rating(contract_id: int, member_id: int) -> dict[str, Any] | None:
    return (
        await ServiceRating.select()
        .where((ServiceRating.contract == contract_id) & (ServiceRating.member == member_id))
        .first()
    )
