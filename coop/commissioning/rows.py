"""Finding a commissioning row of an organisation by its public id (another organisation's, or a malformed
id, is not found), who may manage commissioning, and recording a refusal for want of money."""

from __future__ import annotations

from typing import Any

from coop.public_ids import is_public_id

MANAGER_ROLES = ("director", "secretary", "treasurer")
BOARD_ROLE = "director"


async def in_org(table: Any, organisation_id: int, public_id: str) -> dict[str, Any] | None:
    """A row of this organisation by its public id; another organisation's (or a bad id) is not found."""
    if not is_public_id(public_id):  # checked here: PostgreSQL would fail the query on a bad UUID
        return None
    row: dict[str, Any] | None = (
        await table.select()
        .where((table.public_id == public_id) & (table.organisation == organisation_id))
        .first()
    )
    return row
