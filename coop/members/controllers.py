"""HTTP for the list of an organisation's members and a member's page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.guards import current_org, requires_member
from coop.members.tables import Member, RoleGrant
from coop.organisations.service import ROLE_NAMES
from coop.pagination import paginate
from coop.web import render


class MemberController(Controller):
    path = "/o/{org_slug:str}/members"
    guards = [requires_member]

    @get("/", name="members")
    async def index(self, request: Request[Any, Any, Any], page: FromQuery[int] = 1) -> Template:
        org = current_org(request)
        where = (Member.organisation == org.organisation_id) & Member.ceased_on.is_null()
        query = (
            Member.select(Member.public_id, Member.name, Member.member_class, Member.admitted_on)
            .where(where)
            .order_by(Member.name)
        )
        members = await paginate(query, total=await Member.count().where(where), page=page)
        return render(request, "members/index.html", {"members": members}, fragment="members/_table.html")

    @get("/{member_id:str}", name="member")
    async def show(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Template:
        org = current_org(request)
        try:
            public_id = UUID(member_id)
        except ValueError:
            raise NotFoundException() from None
        # Scoped by organisation: another organisation's member is simply not found.
        member = (
            await Member.select(
                Member.id,
                Member.public_id,
                Member.name,
                Member.member_class,
                Member.admitted_on,
                Member.ceased_on,
            )
            .where((Member.public_id == public_id) & (Member.organisation == org.organisation_id))
            .first()
        )
        if member is None:
            raise NotFoundException()
        roles = await RoleGrant.select(RoleGrant.role).where(
            (RoleGrant.member == member["id"]) & RoleGrant.revoked_at.is_null()
        )
        return render(
            request,
            "members/show.html",
            {
                "member": member,
                "roles": [ROLE_NAMES[r["role"]] for r in roles if r["role"] in ROLE_NAMES],
            },
        )
