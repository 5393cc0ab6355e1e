"""HTTP for a meeting under way: the live page (htmx polls it every few seconds; without JavaScript it is
reloaded by hand), arrivals and leavings, taking an item, declarations of interest, the show of hands, and
closing the meeting."""

from __future__ import annotations

import contextlib
from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.errors import form_page, on_refusal
from coop.form_values import whole_number
from coop.guards import current_org, requires_member
from coop.meetings import attendance, decisions, interests, online_votes, pages, service
from coop.meetings.controllers import meeting_or_404, meeting_url, requires_manager
from coop.meetings.forms import read_hands, text
from coop.meetings.service import MeetingError, MeetingInfo
from coop.web import redirect, render


async def _item_or_404(meeting: MeetingInfo, item_id: str) -> dict[str, Any]:
    item = await service.item_in_meeting(meeting, item_id)
    if item is None:
        raise NotFoundException()
    return item


ITEM = form_page("meetings/item.html")


def _back_to_item(
    request: Request[Any, Any, Any], meeting: MeetingInfo, item: dict[str, Any]
) -> AbstractAsyncContextManager[None]:
    """If the block is refused, the item's page again (coop.web shows it with the errors); its queries
    run only then."""
    return on_refusal(request, lambda: pages.item_context(current_org(request), meeting, item))


class LiveMeetingController(Controller):
    path = "/o/{org_slug:str}/meetings/{meeting_id:str}"
    guards = [requires_member]

    @get("/live", name="meeting_live")
    async def live(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Template:
        meeting = await meeting_or_404(request, meeting_id)
        context = await pages.live_context(current_org(request), meeting)
        return render(request, "meetings/live.html", context, fragment="meetings/_live.html")

    @post("/current", name="meeting_current_item", guards=[requires_manager])
    async def take_item(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        chosen = text(await request.form(), "item")
        item = await service.item_in_meeting(meeting, chosen) if chosen else None
        with contextlib.suppress(MeetingError):  # closed meanwhile: the live page says so
            await decisions.set_current_item(current_org(request), meeting, item, actor_of(request))
        return redirect(request, meeting_url(request, meeting, "/live"))

    @get("/attendance", name="meeting_attendance", guards=[requires_manager])
    async def attendance_page(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Template:
        meeting = await meeting_or_404(request, meeting_id)
        context = await pages.attendance_context(current_org(request), meeting, request.query_params)
        return render(request, "meetings/attendance.html", {**context, "form": {}})

    @post(
        "/attendance",
        name="meeting_arrive",
        guards=[requires_manager],
        opt=form_page("meetings/attendance.html"),
    )
    async def arrive(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        meeting = await meeting_or_404(request, meeting_id)
        form = await request.form()
        values = {k: text(form, k) for k in ("member", "mode", "proxy_name")}
        async with on_refusal(request, lambda: pages.attendance_context(org, meeting, {})):
            await attendance.arrive(
                org, meeting, values["member"], values["mode"], values["proxy_name"], actor_of(request)
            )
        return redirect(request, meeting_url(request, meeting, "/attendance"))

    @post(
        "/attendance/{attendance_id:int}/leave",
        name="meeting_leave",
        guards=[requires_manager],
        opt=form_page("meetings/attendance.html"),
    )
    async def leave(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], attendance_id: FromPath[int]
    ) -> Response[Any]:
        org = current_org(request)
        meeting = await meeting_or_404(request, meeting_id)
        async with on_refusal(request, lambda: pages.attendance_context(org, meeting, {})):
            await attendance.leave(org, meeting, attendance_id, actor_of(request))
        return redirect(request, meeting_url(request, meeting, "/attendance"))

    @post("/close", name="meeting_close", guards=[requires_manager], opt=form_page("meetings/live.html"))
    async def close(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        meeting = await meeting_or_404(request, meeting_id)
        async with on_refusal(request, lambda: pages.live_context(org, meeting)):
            await attendance.close_meeting(org, meeting, actor_of(request))
        return redirect(request, meeting_url(request, meeting, "?done=closed"))

    @get("/items/{item_id:str}", name="meeting_item")
    async def item_page(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Template:
        meeting = await meeting_or_404(request, meeting_id)
        item = await _item_or_404(meeting, item_id)
        context = await pages.item_context(current_org(request), meeting, item)
        return render(request, "meetings/item.html", {**context, "form": {}})

    @post("/items/{item_id:str}/declarations", name="meeting_declare", guards=[requires_manager], opt=ITEM)
    async def declare(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        item = await _item_or_404(meeting, item_id)
        form = await request.form()
        values = {"member": text(form, "member"), "nature": text(form, "nature", 1000)}
        async with _back_to_item(request, meeting, item):
            await interests.declare(
                current_org(request), meeting, item, values["member"], values["nature"], actor_of(request)
            )
        return redirect(request, meeting_url(request, meeting, f"/items/{item_id}"))

    @post("/items/{item_id:str}/resolution", name="meeting_resolution", guards=[requires_manager], opt=ITEM)
    async def resolution(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        item = await _item_or_404(meeting, item_id)
        async with _back_to_item(request, meeting, item):
            hands, casting, errors, _ = read_hands(await request.form())
            if hands is None:
                raise MeetingError(errors)
            await decisions.record_resolution(
                current_org(request), meeting, item, hands, casting, actor_of(request)
            )
        return redirect(request, meeting_url(request, meeting, f"/items/{item_id}"))

    @post("/items/{item_id:str}/online-vote", name="meeting_online_vote", guards=[requires_manager], opt=ITEM)
    async def online_vote(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Response[Any]:
        """Put the item to an online vote of those here; its result becomes the item's when it closes."""
        meeting = await meeting_or_404(request, meeting_id)
        item = await _item_or_404(meeting, item_id)
        chosen = text(await request.form(), "minutes", 10)
        async with _back_to_item(request, meeting, item):
            await online_votes.open_item_vote(
                current_org(request),
                meeting,
                item,
                whole_number(chosen, low=1, high=999),
                clock.now(),
                actor_of(request),
            )
        return redirect(request, meeting_url(request, meeting, f"/items/{item_id}"))
