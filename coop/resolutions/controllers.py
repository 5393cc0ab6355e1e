"""HTTP for written resolutions: the register of them, drafting and sending one round (the board), agreeing
(each eligible member, for themself), and entering signed paper copies (the secretary). Every step goes
through `coop.resolutions.service`."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.errors import form_page, on_refusal, refusal_context
from coop.guards import current_org, requires_member, requires_role
from coop.resolutions import reading, service
from coop.resolutions.adoption import amendment_of
from coop.resolutions.forms import read_draft, read_paper
from coop.web import redirect, render

requires_manager = requires_role(*reading.MANAGER_ROLES)
DONE = {
    "drafted": "The draft has been saved. Check it, then send it round.",
    "circulated": "The resolution has been sent round. Members who asked for post are on the letters list.",
    "agreed": "Your agreement has been recorded.",
    "paper": "The signed paper copy has been recorded.",
    "passed": "The resolution has passed.",
}


def _base(slug: str) -> str:
    return f"/o/{slug}/resolutions"


SHOW = form_page("resolutions/show.html")


class ResolutionController(Controller):
    path = "/o/{org_slug:str}/resolutions"
    guards = [requires_member]

    @get("/", name="resolutions_list")
    async def index(
        self, request: Request[Any, Any, Any], after: FromQuery[str] = "", before: FromQuery[str] = ""
    ) -> Template:
        org = current_org(request)
        page = await reading.resolutions_page(org, after=after, before=before)
        context = {"page": page, "statuses": reading.STATUSES, "manager": reading.is_manager(org)}
        return render(request, "resolutions/index.html", context)

    @get("/new", name="resolutions_new_form", guards=[requires_manager])
    async def new_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "resolutions/new.html", {"form": {}, "kinds": reading.KINDS})

    @post("/new", name="resolutions_new", guards=[requires_manager], opt=form_page("resolutions/new.html"))
    async def new(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        refusal_context(request, kinds=reading.KINDS)
        draft, errors, _ = read_draft(await request.form())
        if errors:
            raise service.ResolutionError(errors)
        public_id = await service.draft_resolution(org.organisation_id, draft, actor_of(request))
        return redirect(request, f"{_base(org.slug)}/{public_id}?done=drafted")

    async def _resolution(self, request: Request[Any, Any, Any], resolution_id: str) -> dict[str, Any]:
        org = current_org(request)
        row = await reading.resolution_in_org(org.organisation_id, resolution_id)
        if row is None or not reading.may_see(org, row):
            raise NotFoundException()
        return row

    def _back(
        self, request: Request[Any, Any, Any], row: dict[str, Any]
    ) -> AbstractAsyncContextManager[None]:
        """If the block is refused, the resolution's page again (coop.web shows it with the errors); its
        queries run only then."""
        return on_refusal(request, lambda: self._show_context(request, row))

    async def _show_context(self, request: Request[Any, Any, Any], row: dict[str, Any]) -> dict[str, Any]:
        org = current_org(request)
        eligible, agreed_on = await reading.my_part(row, org.member_id)
        return {
            "resolution": row,
            "standing": await reading.standing(org.organisation_id, row, clock.today()),
            "eligible": eligible,
            "agreed_on": agreed_on,
            "manager": reading.is_manager(org),
            "kinds": reading.KINDS,
            "statuses": reading.STATUSES,
            "today": clock.today(),
            "amendment": await amendment_of(row["id"]),
        }

    @get("/{resolution_id:str}", name="resolutions_show")
    async def show(self, request: Request[Any, Any, Any], resolution_id: FromPath[str]) -> Template:
        row = await self._resolution(request, resolution_id)
        context = await self._show_context(request, row)
        context["done"] = DONE.get(request.query_params.get("done", ""), "")
        return render(request, "resolutions/show.html", context)

    @post("/{resolution_id:str}/circulate", name="resolutions_circulate", guards=[requires_manager], opt=SHOW)
    async def circulate(self, request: Request[Any, Any, Any], resolution_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        row = await self._resolution(request, resolution_id)
        now = clock.now()
        async with self._back(request, row):
            await service.circulate(
                org.organisation_id, resolution_id, actor_of(request), on=now.date(), now=now
            )
        return redirect(request, f"{_base(org.slug)}/{resolution_id}?done=circulated")

    @post("/{resolution_id:str}/agree", name="resolutions_agree", opt=SHOW)
    async def agree(self, request: Request[Any, Any, Any], resolution_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        row = await self._resolution(request, resolution_id)
        async with self._back(request, row):
            agreed = await service.agree(
                org.organisation_id, resolution_id, org.member_id, actor_of(request), on=clock.today()
            )
        done = "passed" if agreed.passed else "agreed"
        return redirect(request, f"{_base(org.slug)}/{resolution_id}?done={done}")

    @get("/{resolution_id:str}/paper", name="resolutions_paper_form", guards=[requires_manager])
    async def paper_form(self, request: Request[Any, Any, Any], resolution_id: FromPath[str]) -> Template:
        row = await self._resolution(request, resolution_id)
        return render(request, "resolutions/paper.html", {"resolution": row, "form": {}})

    @post(
        "/{resolution_id:str}/paper",
        name="resolutions_paper",
        guards=[requires_manager],
        opt=form_page("resolutions/paper.html"),
    )
    async def paper(self, request: Request[Any, Any, Any], resolution_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        row = await self._resolution(request, resolution_id)
        refusal_context(request, resolution=row)
        number, received, errors, _ = read_paper(await request.form(), clock.today())
        if errors or number is None or received is None:
            raise service.ResolutionError(errors)
        agreed = await service.agree_on_paper(
            org.organisation_id, resolution_id, number, actor_of(request), on=received
        )
        done = "passed" if agreed.passed else "paper"
        return redirect(request, f"{_base(org.slug)}/{resolution_id}?done={done}")
