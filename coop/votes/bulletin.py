"""The bulletin board: every ballot as tracker -> choice, sorted by tracker, and its SHA-256 digest.

The digest covers the vote's id and every (tracker, choice, weight) in tracker order, as canonical JSON, so
changing, adding or removing any ballot changes it. It is written to the vote, to the audit log and to the
email members get at close; `coop verify` recomputes it from the stored ballots.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

TRACKER_BYTES = 16  # 128 bits
TRACKER_LENGTH = 26


def new_tracker() -> str:
    """128 random bits from the operating system, as 26 base32 letters and digits (no padding)."""
    return base64.b32encode(secrets.token_bytes(TRACKER_BYTES)).decode().rstrip("=")


def normalise_tracker(text: str) -> str:
    """What a member typed (any case, spaces or dashes between groups) as a stored tracker."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def show_tracker(tracker: str) -> str:
    """Groups of four, easier to read aloud and copy: ABCD-EFGH-..."""
    return "-".join(tracker[i : i + 4] for i in range(0, len(tracker), 4))


@dataclass(frozen=True, slots=True)
class BoardEntry:
    tracker: str
    choice: str
    weight: int = 1


def sorted_board(entries: Iterable[BoardEntry]) -> list[BoardEntry]:
    return sorted(entries, key=lambda e: e.tracker)


def canonical_board(vote_id: int, entries: Iterable[BoardEntry]) -> str:
    """The exact text the digest covers (also what the JSON download of the board contains)."""
    ballots = [[e.tracker, e.choice, e.weight] for e in sorted_board(entries)]
    return json.dumps({"vote": vote_id, "ballots": ballots}, separators=(",", ":"), ensure_ascii=True)


def board_digest(vote_id: int, entries: Iterable[BoardEntry]) -> str:
    return hashlib.sha256(canonical_board(vote_id, entries).encode()).hexdigest()
