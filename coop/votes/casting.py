"""Casting a ballot, online, by a proxy or entered from paper.

One member, one vote rests on the UNIQUE index on `vote_participation (vote, member)`: the participation
insert is `ON CONFLICT DO NOTHING`, and when it inserts nothing the member has already voted and nothing
else is written. The participation and the ballot, sealed to the vote's key (`sealed_store.py`), land in one
`write_transaction()`; a recorded (not secret) vote also logs the participation. Time is always passed in
(`now`), never read here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.db import is_sqlite, write_transaction
from coop.votes import ballots as choices
from coop.votes import sealed_store
from coop.votes.bulletin import BoardEntry, new_tracker
from coop.votes.records import CHANNELS
from coop.votes.tables import Ballot, Vote, VoteParticipation


@dataclass(frozen=True, slots=True)
class CastOutcome:
    """What happened to a ballot: `status` is cast, already_voted, not_eligible, closed, not_open or
    not_understood (the choice does not fit this vote's options)."""

    status: str
    tracker: str | None = None
    closes_at: datetime | None = None
    fingerprint: str | None = None  # the sealed box's, shown with the tracker

    @property
    def counted(self) -> bool:
        return self.status == "cast"


# The statements of a cast, written out: they run while every other writer waits (SQLite has one write
# lock), so Piccolo building them inside it cost every queued voter too. One read answers both "is the vote
# open" and "is this member on its roll and still a member" (ceased members lose their vote at once, though
# they stay on the frozen roll). The UNIQUE (vote, member) index makes the second of two concurrent casts
# insert nothing.
_VOTE_AND_VOTER = (
    "SELECT v.status AS status, v.opens_at AS opens_at, v.closes_at AS closes_at, v.secret AS secret, "
    "v.kind AS kind, v.options AS options, v.seal_public_key AS seal_public_key, r.weight AS weight "
    "FROM vote v LEFT JOIN (vote_roll r JOIN member m ON m.id = r.member AND m.ceased_on IS NULL) "
    "ON r.vote = v.id AND r.member = {} WHERE v.id = {} AND v.organisation = {}"
)
# Closing takes the vote row's lock, so a ballot either commits before the close reads the ballots (and is
# counted) or sees the vote closed (and is refused): never lost in between. SQLite's writers are serial.
_LOCK_VOTE = " FOR SHARE OF v"
# Participation ids are drawn at random (sealed_store.participation_id), so their order is not the order
# people voted in; a clash of ids inserts nothing too, and is told from a second vote by looking.
_PARTICIPATE = (
    "INSERT INTO vote_participation (id, vote, member, channel, recorded_choice, assisted_by) "
    "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING vote"
)
_BALLOT = "INSERT INTO vote_ballot (tracker, vote, choice, weight) VALUES ({}, {}, {}, {})"


async def cast_ballot(
    organisation_id: int,
    vote_id: int,
    member_id: int,
    choice: str,
    *,
    now: datetime,
    actor: Actor,
    channel: str = "online",
    assisted_by: int | None = None,
) -> CastOutcome:
    """Record one member's ballot, or say why not. Safe under any number of concurrent calls; the
    choice is checked against the vote here, once. `assisted_by`: the member's supporter who helped,
    kept on the participation (never the ballot)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    async with write_transaction():
        query = _VOTE_AND_VOTER if is_sqlite() else _VOTE_AND_VOTER + _LOCK_VOTE
        found = await Vote.raw(query, member_id, vote_id, organisation_id)
        refused = _refusal(found[0] if found else None, choice, now)
        if refused is not None:
            return refused
        vote = found[0]
        row = (vote_id, member_id, channel, None if vote["secret"] else choice, assisted_by)
        if not await _participate(row):
            return CastOutcome("already_voted")
        entry = BoardEntry(new_tracker(), choice, int(vote["weight"]))
        fingerprint = None
        if vote["seal_public_key"]:
            fingerprint = await sealed_store.store_sealed(vote["seal_public_key"], vote_id, entry)
        else:  # opened before ballots were sealed
            await Ballot.raw(_BALLOT, entry.tracker, vote_id, choice, entry.weight)
        if not vote["secret"]:
            # A secret vote logs no event per voter: their order and times would say who cast which box.
            # Closing logs how many voted by each channel instead.
            await record(
                AuditEntry(
                    "vote.participated",
                    organisation_id=organisation_id,
                    target_type="vote",
                    target_id=str(vote_id),
                    detail={"channel": channel, "assisted": True} if assisted_by else {"channel": channel},
                ),
                actor,
            )
    return CastOutcome("cast", tracker=entry.tracker, fingerprint=fingerprint)


async def _participate(row: tuple[Any, ...]) -> bool:
    """Insert the participation under a random id; False if the member has voted already."""
    vote_id, member_id = row[0], row[1]
    for _ in range(3):
        if await VoteParticipation.raw(_PARTICIPATE, sealed_store.participation_id(), *row):
            return True
        if await VoteParticipation.exists().where(
            (VoteParticipation.vote == vote_id) & (VoteParticipation.member == member_id)
        ):
            return False
    raise RuntimeError("no free participation id after 3 draws")


def _refusal(vote: dict[str, Any] | None, choice: str, now: datetime) -> CastOutcome | None:
    """Why this ballot cannot be cast now, or None if it can."""
    if vote is None or vote["status"] == "draft" or (vote["opens_at"] is not None and now < vote["opens_at"]):
        return CastOutcome("not_open")
    if vote["status"] != "open" or now >= vote["closes_at"]:
        return CastOutcome("closed", closes_at=vote["closes_at"])
    if not choices.valid_encoding(vote["kind"], json.loads(vote["options"]), choice):
        return CastOutcome("not_understood")
    if vote["weight"] is None:
        return CastOutcome("not_eligible")
    return None
