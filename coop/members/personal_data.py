"""Everything coop holds about a member, for them to download (their right of access)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from coop.accounts.tables import Person
from coop.members.entries import events_of
from coop.members.needs import facts_of, needs_of
from coop.members.proxies import proxies_of
from coop.members.supporters import supporters_of
from coop.members.tables import (
    Member,
    MemberLetter,
    RoleGrant,
)
from coop.members.words import CONTACT_BY, class_name
from coop.organisations.service import OrgContext, constitution_of


async def personal_data(org: OrgContext, member_id: int) -> dict[str, Any]:
    """Everything coop holds about a member in this organisation, for them to download."""
    constitution = await constitution_of(org.organisation_id)
    member = await Member.select().where(Member.id == member_id).first()
    assert member is not None
    person = None
    if member["person"] is not None:
        person = (
            await Person.select(Person.email, Person.display_name, Person.created_at)
            .where(Person.id == member["person"])
            .first()
        )
    roles = await RoleGrant.select(RoleGrant.role, RoleGrant.granted_at, RoleGrant.revoked_at).where(
        RoleGrant.member == member_id
    )

    def plain(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, UUID):
            return str(value)
        return value

    def clean(rows: list[dict[str, Any]], drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        return [{k: plain(v) for k, v in row.items() if k not in drop} for row in rows]

    events = await events_of(member_id)
    return {
        "organisation": org.name,
        "membership": {
            "name": member["name"],
            "member_class": class_name(constitution, member["member_class"]),
            "admitted_on": plain(member["admitted_on"]),
            "ceased_on": plain(member["ceased_on"]),
            "leaving_on": plain(member["leaving_on"]),
            "address": member["address"],
            "email": member["email"],
            "phone": member["phone"],
            "contact_by": CONTACT_BY.get(member["contact_by"], member["contact_by"]),
            "shares_held": member["shares_held"],
            "guarantee_pence": member["guarantee_pence"],
        },
        "account": {k: plain(v) for k, v in person.items()} if person else None,
        "roles": clean(roles),
        "register_history": [
            {"what": e["words"], "on": plain(e["happened_on"]), "detail": e["detail"]} for e in events
        ],
        "communication_needs": clean(await needs_of(member_id)),
        "sensitive_facts": clean(await facts_of(member_id)),
        "supporters": clean(await supporters_of(member_id), drop=("id",)),
        "proxies": clean(await proxies_of(member_id)),
        "letters": clean(
            await MemberLetter.select(MemberLetter.subject, MemberLetter.created_at, MemberLetter.sent_at)
            .where(MemberLetter.member == member_id)
            .order_by(MemberLetter.id)
        ),
        "votes": [],
    }
