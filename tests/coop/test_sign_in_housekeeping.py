"""The worker forgets sign-in records nobody needs: ended sessions, out-of-date reset links and trusted
browsers, and throttle counters long quiet; a counter that still makes someone wait stays."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.helpers import PASSWORD, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs


def _keys() -> set[str]:
    from coop.accounts.tables import LoginThrottle

    return {r["key"] for r in run(LoginThrottle.select(LoginThrottle.key))}


def _account(email: str) -> str:
    return f"account:{hashlib.sha256(email.encode()).hexdigest()[:40]}"


def _count(table: Any) -> int:
    return int(run(table.count()))


def test_the_sweep_forgets_what_limits_nothing_and_keeps_what_does(demo, settings, client) -> None:
    from coop.accounts.tables import LoginSession, PasswordReset, TrustedDevice

    start = datetime.now(UTC)
    sign_in(client, "helen@riverside.example")
    for _ in range(2):  # a made-up email: a free try or two, nothing to wait for
        post_form(client, "/sign-in", {"email": "nobody@example.org", "password": "guess"})
    for _ in range(5):  # five wrong in a row: Omar's next try must wait, however long ago this was
        post_form(client, "/sign-in", {"email": "omar@riverside.example", "password": "guess"})
    post_form(client, "/password-reset", {"email": "helen@riverside.example"})
    counters = _keys()
    assert {_account("nobody@example.org"), _account("omar@riverside.example")} <= counters
    assert any(key.startswith("ip:") for key in counters)
    assert _count(LoginSession) >= 1 and _count(TrustedDevice) == 1

    run_jobs(
        settings, at=start + timedelta(minutes=5), sign_in_housekeeping=True
    )  # sends the reset link; nothing is stale yet
    assert _keys() == counters
    assert _count(PasswordReset) == 1 and _count(LoginSession) >= 1

    run_jobs(settings, at=start + timedelta(days=2), sign_in_housekeeping=True)
    assert _keys() == {_account("omar@riverside.example")}
    assert _count(LoginSession) == 0 and _count(PasswordReset) == 0
    assert _count(TrustedDevice) == 1  # a browser stays trusted for a year
    response = post_form(client, "/sign-in", {"email": "omar@riverside.example", "password": PASSWORD})
    assert "Too many attempts to sign in" in response.text

    run_jobs(settings, at=start + timedelta(days=366), sign_in_housekeeping=True)
    assert _count(TrustedDevice) == 0
