"""Generated ledgers (contributions from every funding source, payments, refunds and corrections): every
person's monitoring return reconciles with the ledger to the penny, however the period is cut."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run
from tests.coop.budgets.helpers import actor, make_pool, reverse

SOURCES = ["direct_payment", "personal_health_budget", "isf", "self_funded", "grant"]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("contribute"), st.integers(0, 2), st.sampled_from(SOURCES), st.integers(1, 40_000)),
        st.tuples(
            st.just("pay"), st.sampled_from(["Ace Support Ltd", "Riverside Arts CIC"]), st.integers(1, 70_000)
        ),
        st.tuples(st.just("reverse"), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, cuts=st.lists(st.integers(0, 1_000), min_size=1, max_size=3))
def test_returns_reconcile_with_the_ledger_over_generated_ledgers(demo, ops, cuts):
    from coop import clock
    from coop.budgets import contributions, errors, payments, pools, returns
    from coop.budgets.tables import LedgerTransaction
    from governance.budget import FundingSource

    setup = make_pool(contributors=3, deposit_pence=1_000)
    treasurer = actor(setup.people["daniel"])
    for step, op in enumerate(ops):
        key = f"retprop-{setup.pool_public_id[:8]}-{step:04d}"
        try:
            if op[0] == "contribute":
                run(
                    contributions.record_contribution(
                        setup.organisation_id,
                        setup.pool_id,
                        setup.accounts[op[1]],
                        amount_pence=op[3],
                        funding_source=FundingSource(op[2]),
                        funder="" if op[2] == "self_funded" else "Riverside Council",
                        period_start=date(2026, 4, 1),
                        period_end=date(2026, 6, 30),
                        idempotency_key=key,
                        actor=treasurer,
                    )
                )
            elif op[0] == "pay":
                run(
                    payments.request_payment(
                        setup.organisation_id,
                        setup.pool_id,
                        payments.PaymentRequest(op[1], f"Step {step}", op[2], key),
                        actor=treasurer,
                    )
                )
            else:
                txns = run(
                    LedgerTransaction.select(LedgerTransaction.public_id)
                    .where((LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind != "reversal"))
                    .order_by(LedgerTransaction.id)
                )
                target = txns[op[1] % len(txns)]
                reverse(setup, str(target["public_id"]), reason="Wrong", person_id=treasurer.person_id)
        except errors.BudgetError:
            pass  # refused (not enough money, already reversed): nothing changed, and the return must say so

    today = clock.today_in_london()
    totals = run(pools.pool_totals(setup.pool_id))
    bought_by_everyone = 0
    for account in setup.accounts:
        whole = run(returns.monitoring_return(account, returns.EARLIEST, today))
        statement = run(pools.statement(account, limit=10_000))
        assert whole.opening_pence == 0
        assert whole.closing_pence == statement["closing"] == statement["entries"][-1]["balance_after_pence"]
        assert whole.closing_pence == whole.opening_pence + whole.total_in_pence - whole.total_bought_pence
        assert sum(t.amount_pence for t in whole.by_source) == whole.total_in_pence
        assert sum(p for _, p in whole.by_payee) == whole.total_bought_pence
        bought_by_everyone += whole.total_bought_pence
        # Cut the account's history at any day money counts on: the first part closes where the second
        # opens, and together they hold every entry once.
        days = sorted({line.on for line in [*whole.money_in, *whole.bought]})
        for cut in cuts:
            day = days[cut % len(days)]
            first = run(returns.monitoring_return(account, returns.EARLIEST, day - timedelta(days=1)))
            second = run(returns.monitoring_return(account, day, returns.LATEST))
            assert first.closing_pence == second.opening_pence
            assert second.closing_pence == statement["closing"]
            lines = len(first.money_in) + len(first.bought) + len(second.money_in) + len(second.bought)
            assert lines == len(statement["entries"])
    # The open page's figures: spending by service adds up to the pool's money out, and to everyone's
    # returns together; money in likewise.
    assert sum(p for _, p in run(returns.spending_by_service(setup.pool_id))) == totals["money_out"]
    assert bought_by_everyone == totals["money_out"]
    assert run(returns.money_in_total(setup.pool_id)) == totals["money_in"]
