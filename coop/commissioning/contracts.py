"""Contracts: an approved proposal's cost committed in the pool's ledger against each participant's
sub-account, given back when the contract ends. Lock order: the proposal or contract row first, then the
pool (budgets always takes the pool row before its accounts), so writers queue rather than deadlock."""

from __future__ import annotations

import json
import secrets
from typing import Any

from coop.audit.guarded import guarded_change
from coop.audit.service import Actor, AuditEntry, record
from coop.budgets import commitments
from coop.budgets.errors import NotFound, refusal
from coop.budgets.ledger import audit_refusal
from coop.commissioning.proposals import proposal_in_org
from coop.commissioning.rows import in_org
from coop.commissioning.tables import (
    CommissionProposal,
    Contract,
    ContractShare,
    ServiceOffer,
)
from coop.db import write_transaction


def _reference() -> str:
    return "K-" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))


async def create_contract(organisation_id: int, proposal_public_id: str, *, actor: Actor) -> str:
    """Turn an approved proposal into a contract and commit its cost against each participant's
    sub-account. Refused, changing nothing, if any sub-account or the pool would go below its floor."""
    proposal = await proposal_in_org(organisation_id, proposal_public_id)
    if proposal is None:
        raise refusal("commissioning.proposal", "Proposal not found", NotFound)
    if proposal["status"] != "approved":
        raise refusal(
            "commissioning.not_approved",
            "A contract can only be made once the proposal has been approved.",
        )
    offer = await ServiceOffer.select().where(ServiceOffer.id == proposal["offer"]).first()
    assert offer is not None
    shares = {int(k): int(v) for k, v in json.loads(proposal["shares"]).items()}
    pool_id = int(proposal["pool"])
    refused = AuditEntry(
        "commissioning.contract_refused",
        organisation_id=organisation_id,
        target_type="commission_proposal",
        target_id=proposal_public_id,
        outcome="refused",
    )
    async with audit_refusal(refused, actor), write_transaction():
        claimed = await guarded_change(  # audited below, with the contract it makes
            CommissionProposal,
            {CommissionProposal.status: "contracted"},
            (CommissionProposal.id == proposal["id"]) & (CommissionProposal.status == "approved"),
            returning=[CommissionProposal.id],
        )
        if not claimed:
            raise refusal("commissioning.contracted", "A contract has already been made for this proposal.")
        public_id, reference = await _insert_contract(organisation_id, proposal, offer, shares, actor)
        await commitments.commit_shares(
            organisation_id, pool_id, shares, actor=actor, target_type="contract", target_id=public_id
        )
        await record(
            AuditEntry(
                "commissioning.contract_created",
                organisation_id=organisation_id,
                target_type="contract",
                target_id=public_id,
                detail={"reference": reference, "total_pence": int(proposal["total_pence"])},
            ),
            actor,
        )
    return public_id


async def _insert_contract(
    organisation_id: int,
    proposal: dict[str, Any],
    offer: dict[str, Any],
    shares: dict[int, int],
    actor: Actor,
) -> tuple[str, str]:
    """The contract row and each participant's share of it; returns its public id and reference."""
    rows = await Contract.insert(
        Contract(
            organisation=organisation_id,
            reference=_reference(),
            pool=int(proposal["pool"]),
            proposal=proposal["id"],
            provider=offer["provider"],
            offer=offer["id"],
            total_pence=int(proposal["total_pence"]),
            created_by=actor.person_id,
        )
    ).returning(Contract.id, Contract.public_id, Contract.reference)
    await ContractShare.insert(
        *(
            ContractShare(contract=rows[0]["id"], account=account, committed_pence=pence)
            for account, pence in sorted(shares.items())
        )
    )
    return str(rows[0]["public_id"]), str(rows[0]["reference"])


async def end_contract(organisation_id: int, contract_public_id: str, *, actor: Actor) -> int:
    """End a contract early or when its work is done: what it has not invoiced goes back to each
    participant's available money. Returns the pence released."""
    contract = await contract_in_org(organisation_id, contract_public_id)
    if contract is None:
        raise refusal("commissioning.contract", "Contract not found", NotFound)
    async with write_transaction():
        ended = await guarded_change(  # audited below, with the money it releases
            Contract,
            {Contract.status: "ended"},
            (Contract.id == contract["id"]) & (Contract.status == "active"),
            returning=[Contract.id],
        )
        if not ended:
            raise refusal("commissioning.ended", "This contract has already ended.")
        # Read after the update: a concurrent invoice either finished first or now sees the contract ended.
        left = {
            int(p["account"]): int(p["committed_pence"]) - int(p["drawn_pence"])
            for p in await contract_shares(int(contract["id"]))
        }
        left = {k: v for k, v in left.items() if v}
        if left:
            await commitments.release_shares(
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
    return await in_org(Contract, organisation_id, public_id)


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
