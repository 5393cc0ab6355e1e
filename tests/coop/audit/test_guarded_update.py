"""`guarded_update`: the row changes and its audit entry is written together, only when the guard still
holds, and not at all when the audit entry cannot be written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coop.audit.guarded import guarded_update
from coop.audit.service import SYSTEM, AuditEntry
from coop.audit.tables import AuditEvent
from coop.jobs import queue
from coop.jobs.tables import Job
from tests.conftest import run

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _job_needing_attention() -> int:
    run(queue.enqueue(queue.NewJob(kind="mail.deliver", payload={}, run_at=NOW)))
    job_id = int(run(Job.select(Job.id).order_by(Job.id, ascending=False).first())["id"])
    run(Job.update({Job.state: "needs_attention"}).where(Job.id == job_id))
    return job_id


def _retry(job_id: int, audit=None) -> list[dict]:
    return run(
        guarded_update(
            Job,
            {Job.state: "queued", Job.attempts: 0},
            (Job.id == job_id) & (Job.state == "needs_attention"),
            returning=[Job.id, Job.kind],
            audit=audit
            or (lambda row: AuditEntry("job.retried", target_type="job", target_id=str(row["id"]))),
            actor=SYSTEM,
        )
    )


def _events(action: str) -> list[dict]:
    return run(AuditEvent.select().where(AuditEvent.action == action))


def test_the_guarded_row_changes_with_one_audit_entry_then_the_guard_refuses_a_second_time(db):
    job_id = _job_needing_attention()
    assert _retry(job_id) == [{"id": job_id, "kind": "mail.deliver"}]
    assert run(Job.select(Job.state).where(Job.id == job_id).first())["state"] == "queued"
    assert [e["target_id"] for e in _events("job.retried")] == [str(job_id)]
    # The guard no longer holds: nothing changes and nothing more is audited.
    assert _retry(job_id) == []
    assert len(_events("job.retried")) == 1


def test_when_the_audit_entry_fails_the_change_is_undone_too(db):
    job_id = _job_needing_attention()

    def broken(row: dict) -> AuditEntry:
        raise RuntimeError("the audit entry could not be made")

    with pytest.raises(RuntimeError):
        _retry(job_id, broken)
    assert run(Job.select(Job.state).where(Job.id == job_id).first())["state"] == "needs_attention"
    assert _events("job.retried") == []
