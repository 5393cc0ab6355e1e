"""Real `coop worker` processes against a real SMTP sink: killed with SIGKILL in the middle of a batch,
again and again, no message is lost and none is sent twice beyond the documented window (at most the one
message in flight when a worker dies); two workers at once send each message exactly once. The waits
below wait for something to happen (a deadline, not a fixed time)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import run
from tests.coop.jobs.smtp_sink import SmtpSink
from tests.coop.jobs.test_mail_delivery import _queue

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 300
KILLS = 6


def _start_worker(db: Any, port: int) -> subprocess.Popen[bytes]:
    from coop.db import CoopSQLiteEngine

    url = f"sqlite:///{db.path}" if isinstance(db, CoopSQLiteEngine) else os.environ["COOP_DATABASE_URL"]
    env = {
        **os.environ,
        "COOP_DATABASE_URL": url,
        "PICCOLO_CONF": "coop.piccolo_conf",
        "COOP_SMTP_HOST": "127.0.0.1",
        "COOP_SMTP_PORT": str(port),
        "COOP_SMTP_STARTTLS": "false",
        "COOP_MAIL_PER_MINUTE": "0",
        "COOP_JOB_LEASE_SECONDS": "3",
        "COOP_WORKER_POLL_SECONDS": "1",
    }
    command = [sys.executable, "-c", "from coop.cli import main; main()", "worker"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(
    condition: Callable[[], bool], what: str, worker: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"the worker stopped: {worker.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _sent(ids: list[int]) -> int:
    from coop.mail.tables import OutboxMessage

    return int(
        run(OutboxMessage.count().where(OutboxMessage.id.is_in(ids) & (OutboxMessage.state == "sent")))
    )


def _stop(worker: subprocess.Popen[bytes], sig: int) -> None:
    worker.send_signal(sig)
    worker.wait(timeout=60)
    assert worker.stderr is not None
    worker.stderr.close()


def test_killing_the_worker_mid_batch_loses_no_message_and_repeats_at_most_the_one_in_flight(
    settings, db, engine_name
):
    sink = SmtpSink().start()
    try:
        ids = _queue(sink.settings(settings), MESSAGES)
        for kill in range(KILLS):
            worker = _start_worker(db, sink.port)
            before = len(sink.received)
            _wait_for(lambda before=before: len(sink.received) >= before + 20, "some sends", worker)
            _stop(worker, signal.SIGKILL)
            print(f"kill {kill + 1}: {len(sink.received)} received so far")
        worker = _start_worker(db, sink.port)
        _wait_for(lambda: _sent(ids) == MESSAGES, "every message to be sent", worker)
        _stop(worker, signal.SIGTERM)
        counts = sink.counts()
        duplicates = sum(n - 1 for n in counts.values())
        print(f"\n{engine_name}: {KILLS} kills, {len(counts)} messages, {duplicates} sent twice")
        assert len(counts) == MESSAGES  # none lost
        assert duplicates <= KILLS  # at most the one in flight at each kill
    finally:
        sink.stop()


def test_two_workers_share_the_queue_and_send_each_message_exactly_once(settings, db, engine_name):
    sink = SmtpSink().start()
    try:
        ids = _queue(sink.settings(settings), MESSAGES)
        workers = [_start_worker(db, sink.port) for _ in range(2)]
        _wait_for(lambda: _sent(ids) == MESSAGES, "every message to be sent")
        for worker in workers:
            assert worker.poll() is None, "a worker stopped early"
            _stop(worker, signal.SIGTERM)
        counts = sink.counts()
        print(f"\n{engine_name}: 2 workers, {len(counts)} messages, max copies {max(counts.values())}")
        assert len(counts) == MESSAGES and set(counts.values()) == {1}
    finally:
        sink.stop()
