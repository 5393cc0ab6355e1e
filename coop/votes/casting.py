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

from coop.audit.service import Actor, AuditEntry, record
from coop.db import is_sqlite, write_transaction
from coop.votes import ballots as choices
from coop.votes import sealed_store
from coop.votes.bulletin import BoardEntry, new_tracker
from coop.votes.records import CHANNELS
from coop.votes.tables import Ballot, Vote, VoteParticipation, VoteRoll


@dataclass(frozen=True, slots=True)
class CastOutcome:
    """What happened to a ballot: `status` is cast, already_voted, not_eligible, closed or not_open."""

    status: str
    tracker: str | None = None
    closes_at: datetime | None = None
    fingerprint: str | None = None  # the sealed box's, shown with the tracker

    @property
    def counted(self) -> bool:
        return self.status == "cast"


# The writes of a cast, written out: they run while every other writer waits (SQLite has one write lock),
# so Piccolo building them inside it cost every queued voter too. The UNIQUE (vote, member) index makes the
# second of two concurrent casts insert nothing.
# Participation ids are drawn at random (sealed_store.participation_id), so their order is not the order
# people voted in; a clash of ids inserts nothing too, and is told from a second vote by looking.
_PARTICIPATE = (
    "INSERT INTO vote_participation (id, vote, member, channel, recorded_choice, assisted_by) "
    "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING vote"
)
_BALLOT = "INSERT INTO vote_ballot (tracker, vote, choice, weight) VALUES ({}, {}, {}, {})"
_CURRENT_ON_ROLL = (
    "SELECT r.weight AS weight FROM vote_roll r JOIN member m ON m.id = r.member "
    "WHERE r.vote = {} AND r.member = {} AND m.ceased_on IS NULL"
)


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
    """Record one member's ballot, or say why not. Safe under any number of concurrent calls.
    `assisted_by`: the member's supporter who helped, kept on the participation (never the ballot)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    async with write_transaction():
        query = Vote.select(
            Vote.status,
            Vote.opens_at,
            Vote.closes_at,
            Vote.secret,
            Vote.kind,
            Vote.options,
            Vote.seal_public_key,
        ).where((Vote.id == vote_id) & (Vote.organisation == organisation_id))
        if not is_sqlite():
            # Closing takes this row's lock, so a ballot either commits before the close reads the
            # ballots (and is counted) or sees the vote closed (and is refused): never lost in between.
            query = query.lock_rows("SHARE")
        vote = await query.first()
        if (
            vote is None
            or vote["status"] == "draft"
            or (vote["opens_at"] is not None and now < vote["opens_at"])
        ):
            return CastOutcome("not_open")
        if vote["status"] != "open" or now >= vote["closes_at"]:
            return CastOutcome("closed", closes_at=vote["closes_at"])
        if not choices.valid_encoding(vote["kind"], json.loads(vote["options"]), choice):
            raise ValueError("the ballot does not fit this vote")
        # Ceased members lose their vote at once, even though they stay on the frozen roll.
        on_roll = await VoteRoll.raw(_CURRENT_ON_ROLL, vote_id, member_id)
        if not on_roll:
            return CastOutcome("not_eligible")
        roll = on_roll[0]
        recorded = None if vote["secret"] else choice
        for _ in range(3):
            row = (vote_id, member_id, channel, recorded, assisted_by)
            if await VoteParticipation.raw(_PARTICIPATE, sealed_store.participation_id(), *row):
                break
            if await VoteParticipation.exists().where(
                (VoteParticipation.vote == vote_id) & (VoteParticipation.member == member_id)
            ):
                return CastOutcome("already_voted")
        else:
            raise RuntimeError("no free participation id after 3 draws")
        entry = BoardEntry(new_tracker(), choice, int(roll["weight"]))
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
