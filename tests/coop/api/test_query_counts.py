"""Every API list issues a number of queries that does not grow with the data (DESIGN §5)."""

from __future__ import annotations

from typing import Any

from tests.conftest import run
from tests.coop.api.tokens import bearer, make_token

ORG = "/api/v1/orgs/riverside"


def _add_providers(n: int) -> None:
    from coop.commissioning.tables import Provider
    from coop.organisations.tables import Organisation

    org = run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())["id"]
    rows = [Provider(organisation=org, name=f"Provider {i}", kind="cic", contact="x") for i in range(n)]
    run(Provider.insert(*rows))


def _queries(client: Any, monkeypatch: Any, url: str, token: str) -> int:
    from coop.db import current_engine

    engine_class = type(current_engine())  # patched on the class: PostgresEngine has slots
    calls = []
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        calls.append(1)
        return await original(self, querystring, in_pool)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    try:
        response = client.get(url, headers=bearer(token))
    finally:
        monkeypatch.setattr(engine_class, "run_querystring", original)
    assert response.status_code == 200, response.text
    return len(calls)


def test_list_queries_do_not_grow_with_items(demo, client, monkeypatch):
    token = make_token("helen@riverside.example", "riverside")
    _add_providers(10)
    url = f"{ORG}/providers?limit=100"
    few = _queries(client, monkeypatch, url, token)
    _add_providers(990)
    many = _queries(client, monkeypatch, url, token)
    assert few == many
    assert 3 <= few <= 6  # token, rate count, membership, the page
    for path in ("members", "votes", "audit-events", "proposals", "contracts"):
        assert _queries(client, monkeypatch, f"{ORG}/{path}?limit=100", token) <= 6, path
