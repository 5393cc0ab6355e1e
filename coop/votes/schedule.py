"""Votes on time, run by the worker (coop/jobs), never by a request: tell each elector when voting opens,
remind those who have not voted before it closes, close and count it at its closing time, and send the
result. Sends go in batches of electors, as coop/members/notice_jobs.py sends every notice to a list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from coop.audit.service import SYSTEM
from coop.jobs.queue import NewJob, enqueue
from coop.jobs.worker import JobContext, NotYet, OnHold
from coop.members.notice_jobs import next_ids, send_batch
from coop.members.notices import Notice
from coop.organisations.tables import Organisation
from coop.settings import Settings
from coop.template_filters import date_time
from coop.urls import absolute_url, org_path
from coop.votes import closing, lifecycle
from coop.votes.records import VoteInfo, VoteStateError, get_vote
from coop.votes.tables import Vote, VoteParticipation, VoteRoll
from coop.votes.teller_shares import resume_counts
from coop.votes.tellers import TellersNeeded
from coop.votes.timetable import CLOSE, reminder_jobs, vote_job

# --- the handlers -----------------------------------------------------------------------------------------


async def _vote_of(context: JobContext) -> VoteInfo | None:
    payload = context.job.payload
    return await get_vote(int(payload["organisation"]), int(payload["vote"]))


async def _slug(organisation_id: int) -> str:
    row = await Organisation.select(Organisation.slug).where(Organisation.id == organisation_id).first()
    return str(row["slug"]) if row else ""


async def _everyone(vote: VoteInfo, members: list[int]) -> list[int]:
    return members


async def _not_voted(vote: VoteInfo, members: list[int]) -> list[int]:
    voted = {
        int(r["member"])
        for r in await VoteParticipation.select(VoteParticipation.member).where(
            (VoteParticipation.vote == vote.id) & VoteParticipation.member.is_in(members)
        )
    }
    return [m for m in members if m not in voted]


async def _send_batch(
    context: JobContext,
    vote: VoteInfo,
    notice: Notice,
    who: Callable[[VoteInfo, list[int]], Awaitable[list[int]]],
    also: list[NewJob] | None = None,
) -> None:
    """Send `notice` to the next batch of the roll (those `who` picks), queue the batch after it and mark
    this job done, all in one transaction."""
    payload = context.job.payload
    batch = await next_ids(VoteRoll.member, VoteRoll.vote == vote.id, int(payload["after"]))

    async def pick(members: list[int]) -> list[int]:
        return await who(vote, members)

    await send_batch(
        context,
        vote.organisation_id,
        batch,
        notice,
        lambda last: vote_job(context.job.kind, vote, context.now, payload["series"], last),
        pick=pick,
        also=also or (),
    )


async def announce(context: JobContext) -> None:
    vote = await _vote_of(context)
    if vote is None or vote.status != "open" or context.now >= vote.closes_at:
        return
    if not vote.accepting_at(context.now):
        raise NotYet(vote.opens_at or context.now)
    first = int(context.job.payload["after"]) == 0
    link = absolute_url(context.settings, org_path(await _slug(vote.organisation_id), "votes", vote.id))
    notice = Notice(
        kind="vote_opened",
        subject=f"Please vote: {vote.title}",
        body=(
            f"A vote has opened: {vote.title}\n\n{vote.question}\n\n"
            f"Voting closes on {date_time(vote.closes_at)}.\n\nVote here: {link}\n\n"
            "If you would rather vote on paper or at a meeting, tell the secretary.\n"
        ),
        easy_read=(
            f"There is a vote about: {vote.title}.",
            *((vote.easy_read,) if vote.easy_read else ()),
            f"You can vote until {date_time(vote.closes_at)}.",
            f"You can vote on the website: {link}",
            "You can ask someone you trust to help you.",
        ),
    )
    also = reminder_jobs(vote, context.settings, context.now) if first else []
    await _send_batch(context, vote, notice, _everyone, also)


async def remind(context: JobContext) -> None:
    vote = await _vote_of(context)
    if vote is None or not vote.accepting_at(context.now):
        return
    await _send_batch(
        context,
        vote,
        lifecycle.reminder_notice(vote, await _slug(vote.organisation_id), context.settings),
        _not_voted,
    )


async def close(context: JobContext) -> None:
    vote = await _vote_of(context)
    if vote is None or vote.status != "open":
        return
    if context.now < vote.closes_at:
        raise NotYet(vote.closes_at)
    try:
        await closing.close_vote(vote.organisation_id, vote.id, now=vote.closes_at, actor=SYSTEM, notify=True)
    except TellersNeeded as waiting:
        # Not a failure and nothing for a site admin to do: the job waits, on hold, until enough tellers
        # have come (the last one resumes it; the sweep below catches a teller who came meanwhile).
        raise OnHold(f"Needs tellers: {waiting.came} of the {waiting.needed} needed have come.") from None
    except VoteStateError:
        return  # closed already (by the board, or another worker a moment ago)
    # A commissioning proposal decided by this vote records its result now, not when someone next looks.
    from coop.commissioning.proposals import settle_closed_votes

    await settle_closed_votes(vote.organisation_id, now=context.now)


async def result(context: JobContext) -> None:
    vote = await _vote_of(context)
    if vote is None or vote.status != "closed":
        return
    notice = closing.result_notice(vote, await _slug(vote.organisation_id), context.settings)
    await _send_batch(context, vote, notice, _everyone)


async def close_overdue_votes(settings: Settings, now: datetime) -> None:
    """The sweep: a close job for every open vote past its closing time that has none (votes opened
    before the worker existed, or whose job was cleared); the dedupe key makes this idempotent."""
    overdue = await Vote.select(Vote.id, Vote.organisation).where(
        (Vote.status == "open") & (Vote.closes_at <= now)
    )
    for row in overdue:
        vote = await get_vote(int(row["organisation"]), int(row["id"]))
        if vote is not None:
            await enqueue(vote_job(CLOSE, vote, now))


async def resume_teller_counts(settings: Settings, now: datetime) -> None:
    """The sweep: a close job on hold for tellers goes again once enough have come."""
    await resume_counts(now)
