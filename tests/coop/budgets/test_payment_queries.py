"""Paying through the real pages issues a fixed number of queries, pinned at what it took before the
budget service was split by subject (issue 15): a refactor may lower these figures, never raise them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import make_client, run
from tests.coop.budgets.helpers import actor as actor_of
from tests.coop.budgets.helpers import make_pool
from tests.coop.helpers import post_form, sign_in

#: Measured on the code before the split (engine, contributors) -> (paid at once, waiting for approval,
#: the last approval that pays). More contributors means more sub-accounts to move, each one guarded update;
#: PostgreSQL also takes an advisory lock on the payee.
BEFORE = {
    ("sqlite", 2): (24, 18, 22),
    ("sqlite", 20): (34, 28, 22),
    ("postgres", 2): (25, 19, 22),
    ("postgres", 20): (35, 29, 22),
}


@contextmanager
def counted_queries(monkeypatch: Any) -> Iterator[list[str]]:
    """Every statement sent to the database while the block runs."""
    from coop.db import current_engine

    engine_class = type(current_engine())  # patched on the class: PostgresEngine has slots
    original = engine_class.run_querystring
    calls: list[str] = []

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        calls.append(str(querystring))
        return await original(self, querystring, in_pool)

    with monkeypatch.context() as patched:
        patched.setattr(engine_class, "run_querystring", counting)
        yield calls


def _engine() -> str:
    from coop.db import current_engine

    return str(current_engine().engine_type)


def _check_fields(html: str) -> dict[str, str]:
    form = html[html.index('<form method="post" action="/o/riverside/budgets/') :]
    form = form[: form.index("</form>")]
    found = re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    return {n: v for n, v in found if n != "_csrf_token"}


def _checked_payment(client: Any, base: str, amount: str, payee: str) -> dict[str, str]:
    page = client.get(f"{base}/pay").text
    key = re.search(r'name="idempotency_key" value="([^"]*)"', page)
    assert key
    fields = {"payee": payee, "description": "Support", "amount": amount, "idempotency_key": key.group(1)}
    check = post_form(client, f"{base}/pay/check", fields)
    assert check.status_code == 200, check.text
    return _check_fields(check.text)


def _pay(client: Any, monkeypatch: Any, base: str, amount: str, payee: str) -> int:
    final = _checked_payment(client, base, amount, payee)
    with counted_queries(monkeypatch) as calls:
        response = post_form(client, f"{base}/pay", final)
    assert response.status_code == 303, response.text
    return len(calls)


def _approve(settings: Any, monkeypatch: Any, url: str, who: str) -> int:
    with make_client(settings) as other:
        sign_in(other, f"{who}@riverside.example")
        with counted_queries(monkeypatch) as calls:
            response = post_form(other, f"{url}/approve")
    assert response.status_code == 303, response.text
    return len(calls)


@pytest.mark.parametrize("contributors", [2, 20])
def test_paying_does_no_more_queries_than_before(demo, client, settings, monkeypatch, contributors):
    from coop.budgets.tables import PoolPayment

    setup = make_pool(contributors=contributors, deposit_pence=500_000)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    sign_in(client, "daniel@riverside.example")
    at_once = _pay(client, monkeypatch, base, "40", "Ann Smith")
    waiting = _pay(client, monkeypatch, base, "900", "Bea Jones")
    pending = run(PoolPayment.select().where(PoolPayment.status == "awaiting_approval").first())
    url = f"{base}/payments/{pending['public_id']}"
    _approve(settings, monkeypatch, url, "helen")
    last = _approve(settings, monkeypatch, url, "amara")
    assert run(PoolPayment.select().where(PoolPayment.id == pending["id"]).first())["status"] == "paid"
    limits = BEFORE[(_engine(), contributors)]
    assert at_once <= limits[0] and waiting <= limits[1] and last <= limits[2], (at_once, waiting, last)


def _page_queries(client: Any, monkeypatch: Any, url: str) -> int:
    with counted_queries(monkeypatch) as calls:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return len(calls)


def test_the_pools_list_takes_the_same_queries_for_one_pool_or_many(demo, client, monkeypatch):
    make_pool(contributors=1, name="Pool 0")
    sign_in(client, "daniel@riverside.example")
    one = _page_queries(client, monkeypatch, "/o/riverside/budgets/")
    for n in range(1, 8):
        make_pool(contributors=1, name=f"Pool {n}")
    many = _page_queries(client, monkeypatch, "/o/riverside/budgets/")
    assert one == many


def test_a_pool_page_takes_the_same_queries_for_one_payment_waiting_or_many(demo, client, monkeypatch):
    from coop.budgets import payments

    setup = make_pool(contributors=2, deposit_pence=2_000_000)
    treasurer = actor_of(setup.people["daniel"])

    def waiting(n: int) -> None:
        request = payments.PaymentRequest(f"Payee {n}", "Month", 60_000, f"queries-wait-key-{n:04d}")
        result = run(payments.request_payment(setup.organisation_id, setup.pool_id, request, actor=treasurer))
        assert result.status == "awaiting_approval"

    waiting(0)
    sign_in(client, "helen@riverside.example")  # an approver: the page works out what she may approve
    url = f"/o/riverside/budgets/{setup.pool_public_id}"
    one = _page_queries(client, monkeypatch, url)
    for n in range(1, 8):
        waiting(n)
    assert _page_queries(client, monkeypatch, url) == one
