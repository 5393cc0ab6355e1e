"""What the commissioning pages show, each read in one call from its controller: the directory, a
provider, a proposal and a contract, with what the person looking may see and do. A proposal whose
members' vote has closed is settled first (the worker usually has already), so the page shows the result."""

from __future__ import annotations

import json
from typing import Any

from coop import clock
from coop.budgets.ledger import accounts_of
from coop.budgets.pools import pool_in_org, pools_of
from coop.commissioning import contracts, funding, invoices, proposals, providers, ratings
from coop.commissioning.rows import BOARD_ROLE, MANAGER_ROLES
from coop.organisations.service import OrgContext
from governance.budget import CostRule


async def index_page(org: OrgContext) -> dict[str, Any]:
    await proposals.settle_closed_votes(org.organisation_id, now=clock.now())
    return {
        "providers": await providers.providers_of(org.organisation_id),
        "proposals": await proposals.proposals_of(org.organisation_id, limit=20),
        "contracts": await contracts.contracts_of(org.organisation_id),
        "is_manager": org.has_any(*MANAGER_ROLES),
    }


async def provider_page(org: OrgContext, provider_public_id: str) -> dict[str, Any] | None:
    provider = await providers.provider_in_org(org.organisation_id, provider_public_id)
    if provider is None:
        return None
    return {
        "provider": provider,
        "offers": await providers.offers_of(org.organisation_id, int(provider["id"])),
        "contracts": await contracts.contracts_of(org.organisation_id, provider_id=int(provider["id"])),
        "outcomes": await ratings.provider_outcomes(int(provider["id"])),
        "is_manager": org.has_any(*MANAGER_ROLES),
    }


async def proposal_page(org: OrgContext, proposal_public_id: str, *, person_id: int) -> dict[str, Any] | None:
    """A proposal with what it buys, the shares (each person sees their own; managers see all), its
    approvals, funding figures and the provider's ratings."""
    found = await proposals.proposal_in_org(org.organisation_id, proposal_public_id)
    if found is None:
        return None
    proposal = await proposals.settle_vote(org.organisation_id, found, now=clock.now())
    approvers = await proposals.PROPOSALS.approvers(int(proposal["id"]))
    things = await proposals.related(proposal)
    accounts = {int(a["id"]): a for a in await accounts_of(int(proposal["pool"]))}
    manager = org.has_any(*MANAGER_ROLES)
    shares = [
        (accounts[int(k)]["name"], v if manager or accounts[int(k)]["member"] == org.member_id else None)
        for k, v in json.loads(proposal["shares"]).items()
    ]
    return {
        "proposal": proposal,
        **things,
        "shares": shares,
        "approvals": len(approvers),
        "can_approve": proposal["status"] == "awaiting_board"
        and org.has_any(BOARD_ROLE)
        and proposals.PROPOSALS.may_approve(
            requester=proposal["proposed_by"],
            approver=person_id,
            already=approvers,
            needed=int(proposal["approvals_needed"]),
        ),
        "can_contract": proposal["status"] == "approved" and manager,
        "contract": await proposals.contract_for(int(proposal["id"])),
        "funding": await funding.proposal_figures(proposal),
        "outcomes": await ratings.provider_outcomes(int(things["provider"]["id"])),
    }


async def contract_check_page(organisation_id: int, proposal_public_id: str) -> dict[str, Any] | None:
    """What a contract for this proposal would commit, against whose money."""
    proposal = await proposals.proposal_in_org(organisation_id, proposal_public_id)
    if proposal is None:
        return None
    accounts = {int(a["id"]): a for a in await accounts_of(int(proposal["pool"]))}
    return {
        "proposal": proposal,
        **await proposals.related(proposal),
        "shares": [(accounts[int(k)], v) for k, v in json.loads(proposal["shares"]).items()],
    }


async def contract_summary(organisation_id: int, contract_public_id: str) -> dict[str, Any] | None:
    """A contract with what it buys and what is left to invoice (nothing once it has ended)."""
    contract = await contracts.contract_in_org(organisation_id, contract_public_id)
    if contract is None:
        return None
    active = contract["status"] == "active"
    return {
        "contract": contract,
        **await proposals.related(contract),
        "left": int(contract["total_pence"]) - int(contract["drawn_pence"]) if active else 0,
    }


async def contract_page(org: OrgContext, contract_public_id: str) -> dict[str, Any] | None:
    """A contract's page: its summary, who takes part (the person's own share and rating), invoices."""
    summary = await contract_summary(org.organisation_id, contract_public_id)
    if summary is None:
        return None
    contract_id = int(summary["contract"]["id"])
    parts = await contracts.contract_shares(contract_id)
    mine = next((p for p in parts if p["member"] == org.member_id), None)
    return {
        **summary,
        "parts": parts,
        "mine": mine,
        "my_rating": await ratings.my_rating(contract_id, org.member_id) if mine else None,
        "invoices": await invoices.invoices_of(contract_id),
        "is_manager": org.has_any(*MANAGER_ROLES),
    }


async def proposal_form_page(
    organisation_id: int, offer_public_id: str, pool_public_id: str
) -> dict[str, Any] | None:
    """The offer to propose buying, the pools to buy it from (the only one, if there is one), and the
    people taking part in the chosen pool."""
    offer = await providers.offer_in_org(organisation_id, offer_public_id)
    if offer is None:
        return None
    every_pool = await pools_of(organisation_id)
    pool = await pool_in_org(organisation_id, pool_public_id)
    if pool is None and len(every_pool) == 1:
        pool = every_pool[0]
    accounts = [a for a in await accounts_of(int(pool["id"])) if a["left_on"] is None] if pool else []
    return {
        "offer": offer,
        "provider": await providers.provider_by_id(int(offer["provider"])),
        "pools": every_pool,
        "pool": pool,
        "accounts": accounts,
        "by_hours": pool is not None and pool["cost_rule"] == CostRule.BY_HOURS.value,
    }
