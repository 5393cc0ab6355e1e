"""Invoices against a contract meet the same two-person rule as any payment (issue 14, item 8): exactly
£500 needs two approvers, and invoices to one provider within 30 days are added up, so a bill split into
several small invoices still waits for them. The check page says so before anything is recorded."""

from __future__ import annotations

import pytest

from tests.conftest import run
from tests.coop.budgets.helpers import make_pool
from tests.coop.commissioning.helpers import hidden_fields, invoice, make_contract
from tests.coop.helpers import page_text, post_form, sign_in


@pytest.mark.parametrize(
    ("pence", "status"), [(49_999, "paid"), (50_000, "awaiting_approval"), (50_001, "awaiting_approval")]
)
def test_an_invoice_at_the_threshold_needs_two_approvers(demo, pence, status):
    setup = make_pool(contributors=2, deposit_pence=100_000)
    _, contract_id = make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    assert invoice(setup, contract_id, f"EDGE-{pence}", pence).payment_status == status


def test_a_bill_split_into_two_invoices_still_needs_two_approvers(demo, client):
    setup = make_pool(contributors=2, deposit_pence=100_000)
    _, contract_id = make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    assert invoice(setup, contract_id, "SPLIT-1", 30_000).payment_status == "paid"

    sign_in(client, "daniel@riverside.example")
    contract_url = f"/o/riverside/commissioning/contracts/{contract_id}"
    key = hidden_fields(client.get(f"{contract_url}/invoices/new").text, f"{contract_url}/invoices/check")[
        "idempotency_key"
    ]
    check = post_form(
        client,
        f"{contract_url}/invoices/check",
        {"idempotency_key": key, "invoice_number": "SPLIT-2", "amount": "300"},
    )
    assert check.status_code == 200
    text = page_text(check.text)
    assert "Payments of £500.00 or more need two other people to approve them" in text
    assert "Ask for approval" in text
    sent = post_form(
        client, f"{contract_url}/invoices", hidden_fields(check.text, f"{contract_url}/invoices")
    )
    assert sent.status_code == 303

    from coop.budgets.tables import PoolPayment

    statuses = run(
        PoolPayment.select(PoolPayment.status, PoolPayment.approvals_needed)
        .where(PoolPayment.pool == setup.pool_id)
        .order_by(PoolPayment.id)
    )
    assert [(r["status"], r["approvals_needed"]) for r in statuses] == [
        ("paid", 0),
        ("awaiting_approval", 2),
    ]
