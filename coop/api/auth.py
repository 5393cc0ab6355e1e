"""Who may reach an API route: a live bearer token for the organisation in the URL, within its limit.

Session cookies are never read under /api/ (`coop.security`), so there is no ambient authority for a
cross-site request to borrow, and so no CSRF token. Missing, revoked or expired token: 401. A token for
another organisation, or an owner who is no longer a member: 404, as the pages answer. A read-only token
on a write, or an owner without the route's roles now: 403. Over the per-minute limit: 429.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
)
from litestar.handlers.base import BaseRouteHandler

from coop.api import tokens
from coop.api.problems import ApiProblem
from coop.api.tokens import ApiCaller
from coop.audit.service import Actor
from coop.settings import Settings

WRITE = "api_write"
ROLES = "api_roles"


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def requires_token(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    found = await tokens.authenticate(bearer_token(connection))
    if found is None:
        raise NotAuthorizedException()
    settings: Settings = connection.app.state.settings
    limited = await tokens.count_request(found[0], settings.api_requests_per_minute)
    if limited is not None:
        raise TooManyRequestsException(headers={"Retry-After": str(limited.retry_after)})
    caller = await tokens.caller_in(found, str(connection.path_params.get("org_slug", "")))
    if caller is None:
        raise NotFoundException()
    if handler.opt.get(WRITE) and not caller.can_write:
        raise ApiProblem("This token is read only. Make a read-and-write token to do this.", status_code=403)
    roles: tuple[str, ...] = handler.opt.get(ROLES, ())
    if roles and not caller.org.has_any(*roles):
        raise PermissionDeniedException()
    connection.scope.setdefault("state", {})["api_caller"] = caller
    connection.scope.setdefault("state", {})["org"] = caller.org


def api_caller(connection: ASGIConnection[Any, Any, Any, Any]) -> ApiCaller:
    caller = connection.scope.get("state", {}).get("api_caller")
    if not isinstance(caller, ApiCaller):
        raise NotAuthorizedException()
    return caller


def api_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    state = connection.scope.get("state", {})
    return Actor(person_id=api_caller(connection).person_id, request_id=str(state.get("request_id", "")))
