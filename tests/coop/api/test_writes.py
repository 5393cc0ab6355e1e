"""API writes go through the pages' service functions: same checks, same audit, idempotent money in."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import run
from tests.coop.api.tokens import bearer, make_token, problem

ORG = "/api/v1/orgs/riverside"
KEY = "api-test-key-0000000001"


def _pool_and_account(slug: str = "riverside") -> tuple[str, int]:
    from coop.budgets.tables import BudgetPool, PoolAccount

    pool = run(
        BudgetPool.select().where(BudgetPool.organisation.slug == slug).order_by(BudgetPool.id).first()
    )
    account = run(
        PoolAccount.select(PoolAccount.id)
        .where((PoolAccount.pool == pool["id"]) & (PoolAccount.kind == "contributor"))
        .order_by(PoolAccount.id)
        .first()
    )
    return str(pool["public_id"]), int(account["id"])


def _money_in(account: int, **changes: Any) -> dict[str, Any]:
    return {
        "account": account,
        "amount_pence": 123456,
        "funding_source": "direct_payment",
        "funder": "Riverside Council",
        "period_start": "2026-04-01",
        "period_end": "2026-04-30",
        **changes,
    }


def _counts() -> tuple[int, int]:
    from coop.audit.tables import AuditEvent
    from coop.budgets.tables import LedgerTransaction

    return run(LedgerTransaction.count()), run(AuditEvent.count())


def test_money_in_is_recorded_once_and_a_replay_gives_the_same_answer(demo, client):
    token = make_token("daniel@riverside.example", "riverside", write=True)
    pool, account = _pool_and_account()
    before = _counts()
    headers = {**bearer(token), "Idempotency-Key": KEY}
    first = client.post(f"{ORG}/pools/{pool}/money-in", json=_money_in(account), headers=headers)
    assert first.status_code == 201, first.text
    again = client.post(f"{ORG}/pools/{pool}/money-in", json=_money_in(account), headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert _counts()[0] == before[0] + 1
    # The same key for a different amount is a conflict, and records nothing.
    conflict = client.post(
        f"{ORG}/pools/{pool}/money-in", json=_money_in(account, amount_pence=1), headers=headers
    )
    assert problem(conflict)["status"] == 409
    assert _counts()[0] == before[0] + 1


def test_fifty_concurrent_requests_with_one_key_make_one_transaction(demo, settings):
    from litestar.testing import AsyncTestClient

    from coop.app import create_app
    from coop.budgets.tables import LedgerTransaction

    token = make_token("daniel@riverside.example", "riverside", write=True)
    pool, account = _pool_and_account()
    headers = {**bearer(token), "Idempotency-Key": KEY}

    async def main() -> list[Any]:
        async with AsyncTestClient(
            app=create_app(settings, use_pool=False), base_url="https://testserver.local"
        ) as c:
            return await asyncio.gather(
                *(
                    c.post(f"{ORG}/pools/{pool}/money-in", json=_money_in(account), headers=headers)
                    for _ in range(50)
                )
            )

    responses = asyncio.run(main())
    assert {r.status_code for r in responses} == {201}, {r.status_code: r.text for r in responses}
    assert len({r.json()["id"] for r in responses}) == 1
    assert run(LedgerTransaction.count().where(LedgerTransaction.idempotency_key == KEY)) == 1


def test_invalid_writes_say_what_is_wrong_by_field_and_write_nothing(demo, client):
    token = make_token("daniel@riverside.example", "riverside", write=True)
    pool, account = _pool_and_account()
    before = _counts()
    url = f"{ORG}/pools/{pool}/money-in"
    cases = [
        ({"Idempotency-Key": "short"}, _money_in(account), "Idempotency-Key"),
        ({"Idempotency-Key": KEY}, _money_in(account, surprise=1), "surprise"),
        ({"Idempotency-Key": KEY}, _money_in(account, amount_pence=0), "amount_pence"),
        ({"Idempotency-Key": KEY}, _money_in(account, period_end="2026-03-01"), "period"),
        ({"Idempotency-Key": KEY}, _money_in(999999), "account"),
    ]
    for extra, body, field in cases:
        response = client.post(url, json=body, headers={**bearer(token), **extra})
        found = problem(response)
        assert response.status_code in (400, 422), (field, response.text)
        assert any(field.lower() in e["field"].lower() for e in found["errors"]), (field, found)
    assert _counts() == before


def test_add_a_provider_uses_the_pages_checks_and_is_audited(demo, client):
    from coop.audit.tables import AuditEvent
    from coop.commissioning.tables import Provider

    token = make_token("daniel@riverside.example", "riverside", write=True)
    body = {"name": "Brook Care CIC", "kind": "cic", "contact": "Sam, 01234 567890"}
    created = client.post(f"{ORG}/providers", json=body, headers=bearer(token))
    assert created.status_code == 201, created.text
    assert run(Provider.exists().where(Provider.name == "Brook Care CIC"))
    assert run(AuditEvent.exists().where(AuditEvent.action == "commissioning.provider_added"))
    bad = problem(
        client.post(
            f"{ORG}/providers", json={**body, "kind": "wizard", "cqc_rating": "Good"}, headers=bearer(token)
        )
    )
    assert {e["field"] for e in bad["errors"]} == {"kind", "cqc_number"}


def test_a_member_without_a_money_role_gets_403_even_with_a_write_token(demo, client):
    token = make_token("jamie@riverside.example", "riverside", write=True)
    pool, account = _pool_and_account()
    before = _counts()
    response = client.post(
        f"{ORG}/pools/{pool}/money-in",
        json=_money_in(account),
        headers={**bearer(token), "Idempotency-Key": KEY},
    )
    assert problem(response)["status"] == 403
    assert _counts() == before
