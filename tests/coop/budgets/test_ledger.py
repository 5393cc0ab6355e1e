"""The pool ledger: contributions, payments, idempotency (M2), approvals (M8), reversals, immutability (M5),
statements that reconcile (M9), tenancy (M10)."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest

from tests.conftest import run
from tests.coop.budgets.helpers import actor, make_pool, money_holders, reverse


def _pay(setup, amount, key, *, by="daniel", payee="Ace Support Ltd", description="Support worker, week 1"):
    from coop.budgets import payments

    return run(
        payments.request_payment(
            setup.organisation_id,
            setup.pool_id,
            payments.PaymentRequest(payee, description, amount, key),
            actor=actor(setup.people[by]),
        )
    )


def _balances(setup):
    from coop.budgets.tables import BudgetPool, PoolAccount

    pool = run(BudgetPool.select().where(BudgetPool.id == setup.pool_id).first())
    accounts = run(PoolAccount.select().where(PoolAccount.id.is_in(setup.accounts)).order_by(PoolAccount.id))
    return int(pool["balance_pence"]), [int(a["balance_pence"]) for a in accounts]


def test_contributions_and_a_payment_split_equally_to_the_penny(demo):
    setup = make_pool(contributors=3, deposit_pence=1_000)
    assert _balances(setup) == (3_000, [1_000, 1_000, 1_000])
    result = _pay(setup, 1_000, "payment-key-000001")
    assert result.status == "paid" and result.reference.startswith("P-")
    # £10 over 3 people: 334, 333, 333 (the first to join pays the odd penny).
    assert _balances(setup) == (2_000, [666, 667, 667])


def test_a_payment_that_would_overdraw_anyone_is_refused_and_changes_nothing(demo):
    from coop.audit.tables import AuditEvent
    from coop.budgets import errors
    from coop.budgets.tables import LedgerTransaction, PoolPayment

    setup = make_pool(contributors=2, deposit_pence=500)
    before = run(LedgerTransaction.count().where(LedgerTransaction.pool == setup.pool_id))
    with pytest.raises(errors.NotEnoughMoney) as refused:
        _pay(setup, 1_002, "payment-key-000002")
    assert refused.value.violations[0].message.endswith(
        "'s share of £5.01 would leave -£0.01 in their account, below the £0.00 it must keep."
    )
    assert run(LedgerTransaction.count().where(LedgerTransaction.pool == setup.pool_id)) == before
    assert run(PoolPayment.count().where(PoolPayment.pool == setup.pool_id)) == 0
    assert run(AuditEvent.exists().where(AuditEvent.action == "budget.payment_refused"))
    # The same key can be used again once there is money (a refusal is not a result to replay).
    assert _pay(setup, 1_000, "payment-key-000002").status == "paid"
    assert _balances(setup) == (0, [0, 0])


def test_the_contingency_floor_is_kept(demo):
    from coop.budgets import errors

    setup = make_pool(contributors=2, deposit_pence=5_000, floor_pence=2_000)
    with pytest.raises(errors.NotEnoughMoney) as refused:
        _pay(setup, 8_001, "payment-key-000003")
    assert [v.code for v in refused.value.violations] == ["budget.pool_floor"]
    assert _pay(setup, 8_000, "payment-key-000004").status == "paid"


def test_the_same_key_twice_pays_once_and_a_different_payload_is_refused(demo):
    from coop.budgets import errors
    from coop.budgets.tables import LedgerTransaction, PoolPayment

    setup = make_pool(contributors=2, deposit_pence=5_000)
    first = _pay(setup, 1_500, "double-submit-0001")
    again = _pay(setup, 1_500, "double-submit-0001")
    assert again.replayed and (again.public_id, again.reference) == (first.public_id, first.reference)
    assert run(PoolPayment.count().where(PoolPayment.pool == setup.pool_id)) == 1
    assert (
        run(
            LedgerTransaction.count().where(
                (LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "payment")
            )
        )
        == 1
    )
    assert _balances(setup) == (8_500, [4_250, 4_250])
    with pytest.raises(errors.IdempotencyConflict):
        _pay(setup, 1_600, "double-submit-0001")
    with pytest.raises(errors.BudgetError):
        _pay(setup, 1_500, "short")


def test_fifty_concurrent_submits_of_one_key_make_one_transfer(demo, engine_name):
    from coop.budgets import payments
    from coop.budgets.tables import LedgerTransaction
    from coop.db import close_database, open_database

    setup = make_pool(contributors=2, deposit_pence=5_000)
    request = payments.PaymentRequest("Ace Support Ltd", "Week 2", 100, "concurrent-key-0001")

    async def main():
        if engine_name == "postgres":
            await open_database()
        try:
            return await asyncio.gather(
                *(
                    payments.request_payment(
                        setup.organisation_id, setup.pool_id, request, actor=actor(setup.people["daniel"])
                    )
                    for _ in range(50)
                ),
                return_exceptions=True,
            )
        finally:
            if engine_name == "postgres":
                await close_database()

    results = run(main())
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    assert len({r.public_id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert (
        run(
            LedgerTransaction.count().where(
                (LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "payment")
            )
        )
        == 1
    )
    assert _balances(setup)[0] == 9_900


def test_contributions_are_idempotent_too(demo):
    from coop.budgets import contributions, errors
    from governance.budget import FundingSource

    setup = make_pool(contributors=1)
    kwargs = dict(
        amount_pence=2_500,
        funding_source=FundingSource.DIRECT_PAYMENT,
        funder="Riverside Council",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        idempotency_key="contribution-key-01",
        actor=actor(setup.people["daniel"]),
    )
    one = run(
        contributions.record_contribution(setup.organisation_id, setup.pool_id, setup.accounts[0], **kwargs)
    )
    two = run(
        contributions.record_contribution(setup.organisation_id, setup.pool_id, setup.accounts[0], **kwargs)
    )
    assert two.replayed and two.reference == one.reference
    assert _balances(setup) == (2_500, [2_500])
    with pytest.raises(errors.IdempotencyConflict):
        run(
            contributions.record_contribution(
                setup.organisation_id, setup.pool_id, setup.accounts[0], **{**kwargs, "amount_pence": 2_600}
            )
        )
    with pytest.raises(errors.BudgetError, match="who pays"):
        run(
            contributions.record_contribution(
                setup.organisation_id,
                setup.pool_id,
                setup.accounts[0],
                **{**kwargs, "funder": " ", "idempotency_key": "contribution-key-02"},
            )
        )


def test_above_the_threshold_two_other_people_approve_and_the_money_is_reserved_meanwhile(demo):
    from coop.budgets import errors, payments
    from coop.budgets.tables import BudgetPool

    setup = make_pool(contributors=2, deposit_pence=40_000)
    # The demo constitution: two people approve spending above £500.
    pending = _pay(setup, 60_000, "big-payment-key-01")
    assert pending.status == "awaiting_approval"
    assert _balances(setup) == (80_000, [40_000, 40_000])
    pool = run(BudgetPool.select().where(BudgetPool.id == setup.pool_id).first())
    assert pool["committed_pence"] == 60_000
    # The reserved money cannot be spent twice.
    with pytest.raises(errors.NotEnoughMoney):
        _pay(setup, 20_001, "other-payment-key1")

    def approve(name):
        return run(
            payments.approve_payment(
                setup.organisation_id,
                pending.public_id,
                approver_person_id=setup.people[name],
                actor=actor(setup.people[name]),
            )
        )

    with pytest.raises(errors.BudgetError, match="cannot approve a payment you asked for"):
        approve("daniel")
    assert approve("helen").status == "awaiting_approval"
    with pytest.raises(errors.BudgetError, match="already approved"):
        approve("helen")
    assert approve("amara").status == "paid"
    assert _balances(setup) == (20_000, [10_000, 10_000])
    with pytest.raises(errors.BudgetError, match="already been decided"):
        approve("priya")


def test_cancelling_a_payment_awaiting_approval_releases_the_reservation(demo):
    from coop.budgets import payments

    setup = make_pool(contributors=2, deposit_pence=40_000)
    pending = _pay(setup, 60_000, "big-payment-key-02")
    cancelled = run(
        payments.cancel_payment(
            setup.organisation_id, pending.public_id, commitments=money_holders(), actor=actor(None)
        )
    )
    assert cancelled.status == "cancelled"
    # Just under the two-person threshold (£500 is now "at or above"); the cancelled one does not count.
    assert _pay(setup, 49_999, "small-enough-key-1").status == "paid"


def test_concurrent_approvals_pay_exactly_once(demo, engine_name):
    from coop.budgets import errors, payments
    from coop.budgets.tables import LedgerTransaction
    from coop.db import close_database, open_database

    setup = make_pool(contributors=2, deposit_pence=40_000)
    pending = _pay(setup, 60_000, "big-payment-key-03")
    run(
        payments.approve_payment(
            setup.organisation_id,
            pending.public_id,
            approver_person_id=setup.people["helen"],
            actor=actor(None),
        )
    )
    approvers = [setup.people[n] for n in ("amara", "priya", "tom", "jamie")]

    async def main():
        if engine_name == "postgres":
            await open_database()
        try:
            return await asyncio.gather(
                *(
                    payments.approve_payment(
                        setup.organisation_id, pending.public_id, approver_person_id=p, actor=actor(p)
                    )
                    for p in approvers * 5
                ),
                return_exceptions=True,
            )
        finally:
            if engine_name == "postgres":
                await close_database()

    results = run(main())
    paid = [r for r in results if not isinstance(r, BaseException)]
    assert len(paid) == 1 and paid[0].status == "paid"
    assert all(isinstance(r, errors.BudgetError) for r in results if isinstance(r, BaseException))
    assert (
        run(
            LedgerTransaction.count().where(
                (LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "payment")
            )
        )
        == 1
    )


def test_spending_above_the_members_vote_threshold_is_refused_for_now(demo):
    from coop.budgets import errors

    setup = make_pool(contributors=2, deposit_pence=100_000)
    with pytest.raises(errors.BudgetError, match="needs a members' vote"):
        _pay(setup, 100_001, "vote-needed-key-01")


def test_a_reversal_puts_a_mistake_right_once_and_is_itself_guarded(demo):
    from coop.budgets import errors
    from coop.budgets.tables import LedgerTransaction

    setup = make_pool(contributors=2, deposit_pence=1_000)
    payment = _pay(setup, 600, "reversible-key-001")
    txn = run(
        LedgerTransaction.select()
        .where((LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "payment"))
        .first()
    )
    reversal = reverse(setup, str(txn["public_id"]), reason="Paid twice by the bank", person_id=None)
    assert reversal.reversal_reference.startswith("R-") and payment.amount_pence == 600
    assert _balances(setup) == (2_000, [1_000, 1_000])
    with pytest.raises(errors.BudgetError, match="already been reversed"):
        reverse(setup, str(txn["public_id"]), reason="x", person_id=None)
    # Spend one contributor's money, then reversing their contribution would overdraw them: refused.
    _pay(setup, 1_800, "spend-most-key-001")
    contribution = run(
        LedgerTransaction.select()
        .where((LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "contribution"))
        .order_by(LedgerTransaction.id)
        .first()
    )
    with pytest.raises(errors.NotEnoughMoney):
        reverse(setup, str(contribution["public_id"]), reason="Wrong person", person_id=None)


def test_ledger_rows_cannot_be_changed_or_deleted(demo):
    from coop.budgets.tables import LedgerEntry, LedgerTransaction, PoolPayment

    setup = make_pool(contributors=2, deposit_pence=1_000)
    _pay(setup, 100, "immutable-key-0001")
    attempts = [
        LedgerEntry.update({LedgerEntry.amount_pence: 1}).where(LedgerEntry.id > 0),
        LedgerEntry.delete().where(LedgerEntry.id > 0),
        LedgerTransaction.update({LedgerTransaction.amount_pence: 1}).where(LedgerTransaction.id > 0),
        LedgerTransaction.delete().where(LedgerTransaction.id > 0),
        PoolPayment.update({PoolPayment.amount_pence: 1}).where(PoolPayment.id > 0),
        PoolPayment.delete().where(PoolPayment.id > 0),
    ]
    for query in attempts:
        with pytest.raises(Exception, match="append-only|cannot change|never deleted"):
            run(query)


def test_the_database_refuses_an_overdraft_even_without_the_service(demo):
    from coop.budgets.tables import PoolAccount

    setup = make_pool(contributors=1, deposit_pence=100)
    with pytest.raises(Exception, match="below its floor"):
        run(
            PoolAccount.update({PoolAccount.balance_pence: PoolAccount.balance_pence - 101}).where(
                PoolAccount.id == setup.accounts[0]
            )
        )


def test_a_statement_reconciles_with_the_ledger_to_the_penny(demo):
    from coop.budgets import pools

    setup = make_pool(contributors=3, deposit_pence=1_001)
    for n, amount in enumerate((100, 250, 7)):
        _pay(setup, amount, f"statement-key-{n:04d}")
    for account_id in setup.accounts:
        sheet = run(pools.statement(account_id))
        assert sheet["opening"] + sum(e["amount_pence"] for e in sheet["entries"]) == sheet["closing"]
        assert sheet["entries"][0]["funding_source"] == "direct_payment"
        assert sheet["entries"][0]["funder"] == "Riverside Council"
    totals = run(pools.pool_totals(setup.pool_id))
    assert totals["money_in"] - totals["money_out"] == totals["balance"] == 3_003 - 357


def test_another_organisations_pool_and_payments_are_not_found(demo):
    from coop.budgets import errors, payments, pools
    from coop.organisations.tables import Organisation

    setup = make_pool(contributors=1, deposit_pence=1_000)
    other = run(Organisation.select(Organisation.id).where(Organisation.slug == "northfield").first())["id"]
    assert run(pools.pool_in_org(other, setup.pool_public_id)) is None
    with pytest.raises(errors.NotFound):
        run(
            payments.request_payment(
                other,
                setup.pool_id,
                payments.PaymentRequest("X", "", 100, "cross-tenant-key-1"),
                actor=actor(None),
            )
        )
    payment = _pay(setup, 100, "tenant-payment-key")
    assert run(payments.payment_in_org(other, payment.public_id)) is None


def test_fixed_shares_and_hours(demo):
    from coop.budgets import payments
    from coop.budgets.tables import PoolPayment

    fixed = make_pool(contributors=3, deposit_pence=10_000, cost_rule="fixed_shares")  # shares 1, 2, 3
    _pay(fixed, 600, "fixed-shares-key-1")
    assert _balances(fixed)[1] == [9_900, 9_800, 9_700]
    hours = make_pool(contributors=2, deposit_pence=10_000, cost_rule="by_hours")
    minutes = {hours.accounts[0]: 90, hours.accounts[1]: 30}
    run(
        payments.request_payment(
            hours.organisation_id,
            hours.pool_id,
            payments.PaymentRequest("Ace", "Week 3", 1_000, "by-hours-key-0001", minutes),
            actor=actor(None),
        )
    )
    assert _balances(hours)[1] == [9_250, 9_750]
    shares = json.loads(
        run(
            PoolPayment.select()
            .where(PoolPayment.pool == hours.pool_id)
            .order_by(PoolPayment.id, ascending=False)
            .first()
        )["shares"]
    )
    assert sum(shares.values()) == 1_000
