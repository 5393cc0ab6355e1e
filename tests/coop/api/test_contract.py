"""The API against its own OpenAPI document, by Schemathesis: every operation, generated requests, and
no server error or response outside the documented schema. Runs in the normal suite (`make test`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import make_client, run
from tests.coop.api.tokens import bearer, make_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
READ_EXAMPLES = 25
WRITE_EXAMPLES = 1000
FIXTURE_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]


def _document() -> dict[str, Any]:
    from coop.app import create_app
    from coop.settings import Settings

    app = create_app(Settings(secret_key="only to build the schema" * 2), use_pool=False)
    return app.openapi_schema.to_schema()


schema = schemathesis.openapi.from_dict(_document())


def _real_ids() -> dict[str, Any]:
    from coop.budgets.tables import BudgetPool, PoolAccount
    from coop.meetings.tables import AgendaItem, Meeting
    from coop.resolutions.tables import WrittenResolution

    pool = run(BudgetPool.select().where(BudgetPool.organisation.slug == "riverside").first())
    accounts = run(PoolAccount.select(PoolAccount.id).where(PoolAccount.pool == pool["id"]))
    meetings = run(Meeting.select(Meeting.public_id).where(Meeting.organisation.slug == "riverside"))
    decided = run(AgendaItem.select(AgendaItem.public_id).where(AgendaItem.result != ""))
    written = run(WrittenResolution.select(WrittenResolution.public_id))
    return {
        "pool_id": str(pool["public_id"]),
        "accounts": [int(a["id"]) for a in accounts],
        "meeting_id": [str(m["public_id"]) for m in meetings],
        "resolution_id": [str(r["public_id"]) for r in decided + written],
    }


def _aim(case: Any, ids: dict[str, Any]) -> None:
    """Point generated requests at Riverside's real records often enough to reach the code behind them."""
    params = case.path_parameters or {}
    params["org_slug"] = "riverside"
    if "pool_id" in params:
        params["pool_id"] = ids["pool_id"]
    if isinstance(params.get("vote_id"), int) and params["vote_id"] % 2 == 0:
        params["vote_id"] = 1
    for name in ("meeting_id", "resolution_id"):  # public ids: half the time a real one
        if isinstance(params.get(name), str) and len(params[name]) % 2 == 0:
            params[name] = ids[name][len(params[name]) % len(ids[name])]
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("account"), int) and body["account"] % 3 == 0:
        body["account"] = ids["accounts"][body["account"] % len(ids["accounts"])]


def _run(case: Any, client: Any, token: str, ids: dict[str, Any]) -> None:
    _aim(case, ids)
    kwargs = case.as_transport_kwargs(base_url="https://testserver.local")
    headers = {**(kwargs.pop("headers", None) or {}), **bearer(token)}
    kwargs.pop("cookies", None)
    if isinstance(kwargs.get("data"), bytes | str):
        kwargs["content"] = kwargs.pop("data")  # raw bodies (httpx wants `content=` for those)
    response = client.request(headers=headers, **kwargs)
    case.validate_response(response, checks=CHECKS)


_per_test: dict[int, tuple[Any, str, dict[str, Any]]] = {}


def _client_and_token(demo_settings: Any) -> tuple[Any, str, dict[str, Any]]:
    """One app, token and set of ids per test (Hypothesis runs the body once per example)."""
    if id(demo_settings) not in _per_test:
        _per_test.clear()
        # Helen is a director and the secretary: every operation is open to her, so the contract is tested
        # past the role checks. The rate limit is lifted: thousands of requests a minute are the point.
        token = make_token("helen@riverside.example", "riverside", write=True)
        client = make_client(replace(demo_settings, api_requests_per_minute=10**9))
        _per_test[id(demo_settings)] = (client, token, _real_ids())
    return _per_test[id(demo_settings)]


@schema.include(method="GET").parametrize()
@settings(max_examples=READ_EXAMPLES, suppress_health_check=FIXTURE_HEALTH, deadline=None)
def test_every_read_keeps_to_the_document(case, demo):
    _run(case, *_client_and_token(demo))


@schema.include(method="POST").parametrize()
@settings(max_examples=WRITE_EXAMPLES, suppress_health_check=FIXTURE_HEALTH, deadline=None)
def test_every_write_keeps_to_the_document(case, demo):
    _run(case, *_client_and_token(demo))
