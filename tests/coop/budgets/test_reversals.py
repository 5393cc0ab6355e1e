"""Reversing a payment or money in (issue 14, item 5): only those who record money may, with a reason, under
the original's two-person rule, audited, at most once even when 50 try at the same moment, never below a
floor, and shown as a linked pair on statements and returns. A contract's invoice payment, reversed, gives
its money back to the contract."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import run
from tests.coop.budgets.helpers import TREASURER, actor, approve_fully, make_pool, money_holders, reverse
from tests.coop.helpers import page_text, sign_in

DIRECTOR = frozenset({"member", "director"})


def _pay(setup, pence, key, by="daniel"):
    from coop.budgets import payments

    return run(
        payments.request_payment(
            setup.organisation_id,
            setup.pool_id,
            payments.PaymentRequest("Ace Support Ltd", "Support worker, week 1", pence, key),
            actor=actor(setup.people[by]),
        )
    )


def _txn_of(payment_public_id):
    from coop.budgets.tables import LedgerTransaction, PoolPayment

    payment = run(PoolPayment.select().where(PoolPayment.public_id == payment_public_id).first())
    return run(LedgerTransaction.select().where(LedgerTransaction.id == payment["txn"]).first())


def _first_contribution(setup):
    from coop.budgets.tables import LedgerTransaction

    return run(
        LedgerTransaction.select()
        .where((LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "contribution"))
        .order_by(LedgerTransaction.id)
        .first()
    )


def _reverse(setup, txn, *, by="daniel", roles=TREASURER, reason="Paid twice by the bank"):
    from coop.budgets import reversals

    if roles == TREASURER:
        return reverse(setup, str(txn["public_id"]), reason=reason, person_id=setup.people[by])
    return run(
        reversals.request_reversal(
            setup.organisation_id,
            setup.pool_id,
            str(txn["public_id"]),
            reason=reason,
            roles=roles,
            commitments=money_holders(),
            actor=actor(setup.people[by]),
        )
    )


def _money(setup):
    from coop.budgets import pools

    totals = run(pools.pool_totals(setup.pool_id))
    return (
        totals["balance"],
        totals["money_out"],
        [run(pools.statement(a))["closing"] for a in setup.accounts],
    )


def test_a_payment_is_reversed_with_new_contra_entries_linked_to_it_and_audited(demo):
    from coop.audit.tables import AuditEvent
    from coop.budgets import pools
    from coop.budgets.reversal_pairs import pairs
    from coop.budgets.tables import LedgerEntry

    setup = make_pool(contributors=2, deposit_pence=1_000)
    payment = _pay(setup, 600, "rev-pay-key-000001")
    txn = _txn_of(payment.public_id)
    before = run(LedgerEntry.select().where(LedgerEntry.txn == txn["id"]))
    assert _money(setup) == (1_400, 600, [700, 700])
    result = _reverse(setup, txn)
    assert result.status == "done" and result.reversal_reference.startswith("R-")
    assert _money(setup) == (2_000, 0, [1_000, 1_000])
    # The original is untouched; the reversal is its mirror image.
    assert run(LedgerEntry.select().where(LedgerEntry.txn == txn["id"])) == before
    pair = run(pairs([int(txn["id"])]))
    assert pair[int(txn["id"])]["reversed_by"] == result.reversal_reference
    statement = run(pools.statement(setup.accounts[0]))
    assert [(e["reference"], e["amount_pence"]) for e in statement["entries"][-2:]] == [
        (txn["reference"], -300),
        (result.reversal_reference, 300),
    ]
    assert statement["entries"][-2]["reversed_by"] == result.reversal_reference
    assert statement["entries"][-1]["reverses"] == txn["reference"]
    event = run(
        AuditEvent.select()
        .where(AuditEvent.action == "budget.transaction_reversed")
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    assert event["target_id"] == str(txn["public_id"]) and "Paid twice by the bank" in event["detail"]
    assert event["actor"] == setup.people["daniel"]


def test_only_the_treasurer_or_secretary_may_reverse_and_a_reason_is_required(demo):
    from coop.budgets import errors, reversals

    setup = make_pool(contributors=2, deposit_pence=1_000)
    txn = _txn_of(_pay(setup, 600, "rev-pay-key-000002").public_id)
    with pytest.raises(reversals.NotAllowed):
        _reverse(setup, txn, by="priya", roles=DIRECTOR)
    with pytest.raises(errors.BudgetError, match="Say why this is being reversed"):
        _reverse(setup, txn, reason="   ")
    assert _money(setup)[0] == 1_400  # nothing changed


def test_a_reversal_of_a_payment_that_needed_two_approvers_needs_them_too(demo):
    from coop.budgets import errors, payments, reversals
    from governance.budget import spending_requirement

    setup = make_pool(contributors=2, deposit_pence=100_000)
    payment = _pay(setup, 60_000, "rev-pay-key-000003")
    needed = spending_requirement(60_000, run(payments.spending_rules(setup.organisation_id)))
    assert payment.status == "awaiting_approval" and needed.approvers_needed >= 1
    approve_fully(setup, payment.public_id)
    txn = _txn_of(payment.public_id)
    asked = _reverse(setup, txn, reason="The provider refunded us")
    assert asked.status == "awaiting_approval" and _money(setup)[0] == 140_000  # nothing moved yet

    def approve(name):
        return run(
            reversals.approve_reversal(
                setup.organisation_id,
                asked.public_id,
                approver_person_id=setup.people[name],
                roles=DIRECTOR,
                commitments=money_holders(),
                actor=actor(setup.people[name]),
            )
        )

    with pytest.raises(errors.BudgetError, match="You cannot approve a reversal you asked for"):
        approve("daniel")
    with pytest.raises(errors.BudgetError, match="already being reversed|already been reversed"):
        _reverse(setup, txn, by="helen")  # a second request while the first waits
    results = [approve(name) for name in ("amara", "helen")[: needed.approvers_needed]]
    assert [r.status for r in results][-1] == "done"
    assert _money(setup)[0] == 200_000
    with pytest.raises(errors.BudgetError, match="already been decided"):
        approve("priya")


def test_a_reversal_waiting_for_approval_can_be_withdrawn_and_asked_again(demo):
    from coop.budgets import reversals

    setup = make_pool(contributors=2, deposit_pence=100_000)
    payment = _pay(setup, 60_000, "rev-pay-key-000004")
    approve_fully(setup, payment.public_id)
    txn = _txn_of(payment.public_id)
    asked = _reverse(setup, txn)
    run(
        reversals.cancel_reversal(
            setup.organisation_id, asked.public_id, roles=TREASURER, actor=actor(setup.people["daniel"])
        )
    )
    again = _reverse(setup, txn, reason="Asked again")
    assert again.status == "awaiting_approval" and again.public_id != asked.public_id


def test_reversing_money_in_never_takes_a_sub_account_below_its_floor(demo):
    from coop.budgets import errors

    setup = make_pool(contributors=2, deposit_pence=1_000)
    _pay(setup, 1_800, "rev-pay-key-000005")  # each has £1.00 left
    contribution = _first_contribution(setup)
    with pytest.raises(errors.NotEnoughMoney) as refused:
        _reverse(setup, contribution, reason="Wrong person")
    assert "£" in refused.value.violations[0].message
    assert _money(setup)[2] == [100, 100]
    # Money in that is still there reverses at once (it needed no approvers to record).
    fresh = make_pool(contributors=1, deposit_pence=2_500, name="Second pool")
    done = _reverse(fresh, _first_contribution(fresh), reason="Recorded against the wrong pool")
    assert done.status == "done" and _money(fresh)[0] == 0


def test_50_concurrent_reversals_of_one_payment_give_exactly_one(demo, engine_name):
    from coop.budgets import errors, reversals
    from coop.budgets.tables import LedgerReversal, LedgerTransaction
    from coop.db import close_database, open_database

    setup = make_pool(contributors=2, deposit_pence=1_000)
    txn = _txn_of(_pay(setup, 600, "rev-pay-key-000006").public_id)

    async def main():
        await open_database()
        try:
            return await asyncio.gather(
                *(
                    reversals.request_reversal(
                        setup.organisation_id,
                        setup.pool_id,
                        str(txn["public_id"]),
                        reason=f"Try {n}",
                        roles=TREASURER,
                        commitments=money_holders(),
                        actor=actor(setup.people["daniel"]),
                    )
                    for n in range(50)
                ),
                return_exceptions=True,
            )
        finally:
            await close_database()

    results = run(main())
    done = [r for r in results if isinstance(r, reversals.ReversalResult)]
    refused = [r for r in results if isinstance(r, errors.BudgetError)]
    assert len(done) == 1 and len(refused) == 49, [r for r in results if not isinstance(r, Exception)][:3]
    assert all(r.violations[0].code == "budget.already_reversed" for r in refused)
    assert run(LedgerTransaction.count().where(LedgerTransaction.reverses == txn["id"])) == 1
    assert run(LedgerReversal.count().where(LedgerReversal.original == txn["id"])) == 1
    assert _money(setup)[0] == 2_000


def test_a_reversal_cannot_be_reversed(demo):
    from coop.budgets import errors
    from coop.budgets.tables import LedgerTransaction

    setup = make_pool(contributors=1, deposit_pence=1_000)
    txn = _txn_of(_pay(setup, 100, "rev-pay-key-000007").public_id)
    done = _reverse(setup, txn)
    reversal = run(
        LedgerTransaction.select().where(LedgerTransaction.reference == done.reversal_reference).first()
    )
    with pytest.raises(errors.BudgetError, match="cannot itself be reversed"):
        _reverse(setup, reversal)


def test_reversing_a_contract_payment_gives_the_money_back_to_the_contract(demo, client):
    from coop.commissioning import invoices
    from coop.commissioning.tables import Contract, ContractShare
    from tests.coop.commissioning.helpers import make_contract, money

    setup = make_pool(contributors=2, deposit_pence=100_000)
    _, contract_id = make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    invoice = run(
        invoices.record_invoice(
            setup.organisation_id,
            contract_id,
            invoice_number="INV-9",
            amount_pence=30_000,
            idempotency_key="rev-invoice-key-0000001",
            actor=actor(setup.people["daniel"]),
        )
    )
    assert invoice.payment_status == "paid"
    assert money(setup)["pool"] == (170_000, 60_000)
    done = _reverse(setup, _txn_of(invoice.payment_public_id), reason="Invoiced for a week not delivered")
    # The money is back in the pool and set aside for the contract again, which can be invoiced again.
    assert money(setup) == {"pool": (200_000, 90_000), "accounts": [(100_000, 45_000), (100_000, 45_000)]}
    row = run(Contract.select().where(Contract.pool == setup.pool_id).first())
    assert row["drawn_pence"] == 0
    shares = run(ContractShare.select().where(ContractShare.contract == row["id"]))
    assert [s["drawn_pence"] for s in shares] == [0, 0]
    # The contract page says so.
    sign_in(client, "helen@riverside.example")
    page = page_text(client.get(f"/o/riverside/commissioning/contracts/{contract_id}").text)
    assert f"reversed by {done.reversal_reference}" in page and "Invoiced so far £0.00" in page
