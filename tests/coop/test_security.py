"""Protection on every response: headers, CSRF on every unsafe route, Fetch Metadata, Host checks,
friendly errors without internals."""

from __future__ import annotations

import re

import pytest
from litestar import get

from tests.coop.helpers import SESSION_COOKIE, csrf_token, post_form, sign_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _assert_baseline_headers(response) -> None:
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    max_age = int(re.search(r"max-age=(\d+)", response.headers["strict-transport-security"]).group(1))
    assert max_age >= 31536000
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]


@pytest.mark.parametrize(
    "path", ["/", "/sign-in", "/help", "/no-such-page", "/o/riverside/", "/static/build/coop.css", "/healthz"]
)
def test_every_kind_of_response_carries_the_security_headers(demo, client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code in {200, 303, 404}
    _assert_baseline_headers(response)


def test_pages_are_never_cached_but_static_files_may_be_revalidated(demo, client):
    assert client.get("/sign-in").headers["cache-control"] == "no-store"
    assert client.get("/static/build/coop.css").headers["cache-control"] == "no-cache"


def _unsafe_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for method in getattr(route, "methods", set()) & UNSAFE:
            found.append((method, route.path))
    return found


PLACEHOLDERS = {"int": "1", "str": "x" * 20, "uuid": "00000000-0000-4000-8000-000000000000", "path": "x"}


def _concrete(path: str) -> str:
    """A real URL for a route pattern: the demo organisation, and a value of each parameter's type."""
    path = path.replace("{org_slug:str}", "riverside")
    return re.sub(r"\{\w+:(\w+)\}", lambda m: PLACEHOLDERS[m.group(1)], path)


def test_every_unsafe_route_refuses_a_request_without_a_csrf_token(demo, client):
    sign_in(client, "helen@riverside.example")
    routes = _unsafe_routes(client.app)
    assert len(routes) >= 8, routes
    for method, path in routes:
        response = client.request(method, _concrete(path), follow_redirects=False)
        if path.startswith("/api/"):
            # The API reads no cookies (so needs no CSRF token): the signed-in session gives it nothing.
            assert response.status_code == 401, (method, path, response.status_code)
            continue
        assert response.status_code == 403, (method, path, response.status_code)
        assert "Your form has expired" in response.text
    # The session survived every refused request: nothing was changed.
    assert client.get("/account").status_code == 200


def test_a_forged_csrf_token_is_refused(demo, client):
    sign_in(client, "helen@riverside.example")
    response = client.post(
        "/account/sign-out-everywhere", data={"_csrf_token": "0" * 128}, follow_redirects=False
    )
    assert response.status_code == 403
    assert client.get("/account").status_code == 200


def test_htmx_requests_send_the_token_in_a_header(demo, client):
    sign_in(client, "helen@riverside.example")
    response = client.post(
        "/account/stay-signed-in", headers={"x-csrftoken": csrf_token(client), "HX-Request": "true"}
    )
    assert response.status_code == 201 or response.status_code == 200
    assert "<html" not in response.text and "another" in response.text


def test_cross_site_requests_are_refused_even_with_a_valid_token(demo, client):
    sign_in(client, "helen@riverside.example")
    response = post_form(client, "/account/sign-out-everywhere", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    response = post_form(client, "/account/sign-out-everywhere", headers={"Sec-Fetch-Site": "same-site"})
    assert response.status_code == 403
    assert client.get("/account").status_code == 200


def test_a_foreign_origin_is_refused_when_fetch_metadata_is_missing(demo, client):
    sign_in(client, "helen@riverside.example")
    response = post_form(client, "/account/sign-out-everywhere", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    same = post_form(client, "/account/stay-signed-in", headers={"Origin": "https://testserver.local"})
    assert same.status_code in {200, 201}


def test_a_foreign_host_header_gets_400(demo, client):
    response = client.get("/sign-in", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.text


def test_unexpected_errors_show_a_friendly_page_with_a_reference_and_no_internals(demo, settings):
    from litestar.testing import TestClient

    from coop.app import create_app

    @get("/explode", opt={"public": True}, sync_to_thread=False)
    def explode() -> str:
        raise RuntimeError("SELECT secret FROM /srv/coop/internal.py")

    app = create_app(settings, use_pool=False)
    app.register(explode)
    with TestClient(app=app, base_url="https://testserver.local", raise_server_exceptions=False) as client:
        response = client.get("/explode")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert response.headers["x-request-id"] in response.text
    for leak in ("Traceback", "SELECT secret", "/srv/coop", "RuntimeError", "internal.py"):
        assert leak not in response.text
    _assert_baseline_headers(response)


def test_oversized_bodies_are_refused_without_a_server_error(demo, client):
    response = client.post(
        "/sign-in",
        content=b"email=" + b"a" * 1_100_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in {403, 413}


def test_session_cookie_is_not_readable_by_javascript_or_sent_cross_site(demo, client):
    response = sign_in(client, "helen@riverside.example")
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session and "Secure" in session
