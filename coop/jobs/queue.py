"""The job queue on coop's own `job` table, the same on SQLite and PostgreSQL.

A job is added in the caller's transaction (so it exists if and only if the work that asked for it
committed), claimed by one worker under a lease (`locked_by`, `locked_until`), and finished, postponed or
failed by that worker only: every change after the claim is fenced on `locked_by`, so a worker whose lease
ran out (killed, or stalled past it) cannot overwrite the worker that took the job over. Claiming is one
write transaction: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (workers never wait on each other's
rows), `BEGIN IMMEDIATE` on SQLite (one writer at a time). See docs/architecture.md for why not a library.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from coop.audit.guarded import guarded_change, guarded_update
from coop.audit.service import SYSTEM, Actor, AuditEntry
from coop.db import is_sqlite, write_transaction
from coop.jobs.tables import Job

DEFAULT_MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
STATES = ("queued", "running", "done", "needs_attention", "on_hold")

_wake_events: set[asyncio.Event] = set()
"""Workers in this process that want to hear at once when a job is added (instead of at their next poll)."""


@dataclass(frozen=True, slots=True)
class NewJob:
    kind: str
    payload: dict[str, Any]
    run_at: datetime
    dedupe_key: str | None = None
    """At most one job ever has this key: adding another with it does nothing."""
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    """Including this one."""
    max_attempts: int

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


def retry_wait(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 … minutes after each failure, at most 6 hours."""
    doublings: int = max(attempts - 1, 0)
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


async def enqueue(*jobs: NewJob) -> None:
    """Add jobs, inside the caller's transaction when it has one open; a job whose dedupe key is taken is
    left out."""
    if not jobs:
        return
    query = Job.insert(
        *(
            Job(
                kind=j.kind,
                payload=json.dumps(j.payload, sort_keys=True),
                run_at=j.run_at,
                dedupe_key=j.dedupe_key,
                max_attempts=j.max_attempts,
            )
            for j in jobs
        )
    )
    if any(j.dedupe_key is not None for j in jobs):
        query = query.on_conflict(target=Job.dedupe_key, action="DO NOTHING")
    await query
    for event in _wake_events:
        event.set()


def listen(event: asyncio.Event) -> None:
    _wake_events.add(event)


def stop_listening(event: asyncio.Event) -> None:
    _wake_events.discard(event)


async def claim(worker_id: str, *, now: datetime, lease: timedelta, limit: int) -> list[ClaimedJob]:
    """Take up to `limit` jobs that are due (or whose holder's lease has run out) for this worker."""
    due = ((Job.state == "queued") & (Job.run_at <= now)) | (
        (Job.state == "running") & (Job.locked_until <= now)
    )
    async with write_transaction():
        query = Job.select(Job.id).where(due).order_by(Job.run_at, Job.id).limit(limit)
        if not is_sqlite():
            query = query.lock_rows("UPDATE", skip_locked=True)
        ids = [int(r["id"]) for r in await query]
        if not ids:
            return []
        rows = await guarded_change(
            Job,
            {
                Job.state: "running",
                Job.locked_by: worker_id,
                Job.locked_until: now + lease,
                Job.attempts: Job.attempts + 1,
            },
            Job.id.is_in(ids),
            returning=[Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts],
        )
    claimed = [
        ClaimedJob(
            id=int(r["id"]),
            kind=r["kind"],
            payload=json.loads(r["payload"]),
            attempts=int(r["attempts"]),
            max_attempts=int(r["max_attempts"]),
        )
        for r in rows
    ]
    return sorted(claimed, key=lambda j: ids.index(j.id))


def _held_by(job_id: int, worker_id: str) -> Any:
    return (Job.id == job_id) & (Job.locked_by == worker_id) & (Job.state == "running")


async def finish(job: ClaimedJob, worker_id: str, *, now: datetime) -> bool:
    """Mark the job done (forgetting its payload). False if this worker no longer holds it."""
    rows = await guarded_change(
        Job,
        {
            Job.state: "done",
            Job.finished_at: now,
            Job.locked_by: None,
            Job.locked_until: None,
            Job.payload: "{}",
            Job.last_error: "",
        },
        _held_by(job.id, worker_id),
        returning=[Job.id],
    )
    return bool(rows)


async def fail(
    job: ClaimedJob, worker_id: str, *, now: datetime, reason: str, permanent: bool = False
) -> str:
    """Record a failed attempt: try again after the backoff, or, after the last attempt (or a failure
    that trying again cannot mend), leave it needing attention with the reason. Returns the new state."""
    gives_up = permanent or job.last_attempt
    changes: dict[Any, Any] = {Job.locked_by: None, Job.locked_until: None, Job.last_error: reason[:2000]}
    if gives_up:
        changes |= {Job.state: "needs_attention", Job.finished_at: now}
    else:
        changes |= {Job.state: "queued", Job.run_at: now + retry_wait(job.attempts)}
    await Job.update(changes).where(_held_by(job.id, worker_id))
    return "needs_attention" if gives_up else "queued"


async def postpone(job: ClaimedJob, worker_id: str, *, until: datetime) -> None:
    """Put a job back untouched until `until` (it came due too early): not a failed attempt."""
    await _put_back(_held_by(job.id, worker_id), run_at=until)


async def hold(job: ClaimedJob, worker_id: str, *, reason: str) -> None:
    """Put a job on hold until people act (a vote waiting for its tellers): not claimed, not a failure, and
    not needing a site admin; `resume` queues it again. `reason` says what it waits for."""
    await Job.update(
        {
            Job.state: "on_hold",
            Job.locked_by: None,
            Job.locked_until: None,
            Job.attempts: Job.attempts - 1,
            Job.last_error: reason[:2000],
        }
    ).where(_held_by(job.id, worker_id))


async def resume(dedupe_keys: list[str], *, now: datetime) -> int:
    """Queue again, due at once, the jobs on hold with these keys. Returns how many."""
    if not dedupe_keys:
        return 0
    rows = await guarded_change(
        Job,
        {Job.state: "queued", Job.run_at: now, Job.last_error: ""},
        (Job.state == "on_hold") & Job.dedupe_key.is_in(dedupe_keys),
        returning=[Job.id],
    )
    if rows:
        for event in _wake_events:
            event.set()
    return len(rows)


async def on_hold(kind: str, limit: int = 100) -> list[dict[str, Any]]:
    """Jobs of `kind` on hold, oldest first, with their payloads (for the sweep that resumes them)."""
    rows = await (
        Job.select(Job.id, Job.dedupe_key, Job.payload, Job.last_error)
        .where((Job.state == "on_hold") & (Job.kind == kind))
        .order_by(Job.id)
        .limit(limit)
    )
    return [{**r, "payload": json.loads(r["payload"])} for r in rows]


async def release(job_ids: Iterable[int], worker_id: str, *, now: datetime) -> None:
    """Give back jobs this worker claimed but did not start (it is stopping): due again at once."""
    ids = list(job_ids)
    if ids:
        await _put_back(
            Job.id.is_in(ids) & (Job.locked_by == worker_id) & (Job.state == "running"), run_at=now
        )


async def _put_back(where: Any, *, run_at: datetime) -> None:
    """Queued again from `run_at`, the claim not counted as an attempt."""
    await Job.update(
        {
            Job.state: "queued",
            Job.run_at: run_at,
            Job.locked_by: None,
            Job.locked_until: None,
            Job.attempts: Job.attempts - 1,
        }
    ).where(where)


async def renew(job_ids: Iterable[int], worker_id: str, *, until: datetime) -> None:
    """Extend this worker's lease on jobs it still holds."""
    ids = list(job_ids)
    if ids:
        await Job.update({Job.locked_until: until}).where(
            Job.id.is_in(ids) & (Job.locked_by == worker_id) & (Job.state == "running")
        )


async def retry(job_id: int, *, now: datetime, actor: Actor = SYSTEM) -> bool:
    """A site admin's "try again" for a job that needs attention: queued at once with fresh attempts, and
    in the site's audit log (who asked, which job)."""
    rows = await guarded_update(
        Job,
        {Job.state: "queued", Job.run_at: now, Job.attempts: 0, Job.finished_at: None},
        (Job.id == job_id) & (Job.state == "needs_attention"),
        returning=[Job.id, Job.kind],
        audit=lambda row: AuditEntry(
            "job.retried", target_type="job", target_id=str(row["id"]), detail={"kind": row["kind"]}
        ),
        actor=actor,
    )
    if rows:
        for event in _wake_events:
            event.set()
    return bool(rows)


async def prune(*, before: datetime) -> None:
    """Forget jobs that finished before `before` (the outbox keeps what was sent)."""
    await Job.delete().where((Job.state == "done") & (Job.finished_at < before))


async def state_counts() -> dict[str, int]:
    rows = await Job.select(Job.state, Count(Job.id, alias="n")).group_by(Job.state)
    counts = dict.fromkeys(STATES, 0)
    counts.update({r["state"]: int(r["n"]) for r in rows})
    return counts


async def held_jobs(limit: int = 50) -> list[dict[str, Any]]:
    """Jobs on hold until people act, newest first, with what each waits for."""
    return list(
        await Job.select(Job.id, Job.kind, Job.last_error, Job.run_at)
        .where(Job.state == "on_hold")
        .order_by(Job.id, ascending=False)
        .limit(limit)
    )


async def needing_attention(limit: int = 50) -> list[dict[str, Any]]:
    return list(
        await Job.select(Job.id, Job.kind, Job.attempts, Job.last_error, Job.created_at, Job.finished_at)
        .where(Job.state == "needs_attention")
        .order_by(Job.id, ascending=False)
        .limit(limit)
    )
