"""Closing a vote: re-write its ballots in tracker order, publish the board digest, count, seat an
election's winners, and tell the electorate the result."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime
from typing import Any

from coop.audit.guarded import guarded_change
from coop.audit.service import Actor, AuditEntry, record
from coop.boards.elections import seat_election_winners
from coop.db import current_engine, insert_in_batches, is_sqlite, write_transaction
from coop.meetings.online_votes import record_online_result
from coop.members.notices import Notice
from coop.organisations.service import constitution_of
from coop.settings import Settings
from coop.urls import absolute_url, org_path
from coop.votes import sealed_store, timetable
from coop.votes.board import board_entries
from coop.votes.bulletin import BoardEntry, board_digest, sorted_board
from coop.votes.records import VoteInfo, VoteStateError, get_vote
from coop.votes.roll import Turnout, turnout
from coop.votes.tables import Ballot, Vote, VoteParticipation
from coop.votes.tally import count_vote
from governance.constitution import Constitution

logger = logging.getLogger("coop.votes")


async def close_vote(
    organisation_id: int,
    vote_id: int,
    *,
    now: datetime,
    actor: Actor,
    notify: bool = False,
) -> VoteInfo:
    """Close the vote: open its sealed ballots, re-write them in tracker order, publish the digest and count;
    `notify` queues the result for the electorate. Early only when everyone on the roll has voted; closing
    twice changes nothing. The key is destroyed once the close has committed."""
    vote = await get_vote(organisation_id, vote_id)
    if vote is None:
        raise VoteStateError("There is no such vote")
    if vote.status != "open":
        raise VoteStateError("This vote is not open")
    constitution = await constitution_of(organisation_id)
    public_key, key = await sealed_store.key_for_close(vote_id)
    async with write_transaction():
        if now < vote.closes_at:
            await _everyone_has_voted(vote_id)
        closed = await guarded_change(  # audited below, with the count it makes
            Vote,
            {Vote.status: "closed", Vote.closed_at: now},
            (Vote.id == vote_id) & (Vote.status == "open"),
            returning=[Vote.id],
        )
        if not closed:
            raise VoteStateError("This vote is not open")
        entries = await _rewrite_ballots(vote_id, await sealed_store.open_sealed_ballots(vote_id, key))
        digest = board_digest(vote_id, entries)
        figures = await turnout(vote_id)
        result = await _count(vote, entries, figures, constitution)
        await Vote.update({Vote.board_digest: digest, Vote.result: json.dumps(result, sort_keys=True)}).where(
            Vote.id == vote_id
        )
        await _act_on_result(organisation_id, vote_id, entries, result, now=now, actor=actor)
        await record(
            AuditEntry(
                "vote.closed",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={
                    "board_digest": digest,
                    "ballots": len(entries),
                    "participants": figures.voted,
                    "by_channel": figures.by_channel,
                    "early": now < vote.closes_at,
                },
            ),
            actor,
        )
        if notify:
            await timetable.queue_results(vote, now=now)
    await scrub_storage()
    sealed_store.destroy_after_close(vote_id, public_key)
    closed_vote = await get_vote(organisation_id, vote_id)
    assert closed_vote is not None
    return closed_vote


async def _act_on_result(
    organisation_id: int,
    vote_id: int,
    entries: list[BoardEntry],
    result: dict[str, Any],
    *,
    now: datetime,
    actor: Actor,
) -> None:
    """In the closing transaction: a board election's winners take their seats, and a vote opened at a
    meeting decides its agenda item."""
    await seat_election_winners(organisation_id, vote_id, on=now.date(), actor=actor)
    await record_online_result(organisation_id, vote_id, entries, result, now, actor)


async def _everyone_has_voted(vote_id: int) -> None:
    figures = await turnout(vote_id)
    if figures.voted < figures.electorate:
        raise VoteStateError(
            "The vote can close early only when everyone who can vote has voted "
            f"({figures.voted} of {figures.electorate} have)"
        )


async def _rewrite_ballots(vote_id: int, opened: list[BoardEntry]) -> list[BoardEntry]:
    """Delete the ballots and insert them again, with the sealed ones just opened, in tracker (random)
    order, in the closing transaction, so neither row order nor PostgreSQL's xmin links a ballot to the
    participation inserted with it."""
    entries = sorted_board([*await board_entries(vote_id), *opened])
    await Ballot.delete().where(Ballot.vote == vote_id)
    await insert_in_batches(
        Ballot,
        (Ballot(tracker=e.tracker, vote=vote_id, choice=e.choice, weight=e.weight) for e in entries),
    )
    return entries


async def _count(
    vote: VoteInfo, entries: list[BoardEntry], figures: Turnout, constitution: Constitution
) -> dict[str, Any]:
    """The result and its count sheet, from the ballots and who voted in which member class."""
    participants = await VoteParticipation.select(
        VoteParticipation.member, VoteParticipation.member.member_class.as_alias("member_class")
    ).where(VoteParticipation.vote == vote.id)
    return count_vote(
        kind=vote.kind,
        purpose=vote.purpose,
        title=vote.title,
        options=vote.options,
        seats=vote.seats,
        entries=entries,
        constitution=constitution,
        electorate=figures.electorate,
        participants=[(str(p["member"]), p["member_class"]) for p in participants],
        by_channel=figures.by_channel,
        seed=secrets.randbelow(2**31),
    )


async def scrub_storage() -> None:
    """After the re-write, leave no old copy of the ballot rows where a database copy could find them:
    SQLite rebuilds the file and empties the WAL; PostgreSQL vacuums away the dead row versions."""
    engine = current_engine()
    try:
        if is_sqlite():
            await engine.run_ddl("VACUUM")
            await engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            await engine.run_ddl("VACUUM vote_ballot, vote_sealed_ballot")
    except Exception:  # a busy database must not undo a close; the next close or backup vacuums again
        logger.warning("could not vacuum after closing a vote", exc_info=True)


def result_notice(vote: VoteInfo, slug: str, settings: Settings) -> Notice:
    outcome = (vote.result or {}).get("outcome", "")
    results = absolute_url(settings, org_path(slug, "votes", vote.id, "results"))
    return Notice(
        kind="vote_result",
        subject=f"Result: {vote.title}",
        body=(
            f"The vote has closed: {vote.title}\n\n{outcome}\n\n"
            f"See the full result and count: {results}\n\n"
            f"Every ballot is listed on the bulletin board by its tracking code: "
            f"{absolute_url(settings, org_path(slug, 'votes', vote.id, 'board'))}\n"
            f"The board's fingerprint (SHA-256) is:\n{vote.board_digest}\n"
            "Keep this email: if the board is ever changed, its fingerprint will no longer match.\n"
        ),
        easy_read=(
            f"The vote about {vote.title} has ended.",
            f"The result: {outcome}" if outcome else "The votes have been counted.",
            f"You can see the full result on the website: {results}",
        ),
    )
