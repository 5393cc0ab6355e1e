"""Signing in and out, server-side sessions, throttling and password reset.

Sessions: a random 256-bit token lives only in the browser's cookie; the database keeps its SHA-256.
A new token is issued at every sign-in and the browser's old one is deleted (no session fixation).
Throttling lives in the database so every worker process shares the same counters; a browser that has
signed in before (a trusted device, `coop.accounts.devices`) meets only its own count, so no stranger can
lock its owner out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coop.accounts.devices import (
    DEVICE_LOCK_AT,
    DeviceCookie,
    TrustedBrowser,
    distrust_every_device,
    distrust_if_worn_out,
    read_device_cookie,
    trust_this_browser,
    trusted_browser,
)
from coop.accounts.passwords import hash_password, hasher_for, password_problem, verify_password
from coop.accounts.tables import LoginSession, LoginThrottle, PasswordReset, Person, TrustedDevice
from coop.audit.guarded import guarded_change
from coop.audit.service import SYSTEM, Actor, AuditEntry, record
from coop.clock import now
from coop.db import write_transaction
from coop.jobs.queue import NewJob, enqueue
from coop.settings import Settings

SIGN_IN_ERROR = "Enter a correct email address and password"
# The stored last-seen time is refreshed at most once a minute: every refresh is a write, and on SQLite all
# writes queue for one lock (with 1,000 members voting, refreshing every 5 s doubled the writes). So a
# session can end up to a minute before its idle limit, never after; pages time their sign-out warning
# from the stored time (`CurrentSession.idle_seconds_left`), so the warning's 2 minutes stay true.
TOUCH_EVERY = timedelta(seconds=60)
RECENT_SIGN_IN = timedelta(minutes=15)

# Untrusted clients, per account: after 5 consecutive failures wait 30 s, doubling, at most 15 minutes;
# at 100, locked until a password reset (NIST allows no more than 100). Per address: 20 attempts a
# minute. A trusted browser waits on the same schedule for its own failures, and is distrusted at 10.
ACCOUNT_FREE_FAILURES = 5
ACCOUNT_FIRST_DELAY = 30
ACCOUNT_MAX_DELAY = 15 * 60
ACCOUNT_LOCK_AT = 100
ADDRESS_ATTEMPTS_PER_MINUTE = 20
RESET_LINK_LIFETIME = timedelta(hours=1)
RESETS_PER_HOUR_PER_ACCOUNT = 3
RESET_LINK_JOB = "accounts.reset_link"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class CurrentSession:
    """The signed-in person behind a request."""

    session_id: int
    person_id: int
    email: str
    display_name: str
    is_site_admin: bool
    expires_at: datetime
    idle_expires_at: datetime
    signed_in_at: datetime
    """When this session's person last gave their password (a sign-in or a confirmation: both rotate it)."""
    idle_seconds_left: int
    """Seconds until the session ends unless the person does something, as of this request."""
    idle_seconds_after_request: int
    """The least time a later request leaves the session (its timer is refreshed at most once a minute)."""

    def signed_in_recently(self, moment: datetime | None = None) -> bool:
        """Recent enough to approve money (ASVS 7.5.3, reliability-bar M8: within the last 15 minutes)."""
        return (moment or now()) - self.signed_in_at < RECENT_SIGN_IN


@dataclass(frozen=True, slots=True)
class SignInResult:
    token: str | None = None
    person_id: int | None = None
    error: str | None = None
    device_cookie: str | None = None
    """A new device cookie for this browser after a successful sign-in (`coop.accounts.devices`)."""


# Every request with a cookie runs this lookup. Written once by hand, so Piccolo does not rebuild a joined
# SELECT per request (that was half the cost of an authenticated write: bench/README.md).
_SESSION_LOOKUP = (
    "SELECT s.id AS id, s.created_at AS created_at, s.last_seen_at AS last_seen_at, "
    "s.expires_at AS expires_at, p.id AS person_id, "
    "p.email AS email, p.display_name AS display_name, p.is_site_admin AS is_site_admin, "
    "p.disabled_at AS disabled_at "
    "FROM login_session s JOIN person p ON p.id = s.person WHERE s.token_hash = {}"
)


async def load_session(token: str | None, settings: Settings) -> CurrentSession | None:
    """The live session for a cookie token, refreshing its idle timer; None if absent, expired or revoked."""
    if not token or len(token) > 100:
        return None
    rows = await LoginSession.raw(_SESSION_LOOKUP, token_hash(token))
    return await session_from_row(rows[0], settings) if rows else None


async def session_from_row(row: dict[str, Any], settings: Settings) -> CurrentSession | None:
    """The live session from its row of `_SESSION_LOOKUP` (or a query with the same columns), refreshing
    its idle timer; None (and the row deleted) if it has expired or its person is disabled."""
    moment = now()
    idle = timedelta(minutes=settings.session_idle_minutes)
    last_seen: datetime = row["last_seen_at"]
    if row["expires_at"] <= moment or last_seen + idle <= moment or row["disabled_at"] is not None:
        await LoginSession.delete().where(LoginSession.id == row["id"])
        return None
    if moment - last_seen >= TOUCH_EVERY:
        await LoginSession.update({LoginSession.last_seen_at: moment}).where(LoginSession.id == row["id"])
        last_seen = moment
    idle_expires_at = min(last_seen + idle, row["expires_at"])
    return CurrentSession(
        session_id=row["id"],
        person_id=row["person_id"],
        email=row["email"],
        display_name=row["display_name"],
        is_site_admin=bool(row["is_site_admin"]),
        expires_at=row["expires_at"],
        idle_expires_at=idle_expires_at,
        signed_in_at=row["created_at"],
        idle_seconds_left=max(0, int((idle_expires_at - moment).total_seconds())),
        idle_seconds_after_request=int((idle - TOUCH_EVERY).total_seconds()),
    )


async def _throttle_row(key: str) -> dict[str, Any] | None:
    return await LoginThrottle.select().where(LoginThrottle.key == key).first()


def _account_wait(failures: int, last_failure_at: datetime, moment: datetime) -> int:
    if failures < ACCOUNT_FREE_FAILURES:
        return 0
    delay = min(ACCOUNT_FIRST_DELAY * 2 ** (failures - ACCOUNT_FREE_FAILURES), ACCOUNT_MAX_DELAY)
    return max(0, int((last_failure_at + timedelta(seconds=delay) - moment).total_seconds() + 0.999))


def _wait_message(seconds: int) -> str:
    if seconds >= 90:
        minutes = (seconds + 59) // 60
        return f"Too many attempts to sign in. Wait {minutes} minutes, then try again"
    return f"Too many attempts to sign in. Wait {seconds} seconds, then try again"


async def _ensure_counter(key: str, moment: datetime) -> None:
    await LoginThrottle.insert(
        LoginThrottle(key=key, failures=0, window_started_at=moment, last_failure_at=moment)
    ).on_conflict(target=LoginThrottle.key, action="DO NOTHING")


async def _bump(key: str, moment: datetime, *, window: timedelta | None) -> None:
    """Count one more failure (or attempt) under `key`, restarting the window when it has passed."""
    await _ensure_counter(key, moment)
    if window is not None:
        await LoginThrottle.update(
            {LoginThrottle.failures: 0, LoginThrottle.window_started_at: moment}
        ).where((LoginThrottle.key == key) & (LoginThrottle.window_started_at <= moment - window))
    await LoginThrottle.update(
        {LoginThrottle.failures: LoginThrottle.failures + 1, LoginThrottle.last_failure_at: moment}
    ).where(LoginThrottle.key == key)


async def _claim_attempt(
    counter: type[LoginThrottle] | type[TrustedDevice], where: Any, failures: int, moment: datetime
) -> bool:
    """Count this attempt as a failure before any password is checked, if the counter still reads
    `failures` (a compare-and-set: of concurrent attempts that read the same count exactly one wins, on
    SQLite and at PostgreSQL's READ COMMITTED alike). A correct password then clears the count."""
    async with write_transaction():
        claimed = await guarded_change(
            counter,
            {counter.failures: failures + 1, counter.last_failure_at: moment},
            where & (counter.failures == failures),
            returning=[counter.id],
        )
    return bool(claimed)


async def _account_limit(account_key: str, moment: datetime) -> str | None:
    """Why an untrusted client may not try this account now, or None once this attempt is counted."""
    for _ in range(ACCOUNT_LOCK_AT + 1):
        row = await _throttle_row(account_key)
        if row is None:
            async with write_transaction():
                await _ensure_counter(account_key, moment)
            continue
        if row["failures"] >= ACCOUNT_LOCK_AT:
            return "This account is locked after too many attempts. Reset your password to unlock it"
        wait = _account_wait(row["failures"], row["last_failure_at"], moment)
        if wait:
            return _wait_message(wait)
        if await _claim_attempt(LoginThrottle, LoginThrottle.key == account_key, row["failures"], moment):
            return None
    return _wait_message(ACCOUNT_FIRST_DELAY)


async def _device_limit(device: TrustedBrowser, moment: datetime) -> str | None:
    """Why a trusted browser may not try now (its own limit), or None once this attempt is counted."""
    failures, last_failure_at = device.failures, device.last_failure_at
    for _ in range(DEVICE_LOCK_AT + 1):
        wait = _account_wait(failures, last_failure_at, moment)
        if wait:
            return _wait_message(wait)
        if await _claim_attempt(TrustedDevice, TrustedDevice.id == device.device_id, failures, moment):
            return None
        row = (
            await TrustedDevice.select(TrustedDevice.failures, TrustedDevice.last_failure_at)
            .where(TrustedDevice.id == device.device_id)
            .first()
        )
        if row is None:  # distrusted meanwhile
            break
        failures, last_failure_at = row["failures"], row["last_failure_at"]
    return _wait_message(ACCOUNT_FIRST_DELAY)


async def sign_in(
    email: str,
    password: str,
    *,
    settings: Settings,
    address: str,
    user_agent: str,
    previous_token: str | None,
    device_cookie: str | None = None,
    request_id: str = "",
) -> SignInResult:
    """Check a password and start a session. A browser with a device cookie for this account (it signed in
    here before) meets only its own limit, so no stranger can lock the owner out (ASVS 6.1.1, V2.2.1 in
    ASVS 4); every other client meets the per-address and per-account limits."""
    email = normalise_email(email)
    moment = now()
    account_key = f"account:{hashlib.sha256(email.encode()).hexdigest()[:40]}"
    address_key = f"ip:{hashlib.sha256(address.encode()).hexdigest()[:40]}"
    presented = read_device_cookie(settings.secret_key, device_cookie)
    device = await trusted_browser(presented, email, moment)

    refusal = await _throttled(device, account_key, address_key, moment, request_id)
    if refusal is not None:
        return SignInResult(error=refusal)

    person = await Person.select().where(Person.email == email).first()
    hasher = hasher_for(settings)
    stored = person["password_hash"] if person is not None and person["disabled_at"] is None else None
    verified = await verify_password(hasher, stored, password[:1024])
    if not verified.ok or person is None:
        async with write_transaction():
            distrusted = device is not None and await distrust_if_worn_out(device.device_id)
            detail = {"device": "distrusted"} if distrusted else {}
            await record(
                AuditEntry("auth.sign_in", outcome="failed", detail=detail),
                Actor(person["id"] if person is not None else None, request_id),
            )
        return SignInResult(error=SIGN_IN_ERROR)

    token = secrets.token_urlsafe(32)
    session = NewSession(token, person["id"], moment, user_agent, previous_token, verified.new_hash)
    new_device_cookie = await _start_session(
        session, settings, device=device, presented=presented, account_key=account_key, request_id=request_id
    )
    return SignInResult(token=token, person_id=person["id"], device_cookie=new_device_cookie)


async def _throttled(
    device: TrustedBrowser | None, account_key: str, address_key: str, moment: datetime, request_id: str
) -> str | None:
    """Why this attempt is refused before any password work (audited), or None. Every untrusted attempt
    counts against the address first; then the account's limit, or a trusted browser's own."""
    if device is None:
        async with write_transaction():
            await _bump(address_key, moment, window=timedelta(minutes=1))
        address_row = await _throttle_row(address_key)
        if address_row is not None and address_row["failures"] > ADDRESS_ATTEMPTS_PER_MINUTE:
            await record(
                AuditEntry("auth.sign_in", outcome="throttled", detail={"by": "address"}),
                Actor(None, request_id),
            )
            return _wait_message(60)
    refusal = await (_account_limit(account_key, moment) if device is None else _device_limit(device, moment))
    if refusal is not None:
        by = "account" if device is None else "device"
        await record(
            AuditEntry("auth.sign_in", outcome="throttled", detail={"by": by}), Actor(None, request_id)
        )
    return refusal


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    person_id: int
    moment: datetime
    user_agent: str
    previous_token: str | None
    new_hash: str | None  # the password rehashed with today's parameters, to store


async def _start_session(
    session: NewSession,
    settings: Settings,
    *,
    device: TrustedBrowser | None,
    presented: DeviceCookie | None,
    account_key: str,
    request_id: str,
) -> str:
    """After a correct password, in one transaction: the session, the browser trusted, the audit entry.
    Returns the device cookie to set."""
    moment = session.moment
    async with write_transaction():
        if device is None:
            # The attempts before this one were the owner's own: start the account's count afresh. A
            # trusted browser's success leaves the count alone, so guessers gain nothing from it.
            await LoginThrottle.delete().where(LoginThrottle.key == account_key)
        if session.previous_token:
            await LoginSession.delete().where(LoginSession.token_hash == token_hash(session.previous_token))
        if session.new_hash is not None:
            await Person.update({Person.password_hash: session.new_hash}).where(
                Person.id == session.person_id
            )
        await LoginSession.insert(
            LoginSession(
                token_hash=token_hash(session.token),
                person=session.person_id,
                created_at=moment,
                last_seen_at=moment,
                expires_at=moment + timedelta(hours=settings.session_absolute_hours),
                user_agent=session.user_agent[:200],
            )
        )
        device_cookie = await trust_this_browser(
            settings.secret_key, session.person_id, moment, replacing=presented
        )
        await record(
            AuditEntry(
                "auth.sign_in",
                detail={"rehashed": session.new_hash is not None, "trusted_device": device is not None},
            ),
            Actor(session.person_id, request_id),
        )
    return device_cookie


async def sign_out(token: str | None, actor: Actor) -> None:
    if not token:
        return
    async with write_transaction():
        await LoginSession.delete().where(LoginSession.token_hash == token_hash(token))
        await record(AuditEntry("auth.sign_out"), actor)


async def sign_out_everywhere(person_id: int, actor: Actor) -> int:
    """End every session of a person (their own choice, or an admin's) and stop trusting every browser they
    signed in from. Returns how many sessions ended."""
    async with write_transaction():
        ended = await LoginSession.delete().where(LoginSession.person == person_id).returning(LoginSession.id)
        devices = await distrust_every_device(person_id)
        await record(
            AuditEntry(
                "auth.sign_out_everywhere",
                target_type="person",
                target_id=str(person_id),
                detail={"sessions": len(ended), "devices": devices},
            ),
            actor,
        )
    return len(ended)


async def end_other_session(person_id: int, session_id: int, actor: Actor) -> bool:
    async with write_transaction():
        ended = (
            await LoginSession.delete()
            .where((LoginSession.id == session_id) & (LoginSession.person == person_id))
            .returning(LoginSession.id)
        )
        if ended:
            await record(
                AuditEntry("auth.session_ended", target_type="session", target_id=str(session_id)), actor
            )
    return bool(ended)


async def sessions_of(person_id: int) -> list[dict[str, Any]]:
    return (
        await LoginSession.select(
            LoginSession.id, LoginSession.created_at, LoginSession.last_seen_at, LoginSession.user_agent
        )
        .where(LoginSession.person == person_id)
        .order_by(LoginSession.last_seen_at, ascending=False)
    )


async def extend_session(current: CurrentSession) -> None:
    """ "Stay signed in": restart the idle timer (the absolute limit still stands)."""
    await LoginSession.update({LoginSession.last_seen_at: now()}).where(LoginSession.id == current.session_id)


async def change_password(
    current: CurrentSession, old: str, new: str, *, end_other_sessions: bool, settings: Settings, actor: Actor
) -> dict[str, str]:
    """Change a signed-in person's password. Returns errors by field; empty when done."""
    errors: dict[str, str] = {}
    person = await Person.select(Person.password_hash).where(Person.id == current.person_id).first()
    hasher = hasher_for(settings)
    if not old:
        errors["current_password"] = "Enter your current password"
    elif person is None or not (await verify_password(hasher, person["password_hash"], old[:1024])).ok:
        errors["current_password"] = "Your current password is not correct"
    problem = password_problem(new, context_words=(current.email.split("@")[0], current.display_name))
    if problem:
        errors["new_password"] = problem
    if errors:
        return errors
    new_hash = await hash_password(hasher, new)
    async with write_transaction():
        await Person.update({Person.password_hash: new_hash}).where(Person.id == current.person_id)
        if end_other_sessions:
            await LoginSession.delete().where(
                (LoginSession.person == current.person_id) & (LoginSession.id != current.session_id)
            )
        await record(
            AuditEntry("auth.password_changed", detail={"ended_other_sessions": end_other_sessions}), actor
        )
    return {}


async def request_password_reset(email: str, *, settings: Settings, request_id: str = "") -> None:
    """Queue the reset: the worker looks the account up and emails a link if it exists
    (`coop.accounts.reset_link`). The request does the same work, one insert, whether or not the account
    exists, and never waits for a mail server, so its timing tells nobody which emails have accounts.
    The caller says the same thing either way."""
    await enqueue(
        NewJob(
            RESET_LINK_JOB,
            {"email": normalise_email(email), "request_id": request_id},
            run_at=now(),
            max_attempts=3,
        )
    )


async def valid_reset(token: str) -> dict[str, Any] | None:
    if not token or len(token) > 100:
        return None
    return (
        await PasswordReset.select(
            PasswordReset.id,
            PasswordReset.person.id,
            PasswordReset.person.email,
            PasswordReset.person.display_name,
        )
        .where(
            (PasswordReset.token_hash == token_hash(token))
            & PasswordReset.used_at.is_null()
            & (PasswordReset.expires_at > now())
        )
        .first()
    )


async def complete_password_reset(
    token: str, new_password: str, *, settings: Settings, request_id: str = ""
) -> str | None:
    """Set a new password from a reset link. Returns a problem in words, or None when done."""
    reset = await valid_reset(token)
    if reset is None:
        return "This link has expired or has already been used. Ask for a new one"
    problem = password_problem(
        new_password, context_words=(reset["person.email"].split("@")[0], reset["person.display_name"])
    )
    if problem:
        return problem
    new_hash = await hash_password(hasher_for(settings), new_password)
    email = reset["person.email"]
    async with write_transaction():
        used = await guarded_change(  # audited below, once the account is reset
            PasswordReset,
            {PasswordReset.used_at: now()},
            (PasswordReset.id == reset["id"]) & PasswordReset.used_at.is_null(),
            returning=[PasswordReset.id],
        )
        if not used:  # a second tab got there first
            return "This link has expired or has already been used. Ask for a new one"
        person_id = reset["person.id"]
        await Person.update({Person.password_hash: new_hash}).where(Person.id == person_id)
        await LoginSession.delete().where(LoginSession.person == person_id)
        await distrust_every_device(person_id)  # a fresh start: each browser earns trust again
        account_key = f"account:{hashlib.sha256(email.encode()).hexdigest()[:40]}"
        await LoginThrottle.delete().where(LoginThrottle.key == account_key)
        await record(AuditEntry("auth.password_reset"), Actor(person_id, request_id))
    return None


async def create_person(
    email: str, display_name: str, password: str | None, *, settings: Settings, is_site_admin: bool = False
) -> int:
    password_hash = await hash_password(hasher_for(settings), password) if password else None
    return await insert_person(email, display_name, password_hash, is_site_admin=is_site_admin)


async def insert_person(
    email: str, display_name: str, password_hash: str | None, *, is_site_admin: bool = False
) -> int:
    """Write a new account (its password already hashed, outside any transaction: hashing is slow), with
    its audit entry. Joins the caller's transaction."""
    async with write_transaction():
        rows = await Person.insert(
            Person(
                email=normalise_email(email),
                display_name=display_name,
                password_hash=password_hash,
                is_site_admin=is_site_admin,
            )
        ).returning(Person.id)
        person_id = int(rows[0]["id"])
        await record(
            AuditEntry(
                "account.created",
                target_type="person",
                target_id=str(person_id),
                detail={"site_admin": is_site_admin},
            ),
            SYSTEM,
        )
    return person_id
