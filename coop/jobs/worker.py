"""The worker: claims due jobs, runs each kind's handler, and records what happened.

One worker runs its jobs one at a time; run more workers (processes or machines) for more throughput. Time
comes from an injectable clock, so tests move time forward instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from coop.clock import now as clock_now
from coop.jobs import queue
from coop.jobs.queue import ClaimedJob
from coop.settings import Settings

logger = logging.getLogger("coop.jobs")

Clock = Callable[[], datetime]
KEEP_FINISHED = timedelta(days=7)
SWEEP_EVERY = timedelta(minutes=1)


class NotYet(Exception):
    """The job came due before its work can be done: put it back until `at`, not counting a failure."""

    def __init__(self, at: datetime) -> None:
        super().__init__(f"not before {at.isoformat()}")
        self.at = at


class OnHold(Exception):
    """The job waits for people to act (a vote's tellers to come): hold it, not a failure; whoever acts
    resumes it (`queue.resume`). The message says what it waits for, in words for the site admin."""


class PermanentFailure(Exception):
    """Trying again cannot help; the message says why, for the site admin."""


class LeaseLost(Exception):
    """Another worker took the job over (this one's lease ran out): undo this attempt's writes."""


@dataclass(slots=True)
class JobContext:
    job: ClaimedJob
    settings: Settings
    now: datetime
    worker_id: str
    finished: bool = field(default=False)

    async def finish(self) -> None:
        """Mark the job done inside the handler's own write transaction, so its effects and its being done
        commit together (a handler that does this is exactly-once in the database)."""
        if not await queue.finish(self.job, self.worker_id, now=self.now):
            raise LeaseLost(f"job {self.job.id} is held by another worker now")
        self.finished = True


Handler = Callable[[JobContext], Awaitable[None]]
Sweep = Callable[[Settings, datetime], Awaitable[None]]
"""Scheduled work: run on every worker about once a minute to add jobs that have come due."""


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class Worker:
    def __init__(
        self,
        settings: Settings,
        *,
        handlers: Mapping[str, Handler] | None = None,
        sweeps: Sequence[Sweep] | None = None,
        clock: Clock = clock_now,
        worker_id: str | None = None,
        batch: int = 10,
    ) -> None:
        if handlers is None or sweeps is None:
            from coop.jobs.kinds import default_handlers, default_sweeps

            handlers = default_handlers() if handlers is None else handlers
            sweeps = default_sweeps() if sweeps is None else sweeps
        self.settings = settings
        self.handlers = dict(handlers)
        self.sweeps = list(sweeps)
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.batch = batch
        self.lease = timedelta(seconds=max(settings.job_lease_seconds, 3))
        self._last_sweep: datetime | None = None

    async def sweep(self) -> None:
        """Add scheduled work that has come due, and forget long-finished jobs."""
        now = self.clock()
        for sweep in self.sweeps:
            await sweep(self.settings, now)
        await queue.prune(before=now - KEEP_FINISHED)
        self._last_sweep = now

    async def run_pending(self, stop: asyncio.Event | None = None) -> int:
        """Run jobs until none is due (or `stop` is set). Returns how many were run."""
        ran = 0
        while stop is None or not stop.is_set():
            jobs = await queue.claim(self.worker_id, now=self.clock(), lease=self.lease, limit=self.batch)
            if not jobs:
                break
            ran += await self._run_batch(jobs, stop)
        return ran

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll for due work until `stop` is set; a job added in this process wakes it at once."""
        wake = asyncio.Event()
        queue.listen(wake)
        poll = max(self.settings.worker_poll_seconds, 1)
        try:
            while not stop.is_set():
                wake.clear()
                try:
                    if self._last_sweep is None or self.clock() - self._last_sweep >= SWEEP_EVERY:
                        await self.sweep()
                    await self.run_pending(stop)
                except Exception:  # the database went away for a moment: keep going, try again soon
                    logger.exception("the worker could not run its jobs; trying again")
                waiting = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
                await asyncio.wait(waiting, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
                for task in waiting:
                    task.cancel()
        finally:
            queue.stop_listening(wake)

    async def _run_batch(self, jobs: list[ClaimedJob], stop: asyncio.Event | None) -> int:
        pending = {job.id for job in jobs}
        heartbeat = asyncio.create_task(self._keep_leases(pending))
        ran = 0
        try:
            for job in jobs:
                if stop is not None and stop.is_set():
                    break
                await self._run(job)
                pending.discard(job.id)
                ran += 1
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            if pending:
                await queue.release(pending, self.worker_id, now=self.clock())
        return ran

    async def _keep_leases(self, pending: set[int]) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await queue.renew(set(pending), self.worker_id, until=self.clock() + self.lease)
            except Exception:
                logger.warning("could not renew job leases", exc_info=True)

    async def _run(self, job: ClaimedJob) -> None:
        now = self.clock()
        if job.attempts > job.max_attempts:
            await queue.fail(
                job,
                self.worker_id,
                now=now,
                permanent=True,
                reason=f"Stopped {job.attempts - 1} times while running (a worker was stopped, or the job "
                "took longer than its lease); not tried again.",
            )
            return
        handler = self.handlers.get(job.kind)
        if handler is None:
            await queue.fail(
                job, self.worker_id, now=now, permanent=True, reason=f"No handler for {job.kind}"
            )
            return
        context = JobContext(job=job, settings=self.settings, now=now, worker_id=self.worker_id)
        try:
            await handler(context)
        except NotYet as early:
            await queue.postpone(job, self.worker_id, until=early.at)
        except OnHold as waiting:
            await queue.hold(job, self.worker_id, reason=str(waiting))
        except LeaseLost:
            logger.warning("job %s was taken over by another worker", job.id)
        except PermanentFailure as exc:
            await queue.fail(job, self.worker_id, now=self.clock(), reason=str(exc), permanent=True)
        except Exception as exc:
            logger.warning("job %s (%s) failed", job.id, job.kind, exc_info=True)
            reason = f"{type(exc).__name__}: {exc}"
            state = await queue.fail(job, self.worker_id, now=self.clock(), reason=reason)
            if state == "needs_attention":
                logger.error("job %s (%s) needs attention: %s", job.id, job.kind, reason)
        else:
            if not context.finished:
                await queue.finish(job, self.worker_id, now=self.clock())
