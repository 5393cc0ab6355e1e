"""Register entries: adding one (the secretary, an admission, an accepted invitation), finding one in
an organisation, its history, and a change of membership class."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.db import write_transaction
from coop.members.errors import MembershipError
from coop.members.tables import (
    Member,
    MemberEvent,
)
from coop.members.words import EVENT_WORDS, parse_public_id
from coop.organisations.service import OrgContext, constitution_of


def current_members(organisation_id: int) -> Any:
    return (Member.organisation == organisation_id) & Member.ceased_on.is_null()


CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\0", "\r")


def csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (OWASP CSV injection): a cell never starts with = + - @ tab NUL."""
    if value and value[0] in CSV_DANGEROUS:
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class NewEntry:
    name: str
    member_class: str
    admitted_on: date
    address: str = ""
    email: str | None = None
    phone: str = ""
    contact_by: str = "post"
    shares_held: int = 0


async def add_register_entry(
    org: OrgContext, entry: NewEntry, actor: Actor, *, person_id: int | None = None, source: str = "secretary"
) -> int:
    """Write a new register entry (the secretary adding someone, an admission, an accepted invitation)."""
    constitution = await constitution_of(org.organisation_id)
    guarantee = (
        constitution.membership.guarantee_pence if constitution.legal_form.value.endswith("guarantee") else 0
    )
    async with write_transaction():
        rows = await Member.insert(
            Member(
                organisation=org.organisation_id,
                person=person_id,
                name=entry.name,
                member_class=entry.member_class,
                admitted_on=entry.admitted_on,
                address=entry.address,
                email=entry.email,
                phone=entry.phone,
                contact_by=entry.contact_by,
                shares_held=entry.shares_held,
                guarantee_pence=guarantee,
            )
        ).returning(Member.id)
        member_id = int(rows[0]["id"])
        await MemberEvent.insert(
            MemberEvent(
                organisation=org.organisation_id,
                member=member_id,
                kind="admitted",
                happened_on=entry.admitted_on,
                detail=json.dumps({"class": entry.member_class, "source": source}),
                recorded_by=actor.person_id,
            )
        )
        await record(
            AuditEntry(
                "member.admitted",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member_id),
                detail={"class": entry.member_class, "source": source},
            ),
            actor,
        )
    return member_id


async def member_in_org(org: OrgContext, public_id: str) -> dict[str, Any] | None:
    """A register entry of this organisation by its public id, or None (another organisation's is None)."""
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    return (
        await Member.select()
        .where((Member.public_id == uid) & (Member.organisation == org.organisation_id))
        .first()
    )


async def events_of(member_id: int) -> list[dict[str, Any]]:
    rows = (
        await MemberEvent.select(
            MemberEvent.kind,
            MemberEvent.happened_on,
            MemberEvent.detail,
            MemberEvent.created_at,
            MemberEvent.recorded_by.display_name.as_alias("recorded_by_name"),
            MemberEvent.assisted_by.display_name.as_alias("assisted_by_name"),
        )
        .where(MemberEvent.member == member_id)
        .order_by(MemberEvent.id)
    )
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
        row["words"] = EVENT_WORDS.get(row["kind"], row["kind"])
    return rows


async def change_class(
    org: OrgContext, member: dict[str, Any], new_class: str, on: date, actor: Actor
) -> None:
    constitution = await constitution_of(org.organisation_id)
    if constitution.member_class(new_class) is None:
        raise MembershipError({"member_class": "Choose a membership class"})
    if new_class == member["member_class"]:
        raise MembershipError({"member_class": "Choose a different class from the one they are in now"})
    if member["ceased_on"] is not None:
        raise MembershipError({"member_class": "This person is no longer a member"})
    # Imported here: the board's service builds on this module (its errors are MembershipErrors).
    from coop.boards.service import guard_class_change

    async with write_transaction():
        # A director's class decides the board's composition: refuse a change that would break it.
        await guard_class_change(org.organisation_id, member["id"], new_class)
        await Member.update({Member.member_class: new_class}).where(Member.id == member["id"])
        await MemberEvent.insert(
            MemberEvent(
                organisation=org.organisation_id,
                member=member["id"],
                kind="class_changed",
                happened_on=on,
                detail=json.dumps({"from": member["member_class"], "to": new_class}),
                recorded_by=actor.person_id,
            )
        )
        await record(
            AuditEntry(
                "member.class_changed",
                organisation_id=org.organisation_id,
                target_type="member",
                target_id=str(member["id"]),
                detail={"from": member["member_class"], "to": new_class},
            ),
            actor,
        )
