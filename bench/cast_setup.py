"""Voters for the ballot-cast benchmark: `python -m bench.cast_setup VOTERS SECRET` (run with coop's
environment) adds VOTERS people, each a voting member of the demo's riverside with a live session whose
cookie is `<SECRET>-<n>` (n from 0), opens a vote for them all, sends its announcement (the worker's
jobs that are due), and prints the vote's id as JSON.

Each wrk request casts as the next voter (bench/http_bench.py builds the cookie from a counter), so every
request is a real first ballot: the whole cast route, with its participation, ballot and audit event."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, date, datetime, timedelta

from bench.seeding import in_database, new_vote, riverside_id

BATCH = 500


async def setup(voters: int, secret: str) -> int:
    return await in_database(lambda: _setup(voters, secret), use_pool=True)


async def _setup(voters: int, secret: str) -> int:
    from coop.audit.service import SYSTEM
    from coop.jobs.worker import Worker
    from coop.settings import Settings
    from coop.votes.lifecycle import open_vote

    org_id = await riverside_id()
    moment = datetime.now(UTC)
    await add_casters(org_id, 0, voters, secret, moment)
    vote_id = await new_vote(org_id, "Benchmark: should we commission the shared PA service?", moment)
    await open_vote(org_id, vote_id, now=moment, actor=SYSTEM)
    # Opening queues the announcement to every voter, sent by the worker in batches of 200 (one write
    # transaction each). Send it now, as it would have gone long before a rush of voters: otherwise
    # the server's own worker spends the measured seconds announcing to tens of thousands of new
    # voters, and the casts (and every page) share the write lock and the CPU with it.
    await Worker(Settings.from_env()).run_pending()
    return vote_id


async def add_casters(org_id: int, start: int, stop: int, secret: str, moment: datetime) -> None:
    """Voters `start`..`stop`-1: each a person, a voting member and a live session (cookie `<secret>-<n>`),
    BATCH at a time, one transaction per batch."""
    from coop.accounts.service import token_hash
    from coop.accounts.tables import LoginSession, Person
    from coop.db import write_transaction
    from coop.members.tables import Member

    for first in range(start, stop, BATCH):
        numbers = range(first, min(first + BATCH, stop))
        async with write_transaction():
            people = await Person.insert(
                *(Person(email=f"caster{i}@riverside.example", display_name=f"Caster {i}") for i in numbers)
            ).returning(Person.id)
            await Member.insert(
                *(
                    Member(
                        organisation=org_id,
                        person=int(p["id"]),
                        name=f"Caster {i}",
                        member_class="budget_holder",
                        admitted_on=date(2024, 1, 1),
                    )
                    for i, p in zip(numbers, people, strict=True)
                )
            )
            await LoginSession.insert(
                *(
                    LoginSession(
                        token_hash=token_hash(f"{secret}-{i}"),
                        person=int(p["id"]),
                        created_at=moment,
                        # As if each voter had just been on the check-your-vote page: the cast
                        # does not refresh the idle timer (it would within a minute of that page).
                        last_seen_at=moment + timedelta(hours=1),
                        expires_at=moment + timedelta(hours=12),
                    )
                    for i, p in zip(numbers, people, strict=True)
                )
            )


if __name__ == "__main__":
    print(json.dumps({"vote": asyncio.run(setup(int(sys.argv[1]), sys.argv[2]))}))
