"""M8: approving a payment needs the password given in the last 15 minutes (ASVS 7.5.3). Older than that,
the approver is asked for it again, nothing is approved meanwhile, and giving it issues a new session token
and returns them to the payment."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import make_client, run
from tests.coop.budgets.helpers import make_pool
from tests.coop.budgets.test_pages import _check_fields, _hidden
from tests.coop.helpers import page_text, post_form, sign_in


def _awaiting_payment(settings) -> str:
    setup = make_pool(contributors=2, deposit_pence=50_000)
    base = f"/o/riverside/budgets/{setup.pool_public_id}"
    with make_client(settings) as daniel:
        sign_in(daniel, "daniel@riverside.example")
        key = _hidden(daniel.get(f"{base}/pay").text, "idempotency_key")
        check = post_form(
            daniel,
            f"{base}/pay/check",
            {"idempotency_key": key, "payee": "Ace", "description": "Month", "amount": "600"},
        )
        return post_form(daniel, f"{base}/pay", _check_fields(check.text)).headers["location"]


def _age_sessions(minutes: int) -> None:
    from coop.accounts.service import now
    from coop.accounts.tables import LoginSession

    run(LoginSession.update({LoginSession.created_at: now() - timedelta(minutes=minutes)}, force=True))


def _approvals() -> int:
    from coop.budgets.tables import PaymentApproval

    return run(PaymentApproval.count())


def test_an_approver_who_signed_in_over_15_minutes_ago_gives_their_password_first(demo, settings):
    url = _awaiting_payment(settings)
    before = _approvals()
    with make_client(settings) as helen:
        sign_in(helen, "helen@riverside.example")
        _age_sessions(16)
        asked = post_form(helen, f"{url}/approve")
        assert asked.status_code == 303
        confirm = asked.headers["location"]
        assert confirm.startswith("/account/confirm-password?next=")
        assert _approvals() == before  # nothing approved while the password is asked for
        page = helen.get(confirm)
        assert page.status_code == 200 and "Enter your password to continue" in page.text
        old_token = helen.cookies.get("__Host-session")
        blank = post_form(helen, "/account/confirm-password", {"password": "", "next": url})
        assert blank.status_code == 422 and "Enter your password" in page_text(blank.text)
        wrong = post_form(helen, "/account/confirm-password", {"password": "not my password", "next": url})
        assert wrong.status_code == 422 and "Enter your password correctly" in page_text(wrong.text)
        right = post_form(
            helen, "/account/confirm-password", {"password": "correct horse battery staple", "next": url}
        )
        assert right.status_code == 303 and right.headers["location"] == url
        assert helen.cookies.get("__Host-session") != old_token  # a new token, the old one ended
        assert post_form(helen, f"{url}/approve").status_code == 303
        assert _approvals() == before + 1
    with make_client(settings) as stale:
        stale.cookies.set("__Host-session", old_token, domain="testserver.local")
        signed_out = stale.get("/account", follow_redirects=False)
        assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/sign-in")


def test_a_recent_sign_in_approves_straight_away_and_next_stays_on_this_site(demo, settings):
    url = _awaiting_payment(settings)
    with make_client(settings) as amara:
        sign_in(amara, "amara@riverside.example")
        _age_sessions(14)
        assert post_form(amara, f"{url}/approve").headers["location"] == url
        _age_sessions(20)
        away = post_form(
            amara,
            "/account/confirm-password",
            {"password": "correct horse battery staple", "next": "//evil.example/"},
        )
        assert away.status_code == 303 and away.headers["location"] == "/"
