"""The provider directory: providers, the services they offer and their prices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.budgets.errors import refusal
from coop.commissioning.rows import in_org
from coop.commissioning.tables import (
    Provider,
    ServiceOffer,
)
from coop.db import write_transaction

PROVIDER_KINDS = {
    "cic": "Community interest company",
    "charity": "Charity",
    "company": "Company",
    "personal_assistant": "Personal assistant (self-employed)",
    "shared_lives_carer": "Shared Lives carer",
}
CQC_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate", "Not yet rated")
UNITS = {"hour": "hour", "session": "session", "day": "day", "week": "week", "month": "month"}


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
    return await in_org(Provider, organisation_id, public_id)


async def providers_of(organisation_id: int, *, limit: int = 200) -> list[dict[str, Any]]:
    return (
        await Provider.select()
        .where(Provider.organisation == organisation_id)
        .order_by(Provider.name)
        .limit(limit)
    )


async def offer_in_org(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    return await in_org(ServiceOffer, organisation_id, public_id)


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
        raise refusal("commissioning.kind", "Choose what kind of provider this is")
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
        raise refusal("commissioning.unit", "Choose the unit the price is for")
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


async def provider_by_id(provider_id: int) -> dict[str, Any] | None:
    return await Provider.select().where(Provider.id == provider_id).first()
