"""Small helpers for HTTP-level tests: signing in, CSRF tokens, reading database state."""

from __future__ import annotations

import re
from typing import Any

PASSWORD = "correct horse battery staple"
SESSION_COOKIE = "__Host-session"
CSRF_COOKIE = "__Host-csrftoken"


def csrf_token(client: Any) -> str:
    """The CSRF token for forms; a GET sets the cookie when it is missing."""
    token = client.cookies.get(CSRF_COOKIE)
    if token is None:
        client.get("/sign-in")
        token = client.cookies.get(CSRF_COOKIE)
    assert token, "no CSRF cookie was set"
    return str(token)


def post_form(client: Any, url: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
    kwargs.setdefault("follow_redirects", False)
    return client.post(url, data={**(data or {}), "_csrf_token": csrf_token(client)}, **kwargs)


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    response = post_form(client, "/sign-in", {"email": email, "password": password})
    assert response.status_code == 303, response.text[:2000]
    return response


def page_text(html: str) -> str:
    """Visible-ish text, for asserting on words rather than markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
