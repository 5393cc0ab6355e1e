"""Route guards: who may reach a route. Every handler has one, or is on the short public list.

Organisation routes find the organisation from the URL and check the signed-in person's membership;
anything else is a 404, so nobody can learn whether another organisation or its records exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from coop.accounts.service import CurrentSession
from coop.organisations.service import MEMBERSHIP_STATE, OrgContext, org_context
from coop.web import redirect


def current_session(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentSession:
    user = connection.scope.get("user")
    if not isinstance(user, CurrentSession):
        raise NotAuthorizedException()
    return user


def confirm_password_first(request: Request[Any, Any, Any], back: str) -> Response[Any] | None:
    """Approving money needs a password given in the last 15 minutes (ASVS 7.5.3); if it is older, the
    redirect to give it again, coming back to `back` (a page, so nothing typed is lost); else None."""
    if current_session(request).signed_in_recently():
        return None
    return redirect(request, f"/account/confirm-password?{urlencode({'next': back})}")


def current_org(connection: ASGIConnection[Any, Any, Any, Any]) -> OrgContext:
    org = connection.scope.get("state", {}).get("org")
    if not isinstance(org, OrgContext):
        raise NotFoundException()
    return org


async def requires_sign_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    current_session(connection)


async def requires_member(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    session = current_session(connection)
    slug = str(connection.path_params.get("org_slug", ""))
    # Read with the session for this request's path (coop.security), else looked up now.
    read = connection.scope.get("state", {}).get(MEMBERSHIP_STATE)
    if read is not None and read[0] == slug:
        org = read[1]
    else:
        org = await org_context(slug, session.person_id)
    if org is None:
        raise NotFoundException()
    connection.scope.setdefault("state", {})["org"] = org


def requires_role(*roles: str) -> Guard:
    """Allow members holding any of `roles` in the organisation (after `requires_member`)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not current_org(connection).has_any(*roles):
            raise PermissionDeniedException()

    guard.__name__ = f"requires_role({', '.join(roles)})"
    return guard


async def requires_site_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not current_session(connection).is_site_admin:
        raise NotFoundException()
