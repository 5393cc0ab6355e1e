"""Personal API tokens: made on the account page and shown once, stored hashed, scoped, limited, revocable."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.conftest import run
from tests.coop.api.tokens import bearer, make_token, problem
from tests.coop.helpers import page_text, post_form, sign_in

ORG = "/api/v1/orgs/riverside"


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_only_as_a_hash(demo, client):
    from coop.api.tables import ApiToken
    from coop.audit.tables import AuditEvent

    sign_in(client, "helen@riverside.example")
    assert "Manage your API tokens" in client.get("/account").text
    page = post_form(
        client,
        "/account/api-tokens",
        {"name": "Accounts export", "organisation": "riverside", "access": "read", "lifetime": "30"},
    )
    assert page.status_code == 200
    token = re.search(r"coop_[A-Za-z0-9_-]{43}", page.text)
    assert token is not None
    rows = run(ApiToken.select())
    assert len(rows) == 1 and token.group(0) not in str(rows)
    assert rows[0]["name"] == "Accounts export" and rows[0]["can_write"] is False
    assert rows[0]["expires_at"] - rows[0]["created_at"] == timedelta(days=30)
    listing = client.get("/account/api-tokens").text
    assert "Accounts export" in listing and token.group(0) not in listing
    assert client.get(ORG, headers=bearer(token.group(0))).json()["slug"] == "riverside"
    audit = run(AuditEvent.select(AuditEvent.action).where(AuditEvent.action == "api_token.created"))
    assert len(audit) == 1


def test_the_form_says_what_is_wrong_next_to_each_field(demo, client):
    sign_in(client, "helen@riverside.example")
    page = post_form(
        client,
        "/account/api-tokens",
        {"name": " ", "organisation": "northfield", "access": "x", "lifetime": "3"},
    )
    assert page.status_code == 422
    text = page_text(page.text)
    for message in (
        "Enter a name for the token",
        "Select the organisation the token is for",
        "Select what the token may do",
        "Select how long the token lasts",
    ):
        assert text.count(message) == 2, message  # in the summary and by the field
    from coop.api.tables import ApiToken

    assert run(ApiToken.count()) == 0


def test_a_revoked_token_gets_401_at_once_and_revoking_is_audited(demo, client):
    from coop.api.tables import ApiToken
    from coop.audit.tables import AuditEvent

    token = make_token("helen@riverside.example", "riverside")
    assert client.get(ORG, headers=bearer(token)).status_code == 200
    sign_in(client, "helen@riverside.example")
    token_id = run(ApiToken.select(ApiToken.id).first())["id"]
    # Someone else cannot revoke it.
    other = make_token("jamie@riverside.example", "riverside")
    assert post_form(client, f"/account/api-tokens/{token_id + 1}/revoke").status_code == 303
    assert client.get(ORG, headers=bearer(other)).status_code == 200
    assert post_form(client, f"/account/api-tokens/{token_id}/revoke").status_code == 303
    client.cookies.clear()
    response = client.get(ORG, headers=bearer(token))
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
    problem(response)
    assert run(AuditEvent.count().where(AuditEvent.action == "api_token.revoked")) == 1


def test_missing_malformed_and_expired_tokens_get_401(demo, client):
    from coop.api.tables import ApiToken

    token = make_token("helen@riverside.example", "riverside")
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": token}, bearer("x" * 200)):
        assert problem(client.get(ORG, headers=headers))["status"] == 401
    run(ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True))
    assert problem(client.get(ORG, headers=bearer(token)))["status"] == 401


def test_the_api_ignores_session_cookies(demo, client):
    sign_in(client, "helen@riverside.example")
    assert client.get("/o/riverside/").status_code == 200
    assert problem(client.get(ORG))["status"] == 401
    # No CSRF token is needed (none is read), and a cookie gives no authority either.
    response = client.post(f"{ORG}/providers", json={"name": "x"})
    assert response.status_code in (401, 404, 405)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_token_for_one_organisation_gets_404_for_another(demo, client):
    token = make_token("priya@riverside.example", "riverside")
    assert client.get(ORG, headers=bearer(token)).status_code == 200
    body = problem(client.get("/api/v1/orgs/northfield", headers=bearer(token)))
    assert body["status"] == 404 and "Northfield" not in str(body)


def test_roles_are_checked_at_each_request_not_when_the_token_was_made(demo, client):
    from coop.members.tables import Member, RoleGrant

    token = make_token("helen@riverside.example", "riverside")
    assert client.get(f"{ORG}/members", headers=bearer(token)).status_code == 200
    helen = run(Member.select(Member.id).where(Member.name == "Helen Jones").first())["id"]
    run(RoleGrant.update({RoleGrant.revoked_at: datetime.now(UTC)}).where(RoleGrant.member == helen))
    assert problem(client.get(f"{ORG}/members", headers=bearer(token)))["status"] == 403
    assert client.get(f"{ORG}/members/me", headers=bearer(token)).status_code == 200
    run(Member.update({Member.ceased_on: datetime.now(UTC).date()}).where(Member.id == helen))
    assert problem(client.get(f"{ORG}/members/me", headers=bearer(token)))["status"] == 404


def test_a_token_over_its_limit_gets_429_with_retry_after(demo, settings):
    from dataclasses import replace

    from coop.api.tables import ApiToken
    from tests.conftest import make_client

    token = make_token("helen@riverside.example", "riverside")
    with make_client(replace(settings, api_requests_per_minute=3)) as client:
        assert [client.get(ORG, headers=bearer(token)).status_code for _ in range(3)] == [200] * 3
        limited = client.get(ORG, headers=bearer(token))
        assert problem(limited)["status"] == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 61
        # A new minute starts the count again.
        run(
            ApiToken.update(
                {ApiToken.window_started_at: datetime.now(UTC) - timedelta(minutes=2)}, force=True
            )
        )
        assert client.get(ORG, headers=bearer(token)).status_code == 200


def test_last_used_is_recorded_at_most_once_a_minute(demo, client):
    from coop.api.tables import ApiToken

    token = make_token("helen@riverside.example", "riverside")
    assert run(ApiToken.select(ApiToken.last_used_at).first())["last_used_at"] is None
    client.get(ORG, headers=bearer(token))
    first = run(ApiToken.select(ApiToken.last_used_at).first())["last_used_at"]
    assert first is not None
    client.get(ORG, headers=bearer(token))
    assert run(ApiToken.select(ApiToken.last_used_at).first())["last_used_at"] == first
    run(ApiToken.update({ApiToken.last_used_at: first - timedelta(minutes=2)}, force=True))
    client.get(ORG, headers=bearer(token))
    assert run(ApiToken.select(ApiToken.last_used_at).first())["last_used_at"] > first - timedelta(minutes=1)
