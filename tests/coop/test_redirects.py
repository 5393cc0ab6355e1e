"""Redirect targets from input (`next=`, the page asked for before signing in) stay on this site and
never break the response: hostile values give a local, percent-encoded target and never a 5xx, for plain
and htmx requests alike."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

from tests.coop.helpers import PASSWORD, SESSION_COOKIE, csrf_token, post_form, sign_in

HOSTILE = {
    "tab": "\t",
    "newline": "\n",
    "carriage return": "\r",
    "backslash": "\\",
    "double slash": "//",
    "scheme-relative": "//evil.example/",
    "tab after slash": "/\t/evil.example",
    "newline after slash": "/\n/evil.example",
    "header injection": "/account\r\nSet-Cookie: planted=1",
    "encoded CRLF": "%0d%0a",
    "encoded CRLF in a path": "/account%0d%0aSet-Cookie:%20planted=1",
    "encoded double slash": "/%2F%2Fevil.example",
    "backslash after slash": "/\\evil.example",
    "encoded backslash": "/%5Cevil.example",
    "absolute": "https://evil.example/",
    "javascript": "javascript:alert(1)",
    "line separator": "/\u2028/evil.example",
    "paragraph separator": "/account\u2029",
    "next line (C1)": "/account\x85",
    "delete": "/\x7f/evil.example",
    "nul": "/account\x00",
    "bidi override": "/\u202eelpmaxe.live//",
    "very long": "/" + "a" * 20_000,
    "very long non-ASCII": "/" + "\u00e9" * 5_000,
}


def assert_local(target: str) -> None:
    """A target a browser can only resolve to a page on this site, and a valid header value."""
    assert target, "no redirect target"
    assert all(0x21 <= ord(c) <= 0x7E for c in target), f"unsafe character in {target!r}"
    assert target.startswith("/") and not target.startswith("//"), target
    assert "\\" not in target, target
    parts = urlsplit(target)
    assert parts.scheme == "" and parts.netloc == "", target
    assert len(target) <= 2000


def redirect_target(response) -> str:
    assert response.status_code < 500, response.text[:500]
    if response.headers.get("hx-redirect") is not None:
        assert response.status_code == 200
        return response.headers["hx-redirect"]
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_sign_in_never_follows_a_hostile_next(demo, client, value, htmx):
    response = post_form(
        client,
        "/sign-in",
        {"email": "helen@riverside.example", "password": PASSWORD, "next": value},
        headers={**(HTMX if htmx else {}), "X-CSRFToken": csrf_token(client)},
    )
    target = redirect_target(response)
    assert_local(target)
    assert "evil" not in target.lower() and "planted" not in target.lower()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_confirm_password_never_follows_a_hostile_next(demo, client, value, htmx):
    sign_in(client, "helen@riverside.example")
    page = client.get("/account/confirm-password", params={"next": value})
    assert page.status_code == 200
    assert 'name="next" value="/"' in page.text
    response = post_form(
        client,
        "/account/confirm-password",
        {"password": PASSWORD, "next": value},
        headers={**(HTMX if htmx else {}), "X-CSRFToken": csrf_token(client)},
    )
    assert redirect_target(response) == "/"


def test_the_sign_in_page_offers_only_a_safe_next(demo, client):
    for name, value in HOSTILE.items():
        page = client.get("/sign-in", params={"next": value})
        assert page.status_code == 200, name
        assert 'name="next" value="/"' in page.text, name


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    "path",
    [
        "/o/%0d%0aSet-Cookie:%20planted=1/",
        "/o/riverside/members/%0d%0aSet-Cookie:%20planted=1",
        "/o/%09/",
        "/o/riverside/members/%09",
        "/o/%E2%80%A8/votes",
        "/o/%5C%5Cevil.example/",
        "/o/riverside/members/%C2%85",
        "/o/riverside/members/x%3Fa=1%26next=javascript:alert(1)",
        "/o/riverside/members/" + "a" * 3000,
        "/o/riverside/members/" + "%C3%A9" * 1000,
    ],
)
def test_signing_in_first_never_carries_a_hostile_path_into_the_redirect(demo, client, path, htmx):
    response = client.get(path, headers=HTMX if htmx else {}, follow_redirects=False)
    if response.status_code == 404:
        # A path parameter no address can have (a control character, too long) is refused before any
        # guard (coop/path_params.py), so nothing is carried anywhere: no Location, no HX-Redirect.
        assert "location" not in response.headers and "hx-redirect" not in response.headers
        hostile = unquote(path)
        assert len(path) > 200 or any(
            ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in hostile
        ), f"{path} is an ordinary address: it should lead to signing in, not 404"
        return
    target = redirect_target(response)
    assert_local(target)
    assert urlsplit(target).path == "/sign-in"
    query = parse_qs(urlsplit(target).query)
    assert set(query) <= {"next"} and len(query.get("next", [])) <= 1, target  # nothing smuggled in
    sign_in_page = client.get(target)
    assert sign_in_page.status_code == 200


def test_a_page_asked_for_before_signing_in_is_where_signing_in_leads(demo, client):
    response = client.get("/o/riverside/votes", follow_redirects=False)
    assert response.headers["location"] == "/sign-in?next=/o/riverside/votes"
    page = client.get(response.headers["location"])
    assert 'name="next" value="/o/riverside/votes"' in page.text
    signed_in = post_form(
        client,
        "/sign-in",
        {"email": "helen@riverside.example", "password": PASSWORD, "next": "/o/riverside/votes"},
    )
    assert signed_in.headers["location"] == "/o/riverside/votes"


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("/o/riverside/votes?tab=open#results", "/o/riverside/votes?tab=open#results"),
        ("/o/riverside/members/caf\u00e9", "/o/riverside/members/caf%C3%A9"),
        ("/o/riverside/members/caf%C3%A9", "/o/riverside/members/caf%C3%A9"),
        ("/search?q=a b", "/search?q=a%20b"),
        ("/100%", "/100%25"),
        ('/"quoted"<tag>', "/%22quoted%22%3Ctag%3E"),
    ],
)
def test_safe_local_targets_are_kept_and_percent_encoded(given, sent):
    from coop.redirect_targets import local_target

    assert local_target(given) == sent
    assert_local(sent)


@pytest.mark.parametrize("value", [*HOSTILE.values(), "", "/\ud800", "relative/path", "?next=/"])
def test_every_hostile_target_falls_back(value):
    from coop.redirect_targets import local_target

    assert local_target(value) == "/"
    assert local_target(value, fallback="/account") == "/account"


def test_the_module_encodes_what_it_keeps_exactly_once():
    from coop.redirect_targets import local_target

    once = local_target("/o/riverside/members/" + quote("Zoë & Ana"))
    assert local_target(once) == once


def test_a_hostile_next_changes_nothing_about_csrf_or_session_rotation(demo, client):
    hostile = {"email": "helen@riverside.example", "password": PASSWORD, "next": "/\t/evil.example"}
    assert client.post("/sign-in", data=hostile, follow_redirects=False).status_code == 403
    assert client.cookies.get(SESSION_COOKIE) is None
    sign_in(client, "helen@riverside.example")
    first = client.cookies.get(SESSION_COOKIE)
    assert redirect_target(post_form(client, "/sign-in", hostile)) == "/"
    assert client.cookies.get(SESSION_COOKIE) not in {None, first}
    client.cookies.set(SESSION_COOKIE, first, domain="testserver.local")
    assert client.get("/account", follow_redirects=False).status_code == 303  # the old token is dead
