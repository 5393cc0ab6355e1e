"""The job queue on coop's own table: leases, fencing, backoff, "needs attention", dedupe; time is moved
by the test's clock, never waited for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.jobs.helpers import jobs

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _add(kind: str = "test.job", key: str | None = None, at: datetime = T0) -> None:
    from coop.jobs.queue import NewJob, enqueue

    run(enqueue(NewJob(kind, {"n": 1}, run_at=at, dedupe_key=key)))


def _worker(settings: Any, handlers: dict[str, Any], at: list[datetime], name: str = "w1") -> Any:
    from coop.jobs.worker import Worker

    return Worker(settings, handlers=handlers, sweeps=[], clock=lambda: at[0], worker_id=name)


def test_a_dedupe_key_allows_one_job_ever(db):
    _add(key="once")
    _add(key="once")
    _add()
    _add()
    assert [j["dedupe_key"] for j in jobs()] == ["once", None, None]


def test_a_job_is_not_run_before_its_time(settings):
    ran: list[datetime] = []

    async def handler(context: Any) -> None:
        ran.append(context.now)

    _add(at=T0 + timedelta(hours=1))
    clock = [T0]
    worker = _worker(settings, {"test.job": handler}, clock)
    assert run(worker.run_pending()) == 0
    clock[0] = T0 + timedelta(hours=1)
    assert run(worker.run_pending()) == 1
    assert ran == [T0 + timedelta(hours=1)] and jobs()[0]["state"] == "done"


def test_failures_back_off_exponentially_then_need_attention_with_the_reason(settings):
    from coop.jobs.queue import DEFAULT_MAX_ATTEMPTS, retry_wait

    async def broken(context: Any) -> None:
        raise ConnectionRefusedError("the mail server did not answer")

    _add()
    clock = [T0]
    worker = _worker(settings, {"test.job": broken}, clock)
    waits = []
    for attempt in range(1, DEFAULT_MAX_ATTEMPTS + 1):
        assert run(worker.run_pending()) == 1
        (job,) = jobs()
        assert job["attempts"] == attempt
        if attempt < DEFAULT_MAX_ATTEMPTS:
            assert job["state"] == "queued" and "did not answer" in job["last_error"]
            waits.append(job["run_at"] - clock[0])
            assert run(worker.run_pending()) == 0  # not again before the wait is over
            clock[0] = job["run_at"]
    assert waits == [retry_wait(n) for n in range(1, DEFAULT_MAX_ATTEMPTS)]
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    (job,) = jobs()
    assert job["state"] == "needs_attention"
    assert job["last_error"] == "ConnectionRefusedError: the mail server did not answer"
    clock[0] += timedelta(days=30)
    assert run(worker.run_pending()) == 0  # never silently retried


def test_a_killed_workers_job_is_taken_over_when_its_lease_runs_out_and_the_old_worker_is_fenced_off(
    settings,
):
    from coop.jobs import queue

    _add()
    (held,) = run(queue.claim("killed", now=T0, lease=LEASE, limit=10))
    assert run(queue.claim("other", now=T0 + LEASE - timedelta(seconds=1), lease=LEASE, limit=10)) == []
    (taken,) = run(queue.claim("other", now=T0 + LEASE, lease=LEASE, limit=10))
    assert taken.id == held.id and taken.attempts == 2
    # The first worker comes back to life: it can no longer finish or fail the job.
    assert run(queue.finish(held, "killed", now=T0 + LEASE)) is False
    run(queue.fail(held, "killed", now=T0 + LEASE, reason="late"))
    assert jobs()[0]["state"] == "running" and jobs()[0]["locked_by"] == "other"
    assert run(queue.finish(taken, "other", now=T0 + LEASE)) is True
    assert jobs()[0]["state"] == "done"


def test_a_job_killed_on_every_attempt_ends_needing_attention(settings):
    from coop.jobs import queue

    _add()
    now = T0
    for _ in range(queue.DEFAULT_MAX_ATTEMPTS):
        assert run(queue.claim(f"doomed-{now}", now=now, lease=LEASE, limit=1))
        now += LEASE
    worker = _worker(settings, {"test.job": lambda context: None}, [now])
    run(worker.run_pending())
    (job,) = jobs()
    assert job["state"] == "needs_attention" and "Stopped 8 times while running" in job["last_error"]


def test_a_job_that_is_early_waits_without_counting_a_failure(settings):
    from coop.jobs.worker import NotYet

    async def early(context: Any) -> None:
        raise NotYet(T0 + timedelta(hours=2))

    _add()
    run(_worker(settings, {"test.job": early}, [T0]).run_pending())
    (job,) = jobs()
    assert job["state"] == "queued" and job["attempts"] == 0 and job["run_at"] == T0 + timedelta(hours=2)


def test_an_unknown_kind_needs_attention_at_once(settings):
    _add(kind="nobody.handles.this")
    run(_worker(settings, {}, [T0]).run_pending())
    (job,) = jobs()
    assert job["state"] == "needs_attention" and "No handler" in job["last_error"]


def test_a_site_admin_sees_jobs_that_need_attention_and_can_try_them_again(settings, demo, client):
    from tests.coop.helpers import post_form, sign_in

    async def broken(context: Any) -> None:
        raise RuntimeError("the printer is on fire")

    _add()
    from coop.jobs.queue import DEFAULT_MAX_ATTEMPTS

    clock = [T0]
    worker = _worker(settings, {"test.job": broken}, clock)
    for _ in range(DEFAULT_MAX_ATTEMPTS):
        run(worker.run_pending())
        clock[0] += timedelta(days=1)
    sign_in(client, "admin@coop.example")
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    assert "Needs attention" in page.text and "the printer is on fire" in page.text
    job_id = next(j for j in jobs() if j["kind"] == "test.job")["id"]
    again = post_form(client, f"/admin/outbox/jobs/{job_id}/retry")
    assert again.status_code == 303
    job = next(j for j in jobs() if j["id"] == job_id)
    assert job["state"] == "queued" and job["attempts"] == 0
