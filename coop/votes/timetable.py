"""The jobs a vote's life adds to the queue (run by coop/votes/schedule.py in the worker), kept apart so
the votes service can add them inside its own transactions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from coop.jobs.queue import NewJob, enqueue
from coop.settings import Settings

if TYPE_CHECKING:
    from coop.votes.records import VoteInfo

ANNOUNCE, REMIND, CLOSE, RESULT = "vote.announce", "vote.remind", "vote.close", "vote.result"


def vote_job(kind: str, vote: VoteInfo, run_at: datetime, series: str = "", after: int = 0) -> NewJob:
    """A job about `vote`. A batched job's `series` names its chain (one per reminder, say) and `after`
    the last member already done; the dedupe key makes each batch of each chain exist at most once."""
    return NewJob(
        kind,
        {"organisation": vote.organisation_id, "vote": vote.id, "series": series, "after": after},
        run_at=run_at,
        dedupe_key=f"{kind}:{vote.id}:{series}:{after}",
    )


async def schedule_opened_vote(vote: VoteInfo, *, now: datetime) -> None:
    """In the transaction that opens the vote: tell the electorate when voting starts, close at the
    closing time. (The announcement's first batch schedules the reminders, from the worker's settings.)"""
    await enqueue(
        vote_job(ANNOUNCE, vote, max(vote.opens_at or now, now)), vote_job(CLOSE, vote, vote.closes_at)
    )


async def queue_reminders_now(vote: VoteInfo, *, now: datetime) -> None:
    """The secretary's "remind members who have not voted": the same batched job, due at once."""
    await enqueue(vote_job(REMIND, vote, now, series=f"asked {now.isoformat()}"))


async def queue_results(vote: VoteInfo, *, now: datetime) -> None:
    """In the transaction that closes the vote: send the result to the electorate."""
    await enqueue(vote_job(RESULT, vote, now))


def reminder_jobs(vote: VoteInfo, settings: Settings, now: datetime) -> list[NewJob]:
    """A reminder the set number of days before the close, for each that is still ahead."""
    return [
        vote_job(REMIND, vote, vote.closes_at - timedelta(days=days), series=f"{days} days")
        for days in settings.reminder_days
        if vote.closes_at - timedelta(days=days) > now
    ]
