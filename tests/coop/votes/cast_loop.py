"""A voter crowd for the crash test (V15): 50 ballots in flight at a time until the process is killed.

Run as `python -m tests.coop.votes.cast_loop ORG_ID VOTE_ID` with COOP_DATABASE_URL and PICCOLO_CONF set.
Casts for every member on the vote's roll, 50 at once, in roll order; prints "ready" once the first 50
are in, so the killer knows ballots are being written.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

IN_FLIGHT = 50


async def main(org_id: int, vote_id: int) -> None:
    from coop.audit.service import SYSTEM
    from coop.db import open_database
    from coop.votes.casting import cast_ballot
    from coop.votes.tables import VoteRoll

    await open_database()
    roll = [
        int(r["member"])
        for r in await VoteRoll.select(VoteRoll.member)
        .where(VoteRoll.vote == vote_id)
        .order_by(VoteRoll.member)
    ]
    for start in range(0, len(roll), IN_FLIGHT):
        batch = roll[start : start + IN_FLIGHT]
        choices = ["for", "against", "abstain"]
        await asyncio.gather(
            *(
                cast_ballot(
                    org_id, vote_id, m, choices[m % 3], now=datetime.now(UTC), actor=SYSTEM, channel="online"
                )
                for m in batch
            )
        )
        if start == 0:
            print("ready", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
