"""Signing up at /start for someone without an account: a GOV.UK form with the password rules, an
emailed single-use link that expires (only its hash stored), the same answer whatever the email (and about
the same time), limits per connection and per email, and after confirming, the new account signed in with
a new session at /start. Until then there is no account, so nothing can be signed in to."""

from __future__ import annotations

import hashlib
import html
import re
import statistics
import time
from datetime import timedelta
from typing import Any

from tests.conftest import make_client, run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs

NEW = "nadia@newcoop.example"
GOOD = "marigold lantern harbour teapot"
LINK = re.compile(r"https://testserver\.local(/sign-up/verify/[A-Za-z0-9_\-]+)")


def _text(response: Any) -> str:
    return html.unescape(page_text(response.text))


def _sign_up(client: Any, email: str = NEW, name: str = "Nadia Haddad", password: str = GOOD) -> Any:
    return post_form(client, "/sign-up", {"name": name, "email": email, "password": password})


def _mail(settings: Any, subject: str) -> list[dict[str, Any]]:
    from coop.mail.tables import OutboxMessage

    run_jobs(settings)
    return run(OutboxMessage.select().where(OutboxMessage.subject == subject).order_by(OutboxMessage.id))


def _people(email: str) -> int:
    from coop.accounts.tables import Person

    return int(run(Person.count().where(Person.email == email)))


def _sign_ups() -> list[dict[str, Any]]:
    from coop.accounts.tables import SignUp

    return run(SignUp.select().order_by(SignUp.id))


def test_a_visitor_signs_up_confirms_by_email_and_carries_on_at_start(demo, settings, client) -> None:
    from coop.accounts.tables import LoginSession

    landing = client.get("/start")
    assert landing.status_code == 200 and 'href="/sign-up"' in landing.text
    assert "Create an account" in _text(landing)
    assert client.get("/start/model", follow_redirects=False).status_code in (302, 303)

    sent = _sign_up(client)
    assert sent.status_code == 200 and "Check your email" in _text(sent)
    assert _people(NEW) == 0
    [row] = _sign_ups()
    assert row["status"] == "waiting" and row["password_hash"].startswith("$argon2id$")
    # Not an account yet: it cannot sign in to anything.
    refused = post_form(client, "/sign-in", {"email": NEW, "password": GOOD})
    assert refused.status_code == 422 and "Enter a correct email address and password" in _text(refused)

    [message] = _mail(settings, "Confirm your email address for coop")
    assert message["to_address"] == NEW
    path = LINK.search(message["body"]).group(1)
    token = path.rsplit("/", 1)[-1]
    [row] = _sign_ups()
    assert row["status"] == "sent" and row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row)

    # Opening the link changes nothing (mail scanners open links); the button confirms.
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Confirm your email address" in _text(confirm)
    assert _people(NEW) == 0

    sign_in(client, "amara@riverside.example")  # someone else's session in this browser is ended
    old_cookie = dict(client.cookies)
    done = post_form(client, path)
    assert done.status_code == 303 and done.headers["location"] == "/start?welcome=1"
    assert _people(NEW) == 1
    assert dict(client.cookies) != old_cookie
    assert run(LoginSession.count().where(LoginSession.person.email == "amara@riverside.example")) == 0
    start = _text(client.get("/start?welcome=1"))
    assert "Your email address is confirmed and you are signed in" in start and "Start now" in start
    assert "Nadia Haddad" in _text(client.get("/account")) or NEW in _text(client.get("/account"))
    [row] = _sign_ups()
    assert row["status"] == "verified" and row["password_hash"] is None and row["used_at"] is not None

    # Once only.
    again = post_form(client, path)
    assert again.status_code == 200 and "cannot be used" in _text(again)
    assert "cannot be used" in _text(client.get(path))
    with make_client(settings) as other:
        sign_in(other, NEW, GOOD)


def test_the_answer_is_the_same_whether_or_not_the_email_has_an_account(demo, settings, client) -> None:
    known = "amara@riverside.example"
    before = run(_person_hash(known))
    first = _sign_up(client, known, "Amara Okafor")
    second = _sign_up(client, NEW)
    assert first.status_code == second.status_code == 200
    assert _text(first).replace(known, "X") == _text(second).replace(NEW, "X")
    assert _mail(settings, "Confirm your email address for coop")[0]["to_address"] == NEW
    [note] = _mail(settings, "You already have a coop account")
    assert note["to_address"] == known and "/sign-up/verify/" not in note["body"]
    assert "/password-reset" in note["body"]
    assert run(_person_hash(known)) == before  # nothing about the account changed
    assert [r["status"] for r in _sign_ups()] == ["existing", "sent"]
    assert _sign_ups()[0]["password_hash"] is None


async def _person_hash(email: str) -> Any:
    from coop.accounts.tables import Person

    return await Person.select(Person.password_hash).where(Person.email == email).first()


def test_bad_answers_are_refused_by_the_field_and_nothing_is_queued(demo, settings, client) -> None:
    cases = [
        ({"name": "", "email": NEW, "password": GOOD}, "Enter your name"),
        ({"name": "Nadia", "email": "", "password": GOOD}, "Enter your email address"),
        ({"name": "Nadia", "email": "nadia.example", "password": GOOD}, "in the correct format"),
        ({"name": "Nadia", "email": NEW, "password": ""}, "Enter a password"),
        ({"name": "Nadia", "email": NEW, "password": "short"}, "characters or more"),
        ({"name": "Nadia", "email": NEW, "password": "password1234"}, "too common"),
        ({"name": "x" * 201, "email": NEW, "password": GOOD}, "200 characters or fewer"),
        ({"name": "Nadia", "email": NEW + "x" * 400, "password": GOOD}, "in the correct format"),
    ]
    for data, message in cases:
        response = post_form(client, "/sign-up", data)
        assert response.status_code == 422, data
        text = _text(response)
        assert "There is a problem" in text and message in text, (message, text[:600])
    assert client.post("/sign-up", data={"name": "x"}).status_code == 403  # no CSRF token
    assert _sign_ups() == []
    for token in ("x", "a" * 100, "a" * 500, "%00", "../../etc"):
        assert client.get(f"/sign-up/verify/{token}").status_code in (200, 404)
        assert post_form(client, f"/sign-up/verify/{token}").status_code in (200, 404)
    assert _people(NEW) == 0


def test_links_expire_and_sign_ups_are_limited(demo, settings, client, monkeypatch) -> None:
    from coop import clock
    from coop.accounts import sign_up

    _sign_up(client)
    [message] = _mail(settings, "Confirm your email address for coop")
    path = LINK.search(message["body"]).group(1)
    with clock.frozen_at(clock.now() + timedelta(hours=25)):
        assert "cannot be used" in _text(client.get(path))
        assert post_form(client, path).status_code == 200
    assert _people(NEW) == 0

    # Per email: at most 3 links an hour, then requests are recorded but send nothing.
    for _ in range(3):
        assert _sign_up(client).status_code == 200
    assert len(_mail(settings, "Confirm your email address for coop")) == 3
    assert _sign_ups()[-1]["status"] == "throttled" and _sign_ups()[-1]["password_hash"] is None

    # Per connection: each sign-up hashes a password, so only so many an hour (here 5) are taken.
    monkeypatch.setattr(sign_up, "SIGN_UPS_PER_HOUR_PER_ADDRESS", 5)
    answers = [_sign_up(client, f"person{i}@example.org").status_code for i in range(3)]
    assert answers == [200, 422, 422]  # 4 already this hour
    assert "Too many sign-ups" in _text(_sign_up(client, "late@example.org"))


def test_known_and_unknown_emails_take_about_the_same_time(demo, settings, client, monkeypatch) -> None:
    from coop.accounts import sign_up

    monkeypatch.setattr(sign_up, "SIGN_UPS_PER_HOUR_PER_ADDRESS", 10_000)
    known, unknown = "amara@riverside.example", "nobody@riverside.example"

    def timed(email: str) -> float:
        started = time.perf_counter()
        response = _sign_up(client, email)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        return elapsed

    for email in (known, unknown) * 2:
        timed(email)
    rounds = []
    # A real difference (an account found, a hash skipped) shows in every round; noise from a busy machine
    # (one round's known medians slower, the next round's unknown) does not, so up to six rounds are tried.
    for _ in range(6):
        timings: dict[str, list[float]] = {known: [], unknown: []}
        for i in range(20):
            for email in (known, unknown) if i % 2 == 0 else (unknown, known):
                timings[email].append(timed(email))
        medians = statistics.median(timings[known]), statistics.median(timings[unknown])
        rounds.append(medians)
        if abs(medians[0] - medians[1]) <= 0.15 * min(medians):
            break
    else:
        raise AssertionError(f"medians differ by more than 15% in every round: {rounds}")


def test_the_worker_forgets_sign_ups_a_day_old_with_their_password_hash(demo, settings, client) -> None:
    from coop import clock
    from coop.accounts.tables import SignUp

    start = clock.now()
    _sign_up(client)
    [message] = _mail(settings, "Confirm your email address for coop")
    [row] = _sign_ups()
    assert row["status"] == "sent" and row["password_hash"].startswith("$argon2id$")
    # A job that never ran leaves a waiting sign-up behind (with its hash); a later one is still in time.
    old = start - timedelta(hours=30)
    stale = SignUp(email="x@example.org", display_name="X", password_hash="$argon2id$x", created_at=old)
    run(SignUp.insert(stale))
    with clock.frozen_at(start + timedelta(hours=20)):
        assert _sign_up(client, "later@example.org").status_code == 200

    run_jobs(settings, at=start + timedelta(hours=23))
    assert sorted(r["email"] for r in _sign_ups()) == ["later@example.org", NEW]
    assert LINK.search(message["body"]) is not None

    run_jobs(settings, at=start + timedelta(hours=24, minutes=5))
    assert [r["email"] for r in _sign_ups()] == ["later@example.org"]
    # The later link was sent by the worker at hour 23, so it lasts until hour 47.
    run_jobs(settings, at=start + timedelta(hours=46))
    assert [r["status"] for r in _sign_ups()] == ["sent"]
    run_jobs(settings, at=start + timedelta(hours=47, minutes=5))
    assert _sign_ups() == []
    assert _people(NEW) == 0


def test_the_sweep_forgets_in_bounded_batches(demo, settings, monkeypatch) -> None:
    from coop import clock
    from coop.accounts import sign_up
    from coop.accounts.tables import SignUp

    moment = clock.now()

    def old_rows(count: int) -> list[Any]:
        old = moment - timedelta(days=2)
        return [SignUp(email=f"p{i}@example.org", display_name="P", created_at=old) for i in range(count)]

    run(SignUp.insert(*old_rows(1_203)))
    run(SignUp.insert(SignUp(email="new@example.org", display_name="N", created_at=moment)))
    run(sign_up.forget_old_sign_ups(settings, moment))
    assert [r["email"] for r in _sign_ups()] == ["new@example.org"]

    # At most FORGET_BATCHES_PER_SWEEP batches a sweep: 20 batches of 4 take 80; the other 10 go next time.
    monkeypatch.setattr(sign_up, "FORGET_BATCH", 4)
    run(SignUp.insert(*old_rows(90)))
    run(sign_up.forget_old_sign_ups(settings, moment))
    assert len(_sign_ups()) == 1 + 10
    run(sign_up.forget_old_sign_ups(settings, moment))
    assert len(_sign_ups()) == 1
