"""Password hashing (argon2id, off the event loop) and the password rules (NIST SP 800-63B)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import anyio
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from coop.settings import Settings

MIN_LENGTH = 8
MAX_LENGTH = 256  # ASVS asks for at least 64; the cap bounds hashing work per request.
COMMON_PASSWORDS_CHECKED = 10_000  # ASVS 6.2.4 asks for the top 3,000 at least.

# At most 4 hashes at once: peak memory stays under 4 x m (about 184 MiB) and other requests keep a core.
_limiter = anyio.CapacityLimiter(4)


def hasher_for(settings: Settings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


@lru_cache(maxsize=8)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("a password nobody has, to spend the same time on unknown accounts")


async def hash_password(hasher: PasswordHasher, password: str) -> str:
    return await anyio.to_thread.run_sync(hasher.hash, password, limiter=_limiter)


@dataclass(frozen=True, slots=True)
class Verified:
    ok: bool
    new_hash: str | None = None
    """Set when the stored hash used older parameters: store this one instead."""


async def verify_password(hasher: PasswordHasher, stored: str | None, password: str) -> Verified:
    """Check a password. With no stored hash, spend the same time anyway (no account enumeration)."""
    target = stored if stored is not None else await anyio.to_thread.run_sync(_dummy_hash, hasher)
    try:
        await anyio.to_thread.run_sync(hasher.verify, target, password, limiter=_limiter)
    except (VerificationError, InvalidHashError):
        return Verified(ok=False)
    if stored is None:
        return Verified(ok=False)
    if hasher.check_needs_rehash(stored):
        return Verified(ok=True, new_hash=await hash_password(hasher, password))
    return Verified(ok=True)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_CHECKED])


def password_problem(password: str, *, context_words: tuple[str, ...] = ()) -> str | None:
    """The first reason a new password is refused, in words for the person choosing it; None if fine.

    No composition rules (NIST): length, the common-password list, and words from the person's own
    details or the site, which attackers try first.
    """
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    folded = password.casefold()
    if folded in _common_passwords() or folded.strip("0123456789!") in _common_passwords():
        return "This password is too common. Choose one that other people are unlikely to use"
    letters = _alphanumeric(folded)
    for word in _context_variants(context_words):
        if word in letters and len(letters) - len(word) < 6:
            return "Your password must not be based on your name, email address or organisation"
    return None


def _alphanumeric(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _context_variants(words: tuple[str, ...]) -> set[str]:
    """ "Helen Jones" -> helen, jones, helenjones: people build passwords from their names that way."""
    variants: set[str] = set()
    for word in words:
        parts = [_alphanumeric(p) for p in word.casefold().replace(".", " ").replace("-", " ").split()]
        variants.update(parts)
        variants.add("".join(parts))
    return {v for v in variants if len(v) >= 4}
