"""HTTP for board elections: the secretary calls for nominations and makes the ballot; members read the
candidates' statements and stand or withdraw. Every step goes through `coop.boards.nominations`."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.boards import nominations
from coop.boards.election_forms import kind_options, read_ballot, read_new_election, read_statement
from coop.boards.service import MANAGER_ROLES, is_manager
from coop.errors import form_page, on_refusal
from coop.guards import current_org, requires_member, requires_role
from coop.urls import absolute_url, org_path
from coop.web import redirect, render

requires_manager = requires_role(*MANAGER_ROLES)
DONE = {
    "called": "Nominations are open. Members can now stand from this page.",
    "stood": "You are standing in this election. Your statement is shown to members.",
    "withdrew": "You have withdrawn from this election.",
}


ELECTION = form_page("boards/election.html")


class ElectionController(Controller):
    path = "/o/{org_slug:str}/board/elections"
    guards = [requires_member]

    @get("/", name="board_elections")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        rows = await nominations.elections(org.organisation_id)
        return render(request, "boards/elections.html", {"elections": rows, "manager": is_manager(org)})

    @get("/new", name="board_election_new_form", guards=[requires_manager])
    async def new_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "boards/election_new.html", {"form": {}})

    @post(
        "/new",
        name="board_election_new",
        guards=[requires_manager],
        opt=form_page("boards/election_new.html"),
    )
    async def new(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        new, errors, _ = read_new_election(await request.form())
        if new is None:
            raise nominations.ElectionError(errors)
        public_id = await nominations.call_election(
            org.organisation_id, new, actor_of(request), today=clock.now().date()
        )
        return redirect(request, f"/o/{org.slug}/board/elections/{public_id}?done=called")

    async def _election(self, request: Request[Any, Any, Any], election_id: str) -> dict[str, Any]:
        row = await nominations.election_in_org(current_org(request).organisation_id, election_id)
        if row is None:
            raise NotFoundException()
        return row

    def _back(
        self, request: Request[Any, Any, Any], election: dict[str, Any], form: dict[str, Any] | None = None
    ) -> AbstractAsyncContextManager[None]:
        """If the block is refused, the election's page again (coop.web shows it with the errors), with
        `form` over the page's own (what was typed); its queries run only then."""

        async def load() -> dict[str, Any]:
            return {**await self._context(request, election), **(form or {})}

        return on_refusal(request, load)

    async def _context(self, request: Request[Any, Any, Any], election: dict[str, Any]) -> dict[str, Any]:
        org = current_org(request)
        mine = await nominations.my_nomination(election["id"], org.member_id)
        return {
            "election": election,
            "candidates": await nominations.candidates(election["id"]),
            "mine": mine if mine and mine["withdrawn_at"] is None else None,
            "open": nominations.is_open(election, clock.now().date()),
            "manager": is_manager(org),
            "kinds": kind_options(),
            "form": {"statement": mine["statement"], "easy_read": mine["easy_read"]} if mine else {},
        }

    @get("/{election_id:str}", name="board_election")
    async def show(self, request: Request[Any, Any, Any], election_id: FromPath[str]) -> Template:
        context = await self._context(request, await self._election(request, election_id))
        context["done"] = DONE.get(request.query_params.get("done", ""), "")
        return render(request, "boards/election.html", context)

    @post("/{election_id:str}/stand", name="board_election_stand", opt=ELECTION)
    async def stand(self, request: Request[Any, Any, Any], election_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        election = await self._election(request, election_id)
        async with self._back(request, election, {"form": await request.form()}):
            statement, easy_read, errors, _ = read_statement(await request.form())
            if errors:
                raise nominations.ElectionError(errors)
            await nominations.stand(
                org.organisation_id,
                election,
                org.member_id,
                statement,
                easy_read,
                actor_of(request),
                today=clock.now().date(),
            )
        return redirect(request, f"/o/{org.slug}/board/elections/{election_id}?done=stood")

    @post("/{election_id:str}/withdraw", name="board_election_withdraw", opt=ELECTION)
    async def withdraw(self, request: Request[Any, Any, Any], election_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        election = await self._election(request, election_id)
        async with self._back(request, election):
            await nominations.withdraw(
                org.organisation_id, election, org.member_id, actor_of(request), today=clock.now().date()
            )
        return redirect(request, f"/o/{org.slug}/board/elections/{election_id}?done=withdrew")

    @post("/{election_id:str}/ballot", name="board_election_ballot", guards=[requires_manager], opt=ELECTION)
    async def ballot(self, request: Request[Any, Any, Any], election_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        election = await self._election(request, election_id)
        now = clock.now()
        ballot, errors, values = read_ballot(await request.form(), now)
        async with self._back(request, election, {"ballot_form": values}):
            if ballot is None:
                raise nominations.ElectionError(errors)
            link = absolute_url(
                request.app.state.settings, org_path(org.slug, "board", "elections", election_id)
            )
            vote_id = await nominations.put_to_vote(
                org.organisation_id, election, ballot, actor_of(request), link=link, now=now
            )
        return redirect(request, f"/o/{org.slug}/votes/{vote_id}")
