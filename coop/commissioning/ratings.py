"""Outcomes: members' ratings of the services they use, and the summary shown on a provider's page."""

from __future__ import annotations

from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.budgets.errors import NotFound, refusal
from coop.commissioning.contracts import contract_in_org, contract_shares
from coop.commissioning.tables import (
    ServiceRating,
)
from coop.db import write_transaction

MET_OUTCOMES = {"yes": "Yes", "partly": "Partly", "no": "No"}


async def rate_service(
    organisation_id: int,
    contract_public_id: str,
    member_id: int,
    *,
    rating: int,
    met_outcomes: str,
    comment: str,
    actor: Actor,
) -> None:
    """A participant's rating of a service they use; rating again replaces their earlier rating."""
    contract = await contract_in_org(organisation_id, contract_public_id)
    if contract is None:
        raise refusal("commissioning.contract", "Contract not found", NotFound)
    if not 1 <= rating <= 5:
        raise refusal("commissioning.rating", "Choose a rating from 1 to 5")
    if met_outcomes not in MET_OUTCOMES:
        raise refusal("commissioning.met_outcomes", "Say whether the service met your outcomes")
    members = {p["member"] for p in await contract_shares(int(contract["id"]))}
    if member_id not in members:
        raise refusal(
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
