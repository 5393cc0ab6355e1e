"""HTTP for meetings: the list, calling a meeting, its page and agenda, scheduling its notice, minutes,
the register of resolutions and the register of interests. The live meeting (attendance, items, votes)
is in live_controllers.py. Controllers read the form, call one service function and render."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.actor import actor_of
from coop.clock import today_in_london
from coop.documents.rendering import pdf_response
from coop.errors import form_page, on_refusal
from coop.form_values import whole_number
from coop.guards import current_org, requires_member, requires_role
from coop.meetings import interests, minutes, notices, pack, pages, service
from coop.meetings.forms import read_interest, read_item, read_meeting, read_notice, text
from coop.meetings.service import BOARD_ROLES, MANAGER_ROLES, MeetingError, MeetingInfo
from coop.urls import absolute_url
from coop.web import redirect, render

requires_manager = requires_role(*MANAGER_ROLES)
requires_board = requires_role(*BOARD_ROLES)


async def meeting_or_404(request: Request[Any, Any, Any], meeting_id: str) -> MeetingInfo:
    meeting = await service.meeting_in_org(current_org(request), meeting_id)
    if meeting is None:
        raise NotFoundException()
    return meeting


def meeting_url(request: Request[Any, Any, Any], meeting: MeetingInfo, tail: str = "") -> str:
    return f"/o/{current_org(request).slug}/meetings/{meeting.public_id}{tail}"


MINUTES = form_page("meetings/minutes.html")


def _back_to_meeting(
    request: Request[Any, Any, Any], meeting: MeetingInfo
) -> AbstractAsyncContextManager[None]:
    """If the block is refused, the meeting's page again (coop.web shows it with the errors); its queries
    run only then."""

    async def load() -> dict[str, Any]:
        return {**await pages.meeting_context(current_org(request), meeting), "done": ""}

    return on_refusal(request, load)


class MeetingsController(Controller):
    path = "/o/{org_slug:str}/meetings"
    guards = [requires_member]

    @get("/", name="meetings_list")
    async def list_meetings(self, request: Request[Any, Any, Any]) -> Template:
        context = await pages.list_context(current_org(request), request.query_params)
        return render(request, "meetings/list.html", context)

    @get("/new", name="meeting_new_form", guards=[requires_manager])
    async def new_form(self, request: Request[Any, Any, Any]) -> Template:
        context = await pages.new_meeting_context(current_org(request))
        return render(request, "meetings/new.html", {**context, "form": {}})

    @post("/new", name="meeting_new", guards=[requires_manager], opt=form_page("meetings/new.html"))
    async def new(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        async with on_refusal(request, lambda: pages.new_meeting_context(org)):
            new, errors, _ = read_meeting(await request.form())
            if new is None:
                raise MeetingError(errors)
            public_id = await service.create_meeting(org, new, actor_of(request))
        return redirect(request, f"/o/{org.slug}/meetings/{public_id}")

    @get("/resolutions", name="meetings_resolutions")
    async def resolutions(self, request: Request[Any, Any, Any]) -> Template:
        context = await pages.resolutions_context(current_org(request), request.query_params)
        return render(request, "meetings/resolutions.html", context)

    @get("/interests", name="meetings_interests", guards=[requires_board])
    async def interests_register(self, request: Request[Any, Any, Any]) -> Template:
        context = await pages.interests_context(current_org(request), request.query_params)
        return render(request, "meetings/interests.html", {**context, "form": {}})

    @post(
        "/interests",
        name="meetings_interest_add",
        guards=[requires_manager],
        opt=form_page("meetings/interests.html"),
    )
    async def add_interest(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        async with on_refusal(request, lambda: pages.interests_context(org, {})):
            member, description, on, errors, _ = read_interest(await request.form())
            if errors or on is None:
                raise MeetingError(errors)
            await interests.add_interest(org, member, description, on, actor_of(request))
        return redirect(request, f"/o/{org.slug}/meetings/interests")

    @post(
        "/interests/{interest_id:str}/end",
        name="meetings_interest_end",
        guards=[requires_manager],
        opt=form_page("meetings/interests.html"),
    )
    async def end_interest(
        self, request: Request[Any, Any, Any], interest_id: FromPath[str]
    ) -> Response[Any]:
        org = current_org(request)
        async with on_refusal(request, lambda: pages.interests_context(org, {})):
            await interests.end_interest(org, interest_id, today_in_london(), actor_of(request))
        return redirect(request, f"/o/{org.slug}/meetings/interests")

    @get("/{meeting_id:str}", name="meeting_page")
    async def meeting_page(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Template:
        meeting = await meeting_or_404(request, meeting_id)
        context = await pages.meeting_context(current_org(request), meeting)
        return render(request, "meetings/meeting.html", {**context, "form": {}, "done": _done(request)})

    @post(
        "/{meeting_id:str}/items",
        name="meeting_item_add",
        guards=[requires_manager],
        opt=form_page("meetings/meeting.html"),
    )
    async def add_item(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        async with _back_to_meeting(request, meeting):
            item, errors, _ = read_item(await request.form())
            if errors:
                raise MeetingError(errors)
            await service.add_item(current_org(request), meeting, item, actor_of(request))
        return redirect(request, meeting_url(request, meeting, "?done=item#agenda"))

    @post(
        "/{meeting_id:str}/notice",
        name="meeting_notice",
        guards=[requires_manager],
        opt=form_page("meetings/meeting.html"),
    )
    async def schedule_notice(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str]
    ) -> Response[Any]:
        meeting = await meeting_or_404(request, meeting_id)
        async with _back_to_meeting(request, meeting):
            send_on, members, votes, errors, _ = read_notice(await request.form())
            if errors:
                raise MeetingError(errors)
            await notices.schedule_notice(
                current_org(request), meeting, send_on, members, votes, actor_of(request)
            )
        return redirect(request, meeting_url(request, meeting, "?done=notice"))

    @get("/{meeting_id:str}/pack.pdf", name="meeting_pack")
    async def pack_pdf(
        self,
        request: Request[Any, Any, Any],
        meeting_id: FromPath[str],
        print: FromQuery[str] = "",
        part: FromQuery[str] = "1",
    ) -> Response[bytes]:
        """The meeting pack (one part of a long one) as one tagged PDF; large print when asked
        (`print=large`), or by default for a member who asked for large print."""
        org = current_org(request)
        meeting = await meeting_or_404(request, meeting_id)
        large = print == "large" if print in pack.PRINTS else await pack.wants_large_print(org.member_id)
        link = absolute_url(request.app.state.settings, meeting_url(request, meeting))
        number = whole_number(part, low=1, high=service.MAX_ITEMS) or 0
        found = await pack.pack_documents(org, meeting, link, large_print=large, part=number)
        if found is None:
            raise NotFoundException()
        title, documents = found
        name = f"{org.slug}-meeting-pack-{meeting.starts_at:%Y-%m-%d}-part-{number}"
        return await pdf_response(request, org, title, documents, name + ("-large-print" if large else ""))

    @get("/{meeting_id:str}/minutes", name="meeting_minutes")
    async def minutes_page(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Template:
        meeting = await meeting_or_404(request, meeting_id)
        context = await pages.minutes_context(current_org(request), meeting)
        return render(request, "meetings/minutes.html", {**context, "form": {}, "done": _done(request)})

    async def _minutes_step(
        self, request: Request[Any, Any, Any], meeting_id: str, step: str
    ) -> Response[Any]:
        org = current_org(request)
        meeting = await meeting_or_404(request, meeting_id)
        form = await request.form()

        async def load() -> dict[str, Any]:
            return {**await pages.minutes_context(org, meeting), "done": ""}

        async with on_refusal(request, load):
            if step == "draft":
                await minutes.draft_minutes(org, meeting, actor_of(request))
            elif step == "save":
                await minutes.save_minutes(
                    org, meeting, text(form, "minutes", minutes.MINUTES_LIMIT + 1), actor_of(request)
                )
            elif step == "approve":
                await minutes.approve_minutes(org, meeting, text(form, "approved_at"), actor_of(request))
            else:
                await minutes.sign_minutes(org, meeting, actor_of(request))
        return redirect(request, meeting_url(request, meeting, f"/minutes?done={step}"))

    @post(
        "/{meeting_id:str}/minutes/draft",
        name="meeting_minutes_draft",
        guards=[requires_manager],
        opt=MINUTES,
    )
    async def draft_minutes(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str]
    ) -> Response[Any]:
        return await self._minutes_step(request, meeting_id, "draft")

    @post("/{meeting_id:str}/minutes", name="meeting_minutes_save", guards=[requires_manager], opt=MINUTES)
    async def save_minutes(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Response[Any]:
        return await self._minutes_step(request, meeting_id, "save")

    @post(
        "/{meeting_id:str}/minutes/approve",
        name="meeting_minutes_approve",
        guards=[requires_manager],
        opt=MINUTES,
    )
    async def approve_minutes(
        self, request: Request[Any, Any, Any], meeting_id: FromPath[str]
    ) -> Response[Any]:
        return await self._minutes_step(request, meeting_id, "approve")

    @post("/{meeting_id:str}/minutes/sign", name="meeting_minutes_sign", opt=MINUTES)
    async def sign_minutes(self, request: Request[Any, Any, Any], meeting_id: FromPath[str]) -> Response[Any]:
        return await self._minutes_step(request, meeting_id, "sign")


_DONE = ("item", "notice", "draft", "save", "approve", "sign", "closed")


def _done(request: Request[Any, Any, Any]) -> str:
    value = request.query_params.get("done", "")
    return value if value in _DONE else ""
