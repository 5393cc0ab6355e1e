"""HTTP for the members list and a member's page: every member sees names and classes, the board sees
the rest."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.guards import current_org, requires_member
from coop.members import (
    entries,
    register,
    words,
)
from coop.members.member_page import member_page
from coop.organisations.service import constitution_of
from coop.pagination import list_position
from coop.web import render


async def member_or_404(request: Request[Any, Any, Any], member_id: str) -> dict[str, Any]:
    member = await entries.member_in_org(current_org(request), member_id)
    if member is None:
        raise NotFoundException()
    return member


class MemberController(Controller):
    path = "/o/{org_slug:str}/members"
    guards = [requires_member]

    @get("/", name="members")
    async def index(self, request: Request[Any, Any, Any], q: FromQuery[str] = "") -> Template:
        org = current_org(request)
        search = register.clean_search(q)
        members = await register.members_page(
            org.organisation_id, search=search, **list_position(request.query_params)
        )
        constitution = await constitution_of(org.organisation_id)
        return render(
            request,
            "members/index.html",
            {
                "members": members,
                "search": search,
                "constitution": constitution,
                "is_board": words.is_board(org),
            },
            fragment="members/_table.html",
        )

    @get("/{member_id:str}", name="member")
    async def show(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Template:
        # Scoped by organisation: another organisation's member is simply not found.
        context = await member_page(current_org(request), member_id)
        if context is None:
            raise NotFoundException()
        return render(request, "members/show.html", context)
