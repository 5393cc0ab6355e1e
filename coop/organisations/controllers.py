"""HTTP for the home page (your organisations), an organisation's home page, its audit log and the
check that the log is unbroken."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from coop.audit import listing
from coop.audit.listing import FULL_LOG_ROLES, LOG_ROLES
from coop.boards.service import board_state
from coop.documents.compliance import upcoming_deadlines
from coop.guards import current_org, requires_member, requires_role
from coop.members.supporters import supported_by
from coop.organisations.service import ROLE_NAMES, member_count, organisations_of
from coop.web import render


@get("/", opt={"public": True}, name="home")
async def home(request: Request[Any, Any, Any]) -> Template:
    current = request.scope.get("user")
    organisations = await organisations_of(current.person_id) if current is not None else []
    # A supporter may not be a member anywhere: their way in to the members they help starts here.
    supporting = await supported_by(current.person_id) if current is not None else []
    context = {"organisations": organisations, "supporting": supporting}
    return render(request, "organisations/home.html", context)


class OrganisationController(Controller):
    path = "/o/{org_slug:str}"
    guards = [requires_member]

    @get("/", name="org_home")
    async def show(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        members = await member_count(org.organisation_id)
        board = await board_state(org.organisation_id)
        context = {"member_count": members, "role_names": ROLE_NAMES, "board": board}
        context["deadlines"] = await upcoming_deadlines(org.organisation_id)
        return render(request, "organisations/show.html", context)

    @get("/audit", name="org_audit", guards=[requires_role(*LOG_ROLES)])
    async def audit(self, request: Request[Any, Any, Any], page: FromQuery[int] = 1) -> Template:
        org = current_org(request)
        log = await listing.audit_events(org, page)
        return render(
            request,
            "organisations/audit.html",
            {"events": log.events, "money_only": log.money_only, "can_check": org.has_any(*FULL_LOG_ROLES)},
            fragment="organisations/_audit_table.html",
        )

    @get("/audit/check", name="org_audit_check", guards=[requires_role(*FULL_LOG_ROLES)])
    async def audit_check(self, request: Request[Any, Any, Any]) -> Template:
        check, first_event = await listing.audit_check(current_org(request))
        return render(request, "organisations/audit_check.html", {"check": check, "first_event": first_event})
