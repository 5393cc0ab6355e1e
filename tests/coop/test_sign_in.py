"""Signing in and out: session cookies, rotation, expiry and revocation."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from tests.conftest import run
from tests.coop.helpers import PASSWORD, SESSION_COOKIE, csrf_token, post_form, sign_in


def _session_rows() -> list[dict]:
    from coop.accounts.tables import LoginSession

    return run(LoginSession.select())


def test_sign_in_sets_a_hardened_session_cookie(demo, client):
    response = sign_in(client, "helen@riverside.example")
    header = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE)
    )
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"secure", "httponly", "path"} <= attributes
    assert "samesite=lax" in header.lower()
    assert "domain" not in attributes
    token = client.cookies.get(SESSION_COOKIE)
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    rows = _session_rows()
    assert [r["token_hash"] for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in str(r) for r in rows)


def test_signed_in_person_reaches_their_organisation(demo, client):
    sign_in(client, "helen@riverside.example")
    page = client.get("/o/riverside/")
    assert page.status_code == 200
    assert "Riverside Shared Support CIC" in page.text


def test_a_new_token_is_issued_at_sign_in_and_the_planted_one_dies(demo, client, settings):
    sign_in(client, "helen@riverside.example")
    planted = client.cookies.get(SESSION_COOKIE)
    # The same browser signs in again (or an attacker planted `planted` before the victim signed in).
    sign_in(client, "helen@riverside.example")
    fresh = client.cookies.get(SESSION_COOKIE)
    assert fresh != planted
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    assert client.get("/o/riverside/", follow_redirects=False).status_code == 303
    assert len(_session_rows()) == 1


def test_wrong_password_and_unknown_email_get_the_same_answer(demo, client):
    wrong = post_form(
        client, "/sign-in", {"email": "helen@riverside.example", "password": "not her password"}
    )
    unknown = post_form(
        client, "/sign-in", {"email": "nobody@riverside.example", "password": "not her password"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert "Enter a correct email address and password" in wrong.text
    assert wrong.text.replace("helen@", "X@") == unknown.text.replace("nobody@", "X@").replace(
        csrf_token(client), csrf_token(client)
    )
    assert client.cookies.get(SESSION_COOKIE) is None


def test_empty_sign_in_shows_errors_by_each_field(demo, client):
    response = post_form(client, "/sign-in", {})
    assert response.status_code == 422
    assert "<title>Error: Sign in" in response.text
    assert 'href="#email"' in response.text and "Enter your email address" in response.text
    assert 'href="#password"' in response.text and "Enter your password" in response.text


def test_sign_out_ends_the_session_server_side(demo, client):
    sign_in(client, "helen@riverside.example")
    token = client.cookies.get(SESSION_COOKIE)
    assert post_form(client, "/account/sign-out").status_code == 303
    assert _session_rows() == []
    client.cookies.set(SESSION_COOKIE, token, domain="testserver.local")
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def _age_session(**changes: timedelta) -> None:
    from coop.accounts.tables import LoginSession

    now = datetime.now(UTC)
    values = {getattr(LoginSession, column): now - ago for column, ago in changes.items()}
    run(LoginSession.update(values, force=True))


def test_idle_session_expires_after_30_minutes(demo, client):
    sign_in(client, "helen@riverside.example")
    _age_session(last_seen_at=timedelta(minutes=29, seconds=55))
    assert client.get("/account").status_code == 200  # still within the limit, and refreshed
    _age_session(last_seen_at=timedelta(minutes=30, seconds=5))
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert _session_rows() == []


def test_the_sign_out_warning_is_timed_from_the_stored_idle_timer(demo, client):
    import re

    from coop.accounts.tables import LoginSession

    def timer() -> tuple[int, int]:
        page = client.get("/account").text
        found = re.search(r'data-idle-seconds="(\d+)" data-idle-seconds-after-request="(\d+)"', page)
        assert found is not None
        return int(found[1]), int(found[2])

    sign_in(client, "helen@riverside.example")
    # Seen 40 s ago: too recent to write again, so the page counts down from what is stored.
    _age_session(last_seen_at=timedelta(seconds=40))
    left, after_request = timer()
    assert 30 * 60 - 42 <= left <= 30 * 60 - 40
    assert after_request == 30 * 60 - 60
    stored = run(LoginSession.select(LoginSession.last_seen_at).first())["last_seen_at"]
    assert datetime.now(UTC) - stored >= timedelta(seconds=40)
    # Seen over a minute ago: this request refreshes the stored time, and the page has the full 30 minutes.
    _age_session(last_seen_at=timedelta(seconds=61))
    assert timer()[0] >= 30 * 60 - 2


def test_session_expires_at_its_absolute_limit_however_active(demo, client):
    sign_in(client, "helen@riverside.example")
    _age_session(expires_at=timedelta(seconds=1))
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_sign_out_everywhere_ends_every_session(demo, settings):
    from tests.conftest import make_client

    with make_client(settings) as laptop, make_client(settings) as phone, make_client(settings) as tablet:
        for browser in (laptop, phone, tablet):
            sign_in(browser, "helen@riverside.example")
        assert len(_session_rows()) == 3
        assert post_form(laptop, "/account/sign-out-everywhere").status_code == 303
        assert _session_rows() == []
        for browser in (phone, tablet):
            assert browser.get("/account", follow_redirects=False).status_code == 303


def test_a_person_can_end_one_other_session(demo, settings):
    from tests.conftest import make_client

    with make_client(settings) as laptop, make_client(settings) as phone:
        sign_in(laptop, "helen@riverside.example")
        sign_in(phone, "helen@riverside.example")
        phone_session = next(
            r
            for r in _session_rows()
            if r["token_hash"] == hashlib.sha256(phone.cookies.get(SESSION_COOKIE).encode()).hexdigest()
        )
        assert post_form(laptop, f"/account/sessions/{phone_session['id']}/end").status_code == 303
        assert phone.get("/account", follow_redirects=False).status_code == 303
        assert laptop.get("/account").status_code == 200


def test_disabled_person_loses_every_session_at_once(demo, client):
    from coop.accounts.tables import Person

    sign_in(client, "helen@riverside.example")
    run(
        Person.update({Person.disabled_at: datetime.now(UTC)}).where(
            Person.email == "helen@riverside.example"
        )
    )
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert (
        post_form(client, "/sign-in", {"email": "helen@riverside.example", "password": PASSWORD}).status_code
        == 422
    )
