"""Trusted devices (OWASP's "device cookies"), so that strangers cannot lock a member out of signing in.

A browser that signs in successfully gets a cookie naming the person and a random nonce, signed with the
app's secret (HMAC-SHA256). The database keeps only a SHA-256 of the nonce, so each device can be revoked
on its own (sign out everywhere, a password reset) and has its own run of wrong passwords. A sign-in from a
trusted device meets only that device's limit; every other client (no cookie, a forged, expired or revoked
one, or one for another account) meets the account's and the address's limits, as guessers do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from coop.accounts.tables import TrustedDevice

DEVICE_TRUST = timedelta(days=365)
"""How long a browser stays trusted after its last successful sign-in (each sign-in renews it)."""
DEVICE_LOCK_AT = 10
"""Wrong passwords in a row from one trusted browser before it stops being trusted."""
_MAX_COOKIE_LENGTH = 200
_PURPOSE = b"coop device cookie v1"  # keeps these signatures apart from anything else signed with the secret


@dataclass(frozen=True, slots=True)
class DeviceCookie:
    """A device cookie whose signature is good (not yet checked against the database)."""

    person_id: int
    nonce_hash: str


@dataclass(frozen=True, slots=True)
class TrustedBrowser:
    """A trusted device row, as the sign-in limit needs it."""

    device_id: int
    failures: int
    last_failure_at: datetime


def _signature(secret: str, person_id: int, nonce: str) -> str:
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, f"{person_id}.{nonce}".encode(), hashlib.sha256).hexdigest()


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def read_device_cookie(secret: str, value: str | None) -> DeviceCookie | None:
    """The person and nonce a cookie names, if its signature is ours; None for anything else."""
    if not value or len(value) > _MAX_COOKIE_LENGTH or value.count(".") != 2:
        return None
    person, nonce, signature = value.split(".")
    if not person.isascii() or not person.isdigit() or len(person) > 18 or not nonce:
        return None
    if not hmac.compare_digest(signature.encode(), _signature(secret, int(person), nonce).encode()):
        return None
    return DeviceCookie(int(person), _nonce_hash(nonce))


async def trusted_browser(cookie: DeviceCookie | None, email: str, moment: datetime) -> TrustedBrowser | None:
    """The trusted device behind `cookie` if it was issued to the person signing in as `email`, is not
    revoked and has not expired."""
    if cookie is None:
        return None
    row = (
        await TrustedDevice.select(TrustedDevice.id, TrustedDevice.failures, TrustedDevice.last_failure_at)
        .where(
            (TrustedDevice.nonce_hash == cookie.nonce_hash)
            & (TrustedDevice.person == cookie.person_id)
            & (TrustedDevice.person.email == email)
            & (TrustedDevice.expires_at > moment)
        )
        .first()
    )
    if row is None:
        return None
    return TrustedBrowser(row["id"], row["failures"], row["last_failure_at"])


async def trust_this_browser(
    secret: str, person_id: int, moment: datetime, *, replacing: DeviceCookie | None
) -> str:
    """Record a new trusted device for a successful sign-in and return its cookie value. The browser's
    previous device (whoever it was for) is replaced, and this person's expired devices are removed.
    Call inside the sign-in's write transaction."""
    if replacing is not None:
        await TrustedDevice.delete().where(TrustedDevice.nonce_hash == replacing.nonce_hash)
    await TrustedDevice.delete().where(
        (TrustedDevice.person == person_id) & (TrustedDevice.expires_at <= moment)
    )
    nonce = secrets.token_urlsafe(32)
    await TrustedDevice.insert(
        TrustedDevice(
            nonce_hash=_nonce_hash(nonce),
            person=person_id,
            created_at=moment,
            expires_at=moment + DEVICE_TRUST,
            failures=0,
            last_failure_at=moment,
        )
    )
    return f"{person_id}.{nonce}.{_signature(secret, person_id, nonce)}"


async def distrust_if_worn_out(device_id: int) -> bool:
    """After `DEVICE_LOCK_AT` wrong passwords in a row a browser is no longer trusted: from then on it
    meets the account's limits like any other client. True if that happened now."""
    ended = (
        await TrustedDevice.delete()
        .where((TrustedDevice.id == device_id) & (TrustedDevice.failures >= DEVICE_LOCK_AT))
        .returning(TrustedDevice.id)
    )
    return bool(ended)


async def distrust_every_device(person_id: int) -> int:
    """Every browser of this person becomes untrusted (sign out everywhere, a password reset)."""
    ended = await TrustedDevice.delete().where(TrustedDevice.person == person_id).returning(TrustedDevice.id)
    return len(ended)
