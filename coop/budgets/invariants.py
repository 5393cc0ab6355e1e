"""The ledger's invariants (reliability-bar §3.3): every way the stored ledger could disagree with itself.
Checked after every budget and commissioning test; cheap enough for a nightly job."""

from __future__ import annotations

import json
from typing import Any

from coop.budgets.approvals import PAYMENTS
from coop.budgets.commitments import Commitments
from coop.budgets.ledger import CONTRIBUTOR, accounts_of
from coop.budgets.tables import BudgetPool, LedgerEntry, LedgerTransaction, PoolPayment


async def ledger_problems(commitments: Commitments, pool_id: int | None = None) -> list[str]:
    """Every way the stored ledger could disagree with itself; [] when it is exact to the penny.
    `commitments` says who else holds pool money set aside (their holdings count as committed)."""
    problems: list[str] = []
    pools = await (
        BudgetPool.select() if pool_id is None else BudgetPool.select().where(BudgetPool.id == pool_id)
    )
    for pool in pools:
        problems += await _pool_problems(pool, commitments)
    return problems


async def _pool_problems(pool: dict[str, Any], commitments: Commitments) -> list[str]:
    pid = int(pool["id"])
    name = f"pool {pid}"
    accounts = await accounts_of(pid, kind=None)
    entries = await LedgerEntry.select().where(LedgerEntry.pool == pid).order_by(LedgerEntry.id)
    txns = await LedgerTransaction.select().where(LedgerTransaction.pool == pid)
    payments = await PoolPayment.select().where(PoolPayment.pool == pid)
    by_account: dict[int, list[dict[str, Any]]] = {}
    for e in entries:
        by_account.setdefault(int(e["account"]), []).append(e)
    problems = _transaction_problems(name, txns, entries)
    problems += [
        p for a in accounts for p in _account_problems(name, pool, a, by_account.get(int(a["id"]), []))
    ]
    problems += _pool_balance_problems(name, pool, accounts, by_account)
    pending, payment_problems = await _pending_payments(name, payments)
    problems += payment_problems
    for k, v in (await commitments.held(pid)).items():
        pending[k] = pending.get(k, 0) + v
    if sum(pending.values()) != int(pool["committed_pence"]):
        problems.append(f"{name}: the pool's commitments do not match the payments awaiting approval")
    for a in accounts:
        if a["kind"] == CONTRIBUTOR and pending.get(int(a["id"]), 0) != int(a["committed_pence"]):
            problems.append(f"{name}: account {a['id']} commitments do not match its pending payments")
    keys = [p["idempotency_key"] for p in payments]
    if len(keys) != len(set(keys)):  # I5
        problems.append(f"{name}: an idempotency key was used twice")
    return problems


def _transaction_problems(name: str, txns: list[dict[str, Any]], entries: list[dict[str, Any]]) -> list[str]:
    """I1 and I2: each transaction's entries sum to zero, and so do all of them."""
    problems: list[str] = []
    by_txn: dict[int, int] = {}
    for e in entries:
        by_txn[int(e["txn"])] = by_txn.get(int(e["txn"]), 0) + int(e["amount_pence"])
    for t in txns:
        if by_txn.get(int(t["id"]), 0) != 0:
            problems.append(f"{name}: transaction {t['reference']} does not balance")
        if int(t["amount_pence"]) <= 0:
            problems.append(f"{name}: transaction {t['reference']} has amount {t['amount_pence']}")
        if int(t["id"]) not in by_txn:
            problems.append(f"{name}: transaction {t['reference']} has no entries")
    if sum(int(e["amount_pence"]) for e in entries) != 0:
        problems.append(f"{name}: entries do not sum to zero")
    return problems


def _account_problems(
    name: str, pool: dict[str, Any], a: dict[str, Any], entries: list[dict[str, Any]]
) -> list[str]:
    """I4 and the running balances, I3 (the floor) and I8 (one organisation) for one account."""
    problems: list[str] = []
    running = 0
    for e in entries:
        running += int(e["amount_pence"])
        if int(e["balance_after_pence"]) != running:
            problems.append(f"{name}: account {a['id']} entry {e['id']} has a wrong running balance")
            break
    if running != int(a["balance_pence"]):
        problems.append(f"{name}: account {a['id']} stored balance {a['balance_pence']} != {running}")
    # An account still filling up may sit below its floor; once anything has been taken or reserved
    # from it, every withdrawal was guarded, so it must be at or above the floor.
    taken = any(int(e["amount_pence"]) < 0 for e in entries)
    if (
        a["kind"] == CONTRIBUTOR
        and (taken or int(a["committed_pence"]) > 0)
        and int(a["balance_pence"]) - int(a["committed_pence"]) < int(a["floor_pence"])
    ):
        problems.append(f"{name}: account {a['id']} is below its floor")
    if int(a["committed_pence"]) < 0:
        problems.append(f"{name}: account {a['id']} has negative commitments")
    if int(a["organisation"]) != int(pool["organisation"]):
        problems.append(f"{name}: account {a['id']} belongs to another organisation")
    return problems


def _pool_balance_problems(
    name: str,
    pool: dict[str, Any],
    accounts: list[dict[str, Any]],
    by_account: dict[int, list[dict[str, Any]]],
) -> list[str]:
    """Sub-accounts sum to the pool, the world accounts mirror them, and the pool keeps its floor."""
    problems: list[str] = []
    contributors = [a for a in accounts if a["kind"] == CONTRIBUTOR]
    held = sum(int(a["balance_pence"]) for a in contributors)
    if held != int(pool["balance_pence"]):
        problems.append(f"{name}: sub-accounts hold {held} but the pool says {pool['balance_pence']}")
    world = sum(int(a["balance_pence"]) for a in accounts if a["kind"] != CONTRIBUTOR)
    if held + world != 0:
        problems.append(f"{name}: money in - money out != money held")
    pool_taken = int(pool["committed_pence"]) > 0 or any(
        int(e["amount_pence"]) < 0 for a in contributors for e in by_account.get(int(a["id"]), [])
    )
    available = int(pool["balance_pence"]) - int(pool["committed_pence"])
    if pool_taken and available < int(pool["floor_pence"]):
        problems.append(f"{name}: the pool is below its floor")
    return problems


async def _pending_payments(name: str, payments: list[dict[str, Any]]) -> tuple[dict[int, int], list[str]]:
    """What payments awaiting approval hold per account, and I10: nothing paid without its approvals."""
    problems: list[str] = []
    pending: dict[int, int] = {}
    paid = [p for p in payments if p["status"] == "paid"]
    approvers = await PAYMENTS.approvers_by([int(p["id"]) for p in paid])
    for p in payments:
        if p["status"] == "awaiting_approval":
            for k, v in json.loads(p["shares"]).items():
                pending[int(k)] = pending.get(int(k), 0) + int(v)
    for p in paid:
        if p["txn"] is None:
            problems.append(f"{name}: payment {p['reference']} is paid without a transaction")
        if len(set(approvers.get(int(p["id"]), []))) < int(p["approvals_needed"]):
            problems.append(f"{name}: payment {p['reference']} was paid without its approvals")
    return pending, problems
