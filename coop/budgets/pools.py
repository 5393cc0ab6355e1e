"""Pools and the people taking part: reading a pool (totals open to members, statements private), creating
one, and adding a contributor's sub-account."""

from __future__ import annotations

from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.budgets.errors import refusal
from coop.budgets.ledger import CONTRIBUTOR, MONEY_IN, MONEY_OUT, accounts_of
from coop.budgets.reversal_pairs import pairs
from coop.budgets.tables import BudgetPool, LedgerEntry, PoolAccount
from coop.db import write_transaction
from coop.members.tables import Member
from coop.public_ids import is_public_id
from governance.budget import CostRule

MANAGER_ROLES = ("treasurer", "secretary")
APPROVER_ROLES = ("director", "treasurer", "secretary")
SURPLUS_HANDLING = {
    "carry_forward": "Carry it forward to the next period",
    "return": "Return it to each contributor in proportion to what they put in",
}


# Every pool page reads its pool first: one hand-written statement (the same columns and values as
# `BudgetPool.select()`), as Piccolo rebuilding the select was a fifth of the pool page's own time.
_POOL_COLUMNS = ", ".join(c._meta.db_column_name for c in BudgetPool._meta.columns)
_POOL_IN_ORG = (  # the table's own column names; the values are bound parameters
    f"SELECT {_POOL_COLUMNS} FROM budget_pool WHERE public_id = {{}} AND organisation = {{}} LIMIT 1"  # noqa: S608
)


async def pool_in_org(organisation_id: int, pool_public_id: str) -> dict[str, Any] | None:
    """A pool of this organisation, or None (another organisation's pool is simply not found)."""
    if not is_public_id(pool_public_id):
        return None
    rows = await BudgetPool.raw(_POOL_IN_ORG, pool_public_id, organisation_id)
    return rows[0] if rows else None


async def pools_of(organisation_id: int) -> list[dict[str, Any]]:
    return await BudgetPool.select().where(BudgetPool.organisation == organisation_id).order_by(BudgetPool.id)


async def pools_taking_part(organisation_id: int, member_id: int) -> list[dict[str, Any]]:
    """The organisation's pools this member has a sub-account in: one statement."""
    return (
        await BudgetPool.select()
        .where(
            (BudgetPool.organisation == organisation_id)
            & BudgetPool.id.is_in(
                PoolAccount.select(PoolAccount.pool).where(
                    (PoolAccount.member == member_id) & (PoolAccount.organisation == organisation_id)
                )
            )
        )
        .order_by(BudgetPool.id)
    )


async def pool_totals(pool_id: int) -> dict[str, int]:
    """Money in, money out, held and reserved: the figures every member of the organisation may see."""
    pool = await BudgetPool.select().where(BudgetPool.id == pool_id).first()
    assert pool is not None
    world = {a["kind"]: a for a in await accounts_of(pool_id, kind=None) if a["kind"] != CONTRIBUTOR}
    return {
        "money_in": -int(world[MONEY_IN]["balance_pence"]),
        "money_out": int(world[MONEY_OUT]["balance_pence"]),
        "balance": int(pool["balance_pence"]),
        "committed": int(pool["committed_pence"]),
        "available": int(pool["balance_pence"]) - int(pool["committed_pence"]),
        "floor": int(pool["floor_pence"]),
    }


async def statement(account_id: int, *, limit: int = 200) -> dict[str, Any]:
    """One sub-account's entries with running balances; opening + entries = closing = stored balance."""
    account = await PoolAccount.select().where(PoolAccount.id == account_id).first()
    assert account is not None
    rows = (
        await LedgerEntry.select(
            LedgerEntry.id,
            LedgerEntry.amount_pence,
            LedgerEntry.balance_after_pence,
            LedgerEntry.created_at,
            LedgerEntry.txn.as_alias("txn_id"),
            LedgerEntry.txn.public_id.as_alias("txn_public_id"),
            LedgerEntry.txn.reference.as_alias("reference"),
            LedgerEntry.txn.kind.as_alias("kind"),
            LedgerEntry.txn.description.as_alias("description"),
            LedgerEntry.txn.funding_source.as_alias("funding_source"),
            LedgerEntry.txn.funder.as_alias("funder"),
            LedgerEntry.txn.period_start.as_alias("period_start"),
            LedgerEntry.txn.period_end.as_alias("period_end"),
        )
        .where(LedgerEntry.account == account_id)
        .order_by(LedgerEntry.id, ascending=False)
        .limit(limit)
    )
    rows.reverse()
    linked = await pairs([int(r["txn_id"]) for r in rows])
    for row in rows:  # a reversal and what it reverses are shown linked
        row.update(linked.get(int(row["txn_id"]), {}))
    opening = int(rows[0]["balance_after_pence"]) - int(rows[0]["amount_pence"]) if rows else 0
    return {"account": account, "entries": rows, "opening": opening, "closing": int(account["balance_pence"])}


async def contributor_account(pool_id: int, account_public_id: str) -> dict[str, Any] | None:
    """A contributor's sub-account in this pool by its public id, or None."""
    if not is_public_id(account_public_id):
        return None
    row: dict[str, Any] | None = (
        await PoolAccount.select(PoolAccount.id, PoolAccount.public_id, PoolAccount.member, PoolAccount.name)
        .where(
            (PoolAccount.public_id == account_public_id)
            & (PoolAccount.pool == pool_id)
            & (PoolAccount.kind == CONTRIBUTOR)
        )
        .first()
    )
    return row


async def create_pool(
    organisation_id: int,
    *,
    name: str,
    purpose: str,
    cost_rule: CostRule,
    contingency_weeks: int,
    floor_pence: int,
    surplus_handling: str,
    exit_terms: str,
    actor: Actor,
) -> str:
    async with write_transaction():
        rows = await BudgetPool.insert(
            BudgetPool(
                organisation=organisation_id,
                name=name,
                purpose=purpose,
                cost_rule=cost_rule.value,
                contingency_weeks=contingency_weeks,
                floor_pence=floor_pence,
                surplus_handling=surplus_handling,
                exit_terms=exit_terms,
                created_by=actor.person_id,
            )
        ).returning(BudgetPool.id, BudgetPool.public_id)
        pool_id = int(rows[0]["id"])
        for kind, label in ((MONEY_IN, "Money in"), (MONEY_OUT, "Money out")):
            await PoolAccount.insert(
                PoolAccount(organisation=organisation_id, pool=pool_id, kind=kind, name=label, share=0)
            )
        await record(
            AuditEntry(
                "budget.pool_created",
                organisation_id=organisation_id,
                target_type="budget_pool",
                target_id=str(rows[0]["public_id"]),
                detail={"name": name, "cost_rule": cost_rule.value, "floor_pence": floor_pence},
            ),
            actor,
        )
    return str(rows[0]["public_id"])


async def add_contributor(
    organisation_id: int,
    pool_id: int,
    member_id: int,
    *,
    share: int,
    floor_pence: int,
    joined_on: date,
    actor: Actor,
) -> int:
    member = (
        await Member.select(Member.id, Member.name)
        .where(
            (Member.id == member_id) & (Member.organisation == organisation_id) & Member.ceased_on.is_null()
        )
        .first()
    )
    if member is None:
        raise refusal("budget.member", "Choose a current member of the organisation")
    if await PoolAccount.exists().where((PoolAccount.pool == pool_id) & (PoolAccount.member == member_id)):
        raise refusal("budget.member", f"{member['name']} already takes part in this pool")
    async with write_transaction():
        rows = await PoolAccount.insert(
            PoolAccount(
                organisation=organisation_id,
                pool=pool_id,
                kind=CONTRIBUTOR,
                member=member_id,
                name=member["name"],
                share=share,
                floor_pence=floor_pence,
                joined_on=joined_on,
            )
        ).returning(PoolAccount.id, PoolAccount.public_id)
        await record(
            AuditEntry(
                "budget.contributor_added",
                organisation_id=organisation_id,
                target_type="pool_account",
                target_id=str(rows[0]["public_id"]),
                detail={"pool": pool_id, "member": member_id, "share": share, "floor_pence": floor_pence},
            ),
            actor,
        )
    return int(rows[0]["id"])
