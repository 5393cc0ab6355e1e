"""Votes on time, with no request: the worker tells every elector when a vote opens (by their channel),
reminds those who have not voted 3 days and 1 day before it closes, and closes, counts and sends the
result at the closing time. Time moves by the test's clock."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.helpers import post_form, sign_in
from tests.coop.jobs.helpers import jobs, run_jobs
from tests.coop.jobs.smtp_sink import SmtpSink
from tests.coop.votes.helpers import MEMBER, SECRETARY, cast, make_vote, now, org_id, rows

ELECTORS = 400


def elector_rows(organisation_id: int, n: int) -> list[Any]:
    """`n` members who can vote and want email (bench/vote_notices.py makes 10,000 of them)."""
    from coop.members.tables import Member

    return [
        Member(
            organisation=organisation_id,
            name=f"Elector {i}",
            member_class="budget_holder",
            admitted_on=date(2024, 1, 1),
            email=f"elector{i}@example.org",
            contact_by="email",
        )
        for i in range(n)
    ]


def _add_electors(n: int) -> None:
    from coop.members.tables import Member

    run(Member.insert(*elector_rows(org_id(), n)))


def _vote(vote_id: int) -> dict[str, Any]:
    return next(v for v in rows("vote") if v["id"] == vote_id)


def _mail(subject_start: str) -> Counter[str]:
    return Counter(m["to_address"] for m in rows("outbox_message") if m["subject"].startswith(subject_start))


def test_opening_a_vote_for_hundreds_only_queues_the_notices_and_the_worker_tells_each_elector_once(demo):
    from tests.conftest import make_client

    _add_electors(ELECTORS)
    sink = SmtpSink().start()
    try:
        smtp = sink.settings(demo)
        vote_id = make_vote(open_it=False, title="Shared PA service")
        with make_client(smtp) as client:
            sign_in(client, SECRETARY)
            opened = post_form(client, f"/o/riverside/votes/{vote_id}/open")
        # How long opening takes is measured in bench/vote_notices.py, not timed here.
        assert opened.status_code == 303
        assert [j["state"] for j in jobs() if j["kind"] == "vote.announce"] == ["queued"]
        assert sink.received == [] and not _mail("Please vote")  # the request only queued the work
        run_jobs(smtp)
        roll = [r for r in rows("vote_roll") if r["vote"] == vote_id]
        letters = [r for r in rows("member_letter") if r["kind"] == "vote_opened"]
        by_email = [r for r in sink.received if r.message["Subject"] == "Please vote: Shared PA service"]
        assert Counter(r.to for r in by_email if r.to.startswith("elector")) == Counter(
            {f"elector{i}@example.org": 1 for i in range(ELECTORS)}
        )
        assert max(Counter(r.to for r in by_email).values()) == 1
        # Everyone on the roll: an email, or a letter for the secretary to post if they asked for post.
        emailed = {m["member"] for m in rows("outbox_message") if m["subject"].startswith("Please vote")}
        assert letters and {r["member"] for r in roll} == emailed | {r["member"] for r in letters}
        # In bounded batches: 400-odd electors are three jobs, not one.
        announce = [j for j in jobs() if j["kind"] == "vote.announce"]
        assert len(announce) == len(roll) // 200 + 1 and {j["state"] for j in announce} == {"done"}
    finally:
        sink.stop()


def test_reminders_3_days_and_1_day_before_the_close_go_only_to_those_who_have_not_voted(demo):
    vote_id = make_vote(closes_in=timedelta(days=7))
    closes_at = _vote(vote_id)["closes_at"]
    cast(vote_id, MEMBER, "for")
    run_jobs(demo)  # the announcement
    assert not _mail("Reminder")
    run_jobs(demo, at=closes_at - timedelta(days=3, seconds=1))
    assert not _mail("Reminder")
    run_jobs(demo, at=closes_at - timedelta(days=3))
    first = _mail("Reminder")
    assert first and MEMBER not in first and set(first.values()) == {1}
    cast(vote_id, "sofia@riverside.example", "against", when=closes_at - timedelta(days=2))
    run_jobs(demo, at=closes_at - timedelta(days=1))
    second = _mail("Reminder")
    assert MEMBER not in second and second["sofia@riverside.example"] == 1  # she voted in between
    assert all(n == 2 for address, n in second.items() if address != "sofia@riverside.example")
    # The reminder says nothing about who else has voted.
    body = next(m["body"] for m in rows("outbox_message") if m["subject"].startswith("Reminder"))
    assert "jamie" not in body.lower() and "sofia" not in body.lower()


def test_a_vote_reaches_its_closing_time_with_no_request_and_is_closed_counted_and_sent(demo):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    closes_at = _vote(vote_id)["closes_at"]
    for email in (MEMBER, "sofia@riverside.example", "grace@riverside.example"):
        cast(vote_id, email, "for")
    run_jobs(demo, at=closes_at - timedelta(seconds=1))
    assert _vote(vote_id)["status"] == "open"
    run_jobs(demo, at=closes_at)
    vote = _vote(vote_id)
    assert vote["status"] == "closed" and vote["closed_at"] == closes_at and vote["result"]
    assert vote["board_digest"]
    results = [m for m in rows("outbox_message") if m["subject"] == "Result: Shared PA service"]
    emailed = Counter(m["to_address"] for m in results)
    assert emailed[MEMBER] == 1 and set(emailed.values()) == {1}
    assert all(vote["board_digest"] in m["body"] for m in results)
    closing = [e for e in rows("audit_event") if e["action"] == "vote.closed"]
    assert len(closing) == 1 and closing[0]["actor"] is None  # the system closed it


def test_the_secretary_can_still_close_early_and_the_scheduled_close_then_does_nothing(demo, client):
    vote_id = make_vote(purpose="board_decision", secret=False, closes_in=timedelta(hours=1))
    from coop.members.tables import RoleGrant

    directors = run(
        RoleGrant.select(RoleGrant.member.person.email.as_alias("email")).where(
            (RoleGrant.role == "director")
            & RoleGrant.revoked_at.is_null()
            & (RoleGrant.member.organisation == org_id())
        )
    )
    for director in directors:
        cast(vote_id, director["email"], "for")
    sign_in(client, SECRETARY)
    assert post_form(client, f"/o/riverside/votes/{vote_id}/close").status_code == 303
    run_jobs(demo, at=now() + timedelta(hours=2))
    assert len([e for e in rows("audit_event") if e["action"] == "vote.closed"]) == 1
    assert {j["state"] for j in jobs()} == {"done"}
