"""The cryptography of tellers: a teller's key pair locked by their passphrase, and a vote's private key
split among tellers so that no fewer than `needed` of them can rebuild it.

- A teller's private key is locked with a key derived from their passphrase by argon2id (argon2-cffi's
  low-level `hash_secret_raw`, with the salt and costs stored beside it) and a libsodium secretbox (PyNaCl).
  A wrong passphrase fails the box's authentication: nothing is guessed.
- A vote's 32-byte X25519 private key is split with Shamir's scheme (pycryptodome's
  `Crypto.Protocol.SecretSharing.Shamir`, which works on 16-byte secrets over GF(2^128)): each half is split
  on its own, with its own random polynomial, and teller i gets both halves' i-th shares. Any `needed` shares
  rebuild the key; fewer say nothing about it. Shamir shares are not authenticated, so the rebuilt key is
  checked against the vote's public key before it is used.
- Each share is sealed (a libsodium sealed box) to its teller's public key, together with the vote it is for
  and its number, so a share cannot be moved to another vote or another teller's place.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from Crypto.Protocol.SecretSharing import Shamir
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

SALT_BYTES = 16
HALF = 16


class WrongPassphrase(Exception):
    """The passphrase does not unlock the teller key."""


class ShareError(Exception):
    """A share is not well formed or not for this vote; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class LockedKey:
    """A teller key as stored: the public half, and the private half locked by a passphrase."""

    public_key: str
    locked_private: str
    salt: str
    time_cost: int
    memory_kib: int


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _derive(passphrase: str, salt: bytes, time_cost: int, memory_kib: int) -> bytes:
    return hash_secret_raw(
        passphrase.encode(),
        salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=1,
        hash_len=SecretBox.KEY_SIZE,
        type=Type.ID,
    )


def lock(private: PrivateKey, passphrase: str, *, time_cost: int, memory_kib: int) -> LockedKey:
    """Lock a teller's private key under their passphrase (a fresh salt each time)."""
    salt = secrets.token_bytes(SALT_BYTES)
    box = SecretBox(_derive(passphrase, salt, time_cost, memory_kib))
    return LockedKey(
        public_key=_b64(bytes(private.public_key)),
        locked_private=_b64(bytes(box.encrypt(bytes(private)))),
        salt=_b64(salt),
        time_cost=time_cost,
        memory_kib=memory_kib,
    )


def new_teller_key(passphrase: str, *, time_cost: int, memory_kib: int) -> LockedKey:
    return lock(PrivateKey.generate(), passphrase, time_cost=time_cost, memory_kib=memory_kib)


def unlock(locked: LockedKey, passphrase: str) -> PrivateKey:
    """The teller's private key; WrongPassphrase if the passphrase is not theirs."""
    key = _derive(passphrase, _unb64(locked.salt), locked.time_cost, locked.memory_kib)
    try:
        private = PrivateKey(SecretBox(key).decrypt(_unb64(locked.locked_private)))
    except CryptoError:
        raise WrongPassphrase from None
    if _b64(bytes(private.public_key)) != locked.public_key:
        raise WrongPassphrase
    return private


def split(private: PrivateKey, needed: int, tellers: int) -> list[tuple[int, bytes]]:
    """`tellers` shares of the vote key, any `needed` of which rebuild it: (index 1..n, 32 bytes)."""
    secret = bytes(private)
    low = Shamir.split(needed, tellers, secret[:HALF])
    high = Shamir.split(needed, tellers, secret[HALF:])
    return [(i, a + b) for (i, a), (_, b) in zip(low, high, strict=True)]


def combine(shares: list[tuple[int, bytes]], public_key: str) -> PrivateKey:
    """Rebuild the vote key from enough shares and check it is the vote's; ShareError if not."""
    if any(len(share) != 2 * HALF for _, share in shares):
        raise ShareError("A teller's share is not the right length.")
    low = Shamir.combine([(i, share[:HALF]) for i, share in shares])
    high = Shamir.combine([(i, share[HALF:]) for i, share in shares])
    private = PrivateKey(low + high)
    if _b64(bytes(private.public_key)) != public_key:
        raise ShareError("The tellers' shares do not rebuild this vote's key.")
    return private


def seal_share(teller_public: str, vote_id: int, index: int, share: bytes) -> str:
    text = json.dumps({"vote": vote_id, "index": index, "share": _b64(share)}).encode()
    return _b64(SealedBox(PublicKey(_unb64(teller_public))).encrypt(text))


def open_share(teller_private: PrivateKey, sealed: str, vote_id: int, index: int) -> bytes:
    """The teller's share of this vote, after checking it was sealed for this vote and this place."""
    try:
        content = json.loads(SealedBox(teller_private).decrypt(_unb64(sealed)))
    except (CryptoError, ValueError):
        raise ShareError("This share was not sealed to your teller key.") from None
    if content.get("vote") != vote_id or content.get("index") != index:
        raise ShareError("This share belongs to another vote or another teller.")
    share = _unb64(str(content.get("share", "")))
    if len(share) != 2 * HALF:
        raise ShareError("This share is not the right length.")
    return share
