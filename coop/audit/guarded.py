"""`guarded_update`: change a row only if it is still in the state the change needs, and audit it, in one
transaction.

The idiom every state change uses (revoke an invitation, decide a payment, end a contract): a conditional
`UPDATE … WHERE <the guard> RETURNING …`, and only if a row changed, its audit entry. The WHERE clause is
the check (never read-then-write), so of two concurrent requests exactly one changes the row and is
audited, and the other learns nothing changed from the empty result.

`guarded_change` is the same conditional update without the audit entry, for the few changes whose entry
needs what happens after the update in the same transaction (the contract it made, the electorate it
froze, the member row it linked) or that are not governance at all (the job queue, sign-in counters).
The caller then records the entry itself before its transaction ends. No other module writes
`UPDATE … RETURNING` by hand (tests/test_architecture_coop.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable
from piccolo.table import Table

from coop.audit.service import Actor, AuditEntry, record
from coop.db import write_transaction


async def guarded_change(
    table: type[Table],
    values: Mapping[Column, Any],
    guard: Combinable,
    *,
    returning: Sequence[Column],
) -> list[dict[str, Any]]:
    """`UPDATE table SET values WHERE guard RETURNING returning`, in the caller's transaction (if any):
    the rows changed, empty when the guard matched nothing."""
    changes: dict[Column | str, Any] = {column: value for column, value in values.items()}
    rows: list[dict[str, Any]] = await table.update(changes).where(guard).returning(*returning)
    return rows


async def guarded_update(
    table: type[Table],
    values: Mapping[Column, Any],
    guard: Combinable,
    *,
    returning: Sequence[Column],
    audit: Callable[[dict[str, Any]], AuditEntry],
    actor: Actor,
) -> list[dict[str, Any]]:
    """`UPDATE table SET values WHERE guard RETURNING returning`, then `audit(row)` recorded for each row
    changed, all in one write transaction (joining the caller's when there is one). Returns the rows
    changed: empty when the guard matched nothing, and then nothing was written or audited."""
    async with write_transaction():
        rows = await guarded_change(table, values, guard, returning=returning)
        for row in rows:
            await record(audit(row), actor)
    return rows
