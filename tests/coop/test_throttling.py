"""Sign-in throttling lives in the database: per account, per address, shared by every worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import make_client, run
from tests.coop.helpers import PASSWORD, post_form


def _attempt(client, email: str, password: str, **headers: str):
    return post_form(client, "/sign-in", {"email": email, "password": password}, headers=headers)


def _reset_address_counter() -> None:
    from coop.accounts.tables import LoginThrottle

    run(LoginThrottle.delete().where(LoginThrottle.key.like("ip:%")))


def test_after_5_failures_even_the_right_password_must_wait(demo, client):
    for _ in range(5):
        assert "Enter a correct email" in _attempt(client, "helen@riverside.example", "wrong guess").text
    response = _attempt(client, "helen@riverside.example", PASSWORD)
    assert response.status_code == 422
    assert "Too many attempts to sign in. Wait 30 seconds" in response.text


def test_the_wait_doubles_and_then_passes(demo, client):
    from coop.accounts.tables import LoginThrottle

    for _ in range(6):
        _attempt(client, "helen@riverside.example", "wrong guess")
    # The 6th failure happened during the wait, so it was refused without counting; age the last failure.
    run(
        LoginThrottle.update(
            {LoginThrottle.last_failure_at: datetime.now(UTC) - timedelta(seconds=31)}
        ).where(LoginThrottle.key.like("account:%"))
    )
    assert _attempt(client, "helen@riverside.example", "wrong again").status_code == 422
    waited = _attempt(client, "helen@riverside.example", PASSWORD)
    assert "Wait 60 seconds" in waited.text
    run(
        LoginThrottle.update(
            {LoginThrottle.last_failure_at: datetime.now(UTC) - timedelta(seconds=61)}
        ).where(LoginThrottle.key.like("account:%"))
    )
    assert _attempt(client, "helen@riverside.example", PASSWORD).status_code == 303


def test_100_consecutive_failures_lock_the_account_until_a_reset(demo, client):
    from coop.accounts.tables import LoginThrottle

    _attempt(client, "helen@riverside.example", "wrong guess")
    run(LoginThrottle.update({LoginThrottle.failures: 100}).where(LoginThrottle.key.like("account:%")))
    response = _attempt(client, "helen@riverside.example", PASSWORD)
    assert "This account is locked" in response.text and "Reset your password" in response.text


def test_an_address_may_make_20_attempts_a_minute_whatever_it_claims(demo, client):
    for i in range(20):
        response = _attempt(
            client, f"person{i}@riverside.example", "wrong guess", **{"X-Forwarded-For": f"10.0.0.{i}"}
        )
        assert "Enter a correct email" in response.text
    blocked = _attempt(client, "helen@riverside.example", PASSWORD, **{"X-Forwarded-For": "10.9.9.9"})
    assert blocked.status_code == 422 and "Too many attempts" in blocked.text


def test_unknown_accounts_are_throttled_exactly_like_real_ones(demo, client):
    for email in ("helen@riverside.example", "nobody@riverside.example"):
        _reset_address_counter()
        for _ in range(5):
            _attempt(client, email, "wrong guess")
        assert "Wait 30 seconds" in _attempt(client, email, "wrong guess").text


def test_two_workers_share_the_same_limits(demo, settings):
    # Two app instances stand for two worker processes: each has its own connections and memory.
    with make_client(settings) as worker_a, make_client(settings) as worker_b:
        for i in range(5):
            _attempt(worker_a if i % 2 else worker_b, "helen@riverside.example", "wrong guess")
        for worker in (worker_a, worker_b):
            assert "Wait 30 seconds" in _attempt(worker, "helen@riverside.example", PASSWORD).text
