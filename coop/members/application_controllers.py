"""HTTP for the board's side of applications to join: the list, one application and its decision."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.actor import actor_of
from coop.errors import form_page, on_refusal
from coop.form_values import form_text
from coop.guards import current_org, requires_member
from coop.members import (
    applications,
)
from coop.members.applications import applications_page
from coop.members.errors import MembershipError
from coop.members.guards import requires_board
from coop.members.words import CONTACT_BY, STATUSES
from coop.organisations.service import constitution_of
from coop.settings import Settings
from coop.web import redirect, render


class ApplicationController(Controller):
    path = "/o/{org_slug:str}/applications"
    guards = [requires_member, requires_board]

    @get("/", name="applications")
    async def index(
        self, request: Request[Any, Any, Any], status: FromQuery[str] = "submitted", page: FromQuery[int] = 1
    ) -> Template:
        org = current_org(request)
        if status not in STATUSES:
            status = "submitted"
        applications = await applications_page(org.organisation_id, status, page)
        constitution = await constitution_of(org.organisation_id)
        return render(
            request,
            "members/applications.html",
            {
                "applications": applications,
                "status": status,
                "statuses": STATUSES,
                "constitution": constitution,
            },
            fragment="members/_applications_table.html",
        )

    @get("/{application_id:str}", name="application")
    async def show(self, request: Request[Any, Any, Any], application_id: FromPath[str]) -> Template:
        return await self._page(request, application_id)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        application_id: str,
        form: dict[str, str] | None = None,
        template: str = "members/application.html",
    ) -> Template:
        return render(request, template, await self._context(request, application_id, form))

    async def _context(
        self, request: Request[Any, Any, Any], application_id: str, form: dict[str, str] | None = None
    ) -> dict[str, Any]:
        org = current_org(request)
        application = await applications.application_in_org(org, application_id)
        if application is None:
            raise NotFoundException()
        constitution = await constitution_of(org.organisation_id)
        return {
            "application": application,
            "constitution": constitution,
            "statuses": STATUSES,
            "contact_by": CONTACT_BY,
            "form": form or {},
        }

    @post("/{application_id:str}", name="application_decide", opt=form_page("members/application.html"))
    async def decide(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[str],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        values = {"decision": form_text(form, "decision"), "message": form_text(form, "message", 4000)}
        application = await applications.application_in_org(org, application_id)
        if application is None:
            raise NotFoundException()
        errors: dict[str, str] = {}
        if values["decision"] not in ("admit", "more_info", "refuse"):
            errors["decision"] = "Choose what to do with this application"
        elif values["decision"] != "admit" and not values["message"].strip():
            errors["message"] = (
                "Enter the question to ask"
                if values["decision"] == "more_info"
                else "Enter the reason for refusing"
            )

        async def load() -> dict[str, Any]:
            # The application's page again (coop.web shows it, with the errors); its queries run only
            # when the decision is refused, not before every decision.
            return await self._context(request, application_id, values)

        async with on_refusal(request, load):
            if errors:
                raise MembershipError(errors)
            if form_text(form, "confirmed") != "yes":
                # Check before anything binding: show what will happen, then confirm.
                return await self._page(request, application_id, values, "members/application_check.html")
            await applications.decide_application(
                org, application, values["decision"], values["message"], actor_of(request), settings
            )
        return redirect(request, f"/o/{org.slug}/applications/{application_id}?decided=1")
