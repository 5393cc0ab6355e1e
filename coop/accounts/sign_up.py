"""Signing up at /start, for someone without an account: nothing becomes an account until its owner opens
the link emailed to them. The request does the same work whatever the email (hash the password, one
insert, one job), so neither its answer nor its timing says whether an account exists; the worker
(`send_sign_up_link`) looks the email up and sends either the link or, to an existing account's owner, a
note that they already have one. Opening the link makes the account and signs its owner in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from coop.accounts.link_email import LinkEmail, send_link_email
from coop.accounts.passwords import hash_password, hasher_for, password_problem
from coop.accounts.service import (
    NewSession,
    _bump,
    _start_session,
    _throttle_row,
    insert_person,
    normalise_email,
    token_hash,
)
from coop.accounts.tables import Person, SignUp
from coop.audit.guarded import guarded_change
from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now
from coop.db import delete_in_batches, write_transaction
from coop.jobs.queue import NewJob, enqueue
from coop.jobs.worker import JobContext
from coop.mail.service import send_email
from coop.settings import Settings
from coop.urls import absolute_url

SIGN_UP_JOB = "accounts.sign_up"
LINK_LIFETIME = timedelta(hours=24)
SIGN_UPS_PER_HOUR_PER_EMAIL = 3
SIGN_UPS_PER_HOUR_PER_ADDRESS = 10
"""Each sign-up hashes a password (slow on purpose), so one address may ask only so often."""
EXPIRED = "This link has expired or has already been used. Sign up again to get a new one"
SIGN_UP_EMAIL = LinkEmail(
    subject="Confirm your email address for coop",
    asked="Someone signed up for coop with this email address to start an organisation.",
    opening="within 24 hours to confirm your email address and carry on",
    not_you="No account is made until the link is opened.",
)
FORGET_BATCH = 500
FORGET_BATCHES_PER_SWEEP = 20
"""At most this many sign-ups are deleted by one sweep (in batches, each its own short transaction); any
more go at the next sweep, a minute later."""


def sign_up_errors(name: str, email: str, password: str) -> dict[str, str]:
    """What is wrong with the form, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter your name"
    elif len(name.strip()) > 200:
        errors["name"] = "Your name must be 200 characters or fewer"
    email = email.strip()
    if not email:
        errors["email"] = "Enter your email address"
    elif "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if not password:
        errors["password"] = "Enter a password"
    else:
        problem = password_problem(password, context_words=(email.split("@")[0], name.strip()))
        if problem:
            errors["password"] = problem
    return errors


async def request_sign_up(
    name: str, email: str, password: str, *, settings: Settings, address: str, request_id: str = ""
) -> str | None:
    """Queue a sign-up (its form already checked). Returns why it is refused (too many from this address)
    or None; the caller answers the same either way the email turns out."""
    moment = now()
    address_key = f"signup:{hashlib.sha256(address.encode()).hexdigest()[:40]}"
    async with write_transaction():
        await _bump(address_key, moment, window=timedelta(hours=1))
    counter = await _throttle_row(address_key)
    if counter is not None and counter["failures"] > SIGN_UPS_PER_HOUR_PER_ADDRESS:
        await record(AuditEntry("auth.sign_up_requested", outcome="throttled"), Actor(None, request_id))
        return "Too many sign-ups from this connection. Wait an hour, then try again"
    password_hash = await hash_password(hasher_for(settings), password[:1024])
    async with write_transaction():
        rows = await SignUp.insert(
            SignUp(
                email=normalise_email(email),
                display_name=name.strip(),
                password_hash=password_hash,
                created_at=moment,
            )
        ).returning(SignUp.id)
        await enqueue(
            NewJob(
                SIGN_UP_JOB,
                {"sign_up": int(rows[0]["id"]), "request_id": request_id},
                run_at=moment,
                max_attempts=3,
            )
        )
    return None


async def _settle(sign_up_id: int, status: str, **values: object) -> None:
    await SignUp.update({SignUp.status: status, SignUp.password_hash: None, **values}).where(  # type: ignore[dict-item]
        SignUp.id == sign_up_id
    )


async def send_sign_up_link(context: JobContext) -> None:
    """The worker's half: email the link, or tell an existing account's owner they have one already."""
    sign_up_id = int(context.job.payload["sign_up"])
    actor = Actor(None, str(context.job.payload.get("request_id", "")))
    settings, moment = context.settings, context.now
    row = await SignUp.select().where((SignUp.id == sign_up_id) & (SignUp.status == "waiting")).first()
    async with write_transaction():
        if row is None:
            await context.finish()
            return
        email = str(row["email"])
        if await Person.exists().where(Person.email == email):
            await _settle(sign_up_id, "existing")
            await record(AuditEntry("auth.sign_up_requested", outcome="existing_account"), actor)
            await send_email(
                settings, to=email, subject="You already have a coop account", body=_existing(settings)
            )
            await context.finish()
            return
        recent = await SignUp.count().where(
            (SignUp.email == email)
            & (SignUp.status == "sent")
            & (SignUp.created_at > moment - timedelta(hours=1))
        )
        if recent >= SIGN_UPS_PER_HOUR_PER_EMAIL:
            await _settle(sign_up_id, "throttled")
            await record(AuditEntry("auth.sign_up_requested", outcome="throttled"), actor)
            await context.finish()
            return
        token = secrets.token_urlsafe(32)
        await SignUp.update(
            {
                SignUp.status: "sent",
                SignUp.token_hash: token_hash(token),
                SignUp.expires_at: moment + LINK_LIFETIME,
            }
        ).where(SignUp.id == sign_up_id)
        await record(AuditEntry("auth.sign_up_requested"), actor)
        # Queued in this transaction: the link is stored if and only if its email is on its way.
        await send_link_email(settings, email, row["display_name"], f"/sign-up/verify/{token}", SIGN_UP_EMAIL)
        await context.finish()


def _existing(settings: Settings) -> str:
    return (
        "Hello,\n\n"
        "Someone tried to sign up for coop with this email address, but it already has an account. If it was "
        f"you, sign in instead:\n\n{absolute_url(settings, '/sign-in?next=/start')}\n\n"
        "If you have forgotten your password, choose a new one:\n\n"
        f"{absolute_url(settings, '/password-reset')}\n\n"
        "If it was not you, you can ignore this email. Nothing has changed.\n"
    )


async def valid_sign_up(token: str) -> dict[str, object] | None:
    """The sign-up behind a link that can still be used, or None."""
    if not token or len(token) > 100:
        return None
    return await (
        SignUp.select(SignUp.id, SignUp.email, SignUp.display_name, SignUp.password_hash)
        .where(
            (SignUp.token_hash == token_hash(token))
            & (SignUp.status == "sent")
            & SignUp.used_at.is_null()
            & (SignUp.expires_at > now())
        )
        .first()
    )


@dataclass(frozen=True, slots=True)
class Verified:
    token: str | None = None
    device_cookie: str | None = None
    error: str | None = None


async def verify_sign_up(
    link_token: str, *, settings: Settings, user_agent: str, previous_token: str | None, request_id: str = ""
) -> Verified:
    """Use the link once: make the account, with the password chosen at sign-up, and sign its owner in
    with a new session (any session this browser had is ended)."""
    row = await valid_sign_up(link_token)
    if row is None:
        return Verified(error=EXPIRED)
    moment = now()
    session_token = secrets.token_urlsafe(32)
    email = str(row["email"])
    async with write_transaction():
        used = await guarded_change(  # audited below, with the account it makes
            SignUp,
            {SignUp.used_at: moment, SignUp.status: "verified", SignUp.password_hash: None},
            (SignUp.id == row["id"]) & SignUp.used_at.is_null() & (SignUp.status == "sent"),
            returning=[SignUp.id],
        )
        if not used:  # a second tab got there first
            return Verified(error=EXPIRED)
        if await Person.exists().where(Person.email == email):
            return Verified(error="This email address has an account already. Sign in instead")
        person_id = await insert_person(email, str(row["display_name"]), str(row["password_hash"]))
        await record(
            AuditEntry("auth.sign_up_verified", target_type="person", target_id=str(person_id)),
            Actor(person_id, request_id),
        )
        account_key = f"account:{hashlib.sha256(email.encode()).hexdigest()[:40]}"
        session = NewSession(session_token, person_id, moment, user_agent, previous_token, None)
        device = await _start_session(
            session, settings, device=None, presented=None, account_key=account_key, request_id=request_id
        )
    return Verified(token=session_token, device_cookie=device)


async def forget_old_sign_ups(settings: Settings, now: datetime) -> None:
    """The worker's sweep: delete every sign-up once it is a day old and its link (if one was sent) has
    expired, with the password hash a sign-up never used still holds, and the name and email given. A
    link is used, or useless, by then; an account it made keeps its own copy."""
    old = (SignUp.created_at <= now - LINK_LIFETIME) & (
        SignUp.expires_at.is_null() | (SignUp.expires_at <= now)
    )
    await delete_in_batches(SignUp, old, batch=FORGET_BATCH, most=FORGET_BATCHES_PER_SWEEP)
