"""HTTP for reading the constitution: the rules in force, each earlier version, and what changed."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.form_values import whole_number
from coop.guards import current_org, requires_member
from coop.organisations import constitution
from coop.web import form_errors_page, render


class ConstitutionController(Controller):
    path = "/o/{org_slug:str}/constitution"
    guards = [requires_member]

    @get("/", name="org_constitution")
    async def in_force(self, request: Request[Any, Any, Any]) -> Template:
        return await self._show(request, None)

    @get("/versions/{version:int}", name="org_constitution_version")
    async def version(self, request: Request[Any, Any, Any], version: FromPath[int]) -> Template:
        return await self._show(request, version)

    async def _show(self, request: Request[Any, Any, Any], version: int | None) -> Template:
        org = current_org(request)
        versions = await constitution.constitution_versions(org)
        readable = await constitution.readable_version(org, versions, version)
        if readable is None:
            raise NotFoundException()
        context = {"readable": readable, "versions": versions, "by_version": version is not None}
        return render(request, "organisations/constitution.html", context)

    @get("/compare", name="org_constitution_compare")
    async def compare(
        self, request: Request[Any, Any, Any], earlier: FromQuery[str] = "", later: FromQuery[str] = ""
    ) -> Template:
        org = current_org(request)
        versions = await constitution.constitution_versions(org)
        context: dict[str, Any] = {"versions": versions, "earlier": earlier, "later": later}
        if not earlier and not later:
            return render(request, "organisations/constitution_compare.html", context)
        numbers = [v.version for v in versions]
        chosen = {
            name: whole_number(raw, low=1, high=max(numbers, default=1))
            for name, raw in (("earlier", earlier), ("later", later))
        }
        errors = {
            name: f"Choose the {name} version to compare"
            for name, number in chosen.items()
            if number is None or number not in numbers
        }
        if not errors and chosen["earlier"] == chosen["later"]:
            errors["later"] = "Choose two different versions to compare"
        if errors:
            return form_errors_page(request, "organisations/constitution_compare.html", errors, context)
        old, new = chosen["earlier"], chosen["later"]
        assert old is not None and new is not None
        context["differences"] = await constitution.version_differences(org, old, new)
        return render(request, "organisations/constitution_compare.html", context)
