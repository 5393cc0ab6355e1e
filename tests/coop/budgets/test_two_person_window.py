"""The two-person rule cannot be avoided (issue 14, item 8): a payment of exactly the threshold needs two
approvers, and payments to one payee within the constitution's window (30 days in the models) are added
up, so a large payment split into several still needs them, even when the parts are sent at once.

The demo organisation's constitution (cic_guarantee): two people approve £500 or more; members vote on
spending above £1,000.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import run
from tests.coop.budgets.helpers import actor, gather_at_once, make_pool, money_holders


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "connections" in metafunc.fixturenames:
        sqlite = metafunc.config.getoption("--db") == "sqlite"
        metafunc.parametrize("connections", ["persistent", "per-transaction"] if sqlite else ["persistent"])


def _pay(setup: Any, payee: str, pence: int, key: str) -> Any:
    from coop.budgets import payments

    return run(
        payments.request_payment(
            setup.organisation_id,
            setup.pool_id,
            payments.PaymentRequest(payee, "Support", pence, f"two-person-{key}".ljust(16, "0")),
            actor=actor(setup.people["daniel"]),
        )
    )


def _approvals_needed(result: Any) -> int:
    from coop.budgets.tables import PoolPayment

    row = run(
        PoolPayment.select(PoolPayment.approvals_needed).where(PoolPayment.public_id == result.public_id)
    )
    return int(row[0]["approvals_needed"])


@pytest.mark.parametrize(
    ("pence", "status", "approvers"),
    [(49_999, "paid", 0), (50_000, "awaiting_approval", 2), (50_001, "awaiting_approval", 2)],
)
def test_the_edge_of_the_threshold(demo, pence, status, approvers):
    setup = make_pool(contributors=4, deposit_pence=100_000)
    result = _pay(setup, "Edge Care Ltd", pence, f"edge-{pence}")
    assert (result.status, _approvals_needed(result)) == (status, approvers)


def test_a_payment_split_in_two_to_one_payee_needs_two_approvers(demo):
    setup = make_pool(contributors=4, deposit_pence=100_000)
    first = _pay(setup, "Ann Smith", 30_000, "split2-a")
    # The same payee, written with other capitals and spacing, is the same payee.
    second = _pay(setup, "  ann   SMITH ", 30_000, "split2-b")
    assert (first.status, second.status) == ("paid", "awaiting_approval")
    assert _approvals_needed(second) == 2


def test_a_payment_split_in_five_needs_two_approvers_once_the_parts_reach_the_threshold(demo):
    setup = make_pool(contributors=4, deposit_pence=100_000)
    statuses = [_pay(setup, "Five Parts Ltd", 12_000, f"split5-{n}").status for n in range(5)]
    assert statuses == ["paid"] * 4 + ["awaiting_approval"]  # £480 needs nobody; the fifth makes £600


def test_other_payees_and_cancelled_payments_do_not_count(demo):
    from coop.budgets import payments

    setup = make_pool(contributors=4, deposit_pence=100_000)
    assert _pay(setup, "Someone Else", 40_000, "others-a").status == "paid"
    waiting = _pay(setup, "Cancelled Co", 60_000, "others-b")
    run(
        payments.cancel_payment(
            setup.organisation_id,
            waiting.public_id,
            commitments=money_holders(),
            actor=actor(setup.people["daniel"]),
        )
    )
    assert _pay(setup, "Cancelled Co", 40_000, "others-c").status == "paid"


@pytest.mark.parametrize(("days_apart", "second"), [(31, "paid"), (29, "awaiting_approval")])
def test_payments_further_apart_than_the_window_are_not_added_up(demo, days_apart, second):
    from coop import clock

    setup = make_pool(contributors=4, deposit_pence=100_000)
    now = datetime.now(UTC)
    with clock.frozen_at(now - timedelta(days=days_apart)):
        assert _pay(setup, "Monthly Care Ltd", 40_000, f"apart-{days_apart}-a").status == "paid"
    with clock.frozen_at(now):
        assert _pay(setup, "Monthly Care Ltd", 40_000, f"apart-{days_apart}-b").status == second


def test_parts_sent_at_the_same_moment_cannot_all_slip_under(demo, engine_name, connections):
    """Five £120 parts of a £600 payment sent concurrently: the total is counted inside each payment's
    transaction, so exactly the part that reaches £500 waits for two approvers, whatever the order."""
    from coop.budgets import payments

    setup = make_pool(contributors=4, deposit_pence=100_000)
    parts = [
        payments.request_payment(
            setup.organisation_id,
            setup.pool_id,
            payments.PaymentRequest("Split Care Ltd", f"Part {n}", 12_000, f"concurrent-split-{n:04d}"),
            actor=actor(setup.people["daniel"]),
        )
        for n in range(5)
    ]
    results = gather_at_once(parts, persistent=connections == "persistent")
    assert all(isinstance(r, payments.PaymentResult) for r in results), results
    assert sorted(r.status for r in results) == ["awaiting_approval"] + ["paid"] * 4, engine_name
