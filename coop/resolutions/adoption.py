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


async def adopt_version(
    organisation_id: int,
    base_version: int,
    document: str,
    *,
    on: date,
    adopted_by: str,
    source: tuple[str, str],
    actor: Actor,
) -> int | None:
    """Inside the transaction that passes a resolution: adopt `document` as the next version if the
    constitution is still at `base_version` (the version the members were shown); otherwise adopt nothing
    and record why. `source` is the resolution's (target type, id) for the audit trail. Returns the new
    version number, or None."""
    version, _ = await in_force(organisation_id)
    target_type, target_id = source
    if version != base_version:
        await record(
            AuditEntry(
                "constitution.amendment_not_adopted",
                organisation_id=organisation_id,
                target_type=target_type,
                target_id=target_id,
                detail={"proposed_for": base_version, "in_force": version},
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
            document=document,
            adopted_on=on,
            adopted_by=adopted_by[:200],
        )
    )
    await record(
        AuditEntry(
            "constitution.amended",
            organisation_id=organisation_id,
            target_type="constitution",
            target_id=str(version + 1),
            detail={target_type: target_id, "from_version": version},
        ),
        actor,
    )
    return version + 1


async def adopt_if_amendment(
    organisation_id: int, resolution: dict[str, Any], on: date, actor: Actor
) -> int | None:
    """Inside the transaction that passes a written resolution: adopt its amendment as the next version, if
    it is one and the constitution has not changed since it was proposed. Returns the new version number."""
    amendment = await amendment_of(resolution["id"])
    if amendment is None:
        return None
    adopted = await adopt_version(
        organisation_id,
        int(amendment["base_version"]),
        str(amendment["document"]),
        on=on,
        adopted_by=f"Written resolution: {resolution['title']}",
        source=("written_resolution", str(resolution["id"])),
        actor=actor,
    )
    if adopted is not None:
        await ConstitutionAmendment.update({ConstitutionAmendment.adopted_version: adopted}).where(
            ConstitutionAmendment.id == amendment["id"]
        )
    return adopted
