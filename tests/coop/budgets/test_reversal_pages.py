"""The reversal pages (issue 14, item 5): the treasurer reverses a payment through a reason form and a
check-your-answers page, as plain forms and with htmx; errors sit next to the field; only the treasurer or
secretary may start one; the statement shows the pair."""

from __future__ import annotations

import html

from tests.conftest import run
from tests.coop.budgets.helpers import actor, approve_fully, make_pool
from tests.coop.budgets.test_pages import _check_fields
from tests.coop.helpers import page_text, post_form, sign_in

HTMX = {"HX-Request": "true"}


def _paid(setup, pence=600, key="rev-page-key-000001"):
    from coop.budgets import payments

    result = run(
        payments.request_payment(
            setup.organisation_id,
            setup.pool_id,
            payments.PaymentRequest("Ace Support Ltd", "Support worker, week 1", pence, key),
            actor=actor(setup.people["daniel"]),
        )
    )
    return result, _txn_of(result.public_id)


def _txn_of(payment_public_id):
    from coop.budgets.tables import LedgerTransaction, PoolPayment

    payment = run(PoolPayment.select().where(PoolPayment.public_id == payment_public_id).first())
    return run(LedgerTransaction.select().where(LedgerTransaction.id == payment["txn"]).first())


def test_the_treasurer_reverses_a_payment_through_a_check_page_without_javascript(demo, client):
    from coop.budgets import pools
    from coop.budgets.tables import LedgerTransaction

    setup = make_pool(contributors=2, deposit_pence=1_000)
    payment, txn = _paid(setup)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    sign_in(client, "daniel@riverside.example")
    assert "Reverse this payment" in client.get(f"{base}/payments/{payment.public_id}").text
    form_url = f"{base}/transactions/{txn['public_id']}/reverse"
    form = client.get(form_url)
    assert form.status_code == 200 and f"Reverse payment {txn['reference']}" in page_text(form.text)
    # No reason: the error is in the summary and next to the field, and nothing moves.
    empty = post_form(client, f"{form_url}/check", {"reason": "  "})
    assert empty.status_code == 422
    assert 'href="#reason"' in empty.text and 'id="reason-error"' in empty.text
    assert "Say why this is being reversed" in empty.text
    check = post_form(client, f"{form_url}/check", {"reason": "Paid twice by the bank's error"})
    assert check.status_code == 200 and "Check the reversal before recording it" in check.text
    assert "£6.00 will come back into the pool" in page_text(check.text)
    fields = {k: html.unescape(v) for k, v in _check_fields(check.text).items()}
    # Without the check page's token (or with the reason changed), the check page comes first.
    skipped = post_form(client, form_url, {"reason": "Something else"})
    assert skipped.status_code == 200 and "Check the reversal" in skipped.text
    assert run(LedgerTransaction.count().where(LedgerTransaction.reverses == txn["id"])) == 0
    done = post_form(client, form_url, fields)
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Reversal recorded" in page.text and "Paid twice by the bank" in html.unescape(page.text)
    assert run(pools.pool_totals(setup.pool_id))["balance"] == 2_000
    # The statement shows both, linked.
    account = run(pools.statement(setup.accounts[0]))["account"]
    statement = page_text(client.get(f"{base}/accounts/{account['public_id']}").text)
    reversal_ref = run(
        LedgerTransaction.select(LedgerTransaction.reference).where(LedgerTransaction.reverses == txn["id"])
    )[0]["reference"]
    assert f"Reversed by {reversal_ref}" in statement and f"Reverses {txn['reference']}" in statement
    # Asking again is refused in plain English.
    again = client.get(form_url)
    assert "This has already been reversed" in page_text(again.text)
    assert post_form(client, form_url, fields).status_code == 422


def test_with_htmx_the_form_and_check_step_swap_in_place(demo, client):
    setup = make_pool(contributors=2, deposit_pence=1_000)
    _, txn = _paid(setup, key="rev-page-key-000002")
    form_url = f"/o/riverside/budgets/{setup.pool_public_id}/transactions/{txn['public_id']}/reverse"
    sign_in(client, "helen@riverside.example")  # the secretary may too
    empty = post_form(client, f"{form_url}/check", {"reason": ""}, headers=HTMX)
    assert empty.status_code == 422 and "<html" not in empty.text
    assert "<title>Error: " in empty.text and "There is a problem" in empty.text
    check = post_form(client, f"{form_url}/check", {"reason": "Wrong payee"}, headers=HTMX)
    assert check.status_code == 200 and "<html" not in check.text and "Check the reversal" in check.text
    done = post_form(client, form_url, _check_fields(check.text), headers=HTMX)
    assert done.status_code == 200 and "/reversals/" in done.headers["HX-Redirect"]
    assert done.headers["Vary"] == "HX-Request"


def test_only_the_treasurer_or_secretary_can_start_a_reversal(demo, client):
    setup = make_pool(contributors=2, deposit_pence=1_000)
    _, txn = _paid(setup, key="rev-page-key-000003")
    form_url = f"/o/riverside/budgets/{setup.pool_public_id}/transactions/{txn['public_id']}/reverse"
    for who in ("priya", "jamie"):  # a director, a member
        sign_in(client, f"{who}@riverside.example")
        assert client.get(form_url).status_code == 403
        assert post_form(client, form_url, {"reason": "x"}).status_code == 403
    sign_in(client, "lena@northfield.example")  # another organisation
    assert client.get(form_url.replace("riverside", "northfield")).status_code == 404


def test_a_large_payments_reversal_waits_for_two_approvers_on_its_page(demo, client):
    from coop.budgets import payments, pools
    from governance.budget import spending_requirement

    setup = make_pool(contributors=2, deposit_pence=100_000)
    payment, _ = _paid(setup, pence=60_000, key="rev-page-key-000004")
    needed = spending_requirement(60_000, run(payments.spending_rules(setup.organisation_id)))
    approve_fully(setup, payment.public_id)
    txn = _txn_of(payment.public_id)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    form_url = f"{base}/transactions/{txn['public_id']}/reverse"
    sign_in(client, "daniel@riverside.example")
    check = post_form(client, f"{form_url}/check", {"reason": "The provider gave it back"})
    people = "person" if needed.approvers_needed == 1 else "people"
    assert f"needs {needed.approvers_needed} other {people} to approve it too" in page_text(check.text)
    asked = post_form(client, form_url, _check_fields(check.text))
    page = client.get(asked.headers["location"])
    assert "Reversal waiting for approval" in page.text and "Approve this reversal" not in page.text
    assert run(pools.pool_totals(setup.pool_id))["balance"] == 140_000
    for name in ("amara", "helen")[: needed.approvers_needed]:
        sign_in(client, f"{name}@riverside.example")
        assert "Approve this reversal" in client.get(asked.headers["location"]).text
        approved = post_form(client, f"{asked.headers['location']}/approve")
        assert approved.status_code == 303
    assert "Reversal recorded" in client.get(asked.headers["location"]).text
    assert run(pools.pool_totals(setup.pool_id))["balance"] == 200_000
