"""What the pool pages show, each read in one call from its controller: the pools list with totals, a
pool's page for the person looking, finding people to add, and one transaction. Reading only."""

from __future__ import annotations

import json
from typing import Any

from coop.budgets.approvals import PAYMENTS
from coop.budgets.ledger import CONTRIBUTOR, MONEY_IN, MONEY_OUT, accounts_of
from coop.budgets.payments import payments_of
from coop.budgets.pools import APPROVER_ROLES, MANAGER_ROLES, pool_totals, statement
from coop.budgets.reversal_pairs import pairs
from coop.budgets.reversals import payment_reversal, reversible
from coop.budgets.tables import BudgetPool, LedgerEntry, LedgerTransaction, PoolAccount
from coop.clock import today
from coop.db import is_sqlite
from coop.members import register as members_register
from coop.members.tables import Member
from coop.organisations.service import OrgContext
from coop.pagination import KeysetPage, RawQuery, keyset_page
from coop.public_ids import is_public_id


async def pools_with_totals(organisation_id: int) -> dict[str, Any]:
    """Every pool of the organisation with its open totals: two statements, whatever the number of pools."""
    pools = (
        await BudgetPool.select().where(BudgetPool.organisation == organisation_id).order_by(BudgetPool.id)
    )
    world = await PoolAccount.select(PoolAccount.pool, PoolAccount.kind, PoolAccount.balance_pence).where(
        (PoolAccount.organisation == organisation_id) & PoolAccount.kind.is_in([MONEY_IN, MONEY_OUT])
    )
    by_pool = {(int(a["pool"]), a["kind"]): int(a["balance_pence"]) for a in world}
    totals = {
        p["id"]: {
            "money_in": -by_pool.get((int(p["id"]), MONEY_IN), 0),
            "money_out": by_pool.get((int(p["id"]), MONEY_OUT), 0),
            "balance": int(p["balance_pence"]),
            "committed": int(p["committed_pence"]),
            "available": int(p["balance_pence"]) - int(p["committed_pence"]),
            "floor": int(p["floor_pence"]),
        }
        for p in pools
    }
    return {"pools": pools, "totals": totals}


async def pool_page(org: OrgContext, pool: dict[str, Any], *, person_id: int) -> dict[str, Any]:
    """A pool's page for this person: totals for every member, their own sub-account and statement, and
    which payments waiting for approval they may approve."""
    accounts = await accounts_of(int(pool["id"]))
    mine = next((a for a in accounts if a["member"] == org.member_id), None)
    recent = await payments_of(int(pool["id"]), limit=20)
    approvable: set[int] = set()
    if org.has_any(*APPROVER_ROLES):
        waiting = [p for p in recent if p["status"] == "awaiting_approval"]
        approvers = await PAYMENTS.approvers_by([int(p["id"]) for p in waiting])
        approvable = {
            int(p["id"])
            for p in waiting
            if PAYMENTS.may_approve(
                requester=p["requested_by"],
                approver=person_id,
                already=approvers.get(int(p["id"]), []),
                needed=int(p["approvals_needed"]),
            )
        }
    return {
        "pool": pool,
        "totals": await pool_totals(int(pool["id"])),
        # Members see who takes part; only the treasurer and secretary see each person's money.
        "accounts": accounts,
        "mine": mine,
        "my_statement": await statement(int(mine["id"]), limit=20) if mine else None,
        "is_manager": org.has_any(*MANAGER_ROLES),
        "payments": recent,
        "approvable": approvable,
    }


# Current members not in the pool, without a search: the current members (counted from the register's
# indexes, see coop/members/register.py) less the pool's own current members (a member is in a pool at most
# once), in one statement. `COUNT(*) … NOT IN (…)` visited every member row (25 ms at 38,000 on SQLite).
_IN_POOL = (
    "(SELECT COUNT(*) FROM pool_account a WHERE a.pool = {} AND EXISTS (SELECT 1 FROM member m"
    " WHERE m.id = a.member AND m.organisation = {} AND m.ceased_on IS NULL"
    " AND (m.leaving_on IS NULL OR m.leaving_on > {})))"
)


async def _count_outside(organisation_id: int, pool_id: int) -> int:
    on = today()
    current, values = members_register.current_count_sql(organisation_id, on)
    rows = await Member.raw(f"SELECT {current} - {_IN_POOL} AS n", *values, pool_id, organisation_id, on)
    return int(rows[0]["n"])


def _not_in_pool(pool_id: int) -> Any:
    """Members who do not already take part in the pool (world accounts have no member)."""
    return Member.id.not_in(
        PoolAccount.select(PoolAccount.member).where(
            (PoolAccount.pool == pool_id) & PoolAccount.member.is_not_null()
        )
    )


# The page of current members not in the pool, by name: hand-written, as Piccolo building this select
# (a NOT IN subquery over a foreign key) took about 0.9 ms a request, more than the database running it.
_OUTSIDE_SELECT = "SELECT id, public_id, name, member_class, admitted_on FROM member"
_OUTSIDE_WHERE = (
    "organisation = {} AND ceased_on IS NULL AND (leaving_on IS NULL OR leaving_on > {})"
    " AND id NOT IN (SELECT member FROM pool_account WHERE pool = {} AND member IS NOT NULL)"
)


async def _outside_page(
    organisation_id: int, pool_id: int, search: str, position: dict[str, Any]
) -> KeysetPage:
    """Current members not in the pool, by name, 20 a page; those whose names contain `search` if given
    (case-insensitive, as the members list: LIKE on SQLite, ILIKE on PostgreSQL)."""
    on = today()
    where = _OUTSIDE_WHERE
    values: tuple[Any, ...] = (organisation_id, on, pool_id)
    if search:
        where += " AND name LIKE {}" if is_sqlite() else " AND name ILIKE {}"
        values = (*values, f"%{search}%")
    query = RawQuery(Member, _OUTSIDE_SELECT, where, values)
    if search:
        counted = await Member.raw(f"SELECT COUNT(*) AS n FROM member WHERE {where}", *values)  # noqa: S608
        total = int(counted[0]["n"])
    else:
        total = await _count_outside(organisation_id, pool_id)
    return await keyset_page(query, (Member.name, Member.id), total=total, per_page=20, **position)


async def people_to_add(
    organisation_id: int,
    pool_id: int,
    *,
    chosen_id: int | None,
    search: str,
    position: dict[str, Any] | None,
) -> dict[str, Any]:
    """The member chosen (if they are current and not yet in the pool), or else a page of members not in
    the pool matching the search: paged by name, so it works at any size of membership."""
    outside = _not_in_pool(pool_id)
    chosen = None
    if chosen_id is not None:
        chosen = await members_register.current_member(organisation_id, chosen_id, excluding=outside)
    search = members_register.clean_search(search)
    found = None
    if chosen is None:
        found = await _outside_page(organisation_id, pool_id, search, position or {})
    return {"chosen": chosen, "found": found, "search": search}


async def transaction_page(organisation_id: int, pool_id: int, txn_public_id: str) -> dict[str, Any] | None:
    """One transaction of the pool with the contributor it moved, whether it can be reversed, and its
    reversal pair; None if the pool has no such transaction."""
    if not is_public_id(txn_public_id):
        return None
    txn = (
        await LedgerTransaction.select()
        .where((LedgerTransaction.public_id == txn_public_id) & (LedgerTransaction.pool == pool_id))
        .first()
    )
    if txn is None:
        return None
    account = (
        await PoolAccount.select(PoolAccount.name)
        .where(
            PoolAccount.id.is_in(LedgerEntry.select(LedgerEntry.account).where(LedgerEntry.txn == txn["id"]))
            & (PoolAccount.kind == CONTRIBUTOR)
        )
        .first()
    )
    found = await reversible(organisation_id, pool_id, txn_public_id)
    assert found is not None
    return {
        "txn": txn,
        "account": account,
        "reversal": found,
        "can_reverse": not found.problems("-"),
        "pair": (await pairs([int(txn["id"])])).get(int(txn["id"]), {}),
    }


async def payment_page(
    org: OrgContext, pool: dict[str, Any], payment: dict[str, Any], *, person_id: int
) -> dict[str, Any]:
    """A payment's page for this person: its approvals, whether they may approve or cancel it, and (for
    the treasurer and secretary) who pays what and whether it can be reversed."""
    approvers = await PAYMENTS.approvers(int(payment["id"]))
    manager = org.has_any(*MANAGER_ROLES)
    waiting = payment["status"] == "awaiting_approval"
    shares: list[tuple[str, int]] = []
    if manager:
        names = {int(a["id"]): a["name"] for a in await accounts_of(int(pool["id"]))}
        shares = [(names.get(int(k), "?"), v) for k, v in json.loads(payment["shares"]).items()]
    return {
        "pool": pool,
        "payment": payment,
        "approvals": len(approvers),
        "can_approve": waiting
        and org.has_any(*APPROVER_ROLES)
        and PAYMENTS.may_approve(
            requester=payment["requested_by"],
            approver=person_id,
            already=approvers,
            needed=int(payment["approvals_needed"]),
        ),
        "can_cancel": waiting and manager,
        "reversal": await payment_reversal(payment) if manager else None,
        "shares": shares,
    }
