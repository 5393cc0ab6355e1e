"""Seating the winners of a board election on the register of directors: reserved seats class by class
first, a winner who would break the constitution passed over for the next eligible candidate
(`governance.board_seats`), each seat and each passing-over audited in the closing transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.boards.service import (
    Appointment,
    Particulars,
    _lock_board,
    as_director,
    current_directors,
    insert_directorship,
)
from coop.boards.tables import Directorship, Nomination
from coop.db import write_transaction
from coop.members.tables import Member, SensitiveFact
from coop.organisations.service import constitution_of
from coop.votes.tables import Vote
from governance.board import Director
from governance.board_seats import Candidate, Seating, seat_candidates, standing_order
from governance.constitution import Constitution
from governance.terms import term_end_date


async def seat_election_winners(organisation_id: int, vote_id: int, *, on: date, actor: Actor) -> int:
    """Put the winners of a closed board election on the register (inside the close's transaction, or on
    its own). Reserved seats are filled class by class first, only by members of the class; a winner who
    would break the constitution is passed over for the next eligible candidate (governance.board_seats).
    Returns how many were seated; does nothing for other votes or a second time."""
    async with write_transaction():
        await _lock_board(organisation_id)
        return await _seat_winners(organisation_id, vote_id, on, actor)


async def _seat_winners(organisation_id: int, vote_id: int, on: date, actor: Actor) -> int:
    election = await _carried_election(organisation_id, vote_id)
    if election is None:
        return 0
    seats, sheet = election
    order = standing_order(sheet.get("elected", []), sheet.get("candidates", []), sheet.get("rounds", []))
    constitution = await constitution_of(organisation_id)
    rows = await current_directors(organisation_id)
    sitting = {r["member"] for r in rows}
    by_name = await _ballot_members(organisation_id, vote_id)
    standing = await _standing(organisation_id, order, by_name, sitting, on)
    # A sitting director elected again keeps their entry, and the seat they were elected to.
    kept = sum(
        1
        for name in sheet.get("elected", [])
        if any(m["id"] in sitting for m in by_name.get(name.strip().casefold(), []))
    )
    seating = seat_candidates(
        constitution, [as_director(r) for r in rows], standing, seats - kept, elected_on=on
    )
    await _write_seating(organisation_id, vote_id, seating, constitution, on, actor)
    return len(seating.seated)


async def _carried_election(organisation_id: int, vote_id: int) -> tuple[int, dict[str, Any]] | None:
    """(seats, count sheet) of a closed, carried board election not yet seated; None otherwise."""
    vote = (
        await Vote.select(Vote.purpose, Vote.status, Vote.seats, Vote.result)
        .where((Vote.id == vote_id) & (Vote.organisation == organisation_id))
        .first()
    )
    if vote is None or vote["purpose"] != "board_election" or vote["status"] != "closed":
        return None
    if await Directorship.exists().where(Directorship.elected_by_vote == vote_id):
        return None
    result = json.loads(vote["result"] or "{}")
    if not result.get("carried"):
        return None
    return int(vote["seats"]), result["sheet"]


async def _ballot_members(organisation_id: int, vote_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each name on the ballot (casefolded) and the current members it may stand for: exactly the nominee
    for a ballot made from nominations (coop.boards.nominations), else members with that name."""
    nominated = await Nomination.select(
        Nomination.ballot_name,
        Nomination.member.as_alias("id"),
        Nomination.member.name.as_alias("name"),
        Nomination.member.member_class.as_alias("member_class"),
    ).where(
        (Nomination.election.vote == vote_id)
        & Nomination.withdrawn_at.is_null()
        & (Nomination.ballot_name != "")
        & Nomination.member.ceased_on.is_null()
    )
    by_name: dict[str, list[dict[str, Any]]] = {}
    if nominated:
        for n in nominated:
            by_name[str(n["ballot_name"]).strip().casefold()] = [n]
        return by_name
    members = await Member.select(Member.id, Member.name, Member.member_class).where(
        (Member.organisation == organisation_id) & Member.ceased_on.is_null()
    )
    for m in members:
        by_name.setdefault(m["name"].strip().casefold(), []).append(m)
    return by_name


async def _standing(
    organisation_id: int,
    order: Sequence[str],
    by_name: dict[str, list[dict[str, Any]]],
    sitting: set[Any],
    on: date,
) -> list[Candidate]:
    """The candidates in the order they were elected; a name that is not exactly one current member, or
    a sitting director, stands as nobody (with the reason)."""
    # Counted toward the user-led share only with consent: a member who recorded that they are disabled,
    # use support or care (with their explicit consent, coop.members) has given it.
    consenting = {
        int(r["member"])
        for r in await SensitiveFact.select(SensitiveFact.member).where(
            (SensitiveFact.member.organisation == organisation_id) & SensitiveFact.withdrawn_at.is_null()
        )
    }
    standing = []
    for name in order:
        found = by_name.get(name.strip().casefold(), [])
        if len(found) != 1:
            standing.append(Candidate(name, None))
        elif found[0]["id"] in sitting:
            standing.append(Candidate(name, None, f"{name} is a director already."))
        else:
            m = found[0]
            classes = frozenset({m["member_class"]})
            director = Director(str(m["id"]), m["name"], on, classes, user_led_consent=m["id"] in consenting)
            standing.append(Candidate(name, director))
    return standing


async def _write_seating(
    organisation_id: int, vote_id: int, seating: Seating, constitution: Constitution, on: date, actor: Actor
) -> None:
    for director, seat in seating.seated:
        appointment = Appointment(
            "", "elected", on, Particulars(), user_led_consent=director.user_led_consent
        )
        term_end = term_end_date(constitution, on)
        directorship_id = await insert_directorship(
            organisation_id, int(director.id), seat, appointment, term_end, vote_id=vote_id
        )
        await record(
            AuditEntry(
                "board.director_elected",
                organisation_id=organisation_id,
                target_type="directorship",
                target_id=str(directorship_id),
                detail={"member": int(director.id), "vote": vote_id, "seat": seat},
            ),
            actor,
        )
    if seating.passed_over:
        await record(
            AuditEntry(
                "board.candidates_passed_over",
                organisation_id=organisation_id,
                target_type="vote",
                target_id=str(vote_id),
                detail={"passed_over": [list(p) for p in seating.passed_over]},
            ),
            actor,
        )


NOT_SEATED = (
    "seats go first to those the constitution reserves for a member class, each taken only by a member of "
    "that class, and nobody is seated whose appointment would break the constitution's rules for the board"
)


async def election_seating(organisation_id: int, vote_id: int, elected: list[str]) -> dict[str, Any]:
    """Who a closed board election put on the register, in which seat, and who the count elected but
    did not take a seat (with why, in words): the count and the register can differ, and the result page
    says so. A board keeps a handful of entries per election, so this reads them all."""
    constitution = await constitution_of(organisation_id)
    rows = (
        await Directorship.select(
            Directorship.seat, Directorship.member, Directorship.member.name.as_alias("name")
        )
        .where((Directorship.organisation == organisation_id) & (Directorship.elected_by_vote == vote_id))
        .order_by(Directorship.id)
    )
    seated = [
        {
            "name": r["name"],
            "seat": f"the seat reserved for {constitution.class_plural(r['seat'])}"
            if r["seat"]
            else "an open seat",
        }
        for r in rows
    ]
    # A name on the ballot is the member's name, or it told two members of one name apart.
    ballot = await Nomination.select(Nomination.ballot_name).where(
        (Nomination.election.vote == vote_id) & Nomination.member.is_in([r["member"] for r in rows] or [0])
    )
    names = {
        str(n).strip().casefold() for n in [r["name"] for r in rows] + [b["ballot_name"] for b in ballot]
    }
    not_seated = [name for name in elected if name.strip().casefold() not in names]
    return {"seated": seated, "not_seated": not_seated, "why": NOT_SEATED}
