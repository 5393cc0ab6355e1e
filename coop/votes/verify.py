"""Verifying a closed vote from its bulletin board: the digest, ballots = voters, and a full recount.

Checks, each reported in words:
1. the board's SHA-256 digest, recomputed from the stored ballots, equals the digest published at close
   (stored on the vote) and the one written to the organisation's hash-chained audit log;
2. the number of ballots equals the number of members recorded as having voted, and their weights agree
   with the frozen roll (so a ballot added or removed without a voter shows up);
3. every ballot is well formed for the vote;
4. counting the board again, with the seed drawn at close, gives exactly the published count sheet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from coop.audit.tables import AuditEvent
from coop.organisations.service import constitution_of
from coop.organisations.tables import Organisation
from coop.votes import ballots as choices
from coop.votes.board import board_entries
from coop.votes.bulletin import board_digest
from coop.votes.records import get_vote
from coop.votes.tables import VoteParticipation, VoteRoll
from coop.votes.tally import count_vote


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    message: str


@dataclass(slots=True)
class Verification:
    vote_id: int
    title: str = ""
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, message: str) -> None:
        self.checks.append(Check(name, ok, message))


async def verify_vote(org_slug: str, vote_id: int) -> Verification:
    report = Verification(vote_id)
    org = await Organisation.select(Organisation.id).where(Organisation.slug == org_slug).first()
    vote = await get_vote(int(org["id"]), vote_id) if org else None
    if vote is None:
        report.add("vote", False, f"There is no vote {vote_id} in organisation {org_slug!r}.")
        return report
    report.title = vote.title
    if vote.status != "closed" or vote.result is None:
        report.add("vote", False, "The vote has not closed yet, so there is no board to verify.")
        return report

    entries = await board_entries(vote.id)
    digest = board_digest(vote.id, entries)
    report.add(
        "digest",
        digest == vote.board_digest,
        f"Board digest {digest} {'matches' if digest == vote.board_digest else 'does NOT match'} "
        f"the published digest {vote.board_digest}.",
    )
    closed_events = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.organisation == vote.organisation_id)
        & (AuditEvent.action == "vote.closed")
        & (AuditEvent.target_id == str(vote.id))
    )
    logged = [json.loads(e["detail"]).get("board_digest") for e in closed_events]
    report.add(
        "audit",
        logged == [digest],
        "The audit log records the same digest at close."
        if logged == [digest]
        else f"The audit log's digest at close ({', '.join(map(str, logged)) or 'none'}) differs.",
    )

    participants = await VoteParticipation.select(VoteParticipation.member).where(
        VoteParticipation.vote == vote.id
    )
    roll = {
        int(r["member"]): int(r["weight"])
        for r in await VoteRoll.select(VoteRoll.member, VoteRoll.weight).where(VoteRoll.vote == vote.id)
    }
    voters = [int(p["member"]) for p in participants]
    off_roll = [m for m in voters if m not in roll]
    weight_voted = sum(roll.get(m, 0) for m in voters)
    weight_cast = sum(e.weight for e in entries)
    counts_ok = len(entries) == len(voters) and weight_cast == weight_voted and not off_roll
    report.add(
        "counts",
        counts_ok,
        f"{len(entries)} ballots (weight {weight_cast}) and {len(voters)} voters (weight {weight_voted})"
        + (" match." if counts_ok else " do NOT match.")
        + (f" {len(off_roll)} voters are not on the roll." if off_roll else ""),
    )
    bad = [e.tracker for e in entries if not choices.valid_encoding(vote.kind, vote.options, e.choice)]
    report.add(
        "ballots",
        not bad,
        "Every ballot is well formed."
        if not bad
        else f"{len(bad)} ballots are not valid for this vote: {', '.join(bad[:5])}.",
    )

    if bad:
        report.add("recount", False, "The board cannot be recounted while it holds invalid ballots.")
        return report
    published = vote.result
    constitution = await constitution_of(vote.organisation_id)
    classes = await VoteParticipation.select(
        VoteParticipation.member, VoteParticipation.member.member_class.as_alias("member_class")
    ).where(VoteParticipation.vote == vote.id)
    recount = count_vote(
        kind=vote.kind,
        purpose=vote.purpose,
        title=vote.title,
        options=vote.options,
        seats=vote.seats,
        entries=entries,
        constitution=constitution,
        electorate=len(roll),
        participants=[(str(c["member"]), c["member_class"]) for c in classes],
        by_channel=published["turnout"]["by_channel"],
        seed=int(published["seed"]),
    )
    same = recount["sheet"] == published["sheet"] and recount["outcome"] == published["outcome"]
    report.add(
        "recount",
        same,
        f"Recount: {recount['outcome']} "
        + (
            "This matches the published result."
            if same
            else f"The published result says: {published['outcome']}"
        ),
    )
    return report
