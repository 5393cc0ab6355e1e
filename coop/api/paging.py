"""Keyset (cursor) pagination for API lists: stable order by id, an opaque cursor, a capped page size.

A cursor is the last id of a page, wrapped so clients treat it as opaque (the wrapping may change; the
promise is only that passing `next` back gives the following page). Unlike page numbers, a row added or
removed meanwhile never makes a page repeat or skip a row, and each page is one indexed range query.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Generic, TypeVar

from msgspec import Struct
from piccolo.columns import Column
from piccolo.query import Select

from coop.api.problems import ApiProblem

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
_PREFIX = "c1."
_KEY_PREFIX = "k1."

T = TypeVar("T")


class PageOf(Struct, Generic[T]):
    items: list[T]
    next: str | None = None
    """Pass as `cursor` to get the next page; null on the last page."""


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id after which the page starts (0: from the beginning). A cursor we did not make is a 400."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith(_PREFIX) and text[len(_PREFIX) :].isdigit() and len(text) < 24:
            return int(text[len(_PREFIX) :])
    except (ValueError, UnicodeDecodeError):
        pass
    raise not_our_cursor()


def encode_key_cursor(last_key: str) -> str:
    """A cursor for a list in the order of a text key (a board's trackers), not of ids."""
    return base64.urlsafe_b64encode(f"{_KEY_PREFIX}{last_key}".encode()).decode().rstrip("=")


def decode_key_cursor(cursor: str | None) -> str:
    """The key after which the page starts ("": from the beginning). A cursor we did not make is a 400."""
    if not cursor:
        return ""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        key = text[len(_KEY_PREFIX) :]
        if text.startswith(_KEY_PREFIX) and key.isascii() and key.isalnum() and len(key) <= 40:
            return key
    except (ValueError, UnicodeDecodeError):
        pass
    raise not_our_cursor()


def not_our_cursor() -> ApiProblem:
    return ApiProblem(
        "The cursor is not one this API gave out. Start again without it.",
        status_code=400,
        errors={"cursor": "Use the `next` value from the previous page, unchanged"},
    )


def day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def in_id_range(value: int) -> bool:
    """Ids the database can hold; any other is simply not found (404), never a database error."""
    return 1 <= value < 2**31  # PostgreSQL serial ids are 32-bit


def check_dates(since: date | None, until: date | None) -> None:
    if since and until and since > until:
        raise ApiProblem(
            "The date range is back to front.",
            status_code=400,
            errors={"since": "This must be the same as or before `until`"},
        )


async def keyset(
    query: Select[Any], id_column: Column, *, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of `query` in id order after `cursor`: the rows and the next cursor (None at the end)."""
    after = decode_cursor(cursor)
    size = max(1, min(limit, MAX_LIMIT))
    rows: Sequence[dict[str, Any]] = await query.where(id_column > after).order_by(id_column).limit(size + 1)
    items = list(rows[:size])
    more = len(rows) > size
    return items, encode_cursor(int(items[-1][id_column._meta.name])) if more and items else None
