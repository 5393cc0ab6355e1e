"""Opening a vote for 10,000 electors: how long the opening takes, then how fast the worker queues the
announcements (in batches of 200) and sends them to a local SMTP sink; every elector must get exactly one.

    python -m bench.vote_notices [--electors 10000] [--database-url postgres://...]

Runs in one process with the database in a temporary SQLite file unless a URL is given (PostgreSQL: an
empty database). The worker is the real one (`coop.jobs.worker.Worker`); the sink is the tests' SMTP sink.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--electors", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="coop-bench-notices-")
    os.environ["COOP_DATABASE_URL"] = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    os.environ["PICCOLO_CONF"] = "coop.piccolo_conf"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    asyncio.run(_run(args.electors))


async def _run(electors: int) -> None:
    from dataclasses import replace

    from coop.audit.service import SYSTEM
    from coop.cli import migrate_database
    from coop.db import close_database, open_database, write_transaction
    from coop.demo import seed_demo
    from coop.jobs.tables import Job
    from coop.jobs.worker import Worker
    from coop.mail.tables import OutboxMessage
    from coop.members.tables import Member
    from coop.organisations.tables import Organisation
    from coop.settings import Settings
    from coop.votes.lifecycle import NewVote, create_vote, open_vote
    from tests.coop.jobs.smtp_sink import SmtpSink
    from tests.coop.votes.test_on_time import elector_rows

    settings = Settings.from_env(mail_per_minute=0, worker_in_app="no")
    await migrate_database()
    await open_database(use_pool=False)
    try:
        await seed_demo(settings)
        org = await Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first()
        org_id = int(org["id"])
        async with write_transaction():
            await Member.insert(*elector_rows(org_id, electors))
        await Job.delete(force=True)  # the demo's own votes' jobs: not part of this measurement
        await OutboxMessage.delete(force=True)
        sink = SmtpSink().start()
        smtp = replace(sink.settings(settings), smtp_starttls=False)
        vote_id = await create_vote(
            org_id,
            NewVote(
                title="Bench vote",
                question="Shall we?",
                kind="motion",
                purpose="ordinary_resolution",
                closes_at=datetime.now(UTC) + timedelta(days=7),
            ),
            actor=SYSTEM,
        )
        started = time.perf_counter()
        roll = await open_vote(org_id, vote_id, now=datetime.now(UTC), actor=SYSTEM)
        opened = time.perf_counter() - started
        started = time.perf_counter()
        await Worker(smtp, worker_id="bench").run_pending()
        total = time.perf_counter() - started
        sink.stop()
        rows = await OutboxMessage.select(
            OutboxMessage.created_at, OutboxMessage.sent_at, OutboxMessage.state
        )
        queued = len(rows)
        created = [r["created_at"] for r in rows]
        sent = [r["sent_at"] for r in rows if r["sent_at"] is not None]
        queued_in = (max(created) - min(created)).total_seconds() or 1e-9
        sent_in = (max(sent) - min(sent)).total_seconds() or 1e-9
        counts = Counter(
            r.to
            for r in sink.received
            if r.message["Subject"] == "Please vote: Bench vote" and r.to.startswith("elector")
        )
        letters = roll - queued
        print(f"engine: {os.environ['COOP_DATABASE_URL'].split(':')[0]}")
        print(f"opening the vote for {roll} electors: {opened * 1000:.0f} ms (the request's work)")
        print(f"the worker: every message queued and sent in {total:.1f} s")
        print(
            f"queued {queued} emails (+{letters} letters) over {queued_in:.1f} s: {queued / queued_in:.0f}/s"
        )
        print(f"sent {len(sent)} over {sent_in:.1f} s: {len(sent) / sent_in:.0f}/s")
        print(
            f"electors emailed exactly once: {sum(1 for n in counts.values() if n == 1)} of {electors}; "
            f"more than once: {sum(1 for n in counts.values() if n > 1)}"
        )
    finally:
        await close_database()


if __name__ == "__main__":
    main()
