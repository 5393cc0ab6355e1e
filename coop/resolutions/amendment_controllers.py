"""HTTP for changing the constitution by written resolution: write the changed rules, check the changes in
words and the resolution they need, then save it as a draft written resolution to send round."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from coop.actor import actor_of
from coop.guards import current_org, requires_member, requires_role
from coop.resolutions import amendments
from coop.resolutions.adoption import in_force
from coop.resolutions.reading import MANAGER_ROLES
from coop.resolutions.service import ResolutionError
from coop.web import form_errors_page, redirect, render

DEFAULT_TITLE = "Change the constitution"


def _values(form: Any) -> dict[str, str]:
    title = form.get("title", "")
    document = form.get("document", "")
    return {
        "title": title.strip()[:200] if isinstance(title, str) else "",
        "document": document[: amendments.DOCUMENT_LIMIT + 1] if isinstance(document, str) else "",
    }


class AmendmentController(Controller):
    path = "/o/{org_slug:str}/resolutions/amend"
    guards = [requires_member, requires_role(*MANAGER_ROLES)]

    @get("/", name="amend_form")
    async def form(self, request: Request[Any, Any, Any]) -> Template:
        version, document = await in_force(current_org(request).organisation_id)
        context = {"form": {"title": DEFAULT_TITLE, "document": document}, "version": version}
        return render(request, "resolutions/amend.html", context)

    @post("/check", name="amend_check")
    async def check(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        values = _values(await request.form())
        try:
            found = await amendments.preview(
                org.organisation_id, values["document"], datetime.now(UTC).date()
            )
        except ResolutionError as exc:
            version, _ = await in_force(org.organisation_id)
            context = {"form": values, "version": version}
            return form_errors_page(request, "resolutions/amend.html", exc.errors, context)
        return render(request, "resolutions/amend_check.html", {"form": values, "preview": found})

    @post("/", name="amend_propose")
    async def propose(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        values = _values(await request.form())
        title = values["title"] or DEFAULT_TITLE
        try:
            public_id = await amendments.propose(
                org.organisation_id, values["document"], title, actor_of(request), datetime.now(UTC).date()
            )
        except ResolutionError as exc:
            version, _ = await in_force(org.organisation_id)
            context = {"form": values, "version": version}
            return form_errors_page(request, "resolutions/amend.html", exc.errors, context)
        return redirect(request, f"/o/{org.slug}/resolutions/{public_id}?done=drafted")
