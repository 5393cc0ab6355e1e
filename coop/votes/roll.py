"""Who may vote and who has: freezing the electorate, a voter's own status, turnout, the members a
secretary may enter a paper ballot for, a proxy's appointers, and a recorded vote's published choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coop.members.tables import Member, ProxyAppointment, RoleGrant
from coop.organisations.service import constitution_of
from coop.votes import ballots as choices
from coop.votes.records import CHANNELS, VoteInfo
from coop.votes.sealed_store import sealed_count
from coop.votes.tables import Ballot, VoteParticipation, VoteRoll
from governance.constitution import Constitution


async def electorate_for(vote: VoteInfo, constitution: Constitution, today: date) -> list[tuple[int, int]]:
    """(member id, weight) of everyone who may vote, as of now: current members of voting classes
    (restricted to the vote's classes if it names any); for board decisions, the directors in office."""
    rows = (
        await Member.select(Member.id, Member.member_class)
        .where(
            (Member.organisation == vote.organisation_id)
            & Member.ceased_on.is_null()
            & (Member.admitted_on <= today)
        )
        .order_by(Member.id)
    )
    directors: set[int] | None = None
    if vote.purpose == "board_decision":
        grants = await RoleGrant.select(RoleGrant.member).where(
            (RoleGrant.member.organisation == vote.organisation_id)
            & (RoleGrant.role == "director")
            & RoleGrant.revoked_at.is_null()
        )
        directors = {int(g["member"]) for g in grants}
    roll: list[tuple[int, int]] = []
    for r in rows:
        if directors is not None:
            if int(r["id"]) in directors:
                roll.append((int(r["id"]), 1))  # directors vote one each
            continue
        member_class = constitution.member_class(r["member_class"])
        if member_class is None or not member_class.can_vote:
            continue
        if vote.eligible_classes and r["member_class"] not in vote.eligible_classes:
            continue
        roll.append((int(r["id"]), member_class.vote_weight))
    return roll


@dataclass(frozen=True, slots=True)
class VoterStatus:
    on_roll: bool
    voted: bool
    channel: str | None = None


async def voter_status(vote_id: int, member_id: int) -> VoterStatus:
    on_roll = await VoteRoll.exists().where((VoteRoll.vote == vote_id) & (VoteRoll.member == member_id))
    row = (
        await VoteParticipation.select(VoteParticipation.channel)
        .where((VoteParticipation.vote == vote_id) & (VoteParticipation.member == member_id))
        .first()
    )
    return VoterStatus(on_roll=on_roll, voted=row is not None, channel=row["channel"] if row else None)


@dataclass(frozen=True, slots=True)
class Turnout:
    electorate: int
    voted: int
    ballots: int
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def counts_match(self) -> bool:
        return self.voted == self.ballots


async def turnout(vote_id: int) -> Turnout:
    electorate = await VoteRoll.count().where(VoteRoll.vote == vote_id)
    rows = await VoteParticipation.select(VoteParticipation.channel).where(VoteParticipation.vote == vote_id)
    by_channel: dict[str, int] = {}
    for r in rows:
        by_channel[r["channel"]] = by_channel.get(r["channel"], 0) + 1
    ballots = await Ballot.count().where(Ballot.vote == vote_id) + await sealed_count(vote_id)
    return Turnout(electorate=electorate, voted=len(rows), ballots=ballots, by_channel=by_channel)


async def recorded_choices(vote: VoteInfo) -> list[dict[str, str]]:
    """A recorded (open) vote's names and choices, published by design. Empty for secret ballots."""
    if vote.secret:
        return []
    rows = (
        await VoteParticipation.select(
            VoteParticipation.member.name.as_alias("name"),
            VoteParticipation.recorded_choice,
            VoteParticipation.channel,
        )
        .where(VoteParticipation.vote == vote.id)
        .order_by(VoteParticipation.member.name)
    )
    return [
        {
            "name": r["name"],
            "choice": choices.describe(vote.kind, vote.options, r["recorded_choice"]),
            "channel": CHANNELS.get(r["channel"], r["channel"]),
        }
        for r in rows
        if r["recorded_choice"] is not None
    ]


async def members_not_voted(vote_id: int) -> list[dict[str, Any]]:
    """Current members on the roll who have not voted: whose paper ballot the secretary may enter."""
    roll = (
        await VoteRoll.select(
            VoteRoll.member.public_id.as_alias("public_id"),
            VoteRoll.member.name.as_alias("name"),
            VoteRoll.member.id.as_alias("member_id"),
        )
        .where((VoteRoll.vote == vote_id) & VoteRoll.member.ceased_on.is_null())
        .order_by(VoteRoll.member.name)
    )
    voted = {
        int(r["member"])
        for r in await VoteParticipation.select(VoteParticipation.member).where(
            VoteParticipation.vote == vote_id
        )
    }
    return [
        {"public_id": str(r["public_id"]), "name": r["name"]}
        for r in roll
        if int(r["member_id"]) not in voted
    ]


async def proxy_appointers(vote: VoteInfo, proxy_member_id: int) -> list[dict[str, Any]]:
    """Members on this vote's roll who have appointed `proxy_member_id` their standing proxy (membership's
    ProxyAppointment, not revoked), when the constitution allows proxies. A proxy for one meeting does not
    extend to an online vote."""
    constitution = await constitution_of(vote.organisation_id)
    if not constitution.proxies.allowed:
        return []
    rows = await ProxyAppointment.select(
        ProxyAppointment.member.id.as_alias("member_id"),
        ProxyAppointment.member.public_id.as_alias("public_id"),
        ProxyAppointment.member.name.as_alias("name"),
    ).where(
        (ProxyAppointment.proxy_member == proxy_member_id)
        & (ProxyAppointment.organisation == vote.organisation_id)
        & ProxyAppointment.standing.eq(True)
        & ProxyAppointment.revoked_at.is_null()
        & ProxyAppointment.member.ceased_on.is_null()
    )
    roll = {int(r["member"]) for r in await VoteRoll.select(VoteRoll.member).where(VoteRoll.vote == vote.id)}
    return [
        {"member_id": int(r["member_id"]), "public_id": str(r["public_id"]), "name": r["name"]}
        for r in rows
        if int(r["member_id"]) in roll
    ]
