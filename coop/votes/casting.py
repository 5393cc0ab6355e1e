"""Casting a ballot, online, by a proxy or entered from paper.

One member, one vote rests on the UNIQUE index on `vote_participation (vote, member)`: the participation
insert is `ON CONFLICT DO NOTHING`, and when it inserts nothing the member has already voted and nothing
else is written. The participation and the ballot, sealed to the vote's key (`sealed_store.py`), land in one
transaction (`coop.db.write_steps`); a recorded (not secret) vote also logs the participation. Time is always
passed in (`now`), never read here.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from coop.audit.service import Actor, AuditEntry, record_steps
from coop.db import Rows, Step, is_sqlite, write_steps
from coop.votes import ballots as choices
from coop.votes import sealed_store
from coop.votes.bulletin import BoardEntry, new_tracker
from coop.votes.records import CHANNELS, VoteInfo, vote_from_row


@dataclass(frozen=True, slots=True)
class CastOutcome:
    """What happened to a ballot: `status` is cast, already_voted, not_eligible, closed, not_open or
    not_understood (the choice does not fit this vote's options)."""

    status: str
    tracker: str | None = None
    closes_at: datetime | None = None
    fingerprint: str | None = None  # the sealed box's, shown with the tracker
    vote: VoteInfo | None = None
    """The vote as the cast's transaction read it; None when the organisation has no such vote."""

    @property
    def counted(self) -> bool:
        return self.status == "cast"


# The statements of a cast, written out: they run while every other writer waits (SQLite has one write
# lock), so Piccolo building them inside it cost every queued voter too. One read answers both "is the vote
# open" and "is this member on its roll and still a member" (ceased members lose their vote at once, though
# they stay on the frozen roll). The UNIQUE (vote, member) index makes the second of two concurrent casts
# insert nothing.
# The vote's row is the whole of it (`VoteInfo`), so the page after the cast needs no read of its own.
_VOTE_AND_VOTER = (
    "SELECT v.id AS id, v.organisation AS organisation, v.title AS title, v.question AS question, "
    "v.easy_read AS easy_read, v.kind AS kind, v.purpose AS purpose, v.options AS options, v.seats AS seats, "
    "v.secret AS secret, v.eligible_classes AS eligible_classes, v.status AS status, v.opens_at AS opens_at, "
    "v.closes_at AS closes_at, v.opened_at AS opened_at, v.closed_at AS closed_at, "
    "v.board_digest AS board_digest, v.result AS result, v.tellers_needed AS tellers_needed, "
    "v.seal_public_key AS seal_public_key, r.weight AS weight "
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
# PostgreSQL: the participation and the sealed box in one statement (one round trip fewer); the box is
# stored only when the participation was, so a second vote or an id clash still writes nothing.
_PARTICIPATE_AND_STORE = (
    "WITH p AS (INSERT INTO vote_participation (id, vote, member, channel, recorded_choice, assisted_by) "
    "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING vote) "
    "INSERT INTO vote_sealed_ballot (fingerprint, vote, sealed) SELECT {}, {}, {} FROM p RETURNING vote"
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
    """Record one member's ballot, or say why not. Safe under any number of concurrent calls; the
    choice is checked against the vote here, once. `assisted_by`: the member's supporter who helped,
    kept on the participation (never the ballot).

    One transaction, given as its statements (`write_steps`): on SQLite it runs in a single trip to the
    writer's thread, so the write lock every other voter waits for is held for the statements' own time."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    sqlite = is_sqlite()
    return await write_steps(
        _cast_steps(
            _Cast(organisation_id, vote_id, member_id, choice, now, actor, channel, assisted_by),
            "" if sqlite else _LOCK_VOTE,
            combine=not sqlite,
        )
    )


@dataclass(frozen=True, slots=True)
class _Cast:
    organisation_id: int
    vote_id: int
    member_id: int
    choice: str
    now: datetime
    actor: Actor
    channel: str
    assisted_by: int | None


def _cast_steps(cast: _Cast, lock: str, *, combine: bool) -> Generator[Step, Rows, CastOutcome]:
    """The cast's statements, deciding between them on what each one answers (see `write_steps`).
    `combine` (PostgreSQL): the participation and the sealed box are one statement."""
    vote_id, choice = cast.vote_id, cast.choice
    found = yield _VOTE_AND_VOTER + lock, (cast.member_id, vote_id, cast.organisation_id)
    if not found:
        return CastOutcome("not_open")
    vote, info = found[0], vote_from_row(found[0])
    refused = _refusal(info, vote["weight"], choice, cast.now)
    if refused is not None:
        return replace(refused, vote=info)
    row = (vote_id, cast.member_id, cast.channel, None if vote["secret"] else choice, cast.assisted_by)
    entry = BoardEntry(new_tracker(), choice, int(vote["weight"]))
    store, fingerprint = None, None
    if vote["seal_public_key"]:
        store, fingerprint = sealed_store.sealed_step(vote["seal_public_key"], vote_id, entry)
    box = store[1] if store is not None and combine else ()  # written with the participation
    if not (yield from _participate(row, box)):
        return CastOutcome("already_voted", vote=info)
    if store is None:  # opened before ballots were sealed
        yield _BALLOT, (entry.tracker, vote_id, choice, entry.weight)
    elif not combine:
        yield store
    if not vote["secret"]:
        # A secret vote logs no event per voter: their order and times would say who cast which box.
        # Closing logs how many voted by each channel instead.
        yield from record_steps(
            AuditEntry(
                "vote.participated",
                organisation_id=cast.organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={"channel": cast.channel, "assisted": True}
                if cast.assisted_by
                else {"channel": cast.channel},
            ),
            cast.actor,
        )
    return CastOutcome("cast", tracker=entry.tracker, fingerprint=fingerprint, vote=info)


_ALREADY = "SELECT 1 AS one FROM vote_participation WHERE vote = {} AND member = {}"


def _participate(row: tuple[Any, ...], box: tuple[Any, ...] = ()) -> Generator[Step, Rows, bool]:
    """Insert the participation under a random id (with `box`, the sealed ballot's values, in the same
    statement); False if the member has voted already."""
    vote_id, member_id = row[0], row[1]
    sql = _PARTICIPATE_AND_STORE if box else _PARTICIPATE
    for _ in range(3):
        if (yield sql, (sealed_store.participation_id(), *row, *box)):
            return True
        if (yield _ALREADY, (vote_id, member_id)):
            return False
    raise RuntimeError("no free participation id after 3 draws")


def _refusal(vote: VoteInfo, weight: int | None, choice: str, now: datetime) -> CastOutcome | None:
    """Why this ballot cannot be cast now, or None if it can (`weight`: the member's on the roll, None
    when they are not on it or have ceased to be a member)."""
    if vote.status == "draft" or (vote.opens_at is not None and now < vote.opens_at):
        return CastOutcome("not_open")
    if vote.status != "open" or now >= vote.closes_at:
        return CastOutcome("closed", closes_at=vote.closes_at)
    if not choices.valid_encoding(vote.kind, vote.options, choice):
        return CastOutcome("not_understood")
    if weight is None:
        return CastOutcome("not_eligible")
    return None
