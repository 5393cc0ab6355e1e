"""What the benchmarks share to set up and record a run: coop's database opened for one piece of work,
the demo organisation (`coop demo`'s riverside) they grow, the vote they cast in, and the JSON record of a
run in bench/results/. Not part of the test suite."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bench.http_bench import RESULTS_DIR, ROOT

T = TypeVar("T")

VOTE_QUESTION = "Should we commission a shared personal assistant service?"


async def in_database(work: Callable[[], Awaitable[T]], *, use_pool: bool = False) -> T:
    """Run `work` with coop's database open (from coop's environment), and close it after: the persistent
    SQLite connections' threads would otherwise keep the process alive."""
    os.environ.setdefault("PICCOLO_CONF", "coop.piccolo_conf")
    from coop.db import close_database, open_database

    await open_database(use_pool=use_pool)
    try:
        return await work()
    finally:
        await close_database()


async def riverside_id() -> int:
    """The demo organisation every benchmark grows."""
    from coop.organisations.tables import Organisation

    org = await Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first()
    assert org is not None, "run `coop demo` first"
    return int(org["id"])


async def new_vote(org_id: int, title: str, moment: datetime) -> int:
    """A motion for everyone, closing a day after `moment`, made (not yet opened) through the service."""
    from coop.audit.service import SYSTEM
    from coop.votes.lifecycle import NewVote, create_vote

    new = NewVote(
        title=title,
        question=VOTE_QUESTION,
        kind="motion",
        purpose="general",
        closes_at=moment + timedelta(days=1),
    )
    return await create_vote(org_id, new, actor=SYSTEM)


def save_report(report: dict[str, Any], name: str) -> Path:
    """Write the run's record to bench/results/<name>-<UTC time>.json; returns its path from the root."""
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2))
    return out.relative_to(ROOT)
