"""M1: 200 concurrent £1 payments against a £100 pool: exactly 100 succeed, 100 are refused as "not enough
money", nothing else happens, on SQLite and PostgreSQL.

SQLite runs twice: through the app's persistent connection (the process write lock serialises), and with
a fresh connection per transaction (200 real connections contending for BEGIN IMMEDIATE, as several
processes would). PostgreSQL runs through a pool of 10 connections at READ COMMITTED, where only the
conditional UPDATE's re-checked WHERE clause stands between the requests and an overdraft.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.conftest import run
from tests.coop.budgets.helpers import actor, make_pool


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # The per-transaction variant stands for several SQLite processes; PostgreSQL always runs pooled.
    if "connections" in metafunc.fixturenames:
        sqlite = metafunc.config.getoption("--db") == "sqlite"
        metafunc.parametrize("connections", ["persistent", "per-transaction"] if sqlite else ["persistent"])


def test_200_concurrent_one_pound_payments_against_100_pounds(demo, engine_name, connections):
    from coop.budgets import errors, payments, pools
    from coop.budgets.tables import BudgetPool, LedgerTransaction, PoolPayment
    from coop.db import close_database, open_database

    setup = make_pool(contributors=1, deposit_pence=10_000)
    opened = connections == "persistent"

    async def main():
        if opened:
            await open_database()
        try:
            started = time.perf_counter()
            results = await asyncio.gather(
                *(
                    payments.request_payment(
                        setup.organisation_id,
                        setup.pool_id,
                        payments.PaymentRequest(
                            "Ace Support Ltd", f"Hour {n}", 100, f"concurrent-pay-{n:05d}"
                        ),
                        actor=actor(setup.people["daniel"]),
                    )
                    for n in range(200)
                ),
                return_exceptions=True,
            )
            return results, time.perf_counter() - started
        finally:
            if opened:
                await close_database()

    results, seconds = run(main())
    paid = [r for r in results if isinstance(r, payments.PaymentResult)]
    refused = [r for r in results if isinstance(r, errors.NotEnoughMoney)]
    other = [r for r in results if not isinstance(r, payments.PaymentResult | errors.NotEnoughMoney)]
    print(f"\n{engine_name}/{connections}: {len(paid)} paid, {len(refused)} refused in {seconds:.2f}s")
    assert other == []
    assert len(paid) == 100 and all(r.status == "paid" for r in paid)
    assert len(refused) == 100
    assert all(v.code == "budget.sub_account_floor" for r in refused for v in r.violations[:1])
    pool = run(BudgetPool.select().where(BudgetPool.id == setup.pool_id).first())
    assert pool["balance_pence"] == 0
    assert run(PoolPayment.count().where(PoolPayment.pool == setup.pool_id)) == 100
    assert (
        run(
            LedgerTransaction.count().where(
                (LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "payment")
            )
        )
        == 100
    )
    totals = run(pools.pool_totals(setup.pool_id))
    assert totals == {**totals, "money_in": 10_000, "money_out": 10_000, "balance": 0, "available": 0}
