"""HTTP for a member's own page and what they change there, and the same pages for their supporter (whose
actions are recorded as assisted)."""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop import clock
from coop.accounts.service import CurrentSession
from coop.actor import actor_of
from coop.errors import form_page, on_refusal
from coop.form_values import form_text, read_date, whole_number
from coop.guards import current_org, requires_member
from coop.members import (
    leaving,
    member_page,
    needs,
    personal_data,
    proxies,
    roles,
    supporters,
)
from coop.members.errors import MembershipError
from coop.members.guards import requires_supporter
from coop.members.words import CONTACT_BY, FACTS, NEEDS
from coop.organisations.service import constitution_of
from coop.settings import Settings
from coop.urls import org_path
from coop.web import redirect, render

LONDON = ZoneInfo("Europe/London")


def _assisted_by(request: Request[Any, Any, Any]) -> int | None:
    return request.scope.get("state", {}).get("assisted_by")


def _base(request: Request[Any, Any, Any]) -> str:
    org = current_org(request)
    if _assisted_by(request) is not None:
        return org_path(org.slug, "supporting", org.member_public_id)
    return org_path(org.slug, "me")


class MyMembershipController(Controller):
    path = "/o/{org_slug:str}/me"
    guards = [requires_member]

    async def _context(self, request: Request[Any, Any, Any], **extra: Any) -> dict[str, Any]:
        org = current_org(request)
        current = request.scope.get("user")
        acting_for_self = isinstance(current, CurrentSession) and _assisted_by(request) is None
        page = await member_page.my_page(org, current.person_id if acting_for_self else None)
        votes_base = f"{_base(request)}/votes" if _assisted_by(request) else org_path(org.slug, "votes")
        return {
            **page,
            "votes_base": votes_base,
            "base": _base(request),
            "assisted": _assisted_by(request) is not None,
            "contact_words": CONTACT_BY,
            "need_words": NEEDS,
            "fact_words": FACTS,
            "form": {},
            **extra,
        }

    @get("/", name=None)
    async def show(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "members/me.html", await self._context(request))

    @get("/data.json", name=None)
    async def data_json(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        org = current_org(request)
        data = await personal_data.personal_data(org, org.member_id)
        return Response(
            content=json.dumps(data, indent=2, ensure_ascii=False).encode(),
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="my-data-{org.slug}.json"',
                "Cache-Control": "no-store",
            },
        )

    @get("/data", name=None)
    async def data_html(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        data = await personal_data.personal_data(org, org.member_id)
        return render(request, "members/my_data.html", {"data": data, "base": _base(request)})

    def _back(
        self, request: Request[Any, Any, Any], form: dict[str, Any]
    ) -> AbstractAsyncContextManager[None]:
        """If the block is refused, the member's own page again (coop.web shows the route's form page, with
        the errors). Its queries (open votes, needs, supporters and proxies) run only then: a request that
        succeeds should not pay for them before the service call."""

        async def load() -> dict[str, Any]:
            return await self._context(request, form=form)

        return on_refusal(request, load)

    @get("/contact", name=None)
    async def contact_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "members/me_contact.html", await self._context(request))

    @post("/contact", name=None, opt=form_page("members/me_contact.html"))
    async def contact(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        values = {k: form_text(form, k, 1100) for k in ("address", "email", "phone", "contact_by")}
        member = await member_page.own_entry(org)
        values_needs = list(form.getall("needs", []))
        shown = {**values, "needs": values_needs, "detail": form_text(form, "detail", 600)}
        async with self._back(request, shown):
            await needs.update_contact(
                org, member or {}, actor=actor_of(request), assisted_by=_assisted_by(request), **values
            )
            await needs.set_needs(
                org,
                org.member_id,
                values_needs,
                form_text(form, "detail", 600),
                form_text(form, "consent") == "yes",
                actor_of(request),
                assisted_by=_assisted_by(request),
            )
        return redirect(request, f"{_base(request)}?saved=contact")

    @get("/about-you", name=None)
    async def facts_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "members/me_facts.html", await self._context(request))

    @post("/about-you", name=None, opt=form_page("members/me_facts.html"))
    async def facts(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        facts = list(form.getall("facts", []))
        async with self._back(request, {"facts": facts}):
            await needs.set_facts(
                org,
                org.member_id,
                facts,
                form_text(form, "consent") == "yes",
                actor_of(request),
                assisted_by=_assisted_by(request),
            )
        return redirect(request, f"{_base(request)}?saved=about")

    @post("/supporters", name=None, opt=form_page("members/me.html"))
    async def add_supporter(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        org = current_org(request)
        if _assisted_by(request) is not None:
            raise NotFoundException()  # only the member names their supporters
        form = await request.form()
        values = {
            "supporter_name": form_text(form, "supporter_name", 300),
            "supporter_email": form_text(form, "supporter_email", 400),
        }
        async with self._back(request, values):
            await supporters.add_supporter(
                org,
                org.member_id,
                values["supporter_name"],
                values["supporter_email"],
                actor_of(request),
                settings,
            )
        return redirect(request, f"{_base(request)}?saved=supporter")

    @post("/supporters/{supporter_id:int}/end", name=None)
    async def end_supporter(
        self, request: Request[Any, Any, Any], supporter_id: FromPath[int]
    ) -> Response[Any]:
        org = current_org(request)
        if not await supporters.end_supporter(org, org.member_id, supporter_id, actor_of(request)):
            raise NotFoundException()
        return redirect(request, f"{_base(request)}?saved=supporter_ended")

    @get("/proxies", name=None)
    async def proxy_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "members/me_proxy.html", await self._context(request))

    @post("/proxies", name=None, opt=form_page("members/me_proxy.html"))
    async def appoint_proxy(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        values = {
            k: form_text(form, k, 4100)
            for k in (
                "proxy",
                "other_name",
                "other_email",
                "scope",
                "meeting_name",
                "instructions",
                "meeting_day",
                "meeting_month",
                "meeting_year",
                "meeting_time",
            )
        }
        starts: datetime | None = None
        # A missing or impossible meeting date or time is left to the service to explain (it knows the scope).
        day = read_date(form, "meeting", "meeting date", {}, optional=True)
        hour, _, minute = values["meeting_time"].replace(".", ":").partition(":")
        hours, minutes = whole_number(hour, low=0, high=23), whole_number(minute, low=0, high=59)
        if day is not None and hours is not None and minutes is not None:
            starts = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LONDON)
        data = proxies.ProxyForm(
            proxy=values["proxy"],
            other_name=values["other_name"],
            other_email=values["other_email"],
            scope=values["scope"],
            meeting_name=values["meeting_name"],
            meeting_starts_at=starts,
            instructions=values["instructions"],
        )
        async with self._back(request, values):
            await proxies.appoint_proxy(
                org, org.member_id, data, actor_of(request), assisted_by=_assisted_by(request)
            )
        return redirect(request, f"{_base(request)}?saved=proxy")

    @post("/proxies/{proxy_id:str}/revoke", name=None)
    async def revoke_proxy(self, request: Request[Any, Any, Any], proxy_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        if not await proxies.revoke_proxy(org, org.member_id, proxy_id, actor_of(request)):
            raise NotFoundException()
        return redirect(request, f"{_base(request)}?saved=proxy_revoked")

    async def _leave_context(self, request: Request[Any, Any, Any], search: str) -> dict[str, Any]:
        org = current_org(request)
        constitution = await constitution_of(org.organisation_id)
        from governance.membership import resignation_takes_effect

        return await self._context(
            request,
            takes_effect=resignation_takes_effect(constitution, clock.today()),
            **await roles.handover_context(org.organisation_id, org.member_id, search),
        )

    @get("/leave", name=None)
    async def leave_form(self, request: Request[Any, Any, Any], search: FromQuery[str] = "") -> Template:
        return render(request, "members/me_leave.html", await self._leave_context(request, search))

    @post("/leave", name=None, opt=form_page("members/me_leave.html"))
    async def leave(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        search, successor = form_text(form, "search", 100), form_text(form, "successor", 100) or None
        errors = (
            {}
            if form_text(form, "confirm") == "yes"
            else {"confirm": "Tick the box to confirm you want to leave"}
        )
        member = await member_page.own_entry(org)

        async def load() -> dict[str, Any]:
            return {**await self._leave_context(request, search), "form": {"successor": successor}}

        async with on_refusal(request, load):
            if errors:
                raise MembershipError(errors)
            effective = await leaving.give_resignation(
                org,
                member,
                clock.today(),
                actor_of(request),
                assisted_by=_assisted_by(request),
                themselves=True,
                successor=successor,
            )
        if effective <= clock.today():
            return redirect(request, "/?left=1")
        return redirect(request, f"{_base(request)}?saved=leaving")


class SupportingController(MyMembershipController):
    path = "/o/{org_slug:str}/supporting/{member_id:str}"
    guards = [requires_supporter]
