"""HTTP for invitations: the board's list and sending, and the public invitation link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, HttpMethod, MediaType, Request, Response, get, post, route
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop import clock
from coop.accounts.passwords import MIN_LENGTH
from coop.accounts.service import CurrentSession
from coop.actor import actor_of
from coop.errors import form_page, on_refusal
from coop.form_values import form_text
from coop.guards import current_org, requires_member
from coop.members import (
    invitations,
)
from coop.members.guards import requires_board
from coop.organisations.service import constitution_of
from coop.settings import Settings
from coop.web import redirect, render


class InvitationAdminController(Controller):
    path = "/o/{org_slug:str}/invitations"
    guards = [requires_member, requires_board]

    async def _context(
        self, request: Request[Any, Any, Any], form: dict[str, str] | None = None, page: int = 1
    ) -> dict[str, Any]:
        org = current_org(request)
        return {
            "invitations": await invitations.invitations_page(org.organisation_id, page),
            "constitution": await constitution_of(org.organisation_id),
            "form": form or {},
            "now": clock.now(),
        }

    @get("/", name="invitations")
    async def index(self, request: Request[Any, Any, Any], page: FromQuery[int] = 1) -> Template:
        return render(request, "members/invitations.html", await self._context(request, page=page))

    @post("/", name="invitations_post", opt=form_page("members/invitations.html"))
    async def create(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        form = await request.form()
        values = {k: form_text(form, k, 400) for k in ("name", "email", "member_class")}

        async def load() -> dict[str, Any]:
            # The list again (coop.web shows it, with the errors); its page of invitations is read only
            # when the invitation is refused.
            return await self._context(request, values)

        async with on_refusal(request, load):
            await invitations.invite(
                current_org(request),
                values["name"],
                values["email"],
                values["member_class"],
                actor_of(request),
                settings,
            )
        return redirect(request, f"/o/{current_org(request).slug}/invitations?sent=1")

    @post("/{invitation_id:str}/revoke", name="invitation_revoke")
    async def revoke(self, request: Request[Any, Any, Any], invitation_id: FromPath[str]) -> Response[Any]:
        if not await invitations.revoke_invitation(current_org(request), invitation_id, actor_of(request)):
            raise NotFoundException()
        return redirect(request, f"/o/{current_org(request).slug}/invitations?revoked=1")


class InvitationController(Controller):
    path = "/invitations"

    @route(
        "/{token:str}",
        http_method=[HttpMethod.GET, HttpMethod.POST],
        opt=form_page("members/invitation.html", public=True),
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
        invitation = await invitations.valid_invitation(token)
        return await self._page(request, token, invitation)

    async def _page(
        self, request: Request[Any, Any, Any], token: str, invitation: dict[str, Any] | None
    ) -> Template:
        return render(request, "members/invitation.html", await self._context(request, token, invitation))

    async def _context(
        self, request: Request[Any, Any, Any], token: str, invitation: dict[str, Any] | None
    ) -> dict[str, Any]:
        current = request.scope.get("user")
        has_account = invitation is not None and await invitations.invitee_has_account(invitation)
        return {
            "invitation": invitation,
            "token": token,
            "has_account": has_account,
            "signed_in_as_invitee": isinstance(current, CurrentSession)
            and invitation is not None
            and current.email == invitation["email"],
            "min_length": MIN_LENGTH,
        }

    async def accept(
        self, request: Request[Any, Any, Any], token: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        invitation = await invitations.valid_invitation(token)
        if invitation is None:
            return await self._page(request, token, None)
        form = await request.form()
        current = request.scope.get("user")

        async def load() -> dict[str, Any]:
            return await self._context(request, token, invitation)

        async with on_refusal(request, load):
            if isinstance(current, CurrentSession) and current.email == invitation["email"]:
                await invitations.accept_invitation(invitation, current.person_id, actor_of(request))
                return redirect(request, f"/o/{invitation['org_slug']}/me?welcome=1")
            password = form_text(form, "password", 1100, strip=False)
            if not await invitations.accept_with_new_password(
                invitation, password, actor_of(request), settings
            ):
                # They already have an account: sign in first, then come back to this link.
                return redirect(request, f"/sign-in?next=/invitations/{token}")
        return redirect(request, f"/sign-in?next=/o/{invitation['org_slug']}/me&joined=1")
