"""Money in: a contribution to one contributor's sub-account, with where it came from and the period it
covers, recorded once per idempotency key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coop.audit.service import Actor, AuditEntry, record
from coop.budgets.errors import IdempotencyConflict, NotFound, refusal
from coop.budgets.ledger import (
    CONTRIBUTOR,
    MONEY_IN,
    check_key,
    move_account,
    move_pool,
    once_per_key,
    world_account,
    write_transaction_rows,
)
from coop.budgets.tables import LedgerEntry, LedgerTransaction, PoolAccount
from coop.db import write_transaction
from governance.budget import FUNDER_REQUIRED, FundingSource


@dataclass(frozen=True, slots=True)
class TransactionResult:
    public_id: str
    reference: str
    amount_pence: int
    replayed: bool = False


async def record_contribution(
    organisation_id: int,
    pool_id: int,
    account_id: int,
    *,
    amount_pence: int,
    funding_source: FundingSource,
    funder: str,
    period_start: date,
    period_end: date,
    idempotency_key: str,
    actor: Actor,
    description: str = "",
) -> TransactionResult:
    """Money into one contributor's sub-account, with where it came from and the period it covers."""
    check_key(idempotency_key)
    if amount_pence <= 0:
        raise refusal("budget.amount", "Enter an amount above £0")
    if funding_source in FUNDER_REQUIRED and not funder.strip():
        raise refusal("budget.funder", "Enter who pays this money, like the name of the council")
    if period_end < period_start:
        raise refusal("budget.period", "The end of the period must be on or after its start")
    money = _MoneyIn(
        organisation_id,
        pool_id,
        account_id,
        amount_pence,
        funding_source,
        funder.strip(),
        period_start,
        period_end,
        idempotency_key,
        description,
    )
    return await once_per_key(lambda: _record_once(money, actor), busy_code="budget.busy")


@dataclass(frozen=True, slots=True)
class _MoneyIn:
    organisation_id: int
    pool_id: int
    account_id: int
    amount_pence: int
    funding_source: FundingSource
    funder: str
    period_start: date
    period_end: date
    idempotency_key: str
    description: str


async def _record_once(money: _MoneyIn, actor: Actor) -> TransactionResult:
    """One write transaction: replay an earlier request with the key, or move the money and record it."""
    org, pool_id, account_id, amount = (
        money.organisation_id,
        money.pool_id,
        money.account_id,
        money.amount_pence,
    )
    async with write_transaction():
        replay = await _replayed_contribution(org, money.idempotency_key, amount, account_id)
        if replay is not None:
            return replay
        account = (
            await PoolAccount.select(PoolAccount.id)
            .where(
                (PoolAccount.id == account_id)
                & (PoolAccount.pool == pool_id)
                & (PoolAccount.organisation == org)
                & (PoolAccount.kind == CONTRIBUTOR)
            )
            .first()
        )
        if account is None:
            raise refusal("budget.account", "Choose who this money is from", NotFound)
        await move_pool(pool_id, balance=amount, committed=0, guard=False)
        after = await move_account(account_id, balance=amount, committed=0, guard=False)
        money_in = await world_account(pool_id, MONEY_IN)
        world_after = await move_account(money_in, balance=-amount, committed=0, guard=False)
        assert after is not None and world_after is not None
        _, public_id, reference = await write_transaction_rows(
            organisation_id=org,
            pool_id=pool_id,
            kind="contribution",
            prefix="C",
            amount=amount,
            legs=[(account_id, amount, after), (money_in, -amount, world_after)],
            actor=actor,
            description=money.description,
            idempotency_key=money.idempotency_key,
            funding_source=money.funding_source.value,
            funder=money.funder,
            period_start=money.period_start,
            period_end=money.period_end,
        )
        detail = {
            "reference": reference,
            "account": account_id,
            "amount_pence": amount,
            "funding_source": money.funding_source.value,
            "funder": money.funder,
        }
        entry = AuditEntry(
            "budget.contribution_recorded",
            organisation_id=org,
            target_type="ledger_transaction",
            target_id=public_id,
            detail=detail,
        )
        await record(entry, actor)
        return TransactionResult(public_id, reference, amount)


async def _replayed_contribution(
    organisation_id: int, key: str, amount: int, account_id: int
) -> TransactionResult | None:
    row = (
        await LedgerTransaction.select()
        .where(
            (LedgerTransaction.organisation == organisation_id) & (LedgerTransaction.idempotency_key == key)
        )
        .first()
    )
    if row is None:
        return None
    entry = (
        await LedgerEntry.select(LedgerEntry.account)
        .where((LedgerEntry.txn == row["id"]) & (LedgerEntry.amount_pence > 0))
        .first()
    )
    if int(row["amount_pence"]) != amount or entry is None or int(entry["account"]) != account_id:
        raise refusal(
            "budget.idempotency_conflict",
            "This form was already used for a different contribution. Start again from the pool page.",
            IdempotencyConflict,
        )
    return TransactionResult(str(row["public_id"]), row["reference"], amount, replayed=True)
