"""Helpers for API tests: make a token for a demo person straight through the service."""

from __future__ import annotations

from typing import Any

from tests.conftest import run


def make_token(email: str, slug: str, *, write: bool = False, days: int = 30) -> str:
    from coop.accounts.tables import Person
    from coop.api.tokens import NewToken, create_token
    from coop.audit.service import Actor

    person = run(Person.select(Person.id).where(Person.email == email).first())
    assert person is not None, email
    new = NewToken(name="test", organisation_slug=slug, can_write=write, lifetime_days=days)
    return run(create_token(int(person["id"]), new, Actor(int(person["id"]))))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def problem(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text[:500]
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code and body["detail"] and body["title"]
    return body
