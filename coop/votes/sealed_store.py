"""Sealed ballots in the database: the hooks that opening, casting, the board and closing call.

Opening makes the vote's key pair (`vote_keys.py`) and stores its public key; casting stores each ballot as
a sealed box (`sealing.py`) instead of a readable row; while the vote is open the board lists the boxes'
fingerprints; closing opens every box with the key file (or the key its tellers rebuild, `teller_shares.py`),
hands the ballots to the usual re-write in tracker order, deletes the boxes and, once the close has
committed, destroys the key. Votes opened before sealed ballots existed have no public key and keep readable
ballots to the end.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from nacl.public import PrivateKey

from coop.db import Step
from coop.votes import teller_shares, vote_keys
from coop.votes.bulletin import BoardEntry
from coop.votes.records import VoteStateError
from coop.votes.sealing import SealedBallot, SealError, open_sealed, seal
from coop.votes.tables import SealedBallotRow, Vote

logger = logging.getLogger("coop.votes")

_STORE = "INSERT INTO vote_sealed_ballot (fingerprint, vote, sealed) VALUES ({}, {}, {})"


@dataclass(slots=True)
class NewVoteKey:
    """A vote's new key pair while it opens: `public` goes on the vote row; `store_shares` (inside the
    opening transaction) stores the tellers' sealed shares when the key is split among tellers."""

    vote_id: int
    public: str
    plan: teller_shares.SharePlan | None = None
    sealed: dict[int, str] = field(default_factory=dict)

    async def store_shares(self) -> None:
        if self.plan is not None:
            await teller_shares.store_shares(self.plan, self.vote_id, self.sealed)


@asynccontextmanager
async def new_vote_key(vote_id: int) -> AsyncIterator[NewVoteKey]:
    """A new key pair for a vote being opened. With the server holding the key, the private key goes to a
    file, destroyed again if the opening does not happen; with tellers, it is split among them in memory
    and never written anywhere whole."""
    plan = await teller_shares.share_plan(vote_id)
    if plan is not None:
        private = PrivateKey.generate()
        public = vote_keys.encode_public(private.public_key)
        yield NewVoteKey(vote_id, public, plan, teller_shares.sealed_shares(plan, private, vote_id))
        return
    public = vote_keys.create_key(vote_id)
    try:
        yield NewVoteKey(vote_id, public)
    except BaseException:
        vote_keys.destroy_key(vote_id, public)
        raise


def sealed_step(public_key: str, vote_id: int, entry: BoardEntry) -> tuple[Step, str]:
    """Seal a ballot to the vote's key: the statement that stores the box (run inside the cast's
    transaction) and the box's fingerprint, which the voter is shown and the board lists."""
    box = seal(vote_keys.decode_public(public_key), entry)
    return (_STORE, (box.fingerprint, vote_id, box.sealed)), box.fingerprint


def participation_id() -> int:
    """A random id for a participation row, above any the table's own counter will reach, within the
    32-bit ids PostgreSQL's serial columns hold."""
    return secrets.randbelow(2**30) + 2**30


async def public_key_of(vote_id: int) -> str | None:
    row = await Vote.select(Vote.seal_public_key).where(Vote.id == vote_id).first()
    return row["seal_public_key"] if row else None


async def key_for_close(vote_id: int) -> tuple[str | None, PrivateKey | None]:
    """The vote's public key and the private key that opens its boxes, read before the closing
    transaction (both None for a vote opened before ballots were sealed): from the key file, or rebuilt
    from the shares its tellers have opened. A missing or wrong key stops the close (the vote stays open
    and the message says why); too few tellers is `TellersNeeded`."""
    row = await Vote.select(Vote.seal_public_key, Vote.tellers_needed).where(Vote.id == vote_id).first()
    public_key = row["seal_public_key"] if row else None
    if row is None or public_key is None:
        return None, None
    if row["tellers_needed"]:
        return public_key, teller_shares.rebuild_key(vote_id, public_key, int(row["tellers_needed"]))
    try:
        return public_key, vote_keys.load_key(vote_id, public_key)
    except vote_keys.VoteKeyError as error:
        raise VoteStateError(str(error)) from None


async def open_sealed_ballots(vote_id: int, key: PrivateKey | None) -> list[BoardEntry]:
    """Inside the closing transaction: open every box, delete the boxes and return the ballots for the
    re-write. A box that does not open stops the close: no ballot is lost or guessed."""
    if key is None:
        return []
    rows = await SealedBallotRow.select(SealedBallotRow.fingerprint, SealedBallotRow.sealed).where(
        SealedBallotRow.vote == vote_id
    )
    try:
        entries = [open_sealed(key, SealedBallot(r["fingerprint"], r["sealed"])) for r in rows]
    except SealError as error:
        raise VoteStateError(f"The vote cannot be counted: {error}") from None
    await SealedBallotRow.delete().where(SealedBallotRow.vote == vote_id)
    await teller_shares.forget_shares(vote_id)
    return entries


def destroy_after_close(vote_id: int, public_key: str | None) -> None:
    """After the close has committed: nothing may open this vote's boxes again, even from a backup."""
    if public_key is None:
        return
    try:
        vote_keys.destroy_key(vote_id, public_key)
        teller_shares.destroy_opened_shares(vote_id, public_key)
    except OSError:  # the vote is closed and counted; an undeleted key is the operator's to remove
        logger.error("could not destroy the key file of closed vote %s", vote_id, exc_info=True)


async def sealed_fingerprints(vote_id: int) -> list[str]:
    """While the vote is open the board lists the boxes by fingerprint, in fingerprint order."""
    rows = await SealedBallotRow.select(SealedBallotRow.fingerprint).where(SealedBallotRow.vote == vote_id)
    return sorted(r["fingerprint"] for r in rows)


async def sealed_count(vote_id: int) -> int:
    return int(await SealedBallotRow.count().where(SealedBallotRow.vote == vote_id))


async def fingerprint_recorded(vote_id: int, fingerprint: str) -> bool:
    return await SealedBallotRow.exists().where(
        (SealedBallotRow.vote == vote_id) & (SealedBallotRow.fingerprint == fingerprint)
    )
