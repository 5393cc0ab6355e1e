"""HTTP for changing the constitution by written resolution: write the changed rules, check the changes in
words and the resolution they need, then save it as a draft written resolution to send round."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.errors import form_page, on_refusal
from coop.guards import current_org, requires_member, requires_role
from coop.resolutions import amendments
from coop.resolutions.adoption import in_force
from coop.resolutions.reading import MANAGER_ROLES
from coop.web import redirect, render

DEFAULT_TITLE = "Change the constitution"


def _values(form: Any) -> dict[str, str]:
    title = form.get("title", "")
    document = form.get("document", "")
    return {
        "title": title.strip()[:200] if isinstance(title, str) else "",
        "document": document[: amendments.DOCUMENT_LIMIT + 1] if isinstance(document, str) else "",
    }


AMEND = form_page("resolutions/amend.html")


def _back_to_form(request: Request[Any, Any, Any]) -> AbstractAsyncContextManager[None]:
    """If the block is refused, the form again with the rules as typed (coop.web shows it with the
    errors) and the version in force, read only then."""

    async def load() -> dict[str, Any]:
        version, _ = await in_force(current_org(request).organisation_id)
        return {"version": version}

    return on_refusal(request, load)


class AmendmentController(Controller):
    path = "/o/{org_slug:str}/resolutions/amend"
    guards = [requires_member, requires_role(*MANAGER_ROLES)]

    @get("/", name="amend_form")
    async def form(self, request: Request[Any, Any, Any]) -> Template:
        version, document = await in_force(current_org(request).organisation_id)
        context = {"form": {"title": DEFAULT_TITLE, "document": document}, "version": version}
        return render(request, "resolutions/amend.html", context)

    @post("/check", name="amend_check", opt=AMEND)
    async def check(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        values = _values(await request.form())
        async with _back_to_form(request):
            found = await amendments.preview(org.organisation_id, values["document"], clock.today())
        return render(request, "resolutions/amend_check.html", {"form": values, "preview": found})

    @post("/", name="amend_propose", opt=AMEND)
    async def propose(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        values = _values(await request.form())
        title = values["title"] or DEFAULT_TITLE
        async with _back_to_form(request):
            public_id = await amendments.propose(
                org.organisation_id, values["document"], title, actor_of(request), clock.today()
            )
        return redirect(request, f"/o/{org.slug}/resolutions/{public_id}?done=drafted")
