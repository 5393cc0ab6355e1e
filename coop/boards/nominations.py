"""Board elections from nomination to ballot: the secretary calls for nominations, members stand with a
statement (and an easy-read version), and after the closing day the secretary puts the candidates to the
members in a `board_election` vote. When that vote closes, `coop.boards.elections` seats the winners,
finding each by their nomination's name on the ballot (never by a name search over the whole register)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from coop import clock
from coop.audit.guarded import guarded_change, guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.boards.tables import BoardElection, Nomination
from coop.db import is_sqlite, write_transaction
from coop.members.errors import MembershipError
from coop.members.tables import Member
from coop.organisations.service import constitution_of
from coop.public_ids import parse_public_id
from coop.votes.lifecycle import NewVote, create_vote, new_vote_problems

MAX_CANDIDATES = 50
"""A ballot lists at most 50 candidates (the votes' own limit)."""
STATEMENT_LIMIT = 3_000


class ElectionError(MembershipError):
    """A step the rules refuse; `errors` maps form fields to plain-English messages."""


@dataclass(frozen=True, slots=True)
class NewElection:
    title: str
    seats: int
    nominations_close_on: date


@dataclass(frozen=True, slots=True)
class Ballot:
    kind: str
    closes_at: datetime
    secret: bool = True


async def call_election(organisation_id: int, new: NewElection, actor: Actor, *, today: date) -> str:
    if new.nominations_close_on < today:
        raise ElectionError({"close_day": "The last day to stand must be today or later"})
    public_id = uuid4()
    async with write_transaction():
        rows = await BoardElection.insert(
            BoardElection(
                public_id=public_id,
                organisation=organisation_id,
                title=new.title,
                seats=new.seats,
                nominations_close_on=new.nominations_close_on,
            )
        ).returning(BoardElection.id)
        await record(
            AuditEntry(
                "board.election_called",
                organisation_id=organisation_id,
                target_type="board_election",
                target_id=str(rows[0]["id"]),
                detail={
                    "title": new.title,
                    "seats": new.seats,
                    "close": new.nominations_close_on.isoformat(),
                },
            ),
            actor,
        )
    return str(public_id)


async def election_in_org(organisation_id: int, public_id: str) -> dict[str, Any] | None:
    uuid = parse_public_id(public_id)
    if uuid is None:
        return None
    row: dict[str, Any] | None = (
        await BoardElection.select()
        .where((BoardElection.organisation == organisation_id) & (BoardElection.public_id == uuid))
        .first()
    )
    return row


async def elections(organisation_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The most recent calls for nominations (a board calls a few a year: the newest 20 are shown)."""
    return list(
        await BoardElection.select()
        .where(BoardElection.organisation == organisation_id)
        .order_by(BoardElection.id, ascending=False)
        .limit(limit)
    )


async def candidates(election_id: int) -> list[dict[str, Any]]:
    """Those standing, in the order they stood (at most MAX_CANDIDATES: standing is refused beyond it)."""
    return list(
        await Nomination.select(
            Nomination.public_id,
            Nomination.member,
            Nomination.statement,
            Nomination.easy_read,
            Nomination.ballot_name,
            Nomination.member.name.as_alias("name"),
            Nomination.member.member_class.as_alias("member_class"),
            Nomination.member.entry_number.as_alias("entry_number"),
        )
        .where((Nomination.election == election_id) & Nomination.withdrawn_at.is_null())
        .order_by(Nomination.id)
        .limit(MAX_CANDIDATES)
    )


async def my_nomination(election_id: int, member_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Nomination.select()
        .where((Nomination.election == election_id) & (Nomination.member == member_id))
        .first()
    )
    return row


def is_open(election: dict[str, Any], today: date) -> bool:
    return election["vote"] is None and today <= election["nominations_close_on"]


async def _lock(election_id: int) -> None:
    """Standing and putting to the vote queue on the election's row (SQLite already serialises writers)."""
    if not is_sqlite():
        await BoardElection.raw("SELECT id FROM board_election WHERE id = {} FOR UPDATE", election_id)


async def stand(
    organisation_id: int,
    election: dict[str, Any],
    member_id: int,
    statement: str,
    easy_read: str,
    actor: Actor,
    *,
    today: date,
) -> None:
    """The member stands (or stands again after withdrawing, with a new statement)."""
    if not is_open(election, today):
        raise ElectionError({"statement": "Nominations for this election have closed"})
    member = (
        await Member.select(Member.id)
        .where(
            (Member.id == member_id) & (Member.organisation == organisation_id) & Member.ceased_on.is_null()
        )
        .first()
    )
    if member is None:
        raise ElectionError({"statement": "Only current members can stand"})
    async with write_transaction():
        await _lock(election["id"])
        standing = await Nomination.count().where(
            (Nomination.election == election["id"]) & Nomination.withdrawn_at.is_null()
        )
        existing = await my_nomination(election["id"], member_id)
        if (existing is None or existing["withdrawn_at"] is not None) and standing >= MAX_CANDIDATES:
            raise ElectionError({"statement": f"This election already has {MAX_CANDIDATES} candidates"})
        if existing is None:
            await Nomination.insert(
                Nomination(
                    public_id=uuid4(),
                    election=election["id"],
                    member=member_id,
                    statement=statement,
                    easy_read=easy_read,
                )
            )
        else:
            await Nomination.update(
                {
                    Nomination.statement: statement,
                    Nomination.easy_read: easy_read,
                    Nomination.withdrawn_at: None,
                }
            ).where(Nomination.id == existing["id"])
        await record(
            AuditEntry(
                "board.candidate_stood",
                organisation_id=organisation_id,
                target_type="board_election",
                target_id=str(election["id"]),
                detail={"member": member_id},
            ),
            actor,
        )


async def withdraw(
    organisation_id: int, election: dict[str, Any], member_id: int, actor: Actor, *, today: date
) -> None:
    if election["vote"] is not None:
        raise ElectionError({"withdraw": "The ballot has been made: ask the secretary"})
    done = await guarded_update(
        Nomination,
        {Nomination.withdrawn_at: clock.now()},
        (Nomination.election == election["id"])
        & (Nomination.member == member_id)
        & Nomination.withdrawn_at.is_null(),
        returning=[Nomination.id],
        audit=lambda _: AuditEntry(
            "board.candidate_withdrew",
            organisation_id=organisation_id,
            target_type="board_election",
            target_id=str(election["id"]),
            detail={"member": member_id},
        ),
        actor=actor,
    )
    if not done:
        raise ElectionError({"withdraw": "You are not standing in this election"})


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def ballot_names(rows: list[dict[str, Any]]) -> list[str]:
    """Each candidate's name on the ballot; two members with the same name are told apart by member class."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["name"].strip().casefold()] = counts.get(r["name"].strip().casefold(), 0) + 1
    names = []
    for r in rows:
        name = r["name"].strip()
        if counts[name.casefold()] > 1:
            name = f"{name} (member {r['entry_number']})"
        names.append(name)
    return names


async def put_to_vote(
    organisation_id: int, election: dict[str, Any], ballot: Ballot, actor: Actor, *, link: str, now: datetime
) -> int:
    """After the last day to stand: a draft `board_election` vote with the candidates as its options, each
    nomination keeping its name on the ballot so the winners are found exactly. Returns the vote's id."""
    if now.date() <= election["nominations_close_on"]:
        raise ElectionError(
            {"kind": "Nominations are still open: make the ballot after the last day to stand"}
        )
    if election["vote"] is not None:
        raise ElectionError({"kind": "The ballot for this election has already been made"})
    rows = await candidates(election["id"])
    names = ballot_names(rows)
    new = NewVote(
        title=election["title"],
        question=(
            f"Elect {election['seats']} {'director' if election['seats'] == 1 else 'directors'}. "
            f"Read each candidate's statement before you vote: {link}"
        ),
        kind=ballot.kind,
        purpose="board_election",
        closes_at=ballot.closes_at,
        easy_read="Choose who you want on the board. You can read what each person says about themself.",
        options=tuple(names),
        seats=election["seats"],
        secret=ballot.secret,
    )
    problems = new_vote_problems(new, await constitution_of(organisation_id), now)
    if problems:
        if "options" in problems or "seats" in problems:
            raise ElectionError(
                {
                    "kind": f"{_count(len(rows), 'member is', 'members are')} standing for "
                    f"{_count(election['seats'], 'seat', 'seats')}: a ballot needs more candidates than "
                    "seats. Call for nominations again, or co-opt if the constitution allows."
                }
            )
        raise ElectionError(problems)
    async with write_transaction():
        await _lock(election["id"])
        vote_id = await create_vote(organisation_id, new, actor=actor)
        # The vote's creation is its audit entry.
        taken = await guarded_change(
            BoardElection,
            {BoardElection.vote: vote_id},
            (BoardElection.id == election["id"]) & BoardElection.vote.is_null(),
            returning=[BoardElection.id],
        )
        if not taken:
            raise ElectionError({"kind": "The ballot for this election has already been made"})
        for row, name in zip(rows, names, strict=True):
            await Nomination.update({Nomination.ballot_name: name}).where(
                (Nomination.election == election["id"]) & (Nomination.member == row["member"])
            )
    return vote_id
