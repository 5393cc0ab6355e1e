"""Email leaves through the queue: queuing never talks to the mail server; the worker sends, retries with
backoff, keeps the server's answers, never sends a message marked sent again, and records a refused
address against the member for the secretary."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.helpers import sign_in
from tests.coop.jobs.helpers import jobs, run_jobs
from tests.coop.jobs.smtp_sink import SmtpSink, free_port
from tests.coop.members.helpers import member_row

DELIVER = "mail.deliver"


def _queue(settings: Any, n: int, *, member_id: int | None = None, to: str = "") -> list[int]:
    from coop.mail.service import Email, queue_emails

    return run(
        queue_emails(
            settings,
            [Email(to or f"person{i}@example.org", f"Message {i}", f"Body {i}", member_id) for i in range(n)],
        )
    )


def _outbox(ids: list[int]) -> list[dict[str, Any]]:
    from coop.mail.tables import OutboxMessage

    return run(OutboxMessage.select().where(OutboxMessage.id.is_in(ids)).order_by(OutboxMessage.id))


def test_queuing_never_talks_to_the_mail_server_and_the_worker_sends_with_the_reply_kept(settings):
    sink = SmtpSink().start()
    try:
        smtp = sink.settings(settings)
        ids = _queue(smtp, 3)
        assert sink.received == [] and {m["state"] for m in _outbox(ids)} == {"queued"}
        assert run_jobs(smtp) >= 3  # the three messages, and any daily sweep's own job
        assert {j["state"] for j in jobs(kind=DELIVER)} == {"done"}
        assert sorted(r.to for r in sink.received) == [f"person{i}@example.org" for i in range(3)]
        for message in _outbox(ids):
            assert message["state"] == "sent" and message["sent_at"] is not None
            assert message["smtp_reply"].startswith("250 OK queued as")
        assert {r.message_id for r in sink.received} == {f"<outbox-{i}@localhost>" for i in ids}
    finally:
        sink.stop()


def test_mail_server_down_then_up_every_message_arrives_once(settings):
    port = free_port()
    sink = SmtpSink(port=port)
    smtp = replace(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    ids = _queue(smtp, 40)
    t0 = datetime.now(UTC)
    run_jobs(smtp, at=t0)  # nobody is listening
    assert {m["state"] for m in _outbox(ids)} == {"queued"}
    assert all("ConnectionRefusedError" in m["error"] for m in _outbox(ids))
    delivery = jobs(kind=DELIVER)
    assert {j["state"] for j in delivery} == {"queued"} and {j["attempts"] for j in delivery} == {1}
    run_jobs(smtp, at=t0 + timedelta(seconds=30))  # still backing off: nothing is tried
    assert {j["attempts"] for j in jobs(kind=DELIVER)} == {1}
    sink.start()
    try:
        run_jobs(smtp, at=t0 + timedelta(minutes=1))
        assert {m["state"] for m in _outbox(ids)} == {"sent"}
        assert sorted(sink.counts().values()) == [1] * 40
        run_jobs(smtp, at=t0 + timedelta(days=1))  # and nothing more, however long we wait
        assert len(sink.received) == 40
    finally:
        sink.stop()


def test_a_message_already_sent_is_never_sent_again(settings):
    from coop.jobs.queue import NewJob, enqueue
    from coop.mail.service import DELIVER

    sink = SmtpSink().start()
    try:
        smtp = sink.settings(settings)
        (message_id,) = _queue(smtp, 1)
        run_jobs(smtp)
        # A second delivery job for the same message (as after a worker died before finishing its job).
        run(enqueue(NewJob(DELIVER, {"message": message_id}, run_at=datetime.now(UTC))))
        run_jobs(smtp)
        assert len(sink.received) == 1 and {j["state"] for j in jobs(kind=DELIVER)} == {"done"}
    finally:
        sink.stop()


def test_a_refused_address_is_recorded_and_shown_to_the_secretary_against_the_member(demo, client):
    sink = SmtpSink().start()
    try:
        smtp = sink.settings(demo)
        jamie = member_row("Jamie Carter")
        sink.refuse.add("jamie-old@example.org")
        (message_id,) = _queue(smtp, 1, member_id=jamie["id"], to="jamie-old@example.org")
        run_jobs(smtp)
        (message,) = _outbox([message_id])
        assert message["state"] == "refused" and message["smtp_reply"] == "550 5.1.1 No such user here"
        delivery = [j for j in jobs() if j["kind"] == "mail.deliver"]
        assert {j["state"] for j in delivery} == {"done"}  # refused for good: not retried
        sign_in(client, "helen@riverside.example")
        page = client.get(f"/o/riverside/members/{jamie['public_id']}")
        assert "Email to jamie-old@example.org was refused" in page.text and "550 5.1.1" in page.text
        # Once an email to that address gets through (the secretary sorted it out), the warning goes.
        sink.refuse.clear()
        _queue(smtp, 1, member_id=jamie["id"], to="jamie-old@example.org")
        run_jobs(smtp)
        assert "was refused" not in client.get(f"/o/riverside/members/{jamie['public_id']}").text
    finally:
        sink.stop()


def test_the_outbox_shows_queued_sent_and_failed_with_the_servers_answer(demo, client):
    from coop.jobs.queue import DEFAULT_MAX_ATTEMPTS

    port = free_port()
    smtp = replace(demo, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    (message_id,) = _queue(smtp, 1, to="someone@example.org")
    at = datetime.now(UTC)
    for _ in range(DEFAULT_MAX_ATTEMPTS):
        run_jobs(smtp, at=at)
        at += timedelta(days=1)
    (message,) = _outbox([message_id])
    assert message["state"] == "failed" and message["attempts"] == DEFAULT_MAX_ATTEMPTS
    sign_in(client, "admin@coop.example")
    page = client.get("/admin/outbox")
    assert "Could not send" in page.text and "Needs attention" in page.text
    detail = client.get(f"/admin/outbox/{message_id}")
    assert "ConnectionRefusedError" in detail.text and "8 tries" in detail.text


def test_the_worker_keeps_to_the_operators_rate():
    from coop.mail.delivery import RateLimiter

    clock = [100.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(120, clock=lambda: clock[0], sleep=sleep)

    async def send(n: int) -> None:
        for _ in range(n):
            await limiter.wait()

    run(send(5))
    assert waits == [0.5] * 4  # 120 a minute: one every half second
    clock[0] += 10  # idle for a while: the next one goes at once
    run(send(1))
    assert len(waits) == 4
    unlimited = RateLimiter(0, clock=lambda: clock[0], sleep=sleep)
    run(unlimited.wait())
    run(unlimited.wait())
    assert len(waits) == 4
