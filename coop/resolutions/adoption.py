"""Adopting an amendment when its written resolution passes (inside that transaction), and the version in
force it starts from. Kept apart from `amendments` so the resolution service can call it without a cycle."""

from __future__ import annotations

from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.organisations.tables import ConstitutionVersion
from coop.resolutions.tables import ConstitutionAmendment


async def in_force(organisation_id: int) -> tuple[int, str]:
    """The version in force and its rules as TOML (what an amendment starts from)."""
    row = await (
        ConstitutionVersion.select(ConstitutionVersion.version, ConstitutionVersion.document)
        .where(ConstitutionVersion.organisation == organisation_id)
        .order_by(ConstitutionVersion.version, ascending=False)
        .first()
    )
    if row is None:
        raise LookupError(f"organisation {organisation_id} has no constitution")
    return int(row["version"]), str(row["document"])


async def amendment_of(resolution_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await ConstitutionAmendment.select().where(ConstitutionAmendment.resolution == resolution_id).first()
    )
    return row


async def adopt_if_amendment(
    organisation_id: int, resolution: dict[str, Any], on: date, actor: Actor
) -> int | None:
    """Inside the transaction that passes the resolution: adopt its amendment as the next version, if it is
    one and the constitution has not changed since it was proposed. Returns the new version number."""
    amendment = await amendment_of(resolution["id"])
    if amendment is None:
        return None
    version, _ = await in_force(organisation_id)
    if version != amendment["base_version"]:
        await record(
            AuditEntry(
                "constitution.amendment_not_adopted",
                organisation_id=organisation_id,
                target_type="written_resolution",
                target_id=str(resolution["id"]),
                detail={"proposed_for": amendment["base_version"], "in_force": version},
            ),
            actor,
        )
        return None
    model = (
        await ConstitutionVersion.select(ConstitutionVersion.model_name)
        .where(
            (ConstitutionVersion.organisation == organisation_id) & (ConstitutionVersion.version == version)
        )
        .first()
    )
    await ConstitutionVersion.insert(
        ConstitutionVersion(
            organisation=organisation_id,
            version=version + 1,
            model_name=model["model_name"] if model else "",
            document=amendment["document"],
            adopted_on=on,
            adopted_by=f"Written resolution: {resolution['title']}"[:200],
        )
    )
    await ConstitutionAmendment.update({ConstitutionAmendment.adopted_version: version + 1}).where(
        ConstitutionAmendment.id == amendment["id"]
    )
    await record(
        AuditEntry(
            "constitution.amended",
            organisation_id=organisation_id,
            target_type="constitution",
            target_id=str(version + 1),
            detail={"resolution": resolution["id"], "from_version": version},
        ),
        actor,
    )
    return version + 1
