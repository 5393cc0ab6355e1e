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


def _add_meetings_and_resolutions(n: int) -> None:
    """`n` general meetings, each with a decided ordinary resolution, and `n` passed written resolutions."""
    from datetime import UTC, date, datetime

    from coop.meetings.tables import AgendaItem, Meeting
    from coop.organisations.tables import Organisation
    from coop.resolutions.tables import WrittenResolution

    org = run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())["id"]
    at = datetime(2026, 6, 1, 18, tzinfo=UTC)
    meetings = [
        Meeting(organisation=org, kind="general", title=f"Meeting {i}", starts_at=at, status="closed")
        for i in range(n)
    ]
    ids = [r["id"] for r in run(Meeting.insert(*meetings).returning(Meeting.id))]
    items = [
        AgendaItem(
            meeting=i,
            position=1,
            title="Resolution",
            resolution_kind="ordinary",
            resolution_text="That we agree.",
            votes_for=3,
            votes_against=1,
            abstentions=0,
            result="passed",
            decided_at=at,
        )
        for i in ids
    ]
    run(AgendaItem.insert(*items))
    written = [
        WrittenResolution(
            organisation=org,
            title=f"Written {i}",
            text="That we agree in writing.",
            kind="ordinary",
            status="passed",
            circulated_on=date(2026, 6, 1),
            decided_on=date(2026, 6, 2),
            eligible_votes=12,
        )
        for i in range(n)
    ]
    run(WrittenResolution.insert(*written))


def test_meetings_and_resolutions_queries_do_not_grow_with_items(demo, client, monkeypatch):
    member = make_token("jamie@riverside.example", "riverside")
    secretary = make_token("helen@riverside.example", "riverside")
    urls = (
        f"{ORG}/meetings?limit=100",
        f"{ORG}/meetings?limit=100&state=closed&starts_since=2026-01-01",
        f"{ORG}/resolutions?limit=100",
        f"{ORG}/resolutions?limit=100&method=written&state=passed",
        f"{ORG}/board",
    )
    _add_meetings_and_resolutions(10)
    few = {(url, t): _queries(client, monkeypatch, url, t) for url in urls for t in (member, secretary)}
    _add_meetings_and_resolutions(990)
    many = {(url, t): _queries(client, monkeypatch, url, t) for url in urls for t in (member, secretary)}
    # The register reads its written part only when the meetings' part does not fill the page: one query
    # fewer once there are 1,000 meeting resolutions, never more.
    assert all(many[key] <= few[key] for key in few), (few, many)
    assert max(few.values()) <= 10, few
