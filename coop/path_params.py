"""One check for every path parameter of every route, before guards and handlers see it.

Litestar turns `{vote_id:int}` into a Python int of any size, and `{pool_id:str}` into any text, NUL bytes
included. Neither database can take every such value (SQLite raises OverflowError beyond 64 bits;
PostgreSQL refuses NUL in text), so values no row could have are answered here, once, as "Page not found".
"""

from __future__ import annotations

from pathlib import PurePath

from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Receive, Scope, Send

ID_MIN = 1
"""Row ids are positive: every table's id is a serial starting at 1."""
ID_MAX = 2**31 - 1
"""Every table's id is a Piccolo Serial, 32-bit on PostgreSQL: a larger id names no row, and sent to
PostgreSQL as a query parameter it would overflow (a 500) instead of finding nothing."""
TEXT_MAX_CHARS = 200
"""Longer than any slug, public id, token or static file path coop makes."""


def path_value_is_possible(value: object) -> bool:
    """Whether a parsed path parameter could name something: an id in range, or short printable text."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return ID_MIN <= value <= ID_MAX
    if isinstance(value, str | PurePath):
        text = str(value)
        return len(text) <= TEXT_MAX_CHARS and text.isprintable()
    return False  # coop declares only int, str and path parameters


class PathParamsMiddleware:
    """Answers 404 when any path parameter is a value no row could have (registered in create_app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = scope.get("path_params") or {}
        if not all(path_value_is_possible(value) for value in params.values()):
            raise NotFoundException()
        await self.app(scope, receive, send)
