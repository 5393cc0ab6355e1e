"""Random sequences of contracts, invoices (some too large, some needing two approvers), payments that
compete for the same money, approvals and early ends. After every step the ledger invariants hold (contract
commitments included), no contract is drawn beyond its cost, and each contract's invoices, its
participants' drawn shares and its drawn total agree to the penny."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run
from tests.coop.budgets.helpers import actor, make_pool, money_holders
from tests.coop.commissioning.helpers import approve_by_board, board_decides, make_offer, propose

operations = st.lists(
    st.one_of(
        st.tuples(st.just("contract"), st.integers(1, 40), st.sampled_from([(0,), (0, 1), (0, 1, 2)])),
        st.tuples(st.just("invoice"), st.integers(1, 70_000)),
        st.tuples(st.just("pay"), st.integers(1, 40_000)),
        st.tuples(st.just("approve")),
        st.tuples(st.just("end")),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_commissioning_keeps_the_ledger_exact(demo, ops):
    from coop.budgets import errors, invariants, payments
    from coop.budgets.tables import PoolPayment
    from coop.commissioning import contracts, invoices
    from coop.commissioning.tables import Contract, ContractInvoice, ContractShare

    setup = make_pool(contributors=3, deposit_pence=40_000, floor_pence=1_000)
    board_decides(setup.organisation_id)
    offer = make_offer(setup.organisation_id, price_pence=3_000)
    who = actor(setup.people["daniel"])
    made: list[str] = []
    for step, op in enumerate(ops):
        key = f"prop-{setup.pool_public_id[:8]}-{step:04d}"
        try:
            if op[0] == "contract":
                proposal = propose(setup, offer, op[1], [setup.accounts[i] for i in op[2]], by=who.person_id)
                for name in ("amara", "helen"):
                    if approve_by_board(setup, proposal, name) == "approved":
                        break
                made.append(
                    run(
                        contracts.create_contract(
                            setup.organisation_id, str(proposal["public_id"]), actor=who
                        )
                    )
                )
            elif op[0] == "invoice" and made:
                run(
                    invoices.record_invoice(
                        setup.organisation_id,
                        made[-1],
                        invoice_number=f"I-{step}",
                        amount_pence=op[1],
                        idempotency_key=key,
                        actor=who,
                    )
                )
            elif op[0] == "pay":
                request = payments.PaymentRequest("Other Ltd", f"Step {step}", op[1], key)
                run(payments.request_payment(setup.organisation_id, setup.pool_id, request, actor=who))
            elif op[0] == "approve":
                pending = run(
                    PoolPayment.select()
                    .where((PoolPayment.pool == setup.pool_id) & (PoolPayment.status == "awaiting_approval"))
                    .first()
                )
                if pending is not None:
                    for name in ("amara", "helen"):
                        run(
                            payments.approve_payment(
                                setup.organisation_id,
                                str(pending["public_id"]),
                                approver_person_id=setup.people[name],
                                actor=actor(setup.people[name]),
                            )
                        )
            elif op[0] == "end" and made:
                run(contracts.end_contract(setup.organisation_id, made[-1], actor=who))
        except errors.BudgetError as refused:
            # Refusals are fine (not enough money, too much invoiced, already ended); nothing half-done.
            assert refused.violations and refused.violations[0].message
        assert run(invariants.ledger_problems(money_holders(), setup.pool_id)) == []
        for row in run(Contract.select().where(Contract.pool == setup.pool_id)):
            invoiced = sum(
                int(i["amount_pence"])
                for i in run(ContractInvoice.select().where(ContractInvoice.contract == row["id"]))
            )
            drawn = sum(
                int(s["drawn_pence"])
                for s in run(ContractShare.select().where(ContractShare.contract == row["id"]))
            )
            assert 0 <= int(row["drawn_pence"]) <= int(row["total_pence"])
            assert invoiced == drawn == int(row["drawn_pence"])
