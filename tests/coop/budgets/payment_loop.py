"""A writer for the crash test (M4): contributions, payments and reversals in a loop until killed.

Run as `python -m tests.coop.budgets.payment_loop ORG_ID POOL_ID ACCOUNT_ID...` with COOP_DATABASE_URL
and PICCOLO_CONF set. Prints "ready" once it has written its first payment, so the killer knows the
loop is running.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
from datetime import date


async def main(org_id: int, pool_id: int, accounts: list[int]) -> None:
    from coop.audit.service import Actor
    from coop.budgets import contributions, errors, payments, reversals
    from coop.budgets.tables import LedgerTransaction
    from coop.commissioning.invoices import CONTRACTS
    from coop.db import open_database
    from governance.budget import FundingSource

    await open_database()
    rng = random.Random(os.getpid())
    actor = Actor(person_id=None)
    n = 0
    while True:
        n += 1
        key = f"crash-{os.getpid()}-{n:07d}"
        await contributions.record_contribution(
            org_id,
            pool_id,
            rng.choice(accounts),
            amount_pence=rng.randint(1, 500),
            funding_source=FundingSource.DIRECT_PAYMENT,
            funder="Riverside Council",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31),
            idempotency_key=key + "-c",
            actor=actor,
        )
        with contextlib.suppress(errors.NotEnoughMoney):
            await payments.request_payment(
                org_id,
                pool_id,
                payments.PaymentRequest("Ace Support Ltd", f"Hour {n}", rng.randint(1, 700), key + "-p"),
                actor=actor,
            )
        if n % 7 == 0:
            last = (
                await LedgerTransaction.select(LedgerTransaction.public_id)
                .where((LedgerTransaction.pool == pool_id) & (LedgerTransaction.kind == "payment"))
                .order_by(LedgerTransaction.id, ascending=False)
                .first()
            )
            if last is not None:
                with contextlib.suppress(errors.BudgetError):
                    await reversals.request_reversal(
                        org_id,
                        pool_id,
                        str(last["public_id"]),
                        reason="crash test",
                        roles=frozenset({"treasurer"}),
                        commitments=CONTRACTS,
                        actor=actor,
                    )
        if n == 1:
            print("ready", flush=True)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0], args[1], args[2:]))
