"""Counting the SQL a request sends, for the in-process profiles (`cast_profile`, `page_profile`): every
statement the engine runs, and every step of a `coop.db.write_steps` transaction (those run on the SQLite
writer's thread, not through the engine's `run_querystring`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The statements sent while inside, in order (steps marked "(step)"); the engine is put back after."""
    from coop import db as coop_db

    statements: list[str] = []
    engine_class = type(coop_db.current_engine())
    original, original_step = engine_class.run_querystring, coop_db.observed_step

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        statements.append(str(querystring))
        return await original(self, querystring, in_pool)

    def counting_step(sql: str, args: tuple[Any, ...]) -> Any:
        statements.append(f"(step) {sql}")
        return original_step(sql, args)

    engine_class.run_querystring = counting  # type: ignore[method-assign]
    coop_db.observed_step = counting_step  # type: ignore[assignment]
    try:
        yield statements
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]
        coop_db.observed_step = original_step  # type: ignore[assignment]
