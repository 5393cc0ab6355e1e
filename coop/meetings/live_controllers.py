"""HTTP for a meeting under way: the live page (htmx polls it every few seconds; without JavaScript it is
reloaded by hand), arrivals and leavings, taking an item, declarations of interest, the show of hands, and
closing the meeting."""

from __future__ import annotations

import contextlib
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.form_values import whole_number
from coop.guards import current_org, requires_member
from coop.meetings import attendance, decisions, interests, online_votes, pages, service
from coop.meetings.controllers import meeting_or_404, meeting_url, requires_manager
from coop.meetings.forms import read_hands, text
from coop.meetings.service import MeetingError, MeetingInfo
from coop.web import form_errors_page, redirect, render


async def _item_or_404(meeting: MeetingInfo, item_id: str) -> dict[str, Any]:
    item = await service.item_in_meeting(meeting, item_id)
    if item is None:
        raise NotFoundException()
    return item


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

    async def _attendance_errors(
        self, request: Request[Any, Any, Any], meeting: MeetingInfo, errors: dict[str, str], form: Any
    ) -> Template:
        context = await pages.attendance_context(current_org(request), meeting, {})
        return form_errors_page(request, "meetings/attendance.html", errors, {**context, "form": form})

    @post("/attendance", name="meeting_arrive", guards=[requires_manager])
    async def arrive(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        meeting = await meeting_or_404(request, meeting_id)
        form = await request.form()
        values = {k: text(form, k) for k in ("member", "mode", "proxy_name")}
        try:
            await attendance.arrive(
                org, meeting, values["member"], values["mode"], values["proxy_name"], actor_of(request)
            )
        except MeetingError as exc:
            return await self._attendance_errors(request, meeting, exc.errors, values)
        return redirect(request, meeting_url(request, meeting, "/attendance"))

    @post("/attendance/{attendance_id:int}/leave", name="meeting_leave", guards=[requires_manager])
    async def leave(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], attendance_id: FromPath[int]
    ) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        try:
            await attendance.leave(current_org(request), meeting, attendance_id, actor_of(request))
        except MeetingError as exc:
            return await self._attendance_errors(request, meeting, exc.errors, {})
        return redirect(request, meeting_url(request, meeting, "/attendance"))

    @post("/close", name="meeting_close", guards=[requires_manager])
    async def close(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        try:
            await attendance.close_meeting(current_org(request), meeting, actor_of(request))
        except MeetingError as exc:
            context = await pages.live_context(current_org(request), meeting)
            return form_errors_page(request, "meetings/live.html", exc.errors, context)
        return redirect(request, meeting_url(request, meeting, "?done=closed"))

    @get("/items/{item_id:str}", name="meeting_item")
    async def item_page(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Template:
        meeting = await meeting_or_404(request, meeting_id)
        item = await _item_or_404(meeting, item_id)
        context = await pages.item_context(current_org(request), meeting, item)
        return render(request, "meetings/item.html", {**context, "form": {}})

    async def _item_errors(
        self,
        request: Request[Any, Any, Any],
        meeting: MeetingInfo,
        item: dict[str, Any],
        errors: Any,
        form: Any,
    ) -> Template:
        context = await pages.item_context(current_org(request), meeting, item)
        return form_errors_page(request, "meetings/item.html", errors, {**context, "form": form})

    @post("/items/{item_id:str}/declarations", name="meeting_declare", guards=[requires_manager])
    async def declare(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        item = await _item_or_404(meeting, item_id)
        form = await request.form()
        values = {"member": text(form, "member"), "nature": text(form, "nature", 1000)}
        try:
            await interests.declare(
                current_org(request), meeting, item, values["member"], values["nature"], actor_of(request)
            )
        except MeetingError as exc:
            return await self._item_errors(request, meeting, item, exc.errors, values)
        return redirect(request, meeting_url(request, meeting, f"/items/{item_id}"))

    @post("/items/{item_id:str}/resolution", name="meeting_resolution", guards=[requires_manager])
    async def resolution(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        item = await _item_or_404(meeting, item_id)
        hands, casting, errors, values = read_hands(await request.form())
        if hands is not None:
            try:
                await decisions.record_resolution(
                    current_org(request), meeting, item, hands, casting, actor_of(request)
                )
                return redirect(request, meeting_url(request, meeting, f"/items/{item_id}"))
            except MeetingError as exc:
                errors = exc.errors
        return await self._item_errors(request, meeting, item, errors, values)

    @post("/items/{item_id:str}/online-vote", name="meeting_online_vote", guards=[requires_manager])
    async def online_vote(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str], item_id: FromPath[str]
    ) -> Response[Any]:
        """Put the item to an online vote of those here; its result becomes the item's when it closes."""
        meeting = await meeting_or_404(request, meeting_id)
        item = await _item_or_404(meeting, item_id)
        chosen = text(await request.form(), "minutes", 10)
        try:
            await online_votes.open_item_vote(
                current_org(request),
                meeting,
                item,
                whole_number(chosen, low=1, high=999),
                clock.now(),
                actor_of(request),
            )
        except MeetingError as exc:
            return await self._item_errors(request, meeting, item, exc.errors, {"minutes": chosen})
        return redirect(request, meeting_url(request, meeting, f"/items/{item_id}"))
