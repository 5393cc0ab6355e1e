"""Directors' conflicts of interest: the standing register of interests (CA06 s.175, s.177, s.182 and model
article 14) and declarations on agenda items. A director who declares an interest in an item does not
count toward its quorum and may not vote on it (coop/meetings/attendance.py, coop/meetings/decisions.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.db import write_transaction
from coop.meetings.service import MeetingError, MeetingInfo, directors_for_forms
from coop.meetings.tables import DirectorInterest, InterestDeclaration
from coop.organisations.service import OrgContext
from coop.pagination import KeysetPage, keyset_page
from coop.public_ids import parse_public_id

TEXT_LIMIT = 1000


async def interests_page(org: OrgContext, *, after: str = "", before: str = "") -> KeysetPage:
    """The register of interests, current and past, in the order they were entered."""
    where = DirectorInterest.organisation == org.organisation_id
    columns = (
        DirectorInterest.id,
        DirectorInterest.public_id,
        DirectorInterest.description,
        DirectorInterest.declared_on,
        DirectorInterest.ended_on,
        DirectorInterest.member.name.as_alias("name"),
    )
    return await keyset_page(
        lambda: DirectorInterest.select(*columns).where(where),
        (DirectorInterest.id,),
        total=await DirectorInterest.count().where(where),
        after=after,
        before=before,
        per_page=50,
    )


async def _director(org: OrgContext, public_id: str, field: str) -> dict[str, Any]:
    uid = parse_public_id(public_id)
    for row in await directors_for_forms(org):
        if uid is not None and row["public_id"] == uid:
            return row
    raise MeetingError({field: "Choose a current director"})


async def add_interest(
    org: OrgContext, member_public_id: str, description: str, declared_on: date, actor: Actor
) -> None:
    director = await _director(org, member_public_id, "member")
    if not description:
        raise MeetingError({"description": "Describe the interest"})
    async with write_transaction():
        await DirectorInterest.insert(
            DirectorInterest(
                organisation=org.organisation_id,
                member=director["id"],
                description=description[:TEXT_LIMIT],
                declared_on=declared_on,
            )
        )
        await record(
            AuditEntry(
                "meeting.interest_registered",
                org.organisation_id,
                "member",
                str(director["public_id"]),
                detail={"description": description[:TEXT_LIMIT]},
            ),
            actor,
        )


async def end_interest(org: OrgContext, interest_public_id: str, ended_on: date, actor: Actor) -> None:
    uid = parse_public_id(interest_public_id)
    row = None
    if uid is not None:
        row = await (
            DirectorInterest.select(DirectorInterest.id, DirectorInterest.declared_on)
            .where(
                (DirectorInterest.public_id == uid)
                & (DirectorInterest.organisation == org.organisation_id)
                & DirectorInterest.ended_on.is_null()
            )
            .first()
        )
    if row is None:
        raise MeetingError({"interest": "That interest has ended already"})
    async with write_transaction():
        await DirectorInterest.update({DirectorInterest.ended_on: ended_on}).where(
            DirectorInterest.id == row["id"]
        )
        await record(
            AuditEntry("meeting.interest_ended", org.organisation_id, "interest", interest_public_id), actor
        )


async def standing_interests(organisation_id: int, member_ids: Collection[int]) -> dict[str, list[str]]:
    """Current entries in the register for these directors (by name), to remind them before each item."""
    if not member_ids:
        return {}
    found: dict[str, list[str]] = {}
    for r in await DirectorInterest.select(
        DirectorInterest.member.name.as_alias("name"), DirectorInterest.description
    ).where(
        (DirectorInterest.organisation == organisation_id)
        & DirectorInterest.member.is_in(list(member_ids))
        & DirectorInterest.ended_on.is_null()
    ):
        found.setdefault(r["name"], []).append(r["description"])
    return found


async def declare(
    org: OrgContext,
    meeting: MeetingInfo,
    item: dict[str, Any],
    member_public_id: str,
    nature: str,
    actor: Actor,
) -> None:
    """Record a director's declaration of an interest in one item."""
    if not meeting.is_board:
        raise MeetingError({"member": "Declarations of interest are made by directors at board meetings"})
    if item["result"]:
        raise MeetingError({"member": "This item has been decided: declare an interest before the vote"})
    director = await _director(org, member_public_id, "member")
    if not nature:
        raise MeetingError({"nature": "Say what the interest is"})
    async with write_transaction():
        if await InterestDeclaration.exists().where(
            (InterestDeclaration.item == item["id"]) & (InterestDeclaration.member == director["id"])
        ):
            raise MeetingError(
                {"member": f"{director['name']} has declared an interest in this item already"}
            )
        await InterestDeclaration.insert(
            InterestDeclaration(item=item["id"], member=director["id"], nature=nature[:TEXT_LIMIT])
        )
        await record(
            AuditEntry(
                "meeting.interest_declared",
                org.organisation_id,
                "meeting",
                meeting.public_id,
                detail={"item": item["title"], "director": director["name"], "nature": nature[:TEXT_LIMIT]},
            ),
            actor,
        )


async def declarations(item_ids: Collection[int]) -> dict[int, list[dict[str, Any]]]:
    """Declarations for these items (one query), by item: member id, name and what the interest is."""
    if not item_ids:
        return {}
    found: dict[int, list[dict[str, Any]]] = {}
    rows = (
        await InterestDeclaration.select(
            InterestDeclaration.item,
            InterestDeclaration.member,
            InterestDeclaration.nature,
            InterestDeclaration.member.name.as_alias("name"),
        )
        .where(InterestDeclaration.item.is_in(list(item_ids)))
        .order_by(InterestDeclaration.id)
    )
    for r in rows:
        found.setdefault(int(r["item"]), []).append(r)
    return found
