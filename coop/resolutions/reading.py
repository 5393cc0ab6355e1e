"""Reading written resolutions: the list, one resolution with where it stands, and its outcome counted
from aggregates (sums of votes by member class), so a resolution sent to 100,000 members costs the same
two small queries as one sent to ten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.custom_types import Combinable

from coop.members.tables import Member
from coop.organisations.service import OrgContext, constitution_of
from coop.pagination import KeysetPage, keyset_page
from coop.public_ids import parse_public_id
from coop.resolutions.tables import (
    WrittenResolution,
    WrittenResolutionAgreement,
    WrittenResolutionElector,
)
from governance.resolutions import (
    CastVote,
    Choice,
    ResolutionFacts,
    ResolutionKind,
    ResolutionOutcome,
    resolution_outcome,
)

MANAGER_ROLES = ("secretary", "admin", "director")
"""Who drafts, sends round and records paper agreements: the board and the secretary."""
KINDS = {
    "ordinary": "Ordinary resolution: passes when more than half of all eligible votes agree",
    "special": "Special resolution: passes when at least 75% of all eligible votes agree",
}
STATUSES = {
    "draft": "Draft",
    "circulating": "Sent round",
    "passed": "Passed",
    "lapsed": "Lapsed",
}
_WRITTEN_KIND = {"ordinary": ResolutionKind.WRITTEN_ORDINARY, "special": ResolutionKind.WRITTEN_SPECIAL}
COLUMNS = (
    WrittenResolution.id,
    WrittenResolution.public_id,
    WrittenResolution.organisation,
    WrittenResolution.title,
    WrittenResolution.text,
    WrittenResolution.easy_read,
    WrittenResolution.kind,
    WrittenResolution.decision,
    WrittenResolution.status,
    WrittenResolution.circulated_on,
    WrittenResolution.lapses_on,
    WrittenResolution.decided_on,
    WrittenResolution.eligible_votes,
)


def is_manager(org: OrgContext) -> bool:
    return org.has_any(*MANAGER_ROLES)


async def resolution_in_org(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    """One resolution of this organisation (None for another organisation's, or a malformed id)."""
    uuid = parse_public_id(public_id)
    if uuid is None:
        return None
    row: dict[str, Any] | None = (
        await WrittenResolution.select(*COLUMNS)
        .where((WrittenResolution.organisation == organisation_id) & (WrittenResolution.public_id == uuid))
        .first()
    )
    return row


def register_where(org: OrgContext) -> Any:
    """Which written resolutions this person may see (the pages' rule, and the API's): drafts only for the
    board and the secretary."""
    clause: Combinable = WrittenResolution.organisation == org.organisation_id
    if not is_manager(org):
        clause &= WrittenResolution.status != "draft"
    return clause


def may_see(org: OrgContext, row: dict[str, Any]) -> bool:
    return row["status"] != "draft" or is_manager(org)


async def resolutions_page(org: OrgContext, *, after: str = "", before: str = "") -> KeysetPage:
    """The register of written resolutions, oldest first, paged by key; drafts only for the board."""
    total = await WrittenResolution.count().where(register_where(org))
    return await keyset_page(
        lambda: WrittenResolution.select(*COLUMNS).where(register_where(org)),
        [WrittenResolution.id],
        total=total,
        after=after,
        before=before,
    )


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a resolution stands: agreements so far and the outcome in words."""

    agreements: int
    agreed_votes: int
    outcome: ResolutionOutcome | None


_AGREED_BY_CLASS = (
    "SELECT e.member_class AS member_class, SUM(e.weight) AS votes, COUNT(*) AS people "
    "FROM written_resolution_agreement a JOIN written_resolution_elector e "
    "ON e.resolution = a.resolution AND e.member = a.member WHERE a.resolution = {} GROUP BY e.member_class"
)
_ELIGIBLE_BY_CLASS = (
    "SELECT member_class, SUM(weight) AS votes FROM written_resolution_elector "
    "WHERE resolution = {} GROUP BY member_class"
)


async def standing(organisation_id: int, row: dict[str, Any], as_of: date) -> Standing:
    """Count the agreements against all eligible votes (two aggregate queries). A draft has no outcome."""
    if row["status"] == "draft" or row["circulated_on"] is None:
        return Standing(0, 0, None)
    agreed = await WrittenResolutionElector.raw(_AGREED_BY_CLASS, row["id"])
    eligible = {
        str(r["member_class"]): int(r["votes"])
        for r in await WrittenResolutionElector.raw(_ELIGIBLE_BY_CLASS, row["id"])
    }
    votes = tuple(
        CastVote(Choice.FOR, weight=int(r["votes"]), member_class=str(r["member_class"])) for r in agreed
    )
    constitution = await constitution_of(organisation_id)
    named = row.get("decision") or None
    facts = ResolutionFacts(
        kind=ResolutionKind.NAMED if named else _WRITTEN_KIND[row["kind"]],
        votes=votes,
        named_decision=named,
        written=True,
        eligible_votes=int(row["eligible_votes"]),
        eligible_votes_by_class=eligible,
        circulated_on=row["circulated_on"],
        as_of=as_of,
    )
    return Standing(
        agreements=sum(int(r["people"]) for r in agreed),
        agreed_votes=sum(int(r["votes"]) for r in agreed),
        outcome=resolution_outcome(constitution, facts),
    )


async def my_part(row: dict[str, Any], member_id: int) -> tuple[bool, date | None]:
    """Whether this member may agree to the resolution, and the day they agreed (None if not yet)."""
    eligible = await WrittenResolutionElector.exists().where(
        (WrittenResolutionElector.resolution == row["id"]) & (WrittenResolutionElector.member == member_id)
    )
    agreed = (
        await WrittenResolutionAgreement.select(WrittenResolutionAgreement.agreed_on)
        .where(
            (WrittenResolutionAgreement.resolution == row["id"])
            & (WrittenResolutionAgreement.member == member_id)
        )
        .first()
    )
    return eligible, (agreed["agreed_on"] if agreed else None)


async def member_by_entry_number(organisation_id: int, entry_number: int) -> dict[str, Any] | None:
    """The member with this number in the register of members (paper agreements name it)."""
    row: dict[str, Any] | None = (
        await Member.select(Member.id, Member.name, Member.entry_number)
        .where((Member.organisation == organisation_id) & (Member.entry_number == entry_number))
        .first()
    )
    return row
