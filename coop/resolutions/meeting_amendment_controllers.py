"""HTTP for attaching a change to the constitution to a special resolution on a general meeting's agenda:
see what is attached (or the rules in force to change), check the changes in words, then attach them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop.actor import actor_of
from coop.clock import today_in_london
from coop.errors import form_page, refusal_context
from coop.guards import current_org, requires_member, requires_role
from coop.meetings.service import MANAGER_ROLES, MeetingInfo, item_in_meeting, meeting_in_org
from coop.resolutions import amendments, meeting_amendments
from coop.resolutions.adoption import in_force
from coop.web import redirect, render


async def _meeting_item(
    request: Request[Any, Any, Any], meeting_id: str, item_id: str
) -> tuple[MeetingInfo, dict[str, Any]]:
    meeting = await meeting_in_org(current_org(request), meeting_id)
    item = await item_in_meeting(meeting, item_id) if meeting is not None else None
    if meeting is None or item is None:
        raise NotFoundException()
    return meeting, item


def _document(form: Any) -> str:
    value = form.get("document", "")
    return value[: amendments.DOCUMENT_LIMIT + 1] if isinstance(value, str) else ""


async def _context(request: Request[Any, Any, Any], meeting_id: str, item_id: str) -> dict[str, Any]:
    org = current_org(request)
    meeting, item = await _meeting_item(request, meeting_id, item_id)
    version, document = await in_force(org.organisation_id)
    attached = await meeting_amendments.attached_to(int(item["id"]))
    changes = await meeting_amendments.changes_of(org.organisation_id, attached) if attached else ()
    return {
        "meeting": meeting,
        "item": item,
        "version": version,
        "attached": attached,
        "changes": changes,
        "form": {"document": document},
        "back": f"/o/{org.slug}/meetings/{meeting.public_id}/items/{item['public_id']}",
    }


class MeetingAmendmentController(Controller):
    path = "/o/{org_slug:str}/meetings/{meeting_id:str}/items/{item_id:str}/amendment"
    guards = [requires_member, requires_role(*MANAGER_ROLES)]

    @get("/", name="meeting_amendment")
    async def show(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Template:
        context = await _context(request, meeting_id, item_id)
        return render(request, "resolutions/meeting_amendment.html", context)

    @post("/check", name="meeting_amendment_check", opt=form_page("resolutions/meeting_amendment.html"))
    async def check(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Template:
        context = await _context(request, meeting_id, item_id)
        document = _document(await request.form())
        refusal_context(request, context)
        found = await meeting_amendments.check(
            current_org(request).organisation_id,
            context["meeting"],
            context["item"],
            document,
            today_in_london(),
        )
        context["form"] = {"document": document}
        return render(request, "resolutions/meeting_amendment_check.html", {**context, "preview": found})

    @post("/", name="meeting_amendment_attach", opt=form_page("resolutions/meeting_amendment.html"))
    async def attach(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Response[Any]:
        context = await _context(request, meeting_id, item_id)
        document = _document(await request.form())
        refusal_context(request, context)
        await meeting_amendments.attach(
            current_org(request).organisation_id,
            context["meeting"],
            context["item"],
            document,
            actor_of(request),
        )
        return redirect(request, context["back"] + "/amendment")
