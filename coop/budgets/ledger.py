"""The pool ledger's moving parts: the guarded updates of stored balances, the immutable transaction rows,
idempotency keys and references. Every module that moves money uses these, inside its own
`write_transaction()`.

Each change of money (1) moves the pool's stored balance with a conditional UPDATE that refuses to cross
the floor, (2) does the same for each contributor's sub-account in id order, (3) writes an immutable ledger
transaction whose entries sum to zero, each carrying the account's balance after it. Never
read-then-write: the UPDATE's WHERE clause is the check (PostgreSQL re-checks it after waiting for a
concurrent writer; SQLite holds the IMMEDIATE lock). The pool row is always updated first, so writers to
one pool queue on it and never deadlock.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, TypeVar

from coop.audit.service import Actor, AuditEntry, record
from coop.budgets.errors import BudgetError, NotEnoughMoney, refusal
from coop.budgets.tables import BudgetPool, LedgerEntry, LedgerTransaction, PoolAccount
from governance.budget import PoolPosition, SubAccount, overspend_violations
from governance.violations import Violation

T = TypeVar("T")

CONTRIBUTOR = "contributor"
MONEY_IN = "money_in"
MONEY_OUT = "money_out"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def new_reference(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


async def accounts_of(pool_id: int, *, kind: str | None = CONTRIBUTOR) -> list[dict[str, Any]]:
    """A pool's accounts in id order: its contributors' sub-accounts by default, every account with None."""
    query = PoolAccount.select().where(PoolAccount.pool == pool_id).order_by(PoolAccount.id)
    if kind is not None:
        query = query.where(PoolAccount.kind == kind)
    return await query


# The guard: one statement checks and moves, so no concurrent writer can slip in between (never
# read-then-write). Parameters: balance change, commitment change, row id [, balance change, commitment].
_POOL_UPDATE = (
    "UPDATE budget_pool SET balance_pence = balance_pence + {}, committed_pence = committed_pence + {} "
    "WHERE id = {} RETURNING id"
)
_POOL_UPDATE_GUARDED = (
    "UPDATE budget_pool SET balance_pence = balance_pence + {}, committed_pence = committed_pence + {} "
    "WHERE id = {} AND balance_pence + {} - committed_pence - {} >= floor_pence RETURNING id"
)
_ACCOUNT_UPDATE = (
    "UPDATE pool_account SET balance_pence = balance_pence + {}, committed_pence = committed_pence + {} "
    "WHERE id = {} RETURNING balance_pence"
)
_ACCOUNT_UPDATE_GUARDED = (
    "UPDATE pool_account SET balance_pence = balance_pence + {}, committed_pence = committed_pence + {} "
    "WHERE id = {} AND balance_pence + {} - committed_pence - {} >= floor_pence RETURNING balance_pence"
)


async def move_pool(pool_id: int, *, balance: int, committed: int, guard: bool) -> bool:
    """Change the pool's stored balance/commitment; with `guard`, only if it stays at or above its floor."""
    if guard:
        rows = await BudgetPool.raw(_POOL_UPDATE_GUARDED, balance, committed, pool_id, balance, committed)
    else:
        rows = await BudgetPool.raw(_POOL_UPDATE, balance, committed, pool_id)
    return bool(rows)


async def move_account(account_id: int, *, balance: int, committed: int, guard: bool) -> int | None:
    """Change one account's stored balance; returns the new balance, or None if the guard refused it."""
    if guard:
        rows = await PoolAccount.raw(
            _ACCOUNT_UPDATE_GUARDED, balance, committed, account_id, balance, committed
        )
    else:
        rows = await PoolAccount.raw(_ACCOUNT_UPDATE, balance, committed, account_id)
    return int(rows[0]["balance_pence"]) if rows else None


async def overspend_reasons(pool_id: int, charges: dict[int, int]) -> list[Violation]:
    """Why a guarded update refused: read after the fact, only to explain (the UPDATE decided)."""
    pool = await BudgetPool.select().where(BudgetPool.id == pool_id).first()
    assert pool is not None
    accounts = [
        SubAccount(
            int(a["id"]), a["name"], int(a["balance_pence"]), int(a["floor_pence"]), int(a["committed_pence"])
        )
        for a in await accounts_of(pool_id)
    ]
    position = PoolPosition(
        pool["name"], int(pool["balance_pence"]), int(pool["floor_pence"]), int(pool["committed_pence"])
    )
    reasons = overspend_violations(position, accounts, charges)
    return reasons or [Violation("budget.not_enough_money", "There is not enough money in this pool.")]


async def write_transaction_rows(
    *,
    organisation_id: int,
    pool_id: int,
    kind: str,
    prefix: str,
    amount: int,
    legs: list[tuple[int, int, int]],  # (account id, signed amount, balance after)
    actor: Actor,
    description: str = "",
    idempotency_key: str | None = None,
    reverses: int | None = None,
    **extra: Any,
) -> tuple[int, str, str]:
    assert sum(leg[1] for leg in legs) == 0, "a transaction's entries must sum to zero"
    reference = new_reference(prefix)
    rows = await LedgerTransaction.insert(
        LedgerTransaction(
            organisation=organisation_id,
            pool=pool_id,
            kind=kind,
            reference=reference,
            description=description,
            amount_pence=amount,
            idempotency_key=idempotency_key,
            reverses=reverses,
            actor=actor.person_id,
            **extra,
        )
    ).returning(LedgerTransaction.id, LedgerTransaction.public_id)
    txn_id = int(rows[0]["id"])
    await LedgerEntry.insert(
        *(
            LedgerEntry(
                organisation=organisation_id,
                pool=pool_id,
                txn=txn_id,
                account=account_id,
                amount_pence=signed,
                balance_after_pence=after,
            )
            for account_id, signed, after in legs
        )
    )
    return txn_id, str(rows[0]["public_id"]), reference


async def world_account(pool_id: int, kind: str) -> int:
    row = (
        await PoolAccount.select(PoolAccount.id)
        .where((PoolAccount.pool == pool_id) & (PoolAccount.kind == kind))
        .first()
    )
    assert row is not None
    return int(row["id"])


def check_key(key: str) -> None:
    if not KEY_PATTERN.match(key):
        raise refusal(
            "budget.idempotency_key",
            "This form has expired. Go back, reload the page and try again. Nothing has been changed.",
        )


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


async def once_per_key(attempt: Callable[[], Awaitable[T]], *, busy_code: str) -> T:
    """Run `attempt`: one write transaction that first replays an earlier request with the same
    idempotency key. If a concurrent request with the key won the unique index meanwhile, go round once
    more, when the attempt finds and replays the winner's result."""
    for _ in range(2):
        try:
            return await attempt()
        except BudgetError:
            raise
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
    raise refusal(busy_code, "Another request with this form is still being processed. Try again.")


def is_unique_violation(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text


async def reserve(pool_id: int, shares: dict[int, int], amount: int) -> None:
    if not await move_pool(pool_id, balance=0, committed=amount, guard=True):
        raise NotEnoughMoney(await overspend_reasons(pool_id, shares))
    for account_id in sorted(shares):
        if await move_account(account_id, balance=0, committed=shares[account_id], guard=True) is None:
            raise NotEnoughMoney(await overspend_reasons(pool_id, shares))


async def release(pool_id: int, shares: dict[int, int]) -> None:
    """Give back money `reserve` set aside (nothing guarded: lowering a commitment never crosses a floor)."""
    await move_pool(pool_id, balance=0, committed=-sum(shares.values()), guard=False)
    for account_id in sorted(shares):
        await move_account(account_id, balance=0, committed=-shares[account_id], guard=False)


@asynccontextmanager
async def audit_refusal(entry: AuditEntry, actor: Actor) -> AsyncIterator[None]:
    """Record `entry`, with the reasons' codes, when the block is refused for want of money (the refusal
    still raises). Enter it before the write transaction, so the record outlives the rollback."""
    try:
        yield
    except NotEnoughMoney as refused:
        codes = [v.code for v in refused.violations]
        await record(replace(entry, detail={**entry.detail, "codes": codes}), actor)
        raise
