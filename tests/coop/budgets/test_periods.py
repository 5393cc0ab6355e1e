"""Money counts in the period it was for (issue 14, item 6): a payment for support given in April but
recorded in December is April-to-June spending on the council return, with the day it was recorded shown
beside it; a service spanning two quarters counts whole in the quarter it starts in; the dates are asked
for on the payment form, checked, and explained next to the field when wrong."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from tests.conftest import run
from tests.coop.budgets.helpers import actor, make_pool, reverse
from tests.coop.budgets.test_pages import _check_fields, _hidden
from tests.coop.helpers import page_text, post_form, sign_in

SPRING = (date(2026, 4, 1), date(2026, 6, 30))
AUTUMN = (date(2026, 10, 1), date(2026, 12, 31))


def _pay(setup, pence, key, start=None, end=None):
    from coop.budgets import payments

    return run(
        payments.request_payment(
            setup.organisation_id,
            setup.pool_id,
            payments.PaymentRequest(
                "Northway Support Ltd", "Support worker", pence, key, period_start=start, period_end=end
            ),
            actor=actor(setup.people["daniel"]),
        )
    )


def test_late_recorded_spending_counts_in_the_quarter_the_support_was_given(demo, client):
    from coop import clock
    from coop.budgets import returns

    setup = make_pool(contributors=1, deposit_pence=100_000)
    account = setup.accounts[0]
    # Support given from 6 to 26 April 2026; the invoice is only recorded today (December 2026 or later).
    _pay(setup, 20_000, "late-pay-key-0000001", date(2026, 4, 6), date(2026, 4, 26))
    assert clock.today_in_london() > SPRING[1]
    spring = run(returns.monitoring_return(account, *SPRING))
    assert [(line.on, line.amount_pence) for line in spring.bought] == [(date(2026, 4, 6), 20_000)]
    assert spring.bought[0].recorded == clock.today_in_london() and spring.total_bought_pence == 20_000
    autumn = run(returns.monitoring_return(account, *AUTUMN))
    assert autumn.bought == [] and autumn.total_bought_pence == 0
    # The page and the CSV show both dates.
    public_id = _account_public_id(account)
    url = f"/o/riverside/budgets/{setup.pool_public_id}/accounts/{public_id}/return"
    sign_in(client, "daniel@riverside.example")
    spring_query = {"from_day": "1", "from_month": "4", "from_year": "2026"}
    spring_query |= {"to_day": "30", "to_month": "6", "to_year": "2026"}
    text = page_text(client.get(url, params=spring_query).text)
    assert "6 April 2026 to 26 April 2026" in text and clock.today_in_london().strftime("%-d %B %Y") in text
    rows = list(
        csv.reader(io.StringIO(client.get(url.replace("/return", "/return.csv"), params=spring_query).text))
    )
    header = rows.index(next(r for r in rows if r and r[0] == "Counts on"))
    bought = [
        dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :] if len(r) > 3 and r[3] == "Bought"
    ]
    assert [
        (b["Counts on"], b["Recorded on"], b["Covers from"], b["Covers to"], b["Money out (£)"])
        for b in bought
    ] == [("2026-04-06", clock.today_in_london().isoformat(), "2026-04-06", "2026-04-26", "200.00")]


def test_a_service_spanning_two_quarters_counts_whole_in_the_quarter_it_starts_in(demo):
    from coop.budgets import returns

    setup = make_pool(contributors=1, deposit_pence=100_000)
    _pay(setup, 30_001, "span-pay-key-0000001", date(2026, 6, 20), date(2026, 7, 10))
    spring = run(returns.monitoring_return(setup.accounts[0], *SPRING))
    summer = run(returns.monitoring_return(setup.accounts[0], date(2026, 7, 1), date(2026, 9, 30)))
    assert spring.total_bought_pence == 30_001 and summer.total_bought_pence == 0
    assert summer.opening_pence == spring.closing_pence


def test_a_reversal_counts_in_the_same_period_as_what_it_reverses(demo):
    from coop.budgets import returns
    from coop.budgets.tables import LedgerTransaction

    setup = make_pool(contributors=1, deposit_pence=100_000)
    _pay(setup, 12_000, "pair-pay-key-0000001", date(2026, 5, 1), date(2026, 5, 31))
    txn = run(
        LedgerTransaction.select()
        .where((LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "payment"))
        .first()
    )
    reverse(setup, str(txn["public_id"]), reason="Invoice was for another person", person_id=None)
    spring = run(returns.monitoring_return(setup.accounts[0], *SPRING))
    assert [line.amount_pence for line in spring.bought] == [12_000, -12_000]
    assert spring.bought[1].what.startswith(f"Correction to {txn['reference']}")
    assert spring.total_bought_pence == 0


def test_the_payment_form_asks_for_the_service_dates_and_explains_mistakes(demo, client):
    from coop.budgets.tables import LedgerTransaction, PoolPayment

    setup = make_pool(contributors=2, deposit_pence=10_000)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    sign_in(client, "daniel@riverside.example")
    key = _hidden(client.get(f"{base}/pay").text, "idempotency_key")
    fields = {"idempotency_key": key, "payee": "Ace Support Ltd", "description": "Week 1", "amount": "30.00"}

    def dates(start, end):
        return {
            **{f"service_start_{p}": v for p, v in zip(("day", "month", "year"), start, strict=True)},
            **{f"service_end_{p}": v for p, v in zip(("day", "month", "year"), end, strict=True)},
        }

    backwards = post_form(
        client, f"{base}/pay/check", {**fields, **dates(("9", "4", "2026"), ("1", "4", "2026"))}
    )
    assert backwards.status_code == 422
    assert 'href="#service_end_day"' in backwards.text
    assert "The last day of the service must be the same as or after the first day" in backwards.text
    half = post_form(client, f"{base}/pay/check", {**fields, **dates(("9", "4", "2026"), ("", "", ""))})
    assert (
        half.status_code == 422 and "Enter the last day of the service as a day, month and year" in half.text
    )
    huge = post_form(
        client, f"{base}/pay/check", {**fields, **dates(("1", "4", "9" * 40), ("2", "4", "2026"))}
    )
    assert huge.status_code == 422 and "must be a real date" in huge.text
    check = post_form(
        client, f"{base}/pay/check", {**fields, **dates(("6", "4", "2026"), ("12", "4", "2026"))}
    )
    assert check.status_code == 200 and "6 April 2026 to 12 April 2026" in page_text(check.text)
    done = post_form(client, f"{base}/pay", _check_fields(check.text))
    assert done.status_code == 303
    payment = run(PoolPayment.select().where(PoolPayment.pool == setup.pool_id).first())
    assert (payment["period_start"], payment["period_end"]) == (date(2026, 4, 6), date(2026, 4, 12))
    txn = run(LedgerTransaction.select().where(LedgerTransaction.id == payment["txn"]).first())
    assert (txn["period_start"], txn["period_end"]) == (date(2026, 4, 6), date(2026, 4, 12))
    # The statement shows when it was recorded and the period it was for, in separate columns.
    statement = page_text(client.get(f"{base}/accounts/{_account_public_id(setup.accounts[0])}").text)
    assert re.search(r"Recorded Reference What Period it was for", statement)
    assert "6 Apr 2026 to 12 Apr 2026" in statement


def _account_public_id(account_id):
    from coop.budgets.tables import PoolAccount

    return run(PoolAccount.select(PoolAccount.public_id).where(PoolAccount.id == account_id).first())[
        "public_id"
    ]


def test_an_invoice_against_a_contract_counts_in_the_period_of_its_service(demo, client):
    from coop.budgets import returns
    from coop.commissioning import invoices
    from tests.coop.commissioning.helpers import make_contract

    setup = make_pool(contributors=2, deposit_pence=100_000)
    _, contract_id = make_contract(setup, price_pence=9_000, quantity=10, participants=setup.accounts)
    run(
        invoices.record_invoice(
            setup.organisation_id,
            contract_id,
            invoice_number="APR-1",
            amount_pence=18_000,
            idempotency_key="period-invoice-key-00001",
            period_start=date(2026, 4, 1),
            period_end=date(2026, 4, 30),
            actor=actor(setup.people["daniel"]),
        )
    )
    spring = run(returns.monitoring_return(setup.accounts[0], *SPRING))
    assert [(line.on, line.period_end, line.amount_pence) for line in spring.bought] == [
        (date(2026, 4, 1), date(2026, 4, 30), 9_000)
    ]
    assert run(returns.monitoring_return(setup.accounts[0], *AUTUMN)).bought == []
    # The invoice form asks for the same dates and checks them.
    sign_in(client, "daniel@riverside.example")
    url = f"/o/riverside/commissioning/contracts/{contract_id}/invoices"
    key = _hidden(client.get(f"{url}/new").text, "idempotency_key")
    wrong = post_form(
        client,
        f"{url}/check",
        {
            "idempotency_key": key,
            "invoice_number": "MAY-1",
            "amount": "90",
            **{"service_start_day": "31", "service_start_month": "5", "service_start_year": "2026"},
            **{"service_end_day": "1", "service_end_month": "5", "service_end_year": "2026"},
        },
    )
    assert wrong.status_code == 422
    assert "The last day of the service must be the same as or after the first day" in wrong.text
