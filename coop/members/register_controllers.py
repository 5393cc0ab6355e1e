"""HTTP for the register of members (board): the register, its printable copy, name index and download,
letters to post, adding an entry, and changes to an entry (class, contact, needs, leaving, expulsion)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Stream, Template

from coop import clock
from coop.actor import actor_of
from coop.errors import form_page, on_refusal, refusal_context
from coop.form_values import form_text
from coop.guards import current_org, requires_member
from coop.members import (
    entries,
    leaving,
    needs,
    notices,
    register,
)
from coop.members.errors import MembershipError
from coop.members.forms import form_count
from coop.members.guards import requires_board
from coop.members.member_controllers import member_or_404
from coop.members.member_page import member_page
from coop.members.words import CONTACT_BY, NEEDS
from coop.organisations.service import constitution_of
from coop.pagination import list_position
from coop.settings import Settings
from coop.web import redirect, render


class RegisterController(Controller):
    path = "/o/{org_slug:str}/register"
    guards = [requires_member, requires_board]

    @get("/", name="register")
    async def index(self, request: Request[Any, Any, Any], q: FromQuery[str] = "") -> Template:
        org = current_org(request)
        search = register.clean_search(q)
        entries = await register.register_page(
            org.organisation_id, search=search, **list_position(request.query_params)
        )
        constitution = await constitution_of(org.organisation_id)
        on = clock.today()
        return render(
            request,
            "members/register.html",
            {
                "entries": entries,
                "search": search,
                "columns": register.REGISTER_COLUMNS,
                "table_rows": register.register_rows_html(entries.items, org.slug, constitution, on),
            },
            fragment="members/_register_table.html",
        )

    @get("/print", name="register_print")
    async def printable(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        constitution = await constitution_of(org.organisation_id)
        entries = await register.register_page(
            org.organisation_id,
            per_page=register.PRINT_PAGE,
            **list_position(request.query_params),
        )
        on = clock.today()
        return render(
            request,
            "members/register_print.html",
            {
                "entries": entries,
                "columns": register.REGISTER_COLUMNS,
                "cells": [register.register_cells(r, constitution, on) for r in entries.items],
                "today": on,
            },
        )

    @get("/index", name="register_index")
    async def name_index(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        entries = await register.name_index_page(org.organisation_id, **list_position(request.query_params))
        return render(request, "members/register_index.html", {"entries": entries})

    @get("/export.csv", name="register_csv")
    async def export(self, request: Request[Any, Any, Any]) -> Stream:
        org = current_org(request)
        # Streamed: the first bytes leave at once and memory stays flat at any size of register.
        return Stream(
            await register.export_register(org.organisation_id, actor_of(request)),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="register-of-members-{org.slug}.csv"',
                "Cache-Control": "no-store",
            },
        )

    @get("/letters", name="register_letters")
    async def letters(self, request: Request[Any, Any, Any]) -> Template:
        """Notices to print and post, for members who asked for post or have no email."""
        org = current_org(request)
        return render(
            request,
            "members/letters.html",
            {
                "to_send": await notices.letters(org.organisation_id, sent=False),
                "sent": await notices.letters(org.organisation_id, sent=True, limit=20),
                "need_words": NEEDS,
            },
        )

    @get("/letters/{letter_id:str}", name="register_letter")
    async def letter(self, request: Request[Any, Any, Any], letter_id: FromPath[str]) -> Template:
        row = await notices.letter(current_org(request).organisation_id, letter_id)
        if row is None:
            raise NotFoundException()
        return render(request, "members/letter.html", {"letter": row, "need_words": NEEDS})

    @post("/letters/{letter_id:str}/sent", name="register_letter_sent")
    async def letter_sent(self, request: Request[Any, Any, Any], letter_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        marked = await notices.mark_sent(org.organisation_id, letter_id, actor_of(request))
        # Marking twice (a double click) is harmless; an unknown letter is not found.
        if not marked and await notices.letter(org.organisation_id, letter_id) is None:
            raise NotFoundException()
        return redirect(request, f"/o/{org.slug}/register/letters?sent=1")

    @get("/new", name="register_new")
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        constitution = await constitution_of(org.organisation_id)
        return render(
            request,
            "members/new_member.html",
            {"form": {}, "constitution": constitution, "contact_by": CONTACT_BY, "today": clock.today()},
        )

    @post("/new", name="register_new_post", opt=form_page("members/new_member.html"))
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        constitution = await constitution_of(org.organisation_id)
        refusal_context(request, constitution=constitution, contact_by=CONTACT_BY, today=clock.today())
        public_id = await entries.add_member(org, form, actor_of(request))
        return redirect(request, f"/o/{org.slug}/members/{public_id}?added=1")

    async def _form_member(
        self, request: Request[Any, Any, Any], member_id: str
    ) -> tuple[Any, dict[str, Any]]:
        return await request.form(), await member_or_404(request, member_id)

    def _back(
        self, request: Request[Any, Any, Any], member: dict[str, Any], values: dict[str, str] | None = None
    ) -> AbstractAsyncContextManager[None]:
        """If the block is refused, the member's page again (coop.web shows it, with the errors). Its
        queries (their history, needs, supporters and roles) run only then: a request that succeeds
        should not pay for them before the service call."""

        async def load() -> dict[str, Any]:
            context = await member_page(current_org(request), str(member["public_id"]))
            assert context is not None  # the board sees every entry of its organisation
            return {**context, "form": values or {}}

        return on_refusal(request, load)

    @post("/{member_id:str}/class", name="register_change_class", opt=form_page("members/show.html"))
    async def change_class(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        async with self._back(request, member):
            await entries.change_class(
                current_org(request),
                member,
                form_text(form, "member_class"),
                clock.today(),
                actor_of(request),
            )
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/contact", name="register_contact", opt=form_page("members/show.html"))
    async def contact(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        values = {k: form_text(form, k, 1100) for k in ("address", "email", "phone", "contact_by")}
        async with self._back(request, member, values):
            await needs.update_contact(
                current_org(request),
                member,
                values["address"],
                values["email"],
                values["phone"],
                values["contact_by"],
                actor_of(request),
            )
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/needs", name="register_needs", opt=form_page("members/show.html"))
    async def needs(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        async with self._back(request, member):
            await needs.set_needs(
                current_org(request),
                member["id"],
                list(form.getall("needs", [])),
                form_text(form, "detail", 600),
                form_text(form, "consent") == "yes",
                actor_of(request),
            )
            if "facts_shown" in form:
                await needs.set_facts(
                    current_org(request),
                    member["id"],
                    list(form.getall("facts", [])),
                    form_text(form, "facts_consent") == "yes",
                    actor_of(request),
                )
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/resign", name="register_resign", opt=form_page("members/show.html"))
    async def resign(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        async with self._back(request, member):
            if form_text(form, "confirm") != "yes":
                raise MembershipError({"confirm": "Confirm the member has given notice in writing"})
            await leaving.give_resignation(current_org(request), member, clock.today(), actor_of(request))
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/cease", name="register_cease", opt=form_page("members/show.html"))
    async def cease(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        async with self._back(request, member):
            await leaving.cease_member(
                current_org(request),
                member,
                clock.today(),
                form_text(form, "reason"),
                form_text(form, "note", 500),
                actor_of(request),
            )
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/expulsion", name="register_expulsion", opt=form_page("members/show.html"))
    async def expulsion(
        self, request: Request[Any, Any, Any], member_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        step = form_text(form, "step")
        org = current_org(request)
        values = {k: form_text(form, k) for k in ("reasons", "statement", "votes_for", "votes_cast")}
        async with self._back(request, member, values):
            if step == "propose":
                await leaving.propose_expulsion(
                    org, member, form_text(form, "reasons", 4000), clock.today(), actor_of(request), settings
                )
            elif step == "hearing":
                await leaving.record_hearing(
                    org,
                    member,
                    clock.today(),
                    form_text(form, "how"),
                    form_text(form, "statement", 4000),
                    actor_of(request),
                )
            elif step == "decide":
                votes_for, votes_cast = form_count(form, "votes_for"), form_count(form, "votes_cast")
                if votes_for is None or votes_cast is None:
                    raise MembershipError(
                        {"votes_for": "Enter the votes for and the votes cast as whole numbers"}
                    )
                await leaving.decide_expulsion(
                    org,
                    member,
                    clock.today(),
                    form_text(form, "decided_by"),
                    votes_for,
                    votes_cast,
                    actor_of(request),
                )
            else:
                raise NotFoundException()
        return redirect(request, f"/o/{org.slug}/members/{member_id}?changed=1")
