"""Sending one notice to everyone on a list, as jobs: the one way the worker sends a notice to many
members (a vote's electors, a written resolution's, a meeting's invitees) or to the organisation's
secretaries. A list is walked by member id in batches of `BATCH`; each batch is one transaction that sends
its copies, queues the job for the batch after it and marks its own job done, so 10,000 members are 50
small jobs and a worker stopped mid-way neither loses nor repeats a batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from coop.db import write_transaction
from coop.jobs.queue import NewJob, enqueue
from coop.jobs.worker import JobContext
from coop.members.notices import Notice, Sent, send_notice
from coop.members.tables import RoleGrant

BATCH = 200

Pick = Callable[[list[int]], Awaitable[list[int]]]
Settle = Callable[[Sent, bool], Awaitable[None]]


async def send_batch(
    context: JobContext,
    organisation_id: int,
    batch: list[int],
    notice: Notice,
    next_job: Callable[[int], NewJob],
    *,
    pick: Pick | None = None,
    also: Sequence[NewJob] = (),
    settle: Settle | None = None,
) -> Sent:
    """Send `notice` to `batch` (the next at most `BATCH` ids of the list, in id order; `pick` narrows
    it to those who should have it) and, in the same transaction: queue `next_job(last id)` when the batch
    was full, queue `also`, run `settle(sent, was_last_batch)` and mark this job done."""
    async with write_transaction():
        sent = Sent(0, 0)
        to = await pick(batch) if pick is not None and batch else batch
        if to:
            sent = await send_notice(context.settings, organisation_id, to, notice)
        last = len(batch) < BATCH
        await enqueue(*also, *(() if last else (next_job(batch[-1]),)))
        if settle is not None:
            await settle(sent, last)
        await context.finish()
    return sent


async def next_ids(member: Column, where: Combinable, after: int) -> list[int]:
    """The next `BATCH` member ids on a list (`member` is its column, `where` picks the list) after
    member `after`, in id order: one indexed query whatever the list's length."""
    rows = (
        await member._meta.table.select(member).where(where & (member > after)).order_by(member).limit(BATCH)
    )
    return [int(r[member._meta.name]) for r in rows]


async def secretary_ids(organisation_id: int) -> list[int]:
    """The organisation's secretaries (a handful): who gets its reminders."""
    return [
        int(r["member"])
        for r in await RoleGrant.select(RoleGrant.member).where(
            (RoleGrant.member.organisation == organisation_id)
            & (RoleGrant.role == "secretary")
            & RoleGrant.revoked_at.is_null()
        )
    ]


async def send_to_secretaries(context: JobContext, organisation_id: int, notice: Notice) -> Sent:
    """Tell the organisation's secretaries (each their own way), and mark the job done, together."""
    async with write_transaction():
        secretaries = await secretary_ids(organisation_id)
        sent = await send_notice(context.settings, organisation_id, secretaries, notice)
        await context.finish()
    return sent
