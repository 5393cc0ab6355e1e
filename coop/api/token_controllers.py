"""HTTP for personal API tokens on the account page: list, make (shown once) and revoke."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template
from msgspec import Struct

from coop.actor import actor_of
from coop.api import tokens
from coop.guards import current_session, requires_sign_in
from coop.organisations.service import organisations_of
from coop.web import redirect, render

PAGE = "accounts/api_tokens.html"


class NewTokenForm(Struct):
    name: str = ""
    organisation: str = ""
    access: str = "read"
    lifetime: str = "90"


async def _page(
    request: Request[Any, Any, Any],
    *,
    form: NewTokenForm | None = None,
    errors: dict[str, str] | None = None,
    new_token: str | None = None,
) -> Template:
    person_id = current_session(request).person_id
    context = {
        "tokens": await tokens.tokens_of(person_id),
        "organisations": await organisations_of(person_id),
        "lifetimes": tokens.LIFETIMES_DAYS,
        "form": form or NewTokenForm(),
        "errors": errors or {},
        "new_token": new_token,
    }
    return render(request, PAGE, context, status_code=422 if errors else 200)


class ApiTokenController(Controller):
    path = "/account/api-tokens"
    guards = [requires_sign_in]

    @get("/", name="api_tokens")
    async def show(self, request: Request[Any, Any, Any]) -> Template:
        return await _page(request)

    @post("/", name="api_tokens_post")
    async def create(self, request: Request[Any, Any, Any], data: URLEncodedBody[NewTokenForm]) -> Template:
        person_id = current_session(request).person_id
        new = tokens.NewToken(
            name=data.name,
            organisation_slug=data.organisation,
            can_write=data.access == "write",
            lifetime_days=int(data.lifetime) if data.lifetime.isdigit() and len(data.lifetime) < 5 else 0,
        )
        slugs = {str(row["slug"]) for row in await organisations_of(person_id)}
        errors = tokens.new_token_problems(new, slugs)
        if data.access not in {"read", "write"}:
            errors["access"] = "Select what the token may do"
        if errors:
            return await _page(request, form=data, errors=errors)
        token = await tokens.create_token(person_id, new, actor_of(request))
        return await _page(request, new_token=token)

    @post("/{token_id:int}/revoke", name="api_token_revoke")
    async def revoke(self, request: Request[Any, Any, Any], token_id: FromPath[int]) -> Response[Any]:
        await tokens.revoke_token(current_session(request).person_id, token_id, actor_of(request))
        return redirect(request, "/account/api-tokens")
