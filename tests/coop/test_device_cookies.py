"""Strangers cannot lock a member out (OWASP device cookies, ASVS 6.1.1): a browser that has signed in
before keeps a signed device cookie that takes it past the account's limit, while every other client, a
forged or tampered cookie, or a cookie for another account, meets that limit exactly as before."""

from __future__ import annotations

import asyncio
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from coop import clock
from tests.conftest import make_client, run
from tests.coop.helpers import PASSWORD, SESSION_COOKIE, csrf_token, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs

DEVICE_COOKIE = "__Host-device"
HELEN = "helen@riverside.example"
AMARA = "amara@riverside.example"


def _attempt(client, email: str, password: str):
    return post_form(client, "/sign-in", {"email": email, "password": password})


def _forget_address_counts() -> None:
    """Every test client shares one address: keep the per-address limit out of per-account tests."""
    from coop.accounts.tables import LoginThrottle

    run(LoginThrottle.delete().where(LoginThrottle.key.like("ip:%")))


def _account_failures() -> int:
    from coop.accounts.tables import LoginThrottle

    row = run(LoginThrottle.select().where(LoginThrottle.key.like("account:%")).first())
    return 0 if row is None else row["failures"]


def _age_failures(table_name: str, seconds: int) -> None:
    """Pretend the last wrong password was `seconds` ago, so the next attempt is allowed and counts."""
    from coop.accounts.tables import LoginThrottle, TrustedDevice

    table = LoginThrottle if table_name == "account" else TrustedDevice
    moment = datetime.now(UTC) - timedelta(seconds=seconds)
    where = LoginThrottle.key.like("account:%") if table is LoginThrottle else TrustedDevice.id > 0
    run(table.update({table.last_failure_at: moment}).where(where))


def _devices_of(email: str) -> list[dict]:
    from coop.accounts.tables import TrustedDevice

    return run(TrustedDevice.select().where(TrustedDevice.person.email == email))


@contextmanager
def _known_browser(settings):
    """A browser that has signed in as Helen before and signed out again: it keeps its device cookie."""
    with make_client(settings) as browser:
        sign_in(browser, HELEN)
        assert post_form(browser, "/account/sign-out").status_code == 303
        assert browser.cookies.get(DEVICE_COOKIE)
        yield browser


def test_100_guesses_from_50_addresses_then_the_owners_known_browser_signs_in_at_once(demo, settings):
    from coop.accounts import service

    with _known_browser(settings) as owner:
        answers: list[str | None] = []

        async def guess_100_times() -> None:
            from coop.accounts.tables import LoginThrottle

            for n in range(100):
                result = await service.sign_in(
                    HELEN,
                    f"guess number {n}",
                    settings=settings,
                    address=f"203.0.113.{n % 50}",
                    user_agent="guesser",
                    previous_token=None,
                )
                answers.append(result.error)
                # Each guesser waits out the delay, so every one of the 100 guesses is really tried.
                await LoginThrottle.update(
                    {LoginThrottle.last_failure_at: datetime.now(UTC) - timedelta(minutes=16)}
                ).where(LoginThrottle.key.like("account:%"))

        run(guess_100_times())
        assert answers == [service.SIGN_IN_ERROR] * 100
        assert _account_failures() == 100  # the account is now locked for every untrusted client

        signed_in = _attempt(owner, HELEN, PASSWORD)
        assert signed_in.status_code == 303, signed_in.text
        assert owner.get("/account").status_code == 200
        # A guesser without the cookie gets no faster: even the right password is refused.
        with make_client(settings) as guesser:
            refused = _attempt(guesser, HELEN, PASSWORD)
            assert refused.status_code == 422 and "This account is locked" in refused.text
            assert guesser.cookies.get(SESSION_COOKIE) is None
        assert _account_failures() == 100


def test_the_owners_sign_in_does_not_reset_the_guessers_limit(demo, settings):
    # The clock stands still, so the 30-second wait cannot run out on a slow machine between attempts.
    with (
        clock.frozen_at(datetime.now(UTC)),
        _known_browser(settings) as owner,
        make_client(settings) as guesser,
    ):
        for _ in range(5):
            assert "Enter a correct email" in _attempt(guesser, HELEN, "wrong guess").text
        assert "Wait 30 seconds" in _attempt(guesser, HELEN, PASSWORD).text
        assert _attempt(owner, HELEN, PASSWORD).status_code == 303
        assert "Wait 30 seconds" in _attempt(guesser, HELEN, "wrong guess").text
        assert "Wait 30 seconds" in _attempt(guesser, HELEN, PASSWORD).text
        assert _account_failures() == 5


def test_guessers_sharing_the_owners_address_do_not_keep_the_known_browser_out(demo, settings):
    with _known_browser(settings) as owner, make_client(settings) as guesser:
        for n in range(21):
            _attempt(guesser, f"person{n}@riverside.example", "wrong guess")
        blocked = _attempt(guesser, HELEN, PASSWORD)
        assert "Too many attempts" in blocked.text  # the address's limit holds for untrusted clients
        assert _attempt(owner, HELEN, PASSWORD).status_code == 303


def _tampered(value: str, other_person_id: int) -> dict[str, str]:
    person, nonce, signature = value.split(".")
    flipped = "0" if signature[-1] != "0" else "1"
    return {
        "signature changed": f"{person}.{nonce}.{signature[:-1]}{flipped}",
        "nonce changed": f"{person}.{nonce[:-1]}{'A' if nonce[-1] != 'A' else 'B'}.{signature}",
        "person changed": f"{other_person_id}.{nonce}.{signature}",
        "signature dropped": f"{person}.{nonce}",
        "unsigned": f"{person}.{nonce}.",
        "signed with another secret": _signed_elsewhere(int(person)),
        "garbage": "not-a-device-cookie",
        "very long": "1." + "a" * 5000 + ".b",
    }


def _signed_elsewhere(person_id: int) -> str:
    import hashlib
    import hmac

    nonce = "x" * 43
    key = hmac.new(b"some other secret", b"coop device cookie v1", hashlib.sha256).digest()
    return f"{person_id}.{nonce}.{hmac.new(key, f'{person_id}.{nonce}'.encode(), hashlib.sha256).hexdigest()}"


def test_a_forged_or_tampered_device_cookie_is_treated_as_untrusted(demo, settings):
    from coop.accounts.tables import LoginThrottle, Person

    with _known_browser(settings) as owner:
        genuine = owner.cookies.get(DEVICE_COOKIE)
    amara = run(Person.select(Person.id).where(Person.email == AMARA).first())["id"]
    for name, value in _tampered(genuine, amara).items():
        run(LoginThrottle.delete().where(LoginThrottle.id > 0))
        with make_client(settings) as forger:
            forger.cookies.set(DEVICE_COOKIE, value, domain="testserver.local")
            for _ in range(5):
                assert "Enter a correct email" in _attempt(forger, HELEN, "wrong guess").text, name
            refused = _attempt(forger, HELEN, PASSWORD)
            assert refused.status_code == 422 and "Wait 30 seconds" in refused.text, name
    # The genuine cookie, for comparison, takes its browser past the same limit.
    with make_client(settings) as owner_again:
        owner_again.cookies.set(DEVICE_COOKIE, genuine, domain="testserver.local")
        assert _attempt(owner_again, HELEN, PASSWORD).status_code == 303


def test_a_device_cookie_for_one_account_does_not_help_on_another(demo, settings):
    with _known_browser(settings) as helens_browser:
        for _ in range(5):
            assert "Enter a correct email" in _attempt(helens_browser, AMARA, "wrong guess").text
        refused = _attempt(helens_browser, AMARA, PASSWORD)
        assert refused.status_code == 422 and "Wait 30 seconds" in refused.text
        assert _attempt(helens_browser, HELEN, PASSWORD).status_code == 303  # still good for Helen


def test_a_known_browser_meets_its_own_limit_and_loses_trust_after_10_wrong_passwords(demo, settings):
    with _known_browser(settings) as owner:
        for _ in range(5):
            assert "Enter a correct email" in _attempt(owner, HELEN, "wrong guess").text
        assert "Wait 30 seconds" in _attempt(owner, HELEN, PASSWORD).text
        assert _account_failures() == 0  # the browser's run of failures is its own
        with make_client(settings) as elsewhere:
            assert _attempt(elsewhere, HELEN, PASSWORD).status_code == 303
        [device] = [d for d in _devices_of(HELEN) if d["failures"]]
        assert device["failures"] == 5
        for _ in range(5):
            _age_failures("device", 16 * 60)
            assert "Enter a correct email" in _attempt(owner, HELEN, "wrong guess").text
        # Ten in a row: the browser is no longer trusted, and meets the account's limit like anyone.
        assert all(d["id"] != device["id"] for d in _devices_of(HELEN))
        assert _account_failures() == 0
        for _ in range(5):
            assert "Enter a correct email" in _attempt(owner, HELEN, "wrong guess").text
        assert _account_failures() == 5
        assert "Wait 30 seconds" in _attempt(owner, HELEN, PASSWORD).text


@pytest.mark.parametrize("trusted", [False, True], ids=["untrusted", "known browser"])
def test_concurrent_guesses_get_no_more_than_the_free_attempts(demo, settings, trusted):
    """30 wrong passwords at once (pooled connections on PostgreSQL, the app's persistent connection on
    SQLite): each limit's count is claimed before the password is checked, so exactly 5 are tried."""
    from coop.accounts import service
    from coop.db import close_database, open_database

    def attempt(password: str, address: str, device: str | None):
        return service.sign_in(
            HELEN,
            password,
            settings=settings,
            address=address,
            user_agent="",
            previous_token=None,
            device_cookie=device,
        )

    async def main() -> list[service.SignInResult]:
        await open_database()
        try:
            device = (await attempt(PASSWORD, "198.51.100.1", None)).device_cookie if trusted else None
            return await asyncio.gather(*(attempt(f"guess {n}", f"203.0.113.{n}", device) for n in range(30)))
        finally:
            await close_database()

    errors = [result.error for result in run(main())]
    assert errors.count(service.SIGN_IN_ERROR) == 5, errors
    assert sum(1 for e in errors if e and e.startswith("Too many attempts to sign in. Wait")) == 25, errors


def test_the_lock_never_blocks_a_password_reset(demo, settings):
    from coop.accounts.tables import LoginThrottle
    from coop.mail.tables import OutboxMessage

    with make_client(settings) as browser:
        _attempt(browser, HELEN, "wrong guess")
        run(LoginThrottle.update({LoginThrottle.failures: 100}).where(LoginThrottle.key.like("account:%")))
        assert "This account is locked" in _attempt(browser, HELEN, PASSWORD).text
        sent = post_form(browser, "/password-reset", {"email": HELEN})
        assert sent.status_code == 200 and "Check your email" in sent.text
        run_jobs(settings)  # the worker looks the account up and queues the link, outside the request
        # (The worker also sends whatever else the demo has queued, such as the open vote's announcement.)
        [message] = run(
            OutboxMessage.select().where(
                (OutboxMessage.to_address == HELEN) & OutboxMessage.body.like("%/password-reset/%")
            )
        )
        link = re.search(r"https://testserver\.local(/password-reset/\S+)", message["body"]).group(1)
        assert post_form(browser, link, {"password": "tangerine orbit waffle lighthouse"}).status_code == 303
        assert _attempt(browser, HELEN, "tangerine orbit waffle lighthouse").status_code == 303


def test_a_password_reset_distrusts_every_browser(demo, settings):
    from coop.accounts import service

    with _known_browser(settings):
        assert _devices_of(HELEN)
        token = "t" * 43
        _plant_reset(HELEN, token)
        assert (
            run(
                service.complete_password_reset(token, "tangerine orbit waffle lighthouse", settings=settings)
            )
            is None
        )
        assert _devices_of(HELEN) == []


def _plant_reset(email: str, token: str) -> None:
    from coop.accounts.service import token_hash
    from coop.accounts.tables import PasswordReset, Person

    person = run(Person.select(Person.id).where(Person.email == email).first())["id"]
    now = datetime.now(UTC)
    run(
        PasswordReset.insert(
            PasswordReset(
                token_hash=token_hash(token),
                person=person,
                created_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
    )


# Device cookies weaken none of the protections around signing in.


def test_the_device_cookie_is_hardened_like_the_session_cookie(demo, client):
    response = sign_in(client, HELEN)
    header = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(DEVICE_COOKIE)
    )
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"secure", "httponly", "path"} <= attributes and "domain" not in attributes
    assert "samesite=lax" in header.lower() and "path=/" in header.lower()
    assert int(re.search(r"max-age=(\d+)", header, re.IGNORECASE).group(1)) == 365 * 24 * 3600
    value = client.cookies.get(DEVICE_COOKIE)
    person, nonce, signature = value.split(".")
    assert len(nonce) >= 43 and len(signature) == 64
    [device] = _devices_of(HELEN)
    assert person == str(device["person"])
    assert nonce not in str(device) and value not in str(device)  # only a hash of the nonce is stored


def test_a_known_browser_still_gets_a_new_session_and_a_new_device_cookie_at_every_sign_in(demo, client):
    sign_in(client, HELEN)
    planted_session, first_device = client.cookies.get(SESSION_COOKIE), client.cookies.get(DEVICE_COOKIE)
    sign_in(client, HELEN)
    assert client.cookies.get(SESSION_COOKIE) != planted_session
    assert client.cookies.get(DEVICE_COOKIE) != first_device
    assert len(_devices_of(HELEN)) == 1  # the old device cookie was replaced, not added to
    client.cookies.set(SESSION_COOKIE, planted_session, domain="testserver.local")
    assert client.get("/o/riverside/", follow_redirects=False).status_code == 303
    # The replaced device cookie is no longer trusted.
    client.cookies.set(DEVICE_COOKIE, first_device, domain="testserver.local")
    for _ in range(5):
        _attempt(client, HELEN, "wrong guess")
    assert "Wait 30 seconds" in _attempt(client, HELEN, PASSWORD).text


def test_a_known_browser_still_needs_the_csrf_token_and_the_same_site(demo, settings):
    with _known_browser(settings) as owner:
        form = {"email": HELEN, "password": PASSWORD}
        assert owner.post("/sign-in", data=form, follow_redirects=False).status_code == 403
        cross_site = owner.post(
            "/sign-in",
            data={**form, "_csrf_token": csrf_token(owner)},
            headers={"Sec-Fetch-Site": "cross-site"},
            follow_redirects=False,
        )
        assert cross_site.status_code == 403
        assert owner.cookies.get(SESSION_COOKIE) is None


def test_sign_out_everywhere_ends_sessions_and_distrusts_every_browser(demo, settings):
    with make_client(settings) as laptop, make_client(settings) as phone:
        sign_in(laptop, HELEN)
        sign_in(phone, HELEN)
        assert len(_devices_of(HELEN)) == 2
        response = post_form(laptop, "/account/sign-out-everywhere")
        assert response.status_code == 303
        expired = [
            v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(DEVICE_COOKIE)
        ]
        assert len(expired) == 1 and "max-age=0" in expired[0].lower()
        assert _devices_of(HELEN) == []
        assert phone.get("/account", follow_redirects=False).status_code == 303
        # The phone kept its cookie, but it no longer takes it past the account's limit.
        assert phone.cookies.get(DEVICE_COOKIE)
        _forget_address_counts()
        for _ in range(5):
            _attempt(phone, HELEN, "wrong guess")
        assert "Wait 30 seconds" in _attempt(phone, HELEN, PASSWORD).text
