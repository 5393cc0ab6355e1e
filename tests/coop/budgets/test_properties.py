"""M3 (a first cut): random sequences of contributions, payments (small and needing approval), replays,
approvals, cancellations and reversals. After every step the ledger invariants hold, and every payment is
paid exactly when governance.budget's overspend check says the money is there."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run
from tests.coop.budgets.helpers import actor, make_pool, money_holders, reverse

operations = st.lists(
    st.one_of(
        st.tuples(st.just("contribute"), st.integers(0, 2), st.integers(1, 30_000)),
        st.tuples(st.just("pay"), st.integers(1, 100_000)),
        st.tuples(st.just("replay")),
        st.tuples(st.just("approve"), st.sampled_from(["helen", "amara", "priya"])),
        st.tuples(st.just("cancel")),
        st.tuples(st.just("reverse")),
    ),
    min_size=1,
    max_size=15,
)


async def _prediction(pool_id, shares):
    from coop.budgets.tables import BudgetPool, PoolAccount
    from governance.budget import PoolPosition, SubAccount, overspend_violations

    pool = await BudgetPool.select().where(BudgetPool.id == pool_id).first()
    accounts = await PoolAccount.select().where(PoolAccount.pool == pool_id)
    return overspend_violations(
        PoolPosition(pool["name"], pool["balance_pence"], pool["floor_pence"], pool["committed_pence"]),
        [
            SubAccount(a["id"], a["name"], a["balance_pence"], a["floor_pence"], a["committed_pence"])
            for a in accounts
            if a["kind"] == "contributor"
        ],
        shares,
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, floor=st.sampled_from([0, 0, 5_000]))
def test_random_operations_keep_the_ledger_exact(demo, ops, floor):
    from coop.budgets import contributions, errors, invariants, payments
    from coop.budgets.tables import BudgetPool, LedgerTransaction, PoolPayment
    from governance.budget import FundingSource

    setup = make_pool(contributors=3, deposit_pence=2_000, floor_pence=floor)
    pool = run(BudgetPool.select().where(BudgetPool.id == setup.pool_id).first())
    treasurer = setup.people["daniel"]
    last_request = None
    for step, op in enumerate(ops):
        key = f"prop-{setup.pool_public_id[:8]}-{step:04d}"
        if op[0] == "contribute":
            run(
                contributions.record_contribution(
                    setup.organisation_id,
                    setup.pool_id,
                    setup.accounts[op[1]],
                    amount_pence=op[2],
                    funding_source=FundingSource.PERSONAL_HEALTH_BUDGET,
                    funder="NHS Riverside",
                    period_start=date(2026, 5, 1),
                    period_end=date(2026, 5, 31),
                    idempotency_key=key,
                    actor=actor(treasurer),
                )
            )
        elif op[0] == "pay":
            request = payments.PaymentRequest("Ace Support Ltd", f"Step {step}", op[1], key)
            shares = run(payments.payment_shares(pool, request))
            expected_ok = run(_prediction(setup.pool_id, shares)) == []
            try:
                result = run(
                    payments.request_payment(
                        setup.organisation_id, setup.pool_id, request, actor=actor(treasurer)
                    )
                )
            except errors.NotEnoughMoney:
                assert not expected_ok
            else:
                assert expected_ok
                assert result.status == ("awaiting_approval" if op[1] > 50_000 else "paid")
                last_request = request
        elif op[0] == "replay" and last_request is not None:
            before = run(LedgerTransaction.count())
            again = run(
                payments.request_payment(
                    setup.organisation_id, setup.pool_id, last_request, actor=actor(treasurer)
                )
            )
            assert again.replayed and run(LedgerTransaction.count()) == before
        elif op[0] in ("approve", "cancel"):
            pending = run(
                PoolPayment.select()
                .where((PoolPayment.pool == setup.pool_id) & (PoolPayment.status == "awaiting_approval"))
                .order_by(PoolPayment.id)
                .first()
            )
            if pending is None:
                continue
            if op[0] == "cancel":
                run(
                    payments.cancel_payment(
                        setup.organisation_id,
                        str(pending["public_id"]),
                        commitments=money_holders(),
                        actor=actor(treasurer),
                    )
                )
            else:
                person = setup.people[op[1]]
                try:
                    run(
                        payments.approve_payment(
                            setup.organisation_id,
                            str(pending["public_id"]),
                            approver_person_id=person,
                            actor=actor(person),
                        )
                    )
                except errors.BudgetError as refused:
                    assert refused.violations[0].code == "budget.already_approved"
        elif op[0] == "reverse":
            newest = run(
                LedgerTransaction.select()
                .where((LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind != "reversal"))
                .order_by(LedgerTransaction.id, ascending=False)
                .first()
            )
            try:
                reverse(setup, str(newest["public_id"]), reason="test", person_id=treasurer)
            except errors.BudgetError as refused:
                assert refused.violations[0].code in (
                    "budget.reversal",
                    "budget.already_reversed",
                    "budget.sub_account_floor",
                    "budget.pool_floor",
                )
        assert run(invariants.ledger_problems(money_holders(), setup.pool_id)) == [], (step, op)
