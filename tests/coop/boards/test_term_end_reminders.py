"""The secretary is reminded ahead of a director's term end by the worker, once per term, and never about
a directorship that has ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.jobs.helpers import run_jobs

SUBJECT = "A director's term ends on"


def _set_term_end(name: str, days_ahead: int | None) -> int:
    from coop.boards.tables import Directorship

    row = run(Directorship.select(Directorship.id).where(Directorship.member.name == name).first())
    assert row is not None, name
    ends = None if days_ahead is None else datetime.now(UTC).date() + timedelta(days=days_ahead)
    run(Directorship.update({Directorship.term_end: ends}).where(Directorship.id == row["id"]))
    return int(row["id"])


def _reminders() -> list[dict[str, Any]]:
    from coop.mail.tables import OutboxMessage

    return run(
        OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body).where(
            OutboxMessage.subject.like(f"{SUBJECT}%")
        )
    )


def test_the_secretary_is_reminded_once_ahead_of_a_term_end(demo: Any, settings: Any) -> None:
    from coop.boards.tables import Directorship

    for row in run(Directorship.select(Directorship.member.name.as_alias("name"))):
        _set_term_end(row["name"], 400)  # nothing due in the demo
    _set_term_end("Amara Okafor", 30)
    _set_term_end("Daniel Price", settings.term_end_reminder_days + 5)  # not yet
    run_jobs(settings)
    sent = _reminders()
    assert len(sent) == 1
    assert sent[0]["to_address"] == "helen@riverside.example"  # the secretary
    assert (
        "Amara Okafor" in sent[0]["subject"] and "plan how the seat will be filled" in sent[0]["body"].lower()
    )
    run_jobs(settings)
    run_jobs(settings, at=datetime.now(UTC) + timedelta(days=1))
    assert len(_reminders()) == 1, "one reminder per term, however often the sweep runs"
    # When Daniel's term end comes into the reminder period, he gets his own.
    run_jobs(settings, at=datetime.now(UTC) + timedelta(days=10))
    assert sorted(r["subject"].split(": ")[-1] for r in _reminders()) == ["Amara Okafor", "Daniel Price"]


def test_no_reminder_for_a_directorship_that_has_ended(demo: Any, settings: Any) -> None:
    from coop.boards.tables import Directorship

    for row in run(Directorship.select(Directorship.member.name.as_alias("name"))):
        _set_term_end(row["name"], 400)
    ended = _set_term_end("Amara Okafor", 20)
    run(
        Directorship.update(
            {Directorship.ceased_on: datetime.now(UTC).date(), Directorship.ceased_reason: "resigned"}
        ).where(Directorship.id == ended)
    )
    run_jobs(settings)
    assert _reminders() == []
