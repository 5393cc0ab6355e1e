"""Reversals shown as pairs: for a set of ledger transactions, the other half of each pair (what it
reverses, or what reversed it), so statements and returns show both, linked, with the right net effect."""

from __future__ import annotations

from coop.budgets.tables import LedgerTransaction


async def pairs(txn_ids: list[int]) -> dict[int, dict[str, str]]:
    """For each of these transactions, the other half of its pair: what it reverses, or what reversed it
    (reference and public id), so statements and returns can show both and link them."""
    if not txn_ids:
        return {}
    ids = sorted(set(txn_ids))
    rows = await LedgerTransaction.select(
        LedgerTransaction.id,
        LedgerTransaction.reference,
        LedgerTransaction.public_id,
        LedgerTransaction.reverses,
        LedgerTransaction.reverses.reference.as_alias("reverses_reference"),
        LedgerTransaction.reverses.public_id.as_alias("reverses_public_id"),
    ).where(LedgerTransaction.id.is_in(ids) | LedgerTransaction.reverses.is_in(ids))
    found: dict[int, dict[str, str]] = {}
    for r in rows:
        if r["reverses"] is None:
            continue
        found[int(r["id"])] = {
            "reverses": r["reverses_reference"],
            "reverses_public_id": str(r["reverses_public_id"]),
        }
        found[int(r["reverses"])] = {
            "reversed_by": r["reference"],
            "reversed_by_public_id": str(r["public_id"]),
        }
    return found
