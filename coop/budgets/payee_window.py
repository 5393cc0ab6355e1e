"""What one payee was paid, or is waiting to be paid, over the constitution's two-person window: the fact
`governance.budget.spending_requirement` needs so that a payment split into small ones still needs two
approvers.

One SQL aggregate over `pool_payment` (index `pool_payment_payee_idx`), never a list of rows. Called
inside the payment's `write_transaction()`: SQLite's `BEGIN IMMEDIATE` already runs writers one at a
time; on PostgreSQL a transaction-scoped advisory lock on (organisation, payee) makes two concurrent
payments to one payee queue, so the second sees the first and neither can slip under the threshold.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from coop import clock
from coop.budgets.tables import PoolPayment
from governance.budget import SpendingRequirement, spending_requirement
from governance.constitution.schema import SpendingRules


def payee_name(text: str) -> str:
    """A payee as stored: trimmed, with runs of spaces made one, so "Ann  Smith" and "Ann Smith" match
    (case is ignored when adding up, by `lower()` in SQL)."""
    return " ".join(text.split())


async def lock_payee(organisation_id: int, payee: str) -> None:
    """Inside a write transaction: make concurrent payments to one payee queue (PostgreSQL; SQLite's
    writers already run one at a time), so each counts the ones before it."""
    if PoolPayment._meta.db.engine_type == "postgres":
        await PoolPayment.raw(
            "SELECT pg_advisory_xact_lock({}, hashtext(lower({})))", organisation_id, payee_name(payee)
        )


async def recent_to_payee(organisation_id: int, payee: str, rules: SpendingRules, now: datetime) -> int:
    """Pence paid or awaiting approval (not cancelled) to `payee` by this organisation, from any of its
    pools, within the window before `now`."""
    since = now - timedelta(days=rules.two_person_approval_window_days)
    rows = await PoolPayment.raw(
        "SELECT COALESCE(SUM(amount_pence), 0) AS total FROM pool_payment "
        "WHERE organisation = {} AND lower(payee) = lower({}) AND created_at > {} "
        "AND status IN ('paid', 'awaiting_approval')",
        organisation_id,
        payee_name(payee),
        since,
    )
    return int(rows[0]["total"])


async def requirement_for(
    organisation_id: int, payee: str, amount_pence: int, rules: SpendingRules
) -> SpendingRequirement:
    """What a payment would need if it were made now: for check-your-answers pages (the payment itself
    decides again inside its transaction)."""
    recent = await recent_to_payee(organisation_id, payee, rules, clock.now())
    return spending_requirement(amount_pence, rules, recent_to_payee_pence=recent)
