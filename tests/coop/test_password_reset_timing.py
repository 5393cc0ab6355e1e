"""Issue 14, item 2: a password reset request must not tell, by its timing, whether the email has an
account, and must never wait for the mail server."""

from __future__ import annotations

import statistics
import time

from tests.conftest import make_client, run
from tests.coop.helpers import csrf_token
from tests.coop.jobs.helpers import run_jobs
from tests.coop.jobs.smtp_sink import SmtpSink

KNOWN = "amara@riverside.example"
UNKNOWN = "nobody@riverside.example"


def test_reset_answers_as_fast_for_known_and_unknown_emails_with_a_slow_mail_server(demo, settings):
    from coop.mail.tables import OutboxMessage

    sink = SmtpSink(delay_seconds=2.0).start()  # a mail server that answers after 2 s
    try:
        smtp_settings = sink.settings(settings)
        with make_client(smtp_settings) as client:
            token = csrf_token(client)

            def timed(email: str) -> float:
                started = time.perf_counter()
                response = client.post("/password-reset", data={"email": email, "_csrf_token": token})
                elapsed = time.perf_counter() - started
                assert response.status_code == 200 and "Check your email" in response.text
                return elapsed

            for email in (KNOWN, UNKNOWN) * 3:  # warm up both paths
                timed(email)
            # On a shared machine one round's medians can differ by chance (each request's fsync is
            # noisy), so up to 3 rounds: the same work passes within a round or two, while a real leak
            # (13.2 against 7.8 ms before this fix) fails all three.
            rounds = []
            for _ in range(3):
                timings: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
                for i in range(100):  # interleaved (ABBA), so drift in the machine's load falls on both
                    for email in (KNOWN, UNKNOWN) if i % 2 == 0 else (UNKNOWN, KNOWN):
                        timings[email].append(timed(email))
                # Quick: 95% of each path's answers under a second (with the old code every known email
                # waited 2 s for the mail server); a rare stall of the shared machine may pass a second.
                for email, times in timings.items():
                    p95 = statistics.quantiles(times, n=20)[-1]
                    assert p95 < 1.0, f"{email}: 95% took up to {p95:.2f} s (waiting for the mail server?)"
                known, unknown = statistics.median(timings[KNOWN]), statistics.median(timings[UNKNOWN])
                rounds.append((known, unknown))
                print(f"median known {known * 1000:.2f} ms, unknown {unknown * 1000:.2f} ms")
                if abs(known - unknown) <= 0.10 * min(known, unknown):
                    break
            else:
                raise AssertionError(f"medians differ by more than 10% in every round: {rounds}")

        # The worker then does the looking up and sending: the known account gets its links (3 an hour at
        # most), the unknown email nothing.
        sink.delay_seconds = 0
        run_jobs(smtp_settings)
        resets = run(
            OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.state).where(
                OutboxMessage.subject == "Reset your coop password"
            )
        )
        assert [(m["to_address"], m["state"]) for m in resets] == [(KNOWN, "sent")] * 3
        assert {r.to for r in sink.received if r.message["Subject"] == "Reset your coop password"} == {KNOWN}
    finally:
        sink.stop()
