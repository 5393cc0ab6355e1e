"""Sealed ballots: what a voter chose, readable only with the vote's private key (`vote_keys.py`).

A sealed ballot is a libsodium sealed box (X25519 and XSalsa20-Poly1305, through PyNaCl) of the tracker,
the choice and the weight, padded to one fixed length so the size of a box says nothing about the choice.
Each box has a fingerprint (SHA-256, the first 128 bits in base32) that the bulletin board lists while the
vote is open and the voter is shown at cast, so they can see their ballot was recorded. The board never pairs
a fingerprint with a tracker: once the private key is destroyed at close, a box copied from a backup cannot be
linked to the choice it holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from coop.votes.bulletin import TRACKER_LENGTH, BoardEntry

PADDED_BYTES = 1024  # longer than any choice coop accepts (50 options ranked: under 200 characters)


class SealError(Exception):
    """A sealed ballot cannot be opened or is not well formed: the count must not go on."""


@dataclass(frozen=True, slots=True)
class SealedBallot:
    fingerprint: str
    sealed: str  # base64 of the box


def fingerprint_of(box: bytes) -> str:
    return base64.b32encode(hashlib.sha256(box).digest()[:16]).decode().rstrip("=")


def seal(public_key: PublicKey, entry: BoardEntry) -> SealedBallot:
    text = json.dumps([entry.tracker, entry.choice, entry.weight], separators=(",", ":")).encode()
    if len(text) > PADDED_BYTES:
        raise ValueError("the ballot is too long to seal")
    box = SealedBox(public_key).encrypt(text.ljust(PADDED_BYTES, b" "))
    return SealedBallot(fingerprint=fingerprint_of(box), sealed=base64.b64encode(box).decode())


def open_sealed(private_key: PrivateKey, ballot: SealedBallot) -> BoardEntry:
    """The ballot inside, after checking its fingerprint and form; SealError names what is wrong."""
    try:
        box = base64.b64decode(ballot.sealed, validate=True)
    except ValueError:
        raise SealError(f"Sealed ballot {ballot.fingerprint} is not valid base64.") from None
    if fingerprint_of(box) != ballot.fingerprint:
        raise SealError(f"Sealed ballot {ballot.fingerprint} does not match its fingerprint.")
    try:
        text = SealedBox(private_key).decrypt(box)
    except CryptoError:
        raise SealError(f"Sealed ballot {ballot.fingerprint} was not sealed to this vote's key.") from None
    try:
        tracker, choice, weight = json.loads(text)
    except ValueError:
        raise SealError(f"Sealed ballot {ballot.fingerprint} does not hold a ballot.") from None
    if not (isinstance(tracker, str) and len(tracker) == TRACKER_LENGTH and isinstance(choice, str)):
        raise SealError(f"Sealed ballot {ballot.fingerprint} does not hold a ballot.")
    if not isinstance(weight, int) or weight < 1:
        raise SealError(f"Sealed ballot {ballot.fingerprint} has no valid weight.")
    return BoardEntry(tracker, choice, weight)
