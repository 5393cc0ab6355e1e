"""Every list is paged: a page of rows plus what the pagination links need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.query import Select

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


async def paginate(query: Select, *, total: int, page: int, per_page: int = MAX_PER_PAGE) -> Page:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    last = max(1, -(-total // per_page))
    number = min(max(1, page), last)
    items = await query.limit(per_page).offset((number - 1) * per_page)
    return Page(items=items, number=number, per_page=per_page, total=total)
