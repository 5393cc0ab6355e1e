"""Casting a ballot, online, by a proxy or entered from paper.

One member, one vote rests on the UNIQUE index on `vote_participation (vote, member)`: the participation
insert is `ON CONFLICT DO NOTHING`, and when it inserts nothing the member has already voted and nothing
else is written. The participation, the ballot and the audit event (participation only, never the choice
or tracker) land in one `write_transaction()`. Time is always passed in (`now`), never read here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from coop.audit.service import Actor, AuditEntry, record
from coop.db import is_sqlite, write_transaction
from coop.votes import ballots as choices
from coop.votes.bulletin import new_tracker
from coop.votes.records import CHANNELS
from coop.votes.tables import Ballot, Vote, VoteParticipation, VoteRoll


@dataclass(frozen=True, slots=True)
class CastOutcome:
    """What happened to a ballot: `status` is cast, already_voted, not_eligible, closed or not_open."""

    status: str
    tracker: str | None = None
    closes_at: datetime | None = None

    @property
    def counted(self) -> bool:
        return self.status == "cast"


# The writes of a cast, written out: they run while every other writer waits (SQLite has one write lock),
# so Piccolo building them inside it cost every queued voter too. The UNIQUE (vote, member) index makes the
# second of two concurrent casts insert nothing.
_PARTICIPATE = (
    "INSERT INTO vote_participation (vote, member, channel, recorded_choice, assisted_by) "
    "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (vote, member) DO NOTHING RETURNING vote"
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
            Vote.status, Vote.opens_at, Vote.closes_at, Vote.secret, Vote.kind, Vote.options
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
        inserted = await VoteParticipation.raw(
            _PARTICIPATE, vote_id, member_id, channel, None if vote["secret"] else choice, assisted_by
        )
        if not inserted:
            return CastOutcome("already_voted")
        tracker = new_tracker()
        await Ballot.raw(_BALLOT, tracker, vote_id, choice, int(roll["weight"]))
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
    return CastOutcome("cast", tracker=tracker)
