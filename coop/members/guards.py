"""Who may reach membership routes: the board, and a signed-in supporter helping the member they support
(the member's context is then set up as if they were acting, with the supporter recorded as assisting)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler

from coop.guards import current_session, requires_role
from coop.members import supporters
from coop.members.words import BOARD_ROLES

PUBLIC = {"public": True}
requires_board = requires_role(*BOARD_ROLES)


async def requires_supporter(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    session = current_session(connection)
    org = await supporters.supporting_context(
        str(connection.path_params.get("org_slug", "")),
        str(connection.path_params.get("member_id", "")),
        session.person_id,
    )
    if org is None:
        raise NotFoundException()
    state = connection.scope.setdefault("state", {})
    state["org"] = org
    state["assisted_by"] = session.person_id
