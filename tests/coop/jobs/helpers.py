"""Running the worker from a test: with the test's own clock, until nothing more is due."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.conftest import run


def run_jobs(
    settings: Any,
    *,
    at: datetime | None = None,
    worker_id: str = "test-worker",
    sign_in_housekeeping: bool = False,
) -> int:
    """Run every job due at `at` (default: the real time, as it goes on), and the sweeps; returns how many
    jobs ran. Only the worker's clock moves to `at`: the test's browser stays on the real one, so the
    sweep that forgets ended sessions runs only when asked (days ahead, it would end the test's own)."""
    from coop.accounts.housekeeping import forget_stale_sign_in_records
    from coop.jobs.kinds import default_sweeps
    from coop.jobs.worker import Worker

    def clock() -> datetime:
        return at or datetime.now(UTC)

    sweeps = [s for s in default_sweeps() if sign_in_housekeeping or s is not forget_stale_sign_in_records]

    async def work() -> int:
        worker = Worker(settings, clock=clock, worker_id=worker_id, sweeps=sweeps)
        await worker.sweep()
        return await worker.run_pending()

    return run(work())


def jobs(state: str | None = None, *, kind: str | None = None) -> list[dict[str, Any]]:
    from coop.jobs.tables import Job

    query = Job.select().order_by(Job.id)
    if state is not None:
        query = query.where(Job.state == state)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(run(query))
