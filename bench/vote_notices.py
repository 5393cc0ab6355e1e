"""Opening a vote for 10,000 electors: how long the secretary's real request takes (the HTTP POST, and
the vote's page after it) and the opening as the commissioning flow calls it; then how fast the worker
queues the announcements (in batches of 200) and sends them to a local SMTP sink; every elector must get
exactly one.

    python -m bench.vote_notices [--electors 10000] [--engine sqlite|postgres] [--database-url URL]
                                 [--open-only]

Runs in one process with the database in a temporary SQLite file, a throwaway PostgreSQL cluster
(`--engine postgres`, needs root as bench/http_bench.py does) or the empty database at a URL. The worker
is the real one (`coop.jobs.worker.Worker`); the sink is the tests' SMTP sink.
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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coop.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--electors", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--open-only", action="store_true", help="only the secretary's request, no sending")
    parser.add_argument(
        "--engine", choices=["sqlite", "postgres"], default="sqlite", help="postgres: a throwaway cluster"
    )
    args = parser.parse_args()
    # The vote's private key files go in a scratch folder, never the working copy.
    os.environ.setdefault("COOP_VOTE_KEY_DIR", tempfile.mkdtemp(prefix="coop-bench-keys-"))
    if args.engine == "postgres" and not args.database_url:
        from bench.http_bench import HOST, postgres_cluster

        with postgres_cluster() as port:
            _bench(args.electors, f"postgresql://postgres@{HOST}:{port}/coop", args.open_only)
        return
    folder = tempfile.mkdtemp(prefix="coop-bench-notices-")
    _bench(args.electors, args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.open_only)


def _bench(electors: int, url: str, open_only: bool) -> None:
    os.environ["COOP_DATABASE_URL"] = url
    os.environ["PICCOLO_CONF"] = "coop.piccolo_conf"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from coop.settings import Settings
    from tests.coop.helpers import PASSWORD

    settings = Settings.from_env(
        mail_per_minute=0,
        worker_in_app="no",
        allowed_hosts=("testserver.local",),
        base_url="https://testserver.local",
        demo_password=PASSWORD,
        argon2_memory_kib=8,
        argon2_time_cost=1,
        argon2_parallelism=1,
    )
    org_id, votes = asyncio.run(_prepare(settings, electors))
    figures = _open_over_http(settings, votes["http"])
    if open_only:
        print(f"engine: {url.split(':')[0]}")
        print(
            f"the secretary's POST .../open for {electors} more electors: {figures['post'] * 1000:.0f} ms; "
            f"the vote's page after it: {figures['page'] * 1000:.0f} ms"
        )
        return
    asyncio.run(_run(settings, org_id, votes["direct"], electors, figures))


async def _prepare(settings: Settings, electors: int) -> tuple[int, dict[str, int]]:
    """The demo, `electors` more members who want email, and two draft votes for them."""
    from coop.audit.service import SYSTEM
    from coop.cli import migrate_database
    from coop.db import close_database, open_database, write_transaction
    from coop.demo import seed_demo
    from coop.jobs.tables import Job
    from coop.mail.tables import OutboxMessage
    from coop.members.tables import Member
    from coop.organisations.tables import Organisation
    from coop.votes.lifecycle import NewVote, create_vote
    from tests.coop.votes.test_on_time import elector_rows

    await migrate_database()
    await open_database(use_pool=False)
    try:
        await seed_demo(settings)
        org = await Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first()
        org_id = int(org["id"])
        rows = elector_rows(org_id, electors)
        for start in range(0, electors, 500):
            async with write_transaction():
                await Member.insert(*rows[start : start + 500])
        await Job.delete(force=True)  # the demo's own votes' jobs: not part of this measurement
        await OutboxMessage.delete(force=True)
        votes = {}
        for name in ("http", "direct"):
            votes[name] = await create_vote(
                org_id,
                NewVote(
                    title=f"Bench vote ({name})",
                    question="Shall we?",
                    kind="motion",
                    purpose="ordinary_resolution",
                    closes_at=datetime.now(UTC) + timedelta(days=7),
                ),
                actor=SYSTEM,
            )
        return org_id, votes
    finally:
        await close_database()


def _open_over_http(settings: Settings, vote_id: int) -> dict[str, float]:
    """The secretary's own request: POST /o/riverside/votes/<id>/open in the real app (signed in, with
    the CSRF token), then the vote's page it redirects to."""
    from litestar.testing import TestClient

    from coop.app import create_app
    from tests.coop.helpers import post_form, sign_in

    url = f"/o/riverside/votes/{vote_id}"
    with TestClient(app=create_app(settings), base_url="https://testserver.local") as client:
        sign_in(client, "helen@riverside.example")
        assert client.get(url).status_code == 200
        started = time.perf_counter()
        response = post_form(client, f"{url}/open")
        posted = time.perf_counter() - started
        assert response.status_code == 303, response.text[:500]
        started = time.perf_counter()
        page = client.get(response.headers["location"])
        shown = time.perf_counter() - started
        assert page.status_code == 200 and "Voted so far" in page.text, page.text[:500]
    return {"post": posted, "page": shown}


async def _run(settings: Settings, org_id: int, vote_id: int, electors: int, http: dict[str, float]) -> None:
    from dataclasses import replace

    from coop.audit.service import SYSTEM
    from coop.db import close_database, open_database
    from coop.jobs.tables import Job
    from coop.jobs.worker import Worker
    from coop.mail.tables import OutboxMessage
    from coop.votes.lifecycle import open_vote
    from tests.coop.jobs.smtp_sink import SmtpSink

    await open_database(use_pool=settings.is_postgres)  # as `coop worker` does
    try:
        # The HTTP vote's announcements are not part of the worker's measurement below.
        await Job.delete(force=True)
        sink = SmtpSink().start()
        smtp = replace(sink.settings(settings), smtp_starttls=False)
        started = time.perf_counter()
        roll = await open_vote(org_id, vote_id, now=datetime.now(UTC), actor=SYSTEM)
        opened = time.perf_counter() - started
        began = datetime.now(UTC)
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
            if r.message["Subject"] == "Please vote: Bench vote (direct)" and r.to.startswith("elector")
        )
        letters = roll - queued
        print(f"engine: {os.environ['COOP_DATABASE_URL'].split(':')[0]}")
        print(
            f"the secretary's POST .../open for {roll} electors: {http['post'] * 1000:.0f} ms; "
            f"the vote's page after it: {http['page'] * 1000:.0f} ms"
        )
        print(f"open_vote() itself (as the commissioning flow calls it): {opened * 1000:.0f} ms")
        print(
            f"the worker's announcement at the opening: first batch queued "
            f"{(min(created) - began).total_seconds() * 1000:.0f} ms after it started"
        )
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
