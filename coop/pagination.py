"""Every list is paged: a page of rows plus what the pagination links need."""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns import BigInt, Column, Integer, Serial
from piccolo.query import Select
from piccolo.table import Table

MAX_PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    number: int
    per_page: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.last


async def paginate(query: Select[Any], *, total: int, page: int, per_page: int = MAX_PER_PAGE) -> Page:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    last = max(1, -(-total // per_page))
    number = min(max(1, page), last)
    items = await query.limit(per_page).offset((number - 1) * per_page)
    return Page(items=items, number=number, per_page=per_page, total=total)


# ---------------------------------------------------------------------------------------------------------
# Keyset pages: the next page starts after the last key shown (an index seek), never OFFSET rows
# counted and thrown away, so the last page of 100,000 costs what the first does.
# ---------------------------------------------------------------------------------------------------------

Key = tuple[int | str, ...]
MAX_KEY_INT = 2**62  # larger ids cannot exist, and SQLite cannot bind them (OverflowError)


def encode_key(key: Key) -> str:
    """A page position for a link: the key of the row next to it, compact and URL-safe."""
    return urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_key(value: str, shape: tuple[type, ...]) -> Key | None:
    """The key a link carries, or None when it is missing, damaged or not of the expected shape."""
    if not value or len(value) > 1000:
        return None
    try:
        key = json.loads(urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(key, list) or len(key) != len(shape):
        return None
    for part, kind in zip(key, shape, strict=True):
        if type(part) is not kind or (isinstance(part, int) and not -MAX_KEY_INT < part < MAX_KEY_INT):
            return None
    return tuple(key)


@dataclass(frozen=True, slots=True)
class KeysetPage:
    """A page of rows in key order. `after`/`before` are the link positions for the next and previous
    pages (None when there is none); `total` is how many rows match in all."""

    items: list[dict[str, Any]]
    per_page: int
    total: int
    after: str | None
    before: str | None
    first: bool
    last: bool

    @property
    def has_previous(self) -> bool:
        return self.before is not None

    @property
    def has_next(self) -> bool:
        return self.after is not None


def _beyond(columns: Sequence[Column], key: Key, forwards: bool) -> Any:
    """Rows strictly after (or before) `key` in the order of `columns` (one or two columns). The leading
    column's bound comes first on its own so the database can seek the index to it."""
    first, value = columns[0], key[0]
    if len(columns) == 1:
        return first > value if forwards else first < value
    second, tie = columns[1], key[1]
    if forwards:
        return (first >= value) & ((first > value) | (second > tie))
    return (first <= value) & ((first < value) | (second < tie))


async def _rows(
    query: Callable[[], Select[Any]] | RawQuery,
    columns: Sequence[Column],
    bound: Key | None,
    forwards: bool,
    limit: int,
    descending: bool = False,
) -> list[dict[str, Any]]:
    ascending = forwards != descending  # a descending list reads the index backwards to go forwards
    if isinstance(query, RawQuery):
        return await _raw_rows(query, columns, bound, ascending, limit)
    ordered = query().order_by(*columns, ascending=ascending).limit(limit)
    return await (ordered.where(_beyond(columns, bound, ascending)) if bound is not None else ordered)


@dataclass(frozen=True, slots=True)
class RawQuery:
    """A hand-written keyset query for a hot page, where Piccolo building the select costs more than the
    database running it (the pool's "add a person" list: about 0.9 ms a build). `select` is the SELECT
    and FROM of one table (rows keyed by plain column names), `where` its condition, both with Piccolo's
    {} placeholders for `values`; `keyset_page` adds the bound, the order and the limit."""

    table: type[Table]
    select: str
    where: str
    values: tuple[Any, ...]


def _raw_beyond(names: Sequence[str], key: Key, forwards: bool) -> tuple[str, tuple[Any, ...]]:
    """`_beyond` as SQL text and its values, for a RawQuery."""
    after, strictly = (">=", ">") if forwards else ("<=", "<")
    if len(names) == 1:
        return f"{names[0]} {strictly} {{}}", (key[0],)
    first, second = names
    return (
        f"({first} {after} {{}} AND ({first} {strictly} {{}} OR {second} {strictly} {{}}))",
        (key[0], key[0], key[1]),
    )


async def _raw_rows(
    query: RawQuery, columns: Sequence[Column], bound: Key | None, ascending: bool, limit: int
) -> list[dict[str, Any]]:
    names = [c._meta.db_column_name for c in columns]
    where, values = query.where, query.values
    if bound is not None:
        beyond, more = _raw_beyond(names, bound, ascending)
        where, values = f"({where}) AND {beyond}", (*values, *more)
    order = ", ".join(f"{name} {'ASC' if ascending else 'DESC'}" for name in names)
    # Column names and the limit come from code, never from the request; values are bound parameters.
    sql = f"{query.select} WHERE {where} ORDER BY {order} LIMIT {int(limit)}"
    return list(await query.table.raw(sql, *values))


async def keyset_page(
    query: Callable[[], Select[Any]] | RawQuery,
    columns: Sequence[Column],
    *,
    total: int,
    after: str = "",
    before: str = "",
    last: bool = False,
    per_page: int = MAX_PER_PAGE,
    descending: bool = False,
) -> KeysetPage:
    """One page of the rows `query()` selects (a fresh Select[Any] each call: Piccolo's builders change in
    place), ordered by `columns` (unique together; the last is usually the id): the first
    page, the page after or before a link position, or the last page. A damaged position gives the
    first page; a position past the end gives the last one. `descending`: newest (highest key) first."""
    shape = tuple(int if isinstance(c, (Integer, Serial, BigInt)) else str for c in columns)
    after_key, before_key = decode_key(after, shape), decode_key(before, shape)
    forwards = before_key is None and not last
    bound = after_key if forwards else before_key
    rows = await _rows(query, columns, bound, forwards, per_page + 1, descending)
    if not rows and bound is not None:
        # A stale or hand-made position beyond the last row (or before the first): show that end.
        forwards, bound = not forwards, None
        rows = await _rows(query, columns, bound, forwards, per_page + 1, descending)
    more = len(rows) > per_page
    rows = rows[:per_page]
    if not forwards:
        rows.reverse()
    names = [c._meta.name for c in columns]

    def position(row: dict[str, Any]) -> str:
        return encode_key(tuple(row[n] for n in names))

    at_start = (not more) if not forwards else bound is None
    at_end = (not more) if forwards else bound is None
    return KeysetPage(
        items=rows,
        per_page=per_page,
        total=total,
        after=position(rows[-1]) if rows and not at_end else None,
        before=position(rows[0]) if rows and not at_start else None,
        first=at_start,
        last=at_end,
    )


def list_position(query: Mapping[str, str]) -> dict[str, Any]:
    """What a paged list's links ask for, from the query string: `after=`/`before=` a position, or
    `page=last`. Unknown or damaged values are harmless (they give the first page)."""
    return {
        "after": str(query.get("after", ""))[:1000],
        "before": str(query.get("before", ""))[:1000],
        "last": query.get("page") == "last",
    }
