"""HTTP for the board: the register of directors (members see the public part, the board and secretary
the private particulars too), a printable copy, appointing or co-opting a director and ending a
directorship. Every change goes through `coop.boards.service`, which guards the composition."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.boards import service
from coop.boards.forms import read_appointment, read_ending
from coop.boards.rotation import retiring_at_next_agm
from coop.errors import form_page, on_refusal, refusal_context
from coop.guards import current_org, requires_member, requires_role
from coop.urls import org_path
from coop.web import redirect, render

requires_manager = requires_role(*service.MANAGER_ROLES)


def _base(slug: str) -> str:
    return org_path(slug, "board")


async def _register_context(request: Request[Any, Any, Any], after: int) -> dict[str, Any]:
    org = current_org(request)
    state = await service.board_state(org.organisation_id)
    rows, next_after = await service.register_page(org, after)
    return {
        "state": state,
        "rows": rows,
        "next_after": next_after,
        "after": after,
        "private": service.is_manager(org),
        "next_agm": await retiring_at_next_agm(
            org.organisation_id, state.constitution, state.directors, clock.now()
        ),
        "routes": service.ROUTES,
        "endings": service.ENDINGS,
    }


async def _appoint_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    org = current_org(request)
    return {
        "state": await service.board_state(org.organisation_id),
        "members": await service.appointable_members(org.organisation_id),
        "routes": service.ROUTES,
    }


class BoardController(Controller):
    path = "/o/{org_slug:str}/board"
    guards = [requires_member]

    @get("/", name="board_register")
    async def register(self, request: Request[Any, Any, Any], after: FromQuery[int] = 0) -> Template:
        context = await _register_context(request, after)
        context["done"] = request.query_params.get("done", "")
        return render(request, "boards/register.html", context, fragment="boards/_register_table.html")

    @get("/print", name="board_print")
    async def print_register(self, request: Request[Any, Any, Any], after: FromQuery[int] = 0) -> Template:
        return render(request, "boards/print.html", await _register_context(request, after))

    @get("/appoint", name="board_appoint_form", guards=[requires_manager])
    async def appoint_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "boards/appoint.html", {**await _appoint_context(request), "form": {}})

    @post("/appoint", name="board_appoint", guards=[requires_manager], opt=form_page("boards/appoint.html"))
    async def appoint(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        # The form's page needs the board and the members to choose from: read only if it is refused.
        async with on_refusal(request, lambda: _appoint_context(request)):
            appointment, errors, _ = read_appointment(await request.form(), clock.today())
            if errors:
                raise service.BoardError(errors)
            await service.appoint(org, appointment, actor_of(request))
        return redirect(request, f"{_base(org.slug)}?done=appointed")

    async def _directorship(self, request: Request[Any, Any, Any], directorship_id: str) -> dict[str, Any]:
        row = await service.directorship_in_org(current_org(request), directorship_id)
        if row is None or row["ceased_on"] is not None:
            raise NotFoundException()
        return row

    @get("/{directorship_id:str}/end", name="board_end_form", guards=[requires_manager])
    async def end_form(self, request: Request[Any, Any, Any], directorship_id: FromPath[str]) -> Template:
        row = await self._directorship(request, directorship_id)
        return render(request, "boards/end.html", {"director": row, "endings": service.ENDINGS, "form": {}})

    @post(
        "/{directorship_id:str}/end",
        name="board_end",
        guards=[requires_manager],
        opt=form_page("boards/end.html"),
    )
    async def end(self, request: Request[Any, Any, Any], directorship_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        row = await self._directorship(request, directorship_id)
        reason, on, note, errors, _ = read_ending(await request.form(), clock.today())
        refusal_context(request, director=row, endings=service.ENDINGS)  # shown again if refused
        if errors or on is None:
            raise service.BoardError(errors)
        await service.end_directorship(org, row, reason, on, note, actor_of(request))
        return redirect(request, f"{_base(org.slug)}?done=ended")
