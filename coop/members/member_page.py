"""What a member's page shows, gathered in one call: every member sees a current member's name, class and
roles; the board also sees their history, needs, sensitive facts, supporters and any expulsion. And a
member's own page (also shown to their supporter)."""

from __future__ import annotations

from typing import Any

from coop.clock import now, today
from coop.mail.service import refused_address
from coop.members import register
from coop.members.entries import events_of, member_in_org
from coop.members.leaving import expulsion_state
from coop.members.needs import facts_of, needs_of
from coop.members.proxies import proxies_held_by, proxies_of
from coop.members.roles import roles_of
from coop.members.supporters import supported_by, supporters_of
from coop.members.tables import Member
from coop.members.words import CONTACT_BY, is_board
from coop.organisations.service import ROLE_NAMES, OrgContext, constitution_of
from coop.votes.roll import open_votes_for

PROXY_CHOICES = 200  # the proxy form's list of members; a larger membership names its proxy by search


async def member_page(org: OrgContext, public_id: str) -> dict[str, Any] | None:
    """The page's context, or None when this caller may not see it (another organisation's member, or a
    past member for someone not on the board)."""
    member = await member_in_org(org, public_id)
    if member is None:
        return None
    board = is_board(org)
    if not board and not register.is_current(member, today()):
        return None
    context: dict[str, Any] = {
        "member": member,
        "roles": [ROLE_NAMES[r] for r in sorted(await roles_of(member["id"])) if r in ROLE_NAMES],
        "constitution": await constitution_of(org.organisation_id),
        "is_board": board,
    }
    if board:
        context.update(await _board_view(member))
    return context


async def _board_view(member: dict[str, Any]) -> dict[str, Any]:
    return {
        "events": await events_of(member["id"]),
        "needs": await needs_of(member["id"]),
        "facts": await facts_of(member["id"]),
        "supporters": await supporters_of(member["id"]),
        "expulsion": await expulsion_state(member["id"]),
        "contact_words": CONTACT_BY,
        "refused_email": await refused_address(member["id"]),
    }


async def my_page(org: OrgContext, supporter_of_others: int | None) -> dict[str, Any]:
    """A member's own page: their entry, open votes they are on the roll of, needs, facts, supporters and
    proxies, and the other current members they may choose as proxy. `supporter_of_others`: the signed-in
    person, when acting for themselves, to list the members they in turn support."""
    member = await own_entry(org)
    return {
        "member": member,
        "open_votes": await _open_votes(org.organisation_id, org.member_id),
        "constitution": await constitution_of(org.organisation_id),
        "needs": await needs_of(org.member_id),
        "facts": await facts_of(org.member_id),
        "supporters": await supporters_of(org.member_id),
        "proxies": await proxies_of(org.member_id),
        "held": await proxies_held_by(org.member_id),
        "supporting": await supported_by(supporter_of_others) if supporter_of_others is not None else [],
        "others": await _proxy_choices(org),
    }


async def own_entry(org: OrgContext) -> dict[str, Any]:
    """The acting member's own register entry (the guards have checked they are a member)."""
    member = await Member.select().where(Member.id == org.member_id).first()
    assert member is not None
    return member


async def _proxy_choices(org: OrgContext) -> list[dict[str, Any]]:
    return (
        await Member.select(Member.public_id, Member.name)
        .where(
            (Member.organisation == org.organisation_id)
            & register.current_on(today())
            & (Member.id != org.member_id)
        )
        .order_by(Member.name)
        .limit(PROXY_CHOICES)
    )


async def _open_votes(organisation_id: int, member_id: int) -> list[dict[str, Any]]:
    """Open votes with this member on the roll, and whether they have voted (a supporter sees the same)."""
    return await open_votes_for(organisation_id, member_id, now())
