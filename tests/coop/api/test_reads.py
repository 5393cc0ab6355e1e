"""API reads: the same records the pages show, paged by cursor, scoped to the token's organisation."""

from __future__ import annotations

from tests.conftest import run
from tests.coop.api.tokens import bearer, make_token, problem

ORG = "/api/v1/orgs/riverside"


def test_the_organisation_and_its_constitution_in_force(demo, client):
    body = client.get(ORG, headers=bearer(make_token("jamie@riverside.example", "riverside"))).json()
    assert body["name"] == "Riverside Shared Support CIC"
    assert body["constitution"]["version"] >= 1 and "[" in body["constitution"]["document"]


def test_members_are_paged_by_cursor_with_stable_order_and_no_repeats(demo, client):
    from coop.members.tables import Member

    token = make_token("helen@riverside.example", "riverside")
    seen, cursor = [], None
    while True:
        params = {"limit": "5", **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{ORG}/members", params=params, headers=bearer(token)).json()
        assert len(page["items"]) <= 5
        seen += [m["id"] for m in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    expected = run(
        Member.select(Member.public_id).where(Member.organisation.slug == "riverside").order_by(Member.id)
    )
    assert seen == [str(r["public_id"]) for r in expected]
    current = client.get(f"{ORG}/members", params={"state": "current"}, headers=bearer(token)).json()
    assert all(m["ceased_on"] is None for m in current["items"])


def test_a_member_sees_their_own_record_but_not_the_register(demo, client):
    token = make_token("jamie@riverside.example", "riverside")
    assert client.get(f"{ORG}/members/me", headers=bearer(token)).json()["name"] == "Jamie Carter"
    assert problem(client.get(f"{ORG}/members", headers=bearer(token)))["status"] == 403
    assert problem(client.get(f"{ORG}/audit-events", headers=bearer(token)))["status"] == 403


def test_bad_cursors_limits_and_dates_are_problems_by_field(demo, client):
    token = make_token("helen@riverside.example", "riverside")
    body = problem(client.get(f"{ORG}/members", params={"cursor": "nonsense"}, headers=bearer(token)))
    assert body["status"] == 400 and body["errors"][0]["field"] == "cursor"
    body = problem(client.get(f"{ORG}/members", params={"limit": "1000"}, headers=bearer(token)))
    assert body["status"] == 400 and body["errors"][0]["field"] == "limit"
    body = problem(
        client.get(
            f"{ORG}/audit-events",
            params={"since": "2026-02-01", "until": "2026-01-01"},
            headers=bearer(token),
        )
    )
    assert body["errors"][0]["field"] == "since"


def test_ids_out_of_range_or_malformed_are_404(demo, client):
    token = make_token("helen@riverside.example", "riverside")
    for path in (
        f"{ORG}/votes/0",
        f"{ORG}/votes/99999999999999999999",
        f"{ORG}/votes/-1",
        f"{ORG}/votes/2147483648/results",
        f"{ORG}/pools/not-a-uuid",
        f"{ORG}/pools/00000000-0000-0000-0000-000000000000/ledger",
        "/api/v1/nowhere",
    ):
        assert problem(client.get(path, headers=bearer(token)))["status"] == 404, path


def test_votes_pools_and_commissioning_lists(demo, client):
    token = make_token("daniel@riverside.example", "riverside")
    votes = client.get(f"{ORG}/votes", headers=bearer(token)).json()["items"]
    assert votes
    closed = [v for v in votes if v["status"] == "closed"]
    if closed:
        vote = closed[0]["id"]
        assert "outcome" in client.get(f"{ORG}/votes/{vote}/results", headers=bearer(token)).json()["result"]
        assert client.get(f"{ORG}/votes/{vote}/board", headers=bearer(token)).status_code == 200
    pools = client.get(f"{ORG}/pools", headers=bearer(token)).json()
    assert pools and all(isinstance(p["totals_pence"]["balance"], int) for p in pools)
    ledger = client.get(f"{ORG}/pools/{pools[0]['id']}/ledger", headers=bearer(token)).json()
    assert ledger["items"]
    for name in ("providers", "proposals", "contracts"):
        assert client.get(f"{ORG}/{name}", headers=bearer(token)).status_code == 200


def test_the_openapi_document_and_reference_page(demo, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    page = client.get("/api/v1/reference")
    assert (
        page.status_code == 200
        and "listMembers" in page.text
        and "<script" not in page.text.split("<main")[1]
    )
