"""The secretary is reminded ahead of each compliance date (accounts, confirmation statement, CIC34, AGM)
by the worker: once per date, only within the reminder period, and never twice however often it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.jobs.helpers import run_jobs


def _reminders() -> list[dict[str, Any]]:
    from coop.mail.tables import OutboxMessage

    return run(
        OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body).where(
            OutboxMessage.subject.like("Due on %")
        )
    )


def _deadlines(slug: str, today: date) -> list[Any]:
    from coop.documents.compliance import upcoming_deadlines
    from coop.organisations.tables import Organisation

    org = run(Organisation.select(Organisation.id).where(Organisation.slug == slug).first())
    return [d for d in run(upcoming_deadlines(int(org["id"]), today)) if d.key != "term_end"]


def test_each_compliance_date_is_reminded_once_within_the_period(demo: Any, settings: Any) -> None:
    today = datetime.now(UTC).date()
    soonest = _deadlines("riverside", today)[0]
    # The day the soonest date comes into the reminder period, and a day later.
    at = datetime.combine(
        soonest.due - timedelta(days=settings.compliance_reminder_days), datetime.min.time(), UTC
    )
    run_jobs(settings, at=at - timedelta(days=1))
    assert not [r for r in _reminders() if soonest.title in r["subject"]], "not before the period"
    run_jobs(settings, at=at + timedelta(hours=9))
    run_jobs(settings, at=at + timedelta(days=1, hours=9))
    sent = [r for r in _reminders() if soonest.title in r["subject"]]
    riverside = [r for r in sent if r["to_address"] == "helen@riverside.example"]
    assert len(riverside) == 1, sent
    assert soonest.description in riverside[0]["body"]
    # Every reminder sent names a date then within the period.
    for message in _reminders():
        assert message["subject"].startswith("Due on ")
