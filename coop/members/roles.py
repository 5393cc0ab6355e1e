"""Keeping the roles an organisation must always have (governance/roles.py) held when a member leaves:
the check inside the leaving transaction, handing the roles over to a successor, and finding one."""

from __future__ import annotations

from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.db import is_sqlite
from coop.members.errors import MembershipError
from coop.members.tables import Member, RoleGrant
from coop.organisations.tables import Organisation
from coop.public_ids import parse_public_id
from governance.roles import (
    MUST_BE_HELD,
    Successor,
    last_holder_violations,
    role_list,
    roles_left_unheld,
    successor_violations,
)

SEARCH_LIMIT = 20


async def _lock_roles(organisation_id: int) -> None:
    """Queue every change that could take away an organisation's last holder of a role.

    SQLite writers already run one at a time (BEGIN IMMEDIATE). On PostgreSQL two last administrators
    resigning at once would each see the other still in office: the organisation row's lock makes the
    second wait and then read what the first wrote. NO KEY UPDATE leaves inserts that refer to the row
    free (they take KEY SHARE)."""
    if not is_sqlite():
        await (
            Organisation.select(Organisation.id)
            .where(Organisation.id == organisation_id)
            .lock_rows("NO KEY UPDATE")
        )


async def roles_of(member_id: int) -> set[str]:
    rows = await RoleGrant.select(RoleGrant.role).where(
        (RoleGrant.member == member_id) & RoleGrant.revoked_at.is_null()
    )
    return {r["role"] for r in rows}


async def staying_holders(organisation_id: int, leaver_id: int) -> dict[str, int]:
    """How many other current members, not themselves leaving, hold each role that must be held."""
    rows = await RoleGrant.select(RoleGrant.role, RoleGrant.member).where(
        (RoleGrant.member.organisation == organisation_id)
        & RoleGrant.revoked_at.is_null()
        & RoleGrant.role.is_in(list(MUST_BE_HELD))
        & RoleGrant.member.ceased_on.is_null()
        & RoleGrant.member.leaving_on.is_null()
        & (RoleGrant.member != leaver_id)
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["role"]] = counts.get(row["role"], 0) + 1
    return counts


async def roles_to_hand_over(organisation_id: int, member_id: int) -> tuple[str, ...]:
    """The roles nobody would hold if this member left now (for the resignation form)."""
    return roles_left_unheld(await roles_of(member_id), await staying_holders(organisation_id, member_id))


async def keep_roles_held(
    organisation_id: int,
    member_id: int,
    actor: Actor,
    *,
    field: str,
    themselves: bool = False,
    successor: str | None = None,
) -> None:
    """Called first in the write transaction of anything that ends a member's roles (so the lock is
    always taken before the audit chain's): raises MembershipError, under `field`, if it would leave a
    role that must be held with nobody in it. With a `successor` (a member's public id) the roles are
    granted to them first, audited, so the member can leave in the same step."""
    await _lock_roles(organisation_id)
    held = await roles_of(member_id)
    staying = await staying_holders(organisation_id, member_id)
    unheld = roles_left_unheld(held, staying)
    if not unheld:
        return
    if successor is None:
        row = await Member.select(Member.name).where(Member.id == member_id).first()
        name = row["name"] if row else "This member"
        found = last_holder_violations(held, staying, name=name, themselves=themselves)
        raise MembershipError({field: " ".join(v.message for v in found)})
    chosen = await _successor(organisation_id, successor)
    facts = None
    if chosen is not None:
        facts = Successor(
            is_current_member=chosen["ceased_on"] is None,
            can_sign_in=chosen["person"] is not None,
            is_leaving=chosen["leaving_on"] is not None,
            is_the_leaver=chosen["id"] == member_id,
        )
    problems = successor_violations(facts, unheld)
    if problems:
        raise MembershipError({"successor": " ".join(v.message for v in problems)})
    assert chosen is not None
    already = await roles_of(chosen["id"])
    for role in unheld:
        if role not in already:
            await RoleGrant.insert(RoleGrant(member=chosen["id"], role=role))
    await record(
        AuditEntry(
            "member.roles_handed_over",
            organisation_id=organisation_id,
            target_type="member",
            target_id=str(chosen["id"]),
            detail={"roles": list(unheld), "from_member": member_id},
        ),
        actor,
    )


async def _successor(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    row: dict[str, Any] | None = (
        await Member.select(Member.id, Member.ceased_on, Member.leaving_on, Member.person)
        .where((Member.public_id == uid) & (Member.organisation == organisation_id))
        .first()
    )
    return row


async def successor_candidates(organisation_id: int, leaver_id: int, search: str) -> list[dict[str, Any]]:
    """Members who could take roles over whose name contains `search`: current, staying, able to sign
    in, not the leaver. At most SEARCH_LIMIT, by name; nothing for an empty search."""
    # LIKE's wildcards and escape differ between the engines: searching for them is not needed.
    words = "".join(c for c in search.strip()[:100] if c not in "%_\\")
    if not words:
        return []
    pattern = f"%{words}%"
    # SQLite's LIKE ignores case already (and Piccolo warns on ILIKE there).
    matches = Member.name.like(pattern) if is_sqlite() else Member.name.ilike(pattern)
    return list(
        await Member.select(Member.public_id, Member.name)
        .where(
            (Member.organisation == organisation_id)
            & Member.ceased_on.is_null()
            & Member.leaving_on.is_null()
            & Member.person.is_not_null()
            & (Member.id != leaver_id)
            & matches
        )
        .order_by(Member.name)
        .limit(SEARCH_LIMIT)
    )


async def handover_context(organisation_id: int, member_id: int, search: str) -> dict[str, Any]:
    """What the resignation page needs to ask who takes roles over: the roles (as words), the search
    and its matches."""
    unheld = await roles_to_hand_over(organisation_id, member_id)
    if not unheld:
        return {"handover": ""}
    return {
        "handover": role_list(unheld),
        "search": search.strip()[:100],
        "candidates": await successor_candidates(organisation_id, member_id, search),
        "search_limit": SEARCH_LIMIT,
    }
