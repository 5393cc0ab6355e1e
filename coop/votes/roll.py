"""Who may vote and who has: freezing the electorate, a voter's own status, turnout, the members a
secretary may enter a paper ballot for, a proxy's appointers, and a recorded vote's published choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from coop.members.tables import Member, ProxyAppointment
from coop.organisations.service import constitution_of
from coop.votes import ballots as choices
from coop.votes.extras import vote_facts
from coop.votes.records import CHANNELS, VoteInfo
from coop.votes.tables import VoteParticipation, VoteRoll
from governance.constitution import Constitution

# The roll is written by the database from the register in one statement, whatever its size: current
# members (admitted by today, not ceased) of the classes that may vote in this vote, each with their class's
# weight; for a board decision, the directors in office, one vote each. Nothing is read into Python.
_ROLL_OF_CLASSES = (
    "INSERT INTO vote_roll (vote, member, weight) SELECT {vote}, m.id, CASE m.member_class {weights} END "
    "FROM member m WHERE m.organisation = {{}} AND m.ceased_on IS NULL AND m.admitted_on <= {{}} "
    "AND m.member_class IN ({classes}) ORDER BY m.id"
)
_ROLL_OF_DIRECTORS = (
    "INSERT INTO vote_roll (vote, member, weight) SELECT {vote}, m.id, 1 "
    "FROM member m WHERE m.organisation = {{}} AND m.ceased_on IS NULL AND m.admitted_on <= {{}} "
    "AND EXISTS (SELECT 1 FROM role_grant g WHERE g.member = m.id AND g.role = 'director' "
    "AND g.revoked_at IS NULL) ORDER BY m.id"
)
_ROLL_SIZE = "SELECT COUNT(*) AS n FROM vote_roll WHERE vote = {}"


def voting_weights(vote: VoteInfo, constitution: Constitution) -> dict[str, int]:
    """The member classes that may vote in this vote, with each one's weight: the constitution's voting
    classes, restricted to the vote's own classes if it names any."""
    return {
        mc.key: mc.vote_weight
        for mc in constitution.member_classes
        if mc.can_vote and (not vote.eligible_classes or mc.key in vote.eligible_classes)
    }


async def write_roll(vote: VoteInfo, constitution: Constitution, today: date) -> int:
    """Inside the opening's transaction: freeze the electorate as of `today` into `vote_roll` with one
    `INSERT … SELECT` (the vote and weights, whole numbers from the vote and the constitution, are written
    into the statement; class names and the date are parameters). Returns how many are on the roll, by
    one aggregate over the roll's (vote, member) index."""
    if vote.purpose == "board_decision":
        await VoteRoll.raw(_ROLL_OF_DIRECTORS.format(vote=int(vote.id)), vote.organisation_id, today)
    elif weights := voting_weights(vote, constitution):
        sql = _ROLL_OF_CLASSES.format(
            vote=int(vote.id),
            weights=" ".join(f"WHEN {{}} THEN {int(w)}" for w in weights.values()),
            classes=", ".join("{}" for _ in weights),
        )
        await VoteRoll.raw(sql, *weights, vote.organisation_id, today, *weights)
    rows = await VoteRoll.raw(_ROLL_SIZE, vote.id)
    return int(rows[0]["n"])


@dataclass(frozen=True, slots=True)
class VoterStatus:
    on_roll: bool
    voted: bool
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Turnout:
    electorate: int
    voted: int
    ballots: int
    by_channel: dict[str, int] = field(default_factory=dict)

    @property
    def counts_match(self) -> bool:
        return self.voted == self.ballots


# One statement for everything the vote's page counts: the roll's size (stored on the vote when it opened,
# never counted again: coop/votes/lifecycle.py open_vote), aggregates over the ballots and the
# participations (by channel), and the member's own place on the roll and participation, by key. Channel
# names are never "roll", "ballots", "sealed", "me_roll" or "me_voted". Ballots are sealed while the vote is
# open (coop/votes/sealed_store.py) and readable after it closes: the ballots are both together.
_FIGURES = (
    "SELECT 'roll' AS what, COALESCE(electorate, 0) AS n, NULL AS channel FROM vote WHERE id = {} "
    "UNION ALL SELECT 'ballots', COUNT(*), NULL FROM vote_ballot WHERE vote = {} "
    "UNION ALL SELECT 'sealed', COUNT(*), NULL FROM vote_sealed_ballot WHERE vote = {} "
    "UNION ALL SELECT channel, COUNT(*), channel FROM vote_participation WHERE vote = {} GROUP BY channel "
    "UNION ALL SELECT 'me_roll', COUNT(*), NULL FROM vote_roll WHERE vote = {} AND member = {} "
    "UNION ALL SELECT 'me_voted', COUNT(*), MAX(channel) FROM vote_participation "
    "WHERE vote = {} AND member = {}"
)
_MINE = ("me_roll", "me_voted")


async def vote_figures(vote_id: int, member_id: int) -> tuple[VoterStatus, Turnout]:
    """The member's own status and the vote's turnout, in one query whatever the size of the roll."""
    rows = await VoteRoll.raw(
        _FIGURES, vote_id, vote_id, vote_id, vote_id, vote_id, member_id, vote_id, member_id
    )
    counts = {str(r["what"]): int(r["n"]) for r in rows if r["what"] not in _MINE}
    mine = {str(r["what"]): r for r in rows if r["what"] in _MINE}
    by_channel = {k: n for k, n in counts.items() if k not in ("roll", "ballots", "sealed") and n}
    voted = int(mine["me_voted"]["n"]) > 0
    status = VoterStatus(
        on_roll=int(mine["me_roll"]["n"]) > 0,
        voted=voted,
        channel=str(mine["me_voted"]["channel"]) if voted else None,
    )
    figures = Turnout(
        electorate=counts["roll"],
        voted=sum(by_channel.values()),
        ballots=counts["ballots"] + counts["sealed"],
        by_channel=by_channel,
    )
    return status, figures


async def voter_status(vote_id: int, member_id: int) -> VoterStatus:
    return (await vote_figures(vote_id, member_id))[0]


async def turnout(vote_id: int) -> Turnout:
    """Turnout by aggregates: never the participation rows themselves."""
    return (await vote_figures(vote_id, 0))[1]


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


async def member_by_public_id(organisation_id: int, public_id: str) -> int | None:
    """The id of this organisation's member with this public id (as a form sends it), or None."""
    try:
        wanted = UUID(public_id)
    except ValueError:
        return None
    row = (
        await Member.select(Member.id)
        .where((Member.public_id == wanted) & (Member.organisation == organisation_id))
        .first()
    )
    return int(row["id"]) if row is not None else None


async def proxy_appointers(vote: VoteInfo, proxy_member_id: int) -> list[dict[str, Any]]:
    """Members on this vote's roll who have appointed `proxy_member_id` their standing proxy (membership's
    ProxyAppointment, not revoked), when the constitution allows proxies, each with whether they have
    voted. In a vote opened at a meeting (an agenda item's), only the proxies recorded there vote, as the
    roll names them: a member there in person votes for themselves. Reads the roll by key, never whole;
    the constitution only when someone has appointed this member."""
    rows = await ProxyAppointment.raw(_APPOINTERS, vote.id, vote.id, proxy_member_id, vote.organisation_id)
    if not rows or not (await constitution_of(vote.organisation_id)).proxies.allowed:
        return []
    return [
        {
            "member_id": int(r["member_id"]),
            "public_id": str(r["public_id"]),
            "name": r["name"],
            "voted": bool(r["voted"]),
        }
        for r in rows
    ]


_APPOINTERS = (
    "SELECT DISTINCT m.id AS member_id, m.public_id AS public_id, m.name AS name, "
    "EXISTS (SELECT 1 FROM vote_participation p WHERE p.vote = {} AND p.member = m.id) AS voted "
    "FROM proxy_appointment a JOIN member m ON m.id = a.member "
    "JOIN vote_roll r ON r.vote = {} AND r.member = m.id "
    "WHERE a.proxy_member = {} AND a.organisation = {} AND a.revoked_at IS NULL "
    "AND (a.id = r.proxy_appointment OR (a.standing AND NOT EXISTS "
    "(SELECT 1 FROM agenda_item i WHERE i.vote = r.vote))) "
    "AND m.ceased_on IS NULL"
)


@dataclass(frozen=True, slots=True)
class VoteView:
    """What the vote's page shows the member beside the vote itself."""

    status: VoterStatus
    turnout: Turnout | None
    """None while the vote is a draft."""
    proxies: list[dict[str, Any]]
    """Members who appointed this member their proxy, while the vote takes ballots."""
    facts: list[dict[str, Any]]


async def vote_view(vote: VoteInfo, member_id: int, now: datetime) -> VoteView:
    """Everything the vote's page needs, in a number of queries that does not grow with the roll."""
    status, figures = await vote_figures(vote.id, member_id)
    proxies = await proxy_appointers(vote, member_id) if vote.accepting_at(now) else []
    return VoteView(status, figures if vote.status != "draft" else None, proxies, await vote_facts(vote))


_OPEN_FOR = (
    "SELECT v.id AS id, v.title AS title, v.closes_at AS closes_at, "
    "EXISTS (SELECT 1 FROM vote_participation p WHERE p.vote = v.id AND p.member = r.member) AS voted "
    "FROM vote v JOIN vote_roll r ON r.vote = v.id AND r.member = {} "
    "WHERE v.organisation = {} AND v.status = 'open' AND v.closes_at > {} "
    "AND (v.opens_at IS NULL OR v.opens_at <= {}) ORDER BY v.closes_at, v.id LIMIT {}"
)


async def open_votes_for(
    organisation_id: int, member_id: int, now: datetime, limit: int = 50
) -> list[dict[str, Any]]:
    """Votes taking ballots now with this member on the roll, soonest to close first, and whether they
    have voted: one query, by the member's key on each roll."""
    rows = await VoteRoll.raw(_OPEN_FOR, member_id, organisation_id, now, now, limit)
    return [
        {"id": int(r["id"]), "title": r["title"], "closes_at": r["closes_at"], "voted": bool(r["voted"])}
        for r in rows
    ]
