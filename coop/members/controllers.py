"""HTTP for membership: the members list and pages, the register (board), applications and invitations
(board), the public join pages and invitation links, and a member's own page (also used by a supporter,
whose actions are recorded as assisted)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, HttpMethod, MediaType, Request, Response, get, post, route
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import MethodNotAllowedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Stream, Template

from coop.accounts.controllers import actor_of
from coop.accounts.passwords import MIN_LENGTH, password_problem
from coop.accounts.service import CurrentSession, create_person
from coop.accounts.tables import Person
from coop.form_values import INTEGER_MAX, read_date, whole_number
from coop.guards import current_org, current_session, requires_member, requires_role
from coop.mail.service import refused_address
from coop.members import notices, register, roles, service
from coop.members.service import BOARD_ROLES, CONTACT_BY, FACTS, NEEDS, STATUSES, MembershipError
from coop.members.tables import Member, MemberInvitation, MembershipApplication, RoleGrant
from coop.organisations.service import ROLE_NAMES
from coop.organisations.tables import Organisation
from coop.pagination import list_position, paginate
from coop.settings import Settings
from coop.votes.roll import open_votes_for
from coop.web import form_errors_page, redirect, render

PUBLIC = {"public": True}
LONDON = ZoneInfo("Europe/London")
requires_board = requires_role(*BOARD_ROLES)


def _text(form: Any, name: str, limit: int = 5000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _int(form: Any, name: str) -> int | None:
    """A count typed into the form (shares, votes): a whole number that fits its column, or None."""
    return whole_number(_text(form, name), low=0, high=INTEGER_MAX)


async def _member_or_404(request: Request[Any, Any, Any], member_id: str) -> dict[str, Any]:
    member = await service.member_in_org(current_org(request), member_id)
    if member is None:
        raise NotFoundException()
    return member


# ---------------------------------------------------------------------------------------------------------
# Members list and a member's page (every member sees names and classes; the board sees the rest)
# ---------------------------------------------------------------------------------------------------------


class MemberController(Controller):
    path = "/o/{org_slug:str}/members"
    guards = [requires_member]

    @get("/", name="members")
    async def index(self, request: Request[Any, Any, Any], q: FromQuery[str] = "") -> Template:
        org = current_org(request)
        search = register.clean_search(q)
        members = await register.members_page(
            org.organisation_id, search=search, **list_position(request.query_params)
        )
        constitution = await service.constitution_of(org.organisation_id)
        return render(
            request,
            "members/index.html",
            {
                "members": members,
                "search": search,
                "constitution": constitution,
                "is_board": service.is_board(org),
            },
            fragment="members/_table.html",
        )

    @get("/{member_id:str}", name="member")
    async def show(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Template:
        org = current_org(request)
        # Scoped by organisation: another organisation's member is simply not found.
        member = await _member_or_404(request, member_id)
        board = service.is_board(org)
        if not board and not register.is_current(member, service.today()):
            raise NotFoundException()
        roles = await RoleGrant.select(RoleGrant.role).where(
            (RoleGrant.member == member["id"]) & RoleGrant.revoked_at.is_null()
        )
        constitution = await service.constitution_of(org.organisation_id)
        context: dict[str, Any] = {
            "member": member,
            "roles": [ROLE_NAMES[r["role"]] for r in roles if r["role"] in ROLE_NAMES],
            "constitution": constitution,
            "is_board": board,
        }
        if board:
            context.update(
                {
                    "events": await service.events_of(member["id"]),
                    "needs": await service.needs_of(member["id"]),
                    "facts": await service.facts_of(member["id"]),
                    "supporters": await service.supporters_of(member["id"]),
                    "expulsion": await service.expulsion_state(member["id"]),
                    "contact_words": CONTACT_BY,
                    "refused_email": await refused_address(member["id"]),
                }
            )
        return render(request, "members/show.html", context)


# ---------------------------------------------------------------------------------------------------------
# The register of members (board)
# ---------------------------------------------------------------------------------------------------------


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
        constitution = await service.constitution_of(org.organisation_id)
        on = service.today()
        return render(
            request,
            "members/register.html",
            {
                "entries": entries,
                "search": search,
                "columns": register.REGISTER_COLUMNS,
                "cells": [register.register_cells(r, constitution, on) for r in entries.items],
            },
            fragment="members/_register_table.html",
        )

    @get("/print", name="register_print")
    async def printable(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        constitution = await service.constitution_of(org.organisation_id)
        entries = await register.register_page(
            org.organisation_id,
            per_page=register.PRINT_PAGE,
            **list_position(request.query_params),
        )
        on = service.today()
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
        constitution = await service.constitution_of(org.organisation_id)
        return render(
            request,
            "members/new_member.html",
            {"form": {}, "constitution": constitution, "contact_by": CONTACT_BY, "today": service.today()},
        )

    @post("/new", name="register_new_post")
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        constitution = await service.constitution_of(org.organisation_id)
        form = await request.form()
        values = {
            k: _text(form, k)
            for k in (
                "name",
                "member_class",
                "address",
                "email",
                "phone",
                "contact_by",
                "shares_held",
                "admitted_day",
                "admitted_month",
                "admitted_year",
            )
        }
        errors: dict[str, str] = {}
        if not values["name"].strip():
            errors["name"] = "Enter their full name"
        if constitution.member_class(values["member_class"]) is None:
            errors["member_class"] = "Choose a membership class"
        admitted = read_date(form, "admitted", "date they were admitted", errors)
        if admitted is not None and admitted > service.today():
            errors["admitted_day"] = "The date admitted must be today or in the past"
        if values["contact_by"] not in CONTACT_BY:
            errors["contact_by"] = "Choose how they want to be contacted"
        elif values["contact_by"] == "post" and not values["address"].strip():
            errors["address"] = "Enter their postal address, so notices can be posted to them"
        elif values["contact_by"] == "email" and not values["email"].strip():
            errors["email"] = "Enter their email address, or choose another way to contact them"
        if values["email"].strip():
            errors.update(service.email_errors(values["email"], "email", "their email address"))
        shares = _int(form, "shares_held") if values["shares_held"].strip() else 0
        if shares is None or shares < 0:
            errors["shares_held"] = "Enter the number of shares as a whole number, like 1"
        if errors:
            return form_errors_page(
                request,
                "members/new_member.html",
                errors,
                {
                    "form": values,
                    "constitution": constitution,
                    "contact_by": CONTACT_BY,
                    "today": service.today(),
                },
            )
        assert admitted is not None
        member_id = await service.add_register_entry(
            org,
            service.NewEntry(
                name=values["name"].strip(),
                member_class=values["member_class"],
                admitted_on=admitted,
                address=values["address"].strip(),
                email=values["email"].strip().lower() or None,
                phone=values["phone"].strip(),
                contact_by=values["contact_by"],
                shares_held=shares or 0,
            ),
            actor_of(request),
        )
        row = await Member.select(Member.public_id).where(Member.id == member_id).first()
        assert row is not None
        return redirect(request, f"/o/{org.slug}/members/{row['public_id']}?added=1")

    async def _form_member(
        self, request: Request[Any, Any, Any], member_id: str
    ) -> tuple[Any, dict[str, Any]]:
        return await request.form(), await _member_or_404(request, member_id)

    async def _back(
        self,
        request: Request[Any, Any, Any],
        member: dict[str, Any],
        errors: dict[str, str],
        values: dict[str, str],
    ) -> Template:
        org = current_org(request)
        constitution = await service.constitution_of(org.organisation_id)
        roles = await RoleGrant.select(RoleGrant.role).where(
            (RoleGrant.member == member["id"]) & RoleGrant.revoked_at.is_null()
        )
        return form_errors_page(
            request,
            "members/show.html",
            errors,
            {
                "member": member,
                "roles": [ROLE_NAMES[r["role"]] for r in roles if r["role"] in ROLE_NAMES],
                "constitution": constitution,
                "is_board": True,
                "events": await service.events_of(member["id"]),
                "needs": await service.needs_of(member["id"]),
                "facts": await service.facts_of(member["id"]),
                "supporters": await service.supporters_of(member["id"]),
                "expulsion": await service.expulsion_state(member["id"]),
                "contact_words": CONTACT_BY,
                "form": values,
            },
        )

    @post("/{member_id:str}/class", name="register_change_class")
    async def change_class(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        try:
            await service.change_class(
                current_org(request), member, _text(form, "member_class"), service.today(), actor_of(request)
            )
        except MembershipError as exc:
            return await self._back(request, member, exc.errors, {})
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/contact", name="register_contact")
    async def contact(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        values = {k: _text(form, k, 1100) for k in ("address", "email", "phone", "contact_by")}
        try:
            await service.update_contact(current_org(request), member, actor=actor_of(request), **values)
        except MembershipError as exc:
            return await self._back(request, member, exc.errors, values)
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/needs", name="register_needs")
    async def needs(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        try:
            await service.set_needs(
                current_org(request),
                member["id"],
                list(form.getall("needs", [])),
                _text(form, "detail", 600),
                _text(form, "consent") == "yes",
                actor_of(request),
            )
            if "facts_shown" in form:
                await service.set_facts(
                    current_org(request),
                    member["id"],
                    list(form.getall("facts", [])),
                    _text(form, "facts_consent") == "yes",
                    actor_of(request),
                )
        except MembershipError as exc:
            return await self._back(request, member, exc.errors, {})
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/resign", name="register_resign")
    async def resign(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        if _text(form, "confirm") != "yes":
            return await self._back(
                request, member, {"confirm": "Confirm the member has given notice in writing"}, {}
            )
        try:
            await service.give_resignation(current_org(request), member, service.today(), actor_of(request))
        except MembershipError as exc:
            return await self._back(request, member, exc.errors, {})
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/cease", name="register_cease")
    async def cease(self, request: Request[Any, Any, Any], member_id: FromPath[str]) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        try:
            await service.cease_member(
                current_org(request),
                member,
                service.today(),
                _text(form, "reason"),
                _text(form, "note", 500),
                actor_of(request),
            )
        except MembershipError as exc:
            return await self._back(request, member, exc.errors, {})
        return redirect(request, f"/o/{current_org(request).slug}/members/{member_id}?changed=1")

    @post("/{member_id:str}/expulsion", name="register_expulsion")
    async def expulsion(
        self, request: Request[Any, Any, Any], member_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        form, member = await self._form_member(request, member_id)
        step = _text(form, "step")
        org = current_org(request)
        try:
            if step == "propose":
                await service.propose_expulsion(
                    org, member, _text(form, "reasons", 4000), service.today(), actor_of(request), settings
                )
            elif step == "hearing":
                await service.record_hearing(
                    org,
                    member,
                    service.today(),
                    _text(form, "how"),
                    _text(form, "statement", 4000),
                    actor_of(request),
                )
            elif step == "decide":
                votes_for, votes_cast = _int(form, "votes_for"), _int(form, "votes_cast")
                if votes_for is None or votes_cast is None:
                    raise MembershipError(
                        {"votes_for": "Enter the votes for and the votes cast as whole numbers"}
                    )
                await service.decide_expulsion(
                    org,
                    member,
                    service.today(),
                    _text(form, "decided_by"),
                    votes_for,
                    votes_cast,
                    actor_of(request),
                )
            else:
                raise NotFoundException()
        except MembershipError as exc:
            return await self._back(
                request,
                member,
                exc.errors,
                {k: _text(form, k) for k in ("reasons", "statement", "votes_for", "votes_cast")},
            )
        return redirect(request, f"/o/{org.slug}/members/{member_id}?changed=1")


# ---------------------------------------------------------------------------------------------------------
# Applications (board)
# ---------------------------------------------------------------------------------------------------------


class ApplicationController(Controller):
    path = "/o/{org_slug:str}/applications"
    guards = [requires_member, requires_board]

    @get("/", name="applications")
    async def index(
        self, request: Request[Any, Any, Any], status: FromQuery[str] = "submitted", page: FromQuery[int] = 1
    ) -> Template:
        org = current_org(request)
        if status not in STATUSES:
            status = "submitted"
        where = (MembershipApplication.organisation == org.organisation_id) & (
            MembershipApplication.status == status
        )
        query = (
            MembershipApplication.select(
                MembershipApplication.public_id,
                MembershipApplication.name,
                MembershipApplication.member_class,
                MembershipApplication.created_at,
                MembershipApplication.updated_at,
            )
            .where(where)
            .order_by(MembershipApplication.id)
        )
        applications = await paginate(
            query, total=await MembershipApplication.count().where(where), page=page
        )
        constitution = await service.constitution_of(org.organisation_id)
        return render(
            request,
            "members/applications.html",
            {
                "applications": applications,
                "status": status,
                "statuses": STATUSES,
                "constitution": constitution,
            },
            fragment="members/_applications_table.html",
        )

    @get("/{application_id:str}", name="application")
    async def show(self, request: Request[Any, Any, Any], application_id: FromPath[str]) -> Template:
        return await self._page(request, application_id)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        application_id: str,
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        template: str = "members/application.html",
    ) -> Template:
        org = current_org(request)
        application = await service.application_in_org(org, application_id)
        if application is None:
            raise NotFoundException()
        constitution = await service.constitution_of(org.organisation_id)
        context = {
            "application": application,
            "constitution": constitution,
            "statuses": STATUSES,
            "contact_by": CONTACT_BY,
            "form": form or {},
        }
        if errors:
            return form_errors_page(request, template, errors, context)
        return render(request, template, context)

    @post("/{application_id:str}", name="application_decide")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[str],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        values = {"decision": _text(form, "decision"), "message": _text(form, "message", 4000)}
        application = await service.application_in_org(org, application_id)
        if application is None:
            raise NotFoundException()
        errors: dict[str, str] = {}
        if values["decision"] not in ("admit", "more_info", "refuse"):
            errors["decision"] = "Choose what to do with this application"
        elif values["decision"] != "admit" and not values["message"].strip():
            errors["message"] = (
                "Enter the question to ask"
                if values["decision"] == "more_info"
                else "Enter the reason for refusing"
            )
        if errors:
            return await self._page(request, application_id, errors, values)
        if _text(form, "confirmed") != "yes":
            # Check before anything binding: show what will happen, then confirm.
            return await self._page(request, application_id, None, values, "members/application_check.html")
        try:
            await service.decide_application(
                org, application, values["decision"], values["message"], actor_of(request), settings
            )
        except MembershipError as exc:
            return await self._page(request, application_id, exc.errors, values)
        return redirect(request, f"/o/{org.slug}/applications/{application_id}?decided=1")


# ---------------------------------------------------------------------------------------------------------
# Invitations (board) and invitation links (public)
# ---------------------------------------------------------------------------------------------------------


class InvitationAdminController(Controller):
    path = "/o/{org_slug:str}/invitations"
    guards = [requires_member, requires_board]

    async def _page(
        self,
        request: Request[Any, Any, Any],
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        page: int = 1,
    ) -> Template:
        org = current_org(request)
        where = MemberInvitation.organisation == org.organisation_id
        query = (
            MemberInvitation.select(
                MemberInvitation.public_id,
                MemberInvitation.name,
                MemberInvitation.email,
                MemberInvitation.member_class,
                MemberInvitation.created_at,
                MemberInvitation.expires_at,
                MemberInvitation.used_at,
                MemberInvitation.revoked_at,
            )
            .where(where)
            .order_by(MemberInvitation.id, ascending=False)
        )
        invitations = await paginate(query, total=await MemberInvitation.count().where(where), page=page)
        context = {
            "invitations": invitations,
            "constitution": await service.constitution_of(org.organisation_id),
            "form": form or {},
            "now": service.now(),
        }
        if errors:
            return form_errors_page(request, "members/invitations.html", errors, context)
        return render(request, "members/invitations.html", context)

    @get("/", name="invitations")
    async def index(self, request: Request[Any, Any, Any], page: FromQuery[int] = 1) -> Template:
        return await self._page(request, page=page)

    @post("/", name="invitations_post")
    async def create(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        form = await request.form()
        values = {k: _text(form, k, 400) for k in ("name", "email", "member_class")}
        try:
            await service.invite(
                current_org(request),
                values["name"],
                values["email"],
                values["member_class"],
                actor_of(request),
                settings,
            )
        except MembershipError as exc:
            return await self._page(request, exc.errors, values)
        return redirect(request, f"/o/{current_org(request).slug}/invitations?sent=1")

    @post("/{invitation_id:str}/revoke", name="invitation_revoke")
    async def revoke(self, request: Request[Any, Any, Any], invitation_id: FromPath[str]) -> Response[Any]:
        if not await service.revoke_invitation(current_org(request), invitation_id, actor_of(request)):
            raise NotFoundException()
        return redirect(request, f"/o/{current_org(request).slug}/invitations?revoked=1")


class InvitationController(Controller):
    path = "/invitations"

    @route(
        "/{token:str}",
        http_method=[HttpMethod.GET, HttpMethod.POST],
        opt=PUBLIC,
        name="invitation",
        media_type=MediaType.HTML,  # found by the browser journey: without it the page came as plain text
    )
    async def invitation(
        self, request: Request[Any, Any, Any], token: FromPath[str], settings: NamedDependency[Settings]
    ) -> Any:
        """An invitation link (public: the link is the credential): show it, or accept it."""
        if request.method == HttpMethod.POST:
            return await self.accept(request, token, settings)
        return await self.show(request, token)

    async def show(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        invitation = await service.valid_invitation(token)
        return await self._page(request, token, invitation)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        token: str,
        invitation: dict[str, Any] | None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        current = request.scope.get("user")
        has_account = False
        if invitation is not None:
            has_account = await Person.exists().where(
                (Person.email == invitation["email"]) & Person.password_hash.is_not_null()
            )
        context = {
            "invitation": invitation,
            "token": token,
            "has_account": has_account,
            "signed_in_as_invitee": isinstance(current, CurrentSession)
            and invitation is not None
            and current.email == invitation["email"],
            "min_length": MIN_LENGTH,
        }
        if errors:
            return form_errors_page(request, "members/invitation.html", errors, context)
        return render(request, "members/invitation.html", context)

    async def accept(
        self, request: Request[Any, Any, Any], token: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        invitation = await service.valid_invitation(token)
        if invitation is None:
            return await self._page(request, token, None)
        form = await request.form()
        current = request.scope.get("user")
        try:
            if isinstance(current, CurrentSession) and current.email == invitation["email"]:
                await service.accept_invitation(invitation, current.person_id, actor_of(request))
                return redirect(request, f"/o/{invitation['org_slug']}/me?welcome=1")
            person = (
                await Person.select(Person.id, Person.password_hash)
                .where(Person.email == invitation["email"])
                .first()
            )
            if person is not None and person["password_hash"] is not None:
                # They already have an account: sign in first, then come back to this link.
                return redirect(request, f"/sign-in?next=/invitations/{token}")
            password = _text(form, "password", 1100)
            problem = password_problem(
                password, context_words=(invitation["email"].split("@")[0], invitation["name"])
            )
            if problem:
                raise MembershipError({"password": problem})
            if person is None:
                person_id = await create_person(
                    invitation["email"], invitation["name"], password, settings=settings
                )
            else:
                from coop.accounts.passwords import hash_password, hasher_for

                person_id = person["id"]
                await Person.update(
                    {Person.password_hash: await hash_password(hasher_for(settings), password)}
                ).where((Person.id == person_id) & Person.password_hash.is_null())
            await service.accept_invitation(invitation, person_id, actor_of(request))
        except MembershipError as exc:
            return await self._page(request, token, invitation, exc.errors)
        return redirect(request, f"/sign-in?next=/o/{invitation['org_slug']}/me&joined=1")


# ---------------------------------------------------------------------------------------------------------
# Joining (public)
# ---------------------------------------------------------------------------------------------------------


async def _public_org(slug: str) -> dict[str, Any]:
    row = (
        await Organisation.select(Organisation.id, Organisation.slug, Organisation.name)
        .where(Organisation.slug == slug)
        .first()
    )
    if row is None:
        raise NotFoundException()
    return row


class JoinController(Controller):
    path = "/o/{org_slug:str}/join"

    @route(
        ["/", "/{class_key:str}", "/{class_key:str}/send", "/reply/{token:str}"],
        http_method=[HttpMethod.GET, HttpMethod.POST],
        opt=PUBLIC,
        name="join",
        media_type=MediaType.HTML,  # redirects and templates alike; without it Litestar assumes JSON
    )
    async def join(self, request: Request[Any, Any, Any], org_slug: FromPath[str]) -> Any:
        """Every public joining page, in one public handler: the classes, a class's form, check answers,
        sending, and the one-time link to answer the board's question."""
        post = request.method == HttpMethod.POST
        token = request.path_params.get("token")
        class_key = request.path_params.get("class_key")
        if token is not None:
            return await (self.reply if post else self.reply_form)(request, org_slug, token)
        if class_key is None:
            if post:
                raise MethodNotAllowedException()
            return await self.index(request, org_slug)
        if request.url.path.rstrip("/").endswith("/send"):
            if not post:
                raise MethodNotAllowedException()
            return await self.send(request, org_slug, class_key)
        return await (self.check if post else self.show)(request, org_slug, class_key)

    async def index(self, request: Request[Any, Any, Any], org_slug: FromPath[str]) -> Template:
        organisation = await _public_org(org_slug)
        constitution = await service.constitution_of(organisation["id"])
        return render(
            request, "members/join.html", {"organisation": organisation, "constitution": constitution}
        )

    async def _class(self, org_slug: str, class_key: str) -> tuple[dict[str, Any], Any, Any]:
        organisation = await _public_org(org_slug)
        constitution = await service.constitution_of(organisation["id"])
        member_class = constitution.member_class(class_key)
        if member_class is None:
            raise NotFoundException()
        return organisation, constitution, member_class

    def _form(self, form: Any, member_class: Any) -> service.ApplicationForm:
        answers = tuple(
            {"yes": True, "no": False}.get(_text(form, f"answer_{i}"))
            for i in range(len(member_class.eligibility_questions))
        )
        return service.ApplicationForm(
            name=_text(form, "name", 300),
            email=_text(form, "email", 400),
            address=_text(form, "address", 1100),
            contact_by=_text(form, "contact_by"),
            answers=answers,
            about=_text(form, "about", 4100),
        )

    def _context(
        self, organisation: dict[str, Any], member_class: Any, form: service.ApplicationForm | None
    ) -> dict[str, Any]:
        return {
            "organisation": organisation,
            "member_class": member_class,
            "form": form,
            "contact_by": CONTACT_BY,
        }

    async def show(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], class_key: FromPath[str]
    ) -> Template:
        organisation, _, member_class = await self._class(org_slug, class_key)
        return render(request, "members/join_form.html", self._context(organisation, member_class, None))

    async def check(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], class_key: FromPath[str]
    ) -> Template:
        """Check the answers; if they are complete, show them back before anything is sent."""
        organisation, constitution, member_class = await self._class(org_slug, class_key)
        data = self._form(await request.form(), member_class)
        context = self._context(organisation, member_class, data)
        if _text(await request.form(), "change") == "yes":
            return render(request, "members/join_form.html", context)
        errors = service.application_errors(constitution, class_key, data)
        if errors:
            return form_errors_page(request, "members/join_form.html", errors, context)
        return render(request, "members/join_check.html", context)

    async def send(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], class_key: FromPath[str]
    ) -> Template:
        organisation, constitution, member_class = await self._class(org_slug, class_key)
        data = self._form(await request.form(), member_class)
        errors = service.application_errors(constitution, class_key, data)
        if errors:
            return form_errors_page(
                request, "members/join_form.html", errors, self._context(organisation, member_class, data)
            )
        await service.submit_application(organisation["id"], class_key, data, constitution, actor_of(request))
        return render(
            request,
            "members/join_sent.html",
            {"organisation": organisation, "member_class": member_class, "email": data.email.strip()},
        )

    async def reply_form(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], token: FromPath[str]
    ) -> Template:
        application = await service.application_for_reply(org_slug, token)
        return render(
            request, "members/join_reply.html", {"application": application, "token": token, "slug": org_slug}
        )

    async def reply(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], token: FromPath[str]
    ) -> Template:
        application = await service.application_for_reply(org_slug, token)
        context = {"application": application, "token": token, "slug": org_slug}
        if application is None:
            return render(request, "members/join_reply.html", context)
        reply = _text(await request.form(), "reply", 4100)
        if not reply.strip() or len(reply) > 4000:
            message = (
                "Enter your answer" if not reply.strip() else "Your answer must be 4000 characters or fewer"
            )
            return form_errors_page(
                request, "members/join_reply.html", {"reply": message}, {**context, "reply": reply}
            )
        await service.reply_to_application(application, reply, actor_of(request))
        return render(request, "members/join_reply.html", {**context, "sent": True})


# ---------------------------------------------------------------------------------------------------------
# A member's own page, and the same pages for their supporter (assisted)
# ---------------------------------------------------------------------------------------------------------


async def requires_supporter(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    session = current_session(connection)
    org = await service.supporting_context(
        str(connection.path_params.get("org_slug", "")),
        str(connection.path_params.get("member_id", "")),
        session.person_id,
    )
    if org is None:
        raise NotFoundException()
    state = connection.scope.setdefault("state", {})
    state["org"] = org
    state["assisted_by"] = session.person_id


def _assisted_by(request: Request[Any, Any, Any]) -> int | None:
    return request.scope.get("state", {}).get("assisted_by")


def _base(request: Request[Any, Any, Any]) -> str:
    org = current_org(request)
    if _assisted_by(request) is not None:
        return f"/o/{org.slug}/supporting/{org.member_public_id}"
    return f"/o/{org.slug}/me"


async def _open_votes(organisation_id: int, member_id: int) -> list[dict[str, Any]]:
    """Open votes with this member on the roll, and whether they have voted (a supporter sees the same)."""
    return await open_votes_for(organisation_id, member_id, datetime.now(UTC))


class MyMembershipController(Controller):
    path = "/o/{org_slug:str}/me"
    guards = [requires_member]

    async def _context(self, request: Request[Any, Any, Any], **extra: Any) -> dict[str, Any]:
        org = current_org(request)
        member = await Member.select().where(Member.id == org.member_id).first()
        assert member is not None
        constitution = await service.constitution_of(org.organisation_id)
        others = (
            await Member.select(Member.public_id, Member.name)
            .where(
                (Member.organisation == org.organisation_id)
                & register.current_on(service.today())
                & (Member.id != org.member_id)
            )
            .order_by(Member.name)
            .limit(200)
        )
        current = request.scope.get("user")
        votes_base = f"{_base(request)}/votes" if _assisted_by(request) else f"/o/{org.slug}/votes"
        return {
            "member": member,
            "votes_base": votes_base,
            "open_votes": await _open_votes(org.organisation_id, org.member_id),
            "constitution": constitution,
            "base": _base(request),
            "assisted": _assisted_by(request) is not None,
            "needs": await service.needs_of(org.member_id),
            "facts": await service.facts_of(org.member_id),
            "supporters": await service.supporters_of(org.member_id),
            "proxies": await service.proxies_of(org.member_id),
            "held": await service.proxies_held_by(org.member_id),
            "supporting": await service.supported_by(current.person_id)
            if isinstance(current, CurrentSession) and _assisted_by(request) is None
            else [],
            "others": others,
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
        data = await service.personal_data(org, org.member_id)
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
        data = await service.personal_data(org, org.member_id)
        return render(request, "members/my_data.html", {"data": data, "base": _base(request)})

    async def _errors(
        self, request: Request[Any, Any, Any], template: str, errors: dict[str, str], form: dict[str, Any]
    ) -> Template:
        return form_errors_page(request, template, errors, await self._context(request, form=form))

    @get("/contact", name=None)
    async def contact_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "members/me_contact.html", await self._context(request))

    @post("/contact", name=None)
    async def contact(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        values = {k: _text(form, k, 1100) for k in ("address", "email", "phone", "contact_by")}
        member = await Member.select().where(Member.id == org.member_id).first()
        values_needs = list(form.getall("needs", []))
        try:
            await service.update_contact(
                org, member or {}, actor=actor_of(request), assisted_by=_assisted_by(request), **values
            )
            await service.set_needs(
                org,
                org.member_id,
                values_needs,
                _text(form, "detail", 600),
                _text(form, "consent") == "yes",
                actor_of(request),
                assisted_by=_assisted_by(request),
            )
        except MembershipError as exc:
            return await self._errors(
                request,
                "members/me_contact.html",
                exc.errors,
                {**values, "needs": values_needs, "detail": _text(form, "detail", 600)},
            )
        return redirect(request, f"{_base(request)}?saved=contact")

    @get("/about-you", name=None)
    async def facts_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "members/me_facts.html", await self._context(request))

    @post("/about-you", name=None)
    async def facts(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        facts = list(form.getall("facts", []))
        try:
            await service.set_facts(
                org,
                org.member_id,
                facts,
                _text(form, "consent") == "yes",
                actor_of(request),
                assisted_by=_assisted_by(request),
            )
        except MembershipError as exc:
            return await self._errors(request, "members/me_facts.html", exc.errors, {"facts": facts})
        return redirect(request, f"{_base(request)}?saved=about")

    @post("/supporters", name=None)
    async def add_supporter(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        org = current_org(request)
        if _assisted_by(request) is not None:
            raise NotFoundException()  # only the member names their supporters
        form = await request.form()
        values = {
            "supporter_name": _text(form, "supporter_name", 300),
            "supporter_email": _text(form, "supporter_email", 400),
        }
        try:
            await service.add_supporter(
                org,
                org.member_id,
                values["supporter_name"],
                values["supporter_email"],
                actor_of(request),
                settings,
            )
        except MembershipError as exc:
            return await self._errors(request, "members/me.html", exc.errors, values)
        return redirect(request, f"{_base(request)}?saved=supporter")

    @post("/supporters/{supporter_id:int}/end", name=None)
    async def end_supporter(
        self, request: Request[Any, Any, Any], supporter_id: FromPath[int]
    ) -> Response[Any]:
        org = current_org(request)
        if not await service.end_supporter(org, org.member_id, supporter_id, actor_of(request)):
            raise NotFoundException()
        return redirect(request, f"{_base(request)}?saved=supporter_ended")

    @get("/proxies", name=None)
    async def proxy_form(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "members/me_proxy.html", await self._context(request))

    @post("/proxies", name=None)
    async def appoint_proxy(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        values = {
            k: _text(form, k, 4100)
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
        data = service.ProxyForm(
            proxy=values["proxy"],
            other_name=values["other_name"],
            other_email=values["other_email"],
            scope=values["scope"],
            meeting_name=values["meeting_name"],
            meeting_starts_at=starts,
            instructions=values["instructions"],
        )
        try:
            await service.appoint_proxy(
                org, org.member_id, data, actor_of(request), assisted_by=_assisted_by(request)
            )
        except MembershipError as exc:
            return await self._errors(request, "members/me_proxy.html", exc.errors, values)
        return redirect(request, f"{_base(request)}?saved=proxy")

    @post("/proxies/{proxy_id:str}/revoke", name=None)
    async def revoke_proxy(self, request: Request[Any, Any, Any], proxy_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        if not await service.revoke_proxy(org, org.member_id, proxy_id, actor_of(request)):
            raise NotFoundException()
        return redirect(request, f"{_base(request)}?saved=proxy_revoked")

    async def _leave_context(self, request: Request[Any, Any, Any], search: str) -> dict[str, Any]:
        org = current_org(request)
        constitution = await service.constitution_of(org.organisation_id)
        from governance.membership import resignation_takes_effect

        return await self._context(
            request,
            takes_effect=resignation_takes_effect(constitution, service.today()),
            **await roles.handover_context(org.organisation_id, org.member_id, search),
        )

    @get("/leave", name=None)
    async def leave_form(self, request: Request[Any, Any, Any], search: FromQuery[str] = "") -> Template:
        return render(request, "members/me_leave.html", await self._leave_context(request, search))

    @post("/leave", name=None)
    async def leave(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        search, successor = _text(form, "search", 100), _text(form, "successor", 100) or None
        errors = (
            {}
            if _text(form, "confirm") == "yes"
            else {"confirm": "Tick the box to confirm you want to leave"}
        )
        member = await Member.select().where(Member.id == org.member_id).first()
        assert member is not None
        try:
            if errors:
                raise MembershipError(errors)
            effective = await service.give_resignation(
                org,
                member,
                service.today(),
                actor_of(request),
                assisted_by=_assisted_by(request),
                themselves=True,
                successor=successor,
            )
        except MembershipError as exc:
            context = await self._leave_context(request, search)
            return form_errors_page(
                request, "members/me_leave.html", exc.errors, {**context, "form": {"successor": successor}}
            )
        if effective <= service.today():
            return redirect(request, "/?left=1")
        return redirect(request, f"{_base(request)}?saved=leaving")


class SupportingController(MyMembershipController):
    path = "/o/{org_slug:str}/supporting/{member_id:str}"
    guards = [requires_supporter]
