"""The spending rules at scale (issue 14, items 7 and 8): how long the facts take to load when a pool has
100,000 people in it and the organisation has made 100,000 payments.

    python -m bench.spending_scale [--people 100000] [--payments 100000] [--rounds 21]

Set-up (not timed): `coop demo` into a fresh SQLite database, then one pool with `--people` sub-accounts,
1,000 approved purchases not yet contracted, and `--payments` payments to 1,000 payees over a year.
Timed, median of `--rounds`: what the pool has uncommitted (`funding.pool_funds`), the whole check for a
two-person proposal (`funding.funding_problems`), and one payee's total over the two-person window
(`payee_window.recent_to_payee`); with the query plan SQLite chose for the payee total. Each is a fixed
number of statements over indexes, so the times should not grow with the sizes (try `--people 1000`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any


async def _timed(what: Callable[[], Awaitable[Any]], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await what()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def _measure(people: int, payments: int, rounds: int) -> None:
    from coop.budgets import payee_window
    from coop.budgets.tables import BudgetPool, PoolAccount, PoolPayment
    from coop.commissioning import funding
    from coop.commissioning.tables import CommissionProposal, ServiceOffer
    from coop.db import close_database, open_database, write_transaction
    from coop.organisations.service import constitution_of
    from coop.organisations.tables import Organisation

    await open_database()
    org = await Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first()
    org_id = int(org["id"])
    offer = await ServiceOffer.select(ServiceOffer.id).where(ServiceOffer.organisation == org_id).first()
    rows = await BudgetPool.insert(
        BudgetPool(organisation=org_id, name="Scale pool", balance_pence=people * 50_000)
    ).returning(BudgetPool.id)
    pool_id = int(rows[0]["id"])
    now = datetime.now(UTC)
    async with write_transaction():
        for start in range(0, people, 500):
            await PoolAccount.insert(
                *(
                    PoolAccount(
                        organisation=org_id,
                        pool=pool_id,
                        kind="contributor",
                        name=f"P{n}",
                        balance_pence=50_000,
                    )
                    for n in range(start, min(people, start + 500))
                )
            )
        for start in range(0, 1_000, 250):
            await CommissionProposal.insert(
                *(
                    CommissionProposal(
                        organisation=org_id,
                        pool=pool_id,
                        offer=offer["id"],
                        quantity=1,
                        period_start=date(2026, 5, 1),
                        period_end=date(2026, 5, 31),
                        total_pence=100,
                        shares="{}",
                        route="board",
                        status="approved",
                    )
                    for _ in range(start, start + 250)
                )
            )
        for start in range(0, payments, 500):
            await PoolPayment.insert(
                *(
                    PoolPayment(
                        organisation=org_id,
                        pool=pool_id,
                        reference=f"S-{n:08d}",
                        idempotency_key=f"scale-payment-{n:08d}",
                        fingerprint="-",
                        payee=f"Payee {n % 1_000}",
                        amount_pence=1_000,
                        status="paid",
                        created_at=now - timedelta(minutes=n * 5),
                    )
                    for n in range(start, min(payments, start + 500))
                )
            )
    accounts = await PoolAccount.select(PoolAccount.id).where(PoolAccount.pool == pool_id).limit(2)
    shares = {int(a["id"]): 10_000 for a in accounts}
    rules = (await constitution_of(org_id)).spending
    plan = await PoolPayment.raw(
        "EXPLAIN QUERY PLAN SELECT COALESCE(SUM(amount_pence), 0) FROM pool_payment WHERE organisation = {} "
        "AND lower(payee) = lower({}) AND created_at > {} AND status IN ('paid', 'awaiting_approval')",
        org_id,
        "Payee 7",
        now - timedelta(days=30),
    )
    figures = {
        "pool_funds": await _timed(lambda: funding.pool_funds(pool_id), rounds),
        "share_funds (2 payers)": await _timed(lambda: funding.share_funds(pool_id, shares), rounds),
        "funding_problems (2 payers)": await _timed(
            lambda: funding.funding_problems(pool_id, shares), rounds
        ),
        "recent_to_payee": await _timed(
            lambda: payee_window.recent_to_payee(org_id, "Payee 7", rules, now), rounds
        ),
    }
    print(f"SQLite, {people:,} people in the pool, {payments:,} payments, 1,000 approved purchases")
    for name, ms in figures.items():
        print(f"  {name:<30} {ms:8.2f} ms (median of {rounds})")
    print("  payee total's plan:", "; ".join(str(r.get("detail", r)) for r in plan))
    await close_database()  # its connections' threads would keep the process alive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args(argv)
    if os.environ.get("COOP_SCALE_CHILD") != "1":
        with tempfile.TemporaryDirectory() as workdir:
            env = {
                **os.environ,
                "COOP_DATABASE_URL": f"sqlite:///{Path(workdir) / 'coop.sqlite3'}",
                "COOP_DEMO_PASSWORD": "correct horse battery staple",
                "COOP_SCALE_CHILD": "1",
            }
            subprocess.run([str(Path(sys.executable).parent / "coop"), "demo"], env=env, check=True)
            return subprocess.run(
                [sys.executable, "-m", "bench.spending_scale", *(argv or sys.argv[1:])], env=env
            ).returncode
    asyncio.run(_measure(args.people, args.payments, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
