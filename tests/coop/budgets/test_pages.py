"""The budget pages, as plain no-JS forms: create a pool, add people, money in and payments through
check-your-answers (M12), a double submit pays once, members see totals but not each other's money."""

from __future__ import annotations

import re

from tests.conftest import make_client, run
from tests.coop.budgets.helpers import make_pool
from tests.coop.helpers import page_text, post_form, sign_in


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def _check_fields(html: str) -> dict[str, str]:
    """Every hidden field of the form on a check-your-answers page (except the CSRF token)."""
    form = html[html.index('<form method="post" action="/o/riverside/budgets/') :]
    form = form[: form.index("</form>")]
    return {
        n: v
        for n, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
        if n != "_csrf_token"
    }


def test_a_treasurer_creates_a_pool_and_adds_people(demo, client):
    from coop.budgets.tables import BudgetPool, PoolAccount
    from coop.members.tables import Member

    sign_in(client, "daniel@riverside.example")
    assert post_form(client, "/o/riverside/budgets/new", {}).status_code == 422
    response = post_form(
        client,
        "/o/riverside/budgets/new",
        {
            "name": "Gardening group",
            "purpose": "A gardener two mornings a week",
            "cost_rule": "equal",
            "contingency_weeks": "6",
            "floor": "50",
            "surplus_handling": "carry_forward",
        },
    )
    assert response.status_code == 303
    pool = run(BudgetPool.select().where(BudgetPool.name == "Gardening group").first())
    assert pool["floor_pence"] == 5_000 and pool["contingency_weeks"] == 6
    page = client.get(response.headers["location"])
    assert "Pool created" in page.text
    jamie = run(Member.select(Member.id).where(Member.name == "Jamie Carter").first())["id"]
    added = post_form(client, f"/o/riverside/budgets/{pool['public_id']}/people", {"member": str(jamie)})
    assert added.status_code == 303
    assert (
        run(PoolAccount.count().where((PoolAccount.pool == pool["id"]) & (PoolAccount.member == jamie))) == 1
    )
    again = post_form(client, f"/o/riverside/budgets/{pool['public_id']}/people", {"member": str(jamie)})
    assert again.status_code == 422


def test_money_in_goes_through_check_your_answers(demo, client):
    from coop.budgets.tables import LedgerTransaction

    setup = make_pool(contributors=2)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    sign_in(client, "daniel@riverside.example")
    form = client.get(f"{base}/money-in")
    key = _hidden(form.text, "idempotency_key")
    fields = {
        "idempotency_key": key,
        "account": str(setup.accounts[0]),
        "amount": "£1,250.50",
        "funding_source": "direct_payment",
        "funder": "Riverside Council",
        "period_start_day": "1",
        "period_start_month": "4",
        "period_start_year": "2026",
        "period_end_day": "30",
        "period_end_month": "6",
        "period_end_year": "2026",
    }
    bad = post_form(client, f"{base}/money-in/check", {**fields, "amount": "12.345"})
    assert bad.status_code == 422 and "no more than 2 digits" in bad.text
    # Straight to the final step without the check page: shown the check page, nothing recorded (M12).
    skipped = post_form(client, f"{base}/money-in", fields)
    assert skipped.status_code == 200 and "Check the money in" in skipped.text
    assert (
        run(
            LedgerTransaction.count().where(
                (LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "contribution")
            )
        )
        == 0
    )
    check = post_form(client, f"{base}/money-in/check", fields)
    assert check.status_code == 200
    text = page_text(check.text)
    assert "£1,250.50" in text and "Direct payment from Riverside Council" in text and "1 April 2026" in text
    done = post_form(client, f"{base}/money-in", _check_fields(check.text))
    assert done.status_code == 303
    confirmation = client.get(done.headers["location"])
    assert "Money in recorded" in confirmation.text
    # The browser resubmits: the same key replays, no second contribution.
    again = post_form(client, f"{base}/money-in", _check_fields(check.text))
    assert again.status_code == 303 and again.headers["location"] == done.headers["location"]
    assert (
        run(
            LedgerTransaction.count().where(
                (LedgerTransaction.pool == setup.pool_id) & (LedgerTransaction.kind == "contribution")
            )
        )
        == 1
    )


def test_a_payment_double_submitted_pays_once(demo, client):
    from coop.budgets.tables import PoolPayment

    setup = make_pool(contributors=2, deposit_pence=10_000)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    sign_in(client, "daniel@riverside.example")
    key = _hidden(client.get(f"{base}/pay").text, "idempotency_key")
    fields = {"idempotency_key": key, "payee": "Ace Support Ltd", "description": "Week 1", "amount": "30.01"}
    check = post_form(client, f"{base}/pay/check", fields)
    assert check.status_code == 200
    assert "£15.01" in check.text and "£15.00" in check.text
    final = _check_fields(check.text)
    first = post_form(client, f"{base}/pay", final)
    second = post_form(client, f"{base}/pay", final)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert run(PoolPayment.count().where(PoolPayment.pool == setup.pool_id)) == 1
    page = client.get(first.headers["location"])
    assert "Payment recorded" in page.text
    # Changing the amount behind the check page's back is caught by the check token, then by the key.
    tampered = post_form(client, f"{base}/pay", {**final, "amount": "300"})
    assert tampered.status_code == 200 and "Check the payment" in tampered.text
    assert run(PoolPayment.count().where(PoolPayment.pool == setup.pool_id)) == 1


def test_an_unaffordable_payment_is_refused_with_the_reason(demo, client):
    setup = make_pool(contributors=2, deposit_pence=1_000)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    sign_in(client, "daniel@riverside.example")
    key = _hidden(client.get(f"{base}/pay").text, "idempotency_key")
    check = post_form(
        client,
        f"{base}/pay/check",
        {"idempotency_key": key, "payee": "Ace", "description": "Week 1", "amount": "25"},
    )
    refused = post_form(client, f"{base}/pay", _check_fields(check.text))
    assert refused.status_code == 422
    assert "share of £12.50 would leave -£2.50 in their account" in page_text(refused.text)


def test_a_big_payment_waits_for_two_other_approvers(demo, settings):
    from coop.budgets.tables import PoolPayment

    setup = make_pool(contributors=2, deposit_pence=50_000)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    with make_client(settings) as daniel:
        sign_in(daniel, "daniel@riverside.example")
        key = _hidden(daniel.get(f"{base}/pay").text, "idempotency_key")
        check = post_form(
            daniel,
            f"{base}/pay/check",
            {"idempotency_key": key, "payee": "Ace", "description": "Month", "amount": "600"},
        )
        assert "2 other people have approved it" in check.text
        pending = post_form(daniel, f"{base}/pay", _check_fields(check.text))
        url = pending.headers["location"]
        assert "Payment waiting for approval" in daniel.get(url).text
        assert "Approve this payment" not in daniel.get(url).text
        assert post_form(daniel, f"{url}/approve").status_code == 422
    for approver in ("helen", "amara"):
        with make_client(settings) as other:
            sign_in(other, f"{approver}@riverside.example")
            assert "Approve this payment" in other.get(url).text
            assert post_form(other, f"{url}/approve").status_code == 303
    assert (
        run(PoolPayment.select(PoolPayment.status).where(PoolPayment.pool == setup.pool_id).first())["status"]
        == "paid"
    )


def test_members_see_totals_and_their_own_money_but_not_others(demo, client):
    setup = make_pool(contributors=12, deposit_pence=1_234)
    sign_in(client, "jamie@riverside.example")
    page = client.get(f"/o/riverside/budgets/{setup.pool_public_id}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "£148.08" in text  # the pool's total is open to members
    assert "You have £12.34 in this pool" in text
    # Their balance, and their one entry's amount and balance after; nobody else's money.
    assert text.count("£12.34") == 3
    assert "Record a payment" not in text
    assert client.get(f"/o/riverside/budgets/{setup.pool_public_id}/pay").status_code == 403
    assert client.get("/o/riverside/budgets").status_code == 200
    assert "Budgets" in client.get("/o/riverside/").text


def test_another_organisation_cannot_see_the_pool(demo, client):
    setup = make_pool(contributors=1)
    sign_in(client, "lena@northfield.example")
    assert client.get(f"/o/northfield/budgets/{setup.pool_public_id}").status_code == 404
    assert client.get(f"/o/riverside/budgets/{setup.pool_public_id}").status_code == 404


def test_a_statement_is_seen_by_its_owner_and_the_treasurer_only(demo, settings):
    from coop.budgets.tables import PoolAccount

    setup = make_pool(contributors=12, deposit_pence=1_234)
    jamie = run(
        PoolAccount.select()
        .where((PoolAccount.pool == setup.pool_id) & (PoolAccount.name == "Jamie Carter"))
        .first()
    )
    grace = run(
        PoolAccount.select()
        .where((PoolAccount.pool == setup.pool_id) & (PoolAccount.name == "Grace Lee"))
        .first()
    )
    base = f"/o/riverside/budgets/{setup.pool_public_id}/accounts"
    with make_client(settings) as client:
        sign_in(client, "jamie@riverside.example")
        own = client.get(f"{base}/{jamie['public_id']}")
        assert own.status_code == 200
        text = page_text(own.text)
        assert "Statement for Jamie Carter" in text and "Direct payment from Riverside Council" in text
        assert "Closing balance £12.34" in text
        assert client.get(f"{base}/{grace['public_id']}").status_code == 404
    with make_client(settings) as client:
        sign_in(client, "daniel@riverside.example")
        assert client.get(f"{base}/{grace['public_id']}").status_code == 200


def test_a_malformed_id_in_the_address_is_not_found_on_every_engine(demo, client):
    """PostgreSQL fails a whole query on a bad UUID; the lookups check the id first, so it is a 404."""
    setup = make_pool(contributors=1, deposit_pence=1_000)
    sign_in(client, "helen@riverside.example")
    base = "/o/riverside/budgets"
    for path in (
        f"{base}/not-a-uuid",
        f"{base}/{setup.pool_public_id}/payments/not-a-uuid",
        f"{base}/{setup.pool_public_id}/payments/1234",
        f"{base}/{setup.pool_public_id}/accounts/not-a-uuid",
        f"{base}/{setup.pool_public_id}/accounts/not-a-uuid/return",
        f"{base}/{setup.pool_public_id}/transactions/not-a-uuid",
    ):
        assert client.get(path).status_code == 404, path
