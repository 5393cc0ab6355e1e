"""Passwords: argon2id with the configured parameters, rehash on sign-in, NIST rules, reset by email."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from tests.conftest import make_client, run
from tests.coop.helpers import PASSWORD, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs


def _stored_hash(email: str) -> str:
    from coop.accounts.tables import Person

    return run(Person.select(Person.password_hash).where(Person.email == email).first())["password_hash"]


def test_hashes_are_argon2id_with_the_configured_parameters(demo, settings):
    from coop.accounts.passwords import hash_password, hasher_for

    real = replace(settings, argon2_memory_kib=47104, argon2_time_cost=1, argon2_parallelism=1)
    digest = run(hash_password(hasher_for(real), "a long enough passphrase"))
    match = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$", digest)
    assert match is not None
    assert (int(match[1]), int(match[2]), int(match[3])) == (47104, 1, 1)
    assert len(match[4]) >= 21  # 16-byte salt, unpadded base64
    assert len(match[5]) >= 43  # 32-byte tag
    # The demo's hashes use the test settings' parameters.
    assert "$argon2id$v=19$m=8,t=1,p=1$" in _stored_hash("helen@riverside.example")


def test_a_hash_with_old_parameters_is_replaced_at_the_next_sign_in(demo, client):
    from coop.accounts.tables import Person

    old = PasswordHasher.from_parameters(replace(CHEAPEST, memory_cost=16)).hash(PASSWORD)
    run(Person.update({Person.password_hash: old}).where(Person.email == "tom@riverside.example"))
    sign_in(client, "tom@riverside.example")
    new = _stored_hash("tom@riverside.example")
    assert new != old and "$m=8,t=1,p=1$" in new


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("x7#kq2L", "8 characters or more"),
        ("password1", "too common"),
        ("Qwerty123", "too common"),
        ("z" * 257, "256 characters or fewer"),
        ("helen-jones-2024", "based on your name"),
    ],
)
def test_weak_new_passwords_are_refused_with_a_reason(password, problem):
    from coop.accounts.passwords import password_problem

    message = password_problem(password, context_words=("helen", "Helen Jones"))
    assert message is not None and problem in message


@pytest.mark.parametrize("password", ["x7#kq2Lm", "z" * 256, "tangerine orbit waffle lighthouse"])
def test_reasonable_new_passwords_are_accepted(password):
    from coop.accounts.passwords import password_problem

    assert password_problem(password, context_words=("helen", "Helen Jones")) is None


def test_the_3000_most_common_passwords_are_all_refused():
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    from coop.accounts.passwords import password_problem

    common = FREQUENCY_LISTS["passwords"][:3000]
    assert all(password_problem(p) is not None for p in common)


def test_a_10000_character_password_is_a_friendly_error_not_a_crash(demo, client):
    sign_in(client, "helen@riverside.example")
    response = post_form(
        client, "/account/password", {"current_password": PASSWORD, "new_password": "y" * 10_000}
    )
    assert response.status_code == 422
    assert "256 characters or fewer" in response.text


def test_changing_password_can_end_other_sessions(demo, settings):
    with make_client(settings) as laptop, make_client(settings) as phone:
        sign_in(laptop, "helen@riverside.example")
        sign_in(phone, "helen@riverside.example")
        response = post_form(
            laptop,
            "/account/password",
            {
                "current_password": PASSWORD,
                "new_password": "tangerine orbit waffle lighthouse",
                "end_other_sessions": "yes",
            },
        )
        assert response.status_code == 303
        assert laptop.get("/account").status_code == 200
        assert phone.get("/account", follow_redirects=False).status_code == 303
    with make_client(settings) as fresh:
        sign_in(fresh, "helen@riverside.example", "tangerine orbit waffle lighthouse")


def test_wrong_current_password_changes_nothing(demo, client):
    sign_in(client, "helen@riverside.example")
    before = _stored_hash("helen@riverside.example")
    response = post_form(
        client,
        "/account/password",
        {"current_password": "not it at all", "new_password": "tangerine orbit waffle lighthouse"},
    )
    assert response.status_code == 422 and "current password is not correct" in response.text
    assert _stored_hash("helen@riverside.example") == before


def _outbox(settings) -> list[dict]:
    """Reset emails, once the worker has done what the requests queued (it looks the account up)."""
    from coop.mail.tables import OutboxMessage

    run_jobs(settings)
    return run(
        OutboxMessage.select()
        .where(OutboxMessage.subject == "Reset your coop password")
        .order_by(OutboxMessage.id)
    )


def test_password_reset_by_emailed_one_time_link(demo, settings):
    with make_client(settings) as someone_else:
        sign_in(someone_else, "amara@riverside.example")
        with make_client(settings) as browser:
            sent = post_form(browser, "/password-reset", {"email": "Amara@Riverside.example "})
            assert sent.status_code == 200 and "Check your email" in sent.text
            [message] = _outbox(settings)
            assert message["to_address"] == "amara@riverside.example"
            link = re.search(r"https://testserver\.local(/password-reset/\S+)", message["body"]).group(1)
            assert "Choose a new password" in browser.get(link).text
            weak = post_form(browser, link, {"password": "password"})
            assert weak.status_code == 422 and "too common" in weak.text
            done = post_form(browser, link, {"password": "tangerine orbit waffle lighthouse"})
            assert done.status_code == 303
            # The link works once only.
            assert "This link has expired" in browser.get(link).text
            assert post_form(browser, link, {"password": "another good passphrase"}).status_code == 422
            sign_in(browser, "amara@riverside.example", "tangerine orbit waffle lighthouse")
        # Every session that existed before the reset was ended.
        assert someone_else.get("/account", follow_redirects=False).status_code == 303


def test_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(demo, client):
    known = post_form(client, "/password-reset", {"email": "amara@riverside.example"})
    unknown = post_form(client, "/password-reset", {"email": "nobody@riverside.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("amara@", "X@") == unknown.text.replace("nobody@", "X@")
    assert [m["to_address"] for m in _outbox(demo)] == ["amara@riverside.example"]


def test_reset_emails_are_limited_to_3_an_hour_per_account(demo, client):
    for _ in range(5):
        post_form(client, "/password-reset", {"email": "amara@riverside.example"})
        run_jobs(demo)  # each request's job runs before the next request, as a live worker's would
    assert len(_outbox(demo)) == 3


def test_expired_reset_links_are_refused(demo, client):
    from datetime import UTC, datetime, timedelta

    from coop.accounts.tables import PasswordReset

    post_form(client, "/password-reset", {"email": "amara@riverside.example"})
    link = re.search(r"(/password-reset/\S+)", _outbox(demo)[0]["body"]).group(1)
    run(
        PasswordReset.update({PasswordReset.expires_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True)
    )
    assert "This link has expired" in client.get(link).text
    assert post_form(client, link, {"password": "tangerine orbit waffle lighthouse"}).status_code == 422
