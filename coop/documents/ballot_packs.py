"""Postal ballot packs: for each elector of an open vote who asked for letters (or has no email) and has
not voted, a letter and a ballot paper to print and post, with a return reference the secretary enters on
the vote's paper-ballot page. Packs come in parts of `PART` electors in roll order, so a vote with 10,000
postal electors is 100 PDFs of bounded size, never one request that grows with the roll.

A return reference is the vote's number, the member's entry number in the register and two check digits
(ISO 7064 MOD 97-10, as in IBANs): "12-0034-57". Any one mistyped digit or two swapped digits give a
different check, so a mistyped reference is refused rather than entering someone else's ballot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coop import clock
from coop.members.notices import recipients
from coop.members.tables import Member
from coop.organisations.service import OrgContext
from coop.path_params import ID_MAX
from coop.setup.tables import FoundingRecord
from coop.votes.records import VoteInfo, get_vote
from coop.votes.tables import Vote, VoteParticipation

PART = 100
"""Packs in one PDF: 100 to 200 pages, about 6 s of one core (measured: 56 ms of CPU a pack)."""

# Electors on the roll of vote {0} (in organisation {1}) after member {2} who have not voted, are members
# still, and get notices by post: they asked for post (as their contact or as a need) or have no email.
_POSTAL_WHERE = """
FROM vote_roll r JOIN member m ON m.id = r.member LEFT JOIN person p ON p.id = m.person
WHERE r.vote = {} AND m.organisation = {} AND r.member > {} AND m.ceased_on IS NULL
  AND NOT EXISTS (SELECT 1 FROM vote_participation v WHERE v.vote = r.vote AND v.member = r.member)
  AND (m.contact_by = 'post' OR (COALESCE(m.email, '') = '' AND COALESCE(p.email, '') = '')
       OR EXISTS (SELECT 1 FROM communication_need n
                  WHERE n.member = m.id AND n.need = 'post' AND n.ended_at IS NULL))
"""


class ReturnReferenceError(ValueError):
    """A return reference that cannot be entered, with the reason in plain English."""


@dataclass(frozen=True, slots=True)
class Pack:
    """One elector's pack: who it goes to, how they need it, and their return reference."""

    member_id: int
    name: str
    address: str
    reference: str
    large_print: bool
    easy_read: bool


def _check_digits(vote_id: int, entry_number: int) -> int:
    return 98 - (int(f"{vote_id}{entry_number:06d}") * 100) % 97


def return_reference(vote_id: int, entry_number: int) -> str:
    return f"{vote_id}-{entry_number:04d}-{_check_digits(vote_id, entry_number):02d}"


_REFERENCE = re.compile(r"^\s*(\d{1,9})\s*[-\s]\s*(\d{1,9})\s*[-\s]\s*(\d{2})\s*$")


def parse_reference(text: str) -> tuple[int, int]:
    """(vote id, entry number) from a reference as typed; ReturnReferenceError says what is wrong."""
    match = _REFERENCE.match(text[:60]) if text.isascii() else None
    if match is None:
        raise ReturnReferenceError(
            "Enter the return reference as it is printed on the ballot paper, such as 12-0034-57"
        )
    vote_id, entry_number, check = (int(g) for g in match.groups())
    if _check_digits(vote_id, entry_number) != check:
        raise ReturnReferenceError(
            "This return reference is not right: check each number against the ballot paper"
        )
    return vote_id, entry_number


async def open_votes_with_postal_electors(organisation_id: int) -> list[dict[str, Any]]:
    """Open votes of the organisation, each with how many postal electors have not voted yet."""
    votes = (
        await Vote.select(Vote.id, Vote.title, Vote.closes_at)
        .where((Vote.organisation == organisation_id) & (Vote.status == "open"))
        .order_by(Vote.closes_at)
        .limit(50)
    )
    for vote in votes:
        rows = await Vote.raw("SELECT COUNT(*) AS n " + _POSTAL_WHERE, vote["id"], organisation_id, 0)
        vote["postal"] = int(rows[0]["n"])
    return list(votes)


async def pack_parts(organisation_id: int, vote_id: int) -> list[dict[str, int]]:
    """Where each part of the packs starts (`after`, a member id) and how many packs it has."""
    query = "SELECT r.member AS id " + _POSTAL_WHERE + " ORDER BY r.member"
    rows = await Vote.raw(query, vote_id, organisation_id, 0)
    ids = [int(r["id"]) for r in rows]
    return [
        {"after": ids[start - 1] if start else 0, "first": start + 1, "last": min(start + PART, len(ids))}
        for start in range(0, len(ids), PART)
    ]


async def packs(organisation_id: int, vote_id: int, after: int) -> tuple[list[Pack], int | None]:
    """One part of the packs (members after `after` in roll order), and where the next part starts."""
    rows = await Vote.raw(
        "SELECT r.member AS id, m.entry_number " + _POSTAL_WHERE + " ORDER BY r.member LIMIT {}",
        vote_id,
        organisation_id,
        min(max(after, 0), ID_MAX),
        PART + 1,
    )
    more = len(rows) > PART
    rows = rows[:PART]
    numbers = {int(r["id"]): int(r["entry_number"]) for r in rows}
    found = await recipients(organisation_id, numbers)
    result = [
        Pack(
            member_id=r.member_id,
            name=r.name,
            address=r.address,
            reference=return_reference(vote_id, numbers[r.member_id]),
            large_print="large_print" in r.needs,
            easy_read="easy_read" in r.needs,
        )
        for r in sorted(found, key=lambda r: r.member_id)
    ]
    return result, (int(rows[-1]["id"]) if more else None)


async def return_address(organisation_id: int) -> str:
    row = (
        await FoundingRecord.select(FoundingRecord.registered_office)
        .where(FoundingRecord.organisation == organisation_id)
        .first()
    )
    return str(row["registered_office"]) if row else ""


@dataclass(frozen=True, slots=True)
class ReturnedBallot:
    """A returned paper's reference, resolved: the vote and the member whose ballot it is."""

    vote_id: int
    member_public_id: str


async def resolve_reference(org: OrgContext, text: str, now: datetime | None = None) -> ReturnedBallot:
    """The vote and member a reference names, if their ballot can be entered; else ReturnReferenceError."""
    vote_id, entry_number = parse_reference(text)
    vote: VoteInfo | None = await get_vote(org.organisation_id, vote_id) if vote_id <= ID_MAX else None
    if vote is None:
        raise ReturnReferenceError("There is no vote with this reference in this organisation")
    if not vote.accepting_at(now or clock.now()):
        raise ReturnReferenceError(f"The vote “{vote.title}” is not open, so this ballot cannot be entered")
    member = (
        await Member.select(Member.id, Member.public_id)
        .where((Member.organisation == org.organisation_id) & (Member.entry_number == entry_number))
        .first()
        if entry_number <= ID_MAX
        else None
    )
    if member is None:
        raise ReturnReferenceError("There is no member with this reference")
    voted = await VoteParticipation.exists().where(
        (VoteParticipation.vote == vote_id) & (VoteParticipation.member == member["id"])
    )
    if voted:
        raise ReturnReferenceError("This member has already voted in this vote; a ballot is counted once")
    return ReturnedBallot(vote_id, str(member["public_id"]))
