"""Setting up a pool with contributors for budget tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.conftest import run

KEY = "k" * 16


@dataclass(frozen=True)
class PoolSetup:
    organisation_id: int
    pool_id: int
    pool_public_id: str
    accounts: list[int]
    people: dict[str, int]  # first name -> person id


def people() -> dict[str, int]:
    from coop.accounts.tables import Person

    rows = run(Person.select(Person.id, Person.display_name))
    return {r["display_name"].split()[0].lower(): int(r["id"]) for r in rows}


def actor(person_id: int | None) -> Any:
    from coop.audit.service import Actor

    return Actor(person_id=person_id)


def make_pool(
    *,
    contributors: int = 4,
    deposit_pence: int = 0,
    floor_pence: int = 0,
    cost_rule: str = "equal",
    slug: str = "riverside",
    name: str = "Test pool",
) -> PoolSetup:
    """A pool in a demo organisation with `contributors` budget holders, each given `deposit_pence`."""
    from coop.budgets import contributions, pools
    from coop.budgets.tables import BudgetPool
    from coop.members.tables import Member
    from coop.organisations.tables import Organisation
    from governance.budget import CostRule, FundingSource

    org = run(Organisation.select(Organisation.id).where(Organisation.slug == slug).first())
    org_id = int(org["id"])
    who = people()
    treasurer = actor(who.get("daniel"))
    public_id = run(
        pools.create_pool(
            org_id,
            name=name,
            purpose="Testing",
            cost_rule=CostRule(cost_rule),
            contingency_weeks=4,
            floor_pence=floor_pence,
            surplus_handling="carry_forward",
            exit_terms="",
            actor=treasurer,
        )
    )
    pool = run(BudgetPool.select(BudgetPool.id).where(BudgetPool.public_id == public_id).first())
    members = run(
        Member.select(Member.id)
        .where((Member.organisation == org_id) & Member.ceased_on.is_null())
        .order_by(Member.id)
        .limit(contributors)
    )
    accounts = [
        run(
            pools.add_contributor(
                org_id,
                int(pool["id"]),
                int(m["id"]),
                share=i + 1,
                floor_pence=0,
                joined_on=date(2026, 1, 1),
                actor=treasurer,
            )
        )
        for i, m in enumerate(members)
    ]
    if deposit_pence:
        for n, account in enumerate(accounts):
            run(
                contributions.record_contribution(
                    org_id,
                    int(pool["id"]),
                    account,
                    amount_pence=deposit_pence,
                    funding_source=FundingSource.DIRECT_PAYMENT,
                    funder="Riverside Council",
                    period_start=date(2026, 1, 1),
                    period_end=date(2026, 3, 31),
                    idempotency_key=f"setup-contribution-{public_id}-{n}",
                    actor=treasurer,
                )
            )
    return PoolSetup(org_id, int(pool["id"]), public_id, accounts, who)


#: The roles of someone who may record (and so reverse) money: for calling the reversal service.
TREASURER = frozenset({"member", "treasurer"})


def reverse(setup: PoolSetup, txn_public_id: str, *, reason: str, person_id: int | None) -> Any:
    """Reverse a transaction of the pool as a treasurer (the reversal service with a treasurer's roles)."""
    from coop.budgets import reversals

    return run(
        reversals.request_reversal(
            setup.organisation_id,
            setup.pool_id,
            txn_public_id,
            reason=reason,
            roles=TREASURER,
            commitments=money_holders(),
            actor=actor(person_id),
        )
    )


def approve_fully(
    setup: PoolSetup, payment_public_id: str, names: tuple[str, ...] = ("amara", "helen")
) -> int:
    """Approve a payment by as many of `names` as it needs (two directors by default); returns how many."""
    from coop.budgets import payments
    from coop.budgets.tables import PoolPayment

    row = run(PoolPayment.select().where(PoolPayment.public_id == payment_public_id).first())
    needed = int(row["approvals_needed"])
    for name in names[:needed]:
        run(
            payments.approve_payment(
                setup.organisation_id,
                payment_public_id,
                approver_person_id=setup.people[name],
                actor=actor(setup.people[name]),
            )
        )
    return needed


def gather_at_once(calls: list[Any], *, persistent: bool = True) -> list[Any]:
    """Run coroutines concurrently (exceptions returned, not raised). `persistent`: through the app's
    persistent connections, as the server runs; otherwise a fresh connection per transaction (SQLite:
    as several processes would)."""
    import asyncio

    from coop.db import close_database, open_database

    async def main() -> list[Any]:
        if persistent:
            await open_database()
        try:
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            if persistent:
                await close_database()

    return run(main())


def money_holders() -> Any:
    """Who else holds pool money set aside (contracts), wired as `create_app` wires it."""
    from coop.commissioning.invoices import CONTRACTS

    return CONTRACTS
