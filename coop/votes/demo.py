"""The demo's votes: an open vote on commissioning a shared PA service, and a closed board election (STV,
two seats) with its count sheet, bulletin board and digest. Times are relative to now."""

from __future__ import annotations

from datetime import timedelta

from coop import clock
from coop.audit.service import SYSTEM
from coop.members.tables import Member
from coop.votes.casting import cast_ballot
from coop.votes.closing import close_vote
from coop.votes.lifecycle import NewVote, create_vote, open_vote

CANDIDATES = ("Grace Lee", "Kwame Mensah", "Ruth Adeyemi", "Sofia Rossi")
# Each member's ranking of the candidates (indexes into CANDIDATES), in the order members were admitted.
RANKINGS = (
    "0>1>3",
    "1>0",
    "3>0>1",
    "0>3>1>2",
    "2>1",
    "1>3>0",
    "0>1",
    "3>1>0>2",
    "1>0>3",
    "2>3>1>0",
    "0>2",
    "1>2",
)

ELECTION_TEXT = (
    "Two directors retire by rotation this year. Members elect two directors to fill their seats. Rank the "
    "candidates in order of preference: your vote moves to your next choice if your first choice is elected "
    "with votes to spare or has too few votes to be elected."
)
ELECTION_EASY_READ = (
    "We choose 2 people for the board.\nPut the people in order. Number 1 is the person you want most."
)
COMMISSION_TEXT = (
    "That the company contracts Riverside Care Co-op to provide a shared team of three personal assistants "
    "for members who hold personal budgets, at £16.50 an hour for 12 months, paid from the pooled budget, "
    "with members reviewing the service after six months."
)
COMMISSION_EASY_READ = (
    "We want to share a team of 3 PAs.\nThe PAs help members at home and when they go out.\n"
    "We pay from the money we put together.\nAfter 6 months we say if it is working."
)


async def seed_votes(organisation_id: int) -> None:
    now = clock.now().replace(microsecond=0)
    members = (
        await Member.select(Member.id, Member.name)
        .where((Member.organisation == organisation_id) & Member.ceased_on.is_null())
        .order_by(Member.id)
    )
    ids = {m["name"]: int(m["id"]) for m in members}

    # A closed board election, held last month.
    opened = now - timedelta(days=30)
    election = await create_vote(
        organisation_id,
        NewVote(
            title="Election of two directors, 2026",
            question=ELECTION_TEXT,
            easy_read=ELECTION_EASY_READ,
            kind="stv",
            purpose="board_election",
            options=CANDIDATES,
            seats=2,
            secret=True,
            closes_at=opened + timedelta(days=14),
        ),
        actor=SYSTEM,
    )
    await open_vote(organisation_id, election, now=opened, actor=SYSTEM)
    for i, (member_id, ranking) in enumerate(zip(ids.values(), RANKINGS, strict=False)):
        channel = "paper" if member_id in (ids.get("Ben Williams"), ids.get("Margaret Hughes")) else "online"
        await cast_ballot(
            organisation_id,
            election,
            member_id,
            ranking,
            now=opened + timedelta(days=1, hours=i),
            actor=SYSTEM,
            channel=channel,
        )
    await close_vote(organisation_id, election, now=opened + timedelta(days=14), actor=SYSTEM)

    # An open vote on commissioning a shared service: some members have voted already.
    commission = await create_vote(
        organisation_id,
        NewVote(
            title="Commission a shared personal assistant (PA) service",
            question=COMMISSION_TEXT,
            easy_read=COMMISSION_EASY_READ,
            kind="motion",
            purpose="commission",
            secret=True,
            closes_at=now + timedelta(days=14),
        ),
        actor=SYSTEM,
    )
    await open_vote(organisation_id, commission, now=now - timedelta(days=2), actor=SYSTEM)
    for name, choice, channel in (
        ("Daniel Price", "for", "online"),
        ("Sofia Rossi", "for", "online"),
        ("Kwame Mensah", "against", "online"),
        ("Ben Williams", "for", "paper"),
    ):
        if name in ids:
            await cast_ballot(
                organisation_id,
                commission,
                ids[name],
                choice,
                now=now - timedelta(days=1),
                actor=SYSTEM,
                channel=channel,
            )
