"""The acting person of a request: who the audit log says did what (`Actor`), read from the session."""

from __future__ import annotations

from typing import Any

from litestar import Request

from coop.accounts.service import CurrentSession
from coop.audit.service import Actor


def actor_of(request: Request[Any, Any, Any]) -> Actor:
    """The signed-in person (or nobody, for a public form) and the request's id, for audit entries."""
    user = request.scope.get("user")
    person_id = user.person_id if isinstance(user, CurrentSession) else None
    return Actor(person_id=person_id, request_id=request.scope.get("state", {}).get("request_id", ""))
