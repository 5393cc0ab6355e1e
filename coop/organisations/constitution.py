"""Reading an organisation's constitution: the versions adopted, one version's rules in plain English, and
the difference between two versions. Every member may read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from coop.organisations.service import OrgContext, parsed_constitution
from coop.organisations.tables import ConstitutionVersion, Organisation
from governance.constitution import Constitution
from governance.constitution.explain import (
    RuleDifference,
    RuleSection,
    easy_read_summary,
    rule_differences,
    rule_sections,
)


@dataclass(frozen=True, slots=True)
class VersionSummary:
    version: int
    model_name: str
    adopted_on: date
    adopted_by: str


@dataclass(frozen=True, slots=True)
class ReadableVersion:
    """One version of the rules, ready to read: in full and in easy read."""

    summary: VersionSummary
    in_force: bool
    sections: tuple[RuleSection, ...]
    easy_read: tuple[str, ...]


async def constitution_versions(org: OrgContext) -> list[VersionSummary]:
    """Every version adopted, newest first (the first is the one in force)."""
    rows = (
        await ConstitutionVersion.select(
            ConstitutionVersion.version,
            ConstitutionVersion.model_name,
            ConstitutionVersion.adopted_on,
            ConstitutionVersion.adopted_by,
        )
        .where(ConstitutionVersion.organisation == org.organisation_id)
        .order_by(ConstitutionVersion.version, ascending=False)
    )
    return [VersionSummary(**row) for row in rows]


async def _rules(org: OrgContext, version: int) -> Constitution | None:
    row = (
        await ConstitutionVersion.select(ConstitutionVersion.document)
        .where(
            (ConstitutionVersion.organisation == org.organisation_id)
            & (ConstitutionVersion.version == version)
        )
        .first()
    )
    return parsed_constitution(str(row["document"])) if row else None


async def readable_version(
    org: OrgContext, versions: list[VersionSummary], version: int | None = None
) -> ReadableVersion | None:
    """A version (by default the one in force) in plain English, or None if there is no such version."""
    chosen = next((v for v in versions if version is None or v.version == version), None)
    if chosen is None:
        return None
    rules = await _rules(org, chosen.version)
    if rules is None:
        return None
    return ReadableVersion(chosen, chosen is versions[0], rule_sections(rules), easy_read_summary(rules))


async def version_differences(org: OrgContext, earlier: int, later: int) -> tuple[RuleDifference, ...] | None:
    """Rule by rule, how version `later` differs from version `earlier`; None if either does not exist."""
    old, new = await _rules(org, earlier), await _rules(org, later)
    if old is None or new is None:
        return None
    return rule_differences(old, new)


async def organisation_record(organisation_id: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The organisation's row and its constitution in force (the latest version), or None."""
    row = await Organisation.select().where(Organisation.id == organisation_id).first()
    version = (
        await ConstitutionVersion.select()
        .where(ConstitutionVersion.organisation == organisation_id)
        .order_by(ConstitutionVersion.version, ascending=False)
        .first()
    )
    return (row, version) if row is not None and version is not None else None
