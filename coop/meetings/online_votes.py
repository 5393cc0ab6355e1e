"""Putting a meeting item's resolution to an online vote of the people there, through the votes engine
(coop/votes: the same creation, opening, sealed ballots, closing and count), and recording the result
as the item's decision when the vote closes.

Who may vote is frozen when the vote opens: the members recorded present (in the room or online) and the
members represented there by a proxy (the proxy votes for them, with their weight, within the
constitution's limit on proxies held), but at a board meeting only the directors present without a
declared interest in the item. The threshold is the item's: ordinary, special or a board decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from coop.audit.guarded import guarded_change, guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.boards.service import current_directors
from coop.db import write_transaction
from coop.meetings.attendance import quorum_now
from coop.meetings.decisions import KIND
from coop.meetings.interests import declarations
from coop.meetings.service import MeetingError, MeetingInfo, meeting_by_id
from coop.meetings.tables import AgendaItem, Attendance
from coop.organisations.service import OrgContext, constitution_of
from coop.resolutions.meeting_amendments import adopt_meeting_amendment
from coop.template_filters import date_time
from coop.votes.bulletin import BoardEntry
from coop.votes.lifecycle import NewVote, create_vote, open_vote
from coop.votes.records import VoteStateError
from governance.constitution import Constitution
from governance.quorum import QuorumOutcome
from governance.resolutions import ResolutionFacts, resolution_outcome
from governance.show_of_hands import Hands

PURPOSES = {"ordinary": "ordinary_resolution", "special": "special_resolution", "board": "board_decision"}
KINDS = KIND
MINUTES = (5, 10, 15, 20, 30, 45, 60)
"""How long the vote stays open, in minutes: the time a meeting gives people to vote on their phones."""


@dataclass(frozen=True, slots=True)
class MeetingElectorate:
    """Who may vote on an item, frozen when its vote opens."""

    roll: list[tuple[int, int]]
    """(member id, weight) of everyone who may vote."""
    proxies: dict[int, int]
    """Member id -> the proxy appointment that votes for them here."""
    in_person: int
    by_proxy: int
    over_limit: int
    """Members represented by a proxy who already holds the constitution's most."""


def _proxy_holder(row: dict[str, Any]) -> str:
    """Who holds a proxy: the member appointed (by entry), else the name as recorded."""
    if row["proxy_member"] is not None:
        return f"member:{row['proxy_member']}"
    return "name:" + " ".join(str(row["proxy_name"]).split()).casefold()


async def meeting_electorate(
    constitution: Constitution, meeting: MeetingInfo, conflicted: set[int]
) -> MeetingElectorate:
    """Everyone here now who may vote on an item, in order of arrival. One query for the attendance (a
    meeting's attendance is bounded by who can be in a room or a call) and one for the board."""
    rows = await (
        Attendance.select(
            Attendance.member,
            Attendance.mode,
            Attendance.proxy_name,
            Attendance.proxy_appointment,
            Attendance.proxy_appointment.proxy_member.as_alias("proxy_member"),
            Attendance.member.member_class.as_alias("cls"),
        )
        .where((Attendance.meeting == meeting.id) & Attendance.left_at.is_null())
        .order_by(Attendance.id)
    )
    if meeting.is_board:
        directors = {int(d["member"]) for d in await current_directors(meeting.organisation_id)}
        hands = [(int(r["member"]), 1) for r in rows if int(r["member"]) in directors - conflicted]
        return MeetingElectorate(hands, {}, len(hands), 0, 0)
    roll: list[tuple[int, int]] = []
    proxies: dict[int, int] = {}
    held: dict[str, int] = {}
    in_person = by_proxy = over = 0
    limit = constitution.proxies.max_held
    for r in rows:
        found = constitution.member_class(r["cls"])
        if found is None or not found.can_vote:
            continue
        if r["mode"] == "proxy":
            if r["proxy_appointment"] is None or not constitution.proxies.allowed:
                continue  # recorded before proxies were checked against appointments: not a vote
            holder = _proxy_holder(r)
            if limit is not None and held.get(holder, 0) >= limit:
                over += 1
                continue
            held[holder] = held.get(holder, 0) + 1
            proxies[int(r["member"])] = int(r["proxy_appointment"])
            by_proxy += 1
        else:
            in_person += 1
        roll.append((int(r["member"]), found.vote_weight))
    return MeetingElectorate(roll, proxies, in_person, by_proxy, over)


def _check_can_open(meeting: MeetingInfo, item: dict[str, Any], minutes: int | None) -> int:
    if meeting.status != "open":
        raise MeetingError({"minutes": "An online vote is opened while the meeting is under way"})
    if not item["resolution_kind"] or item["result"]:
        raise MeetingError({"minutes": "This item has no resolution waiting for a vote"})
    if item["vote"] is not None:
        raise MeetingError({"minutes": "This item has been put to an online vote already"})
    if minutes not in MINUTES:
        raise MeetingError({"minutes": "Choose how long the vote stays open"})
    return minutes


async def open_item_vote(
    org: OrgContext,
    meeting: MeetingInfo,
    item: dict[str, Any],
    minutes: int | None,
    now: datetime,
    actor: Actor,
) -> int:
    """Put the item's resolution to an online vote of those here, open for `minutes`. Returns the vote's
    id. Refused (nothing written) when the item is not quorate or nobody here may vote."""
    length = _check_can_open(meeting, item, minutes)
    constitution = await constitution_of(org.organisation_id)
    conflicted = {int(d["member"]) for d in (await declarations([item["id"]])).get(item["id"], [])}
    quorum = await quorum_now(constitution, meeting, conflicted)
    if not quorum.met:
        raise MeetingError(
            {"minutes": f"The meeting is not quorate for this item, so cannot decide it. {quorum.message}"}
        )
    electorate = await meeting_electorate(constitution, meeting, conflicted)
    if not electorate.roll:
        raise MeetingError({"minutes": "Nobody here may vote on this item"})
    new = NewVote(
        title=f"{meeting.title}: {item['title']}"[:200],
        question=item["resolution_text"],
        kind="motion",
        purpose=PURPOSES[item["resolution_kind"]],
        closes_at=now + timedelta(minutes=length),
        easy_read=item["paper_easy_read"],
    )
    try:
        # One transaction: the draft, the item's link to it and the opening land together or not at all.
        async with write_transaction():
            vote_id = await create_vote(org.organisation_id, new, actor=actor)
            await _link(item, vote_id, quorum.message)
            await open_vote(
                org.organisation_id,
                vote_id,
                now=now,
                actor=actor,
                electorate=electorate.roll,
                proxies=electorate.proxies,
            )
            detail = {
                "item": item["title"],
                "vote": vote_id,
                "in_person": electorate.in_person,
                "by_proxy": electorate.by_proxy,
                "left_out_conflicted": len(conflicted),
                "closes_at": new.closes_at.isoformat(),
            }
            entry = AuditEntry(
                "meeting.vote_opened", org.organisation_id, "meeting", meeting.public_id, detail=detail
            )
            await record(entry, actor)
    except VoteStateError as exc:
        raise MeetingError({"minutes": exc.message}) from exc
    return vote_id


async def _link(item: dict[str, Any], vote_id: int, quorum_note: str) -> None:
    """The item's link to its vote, only if it has none and is undecided (of two secretaries, one wins)."""
    linked = await guarded_change(  # audited with the vote it opens, by the caller
        AgendaItem,
        {AgendaItem.vote: vote_id, AgendaItem.quorum_note: quorum_note},
        (AgendaItem.id == item["id"]) & AgendaItem.vote.is_null() & (AgendaItem.result == ""),
        returning=[AgendaItem.id],
    )
    if not linked:
        raise MeetingError({"minutes": "This item has been decided or put to a vote already"})


def _figures(entries: list[BoardEntry]) -> Hands:
    totals = {"for": 0, "against": 0, "abstain": 0}
    for entry in entries:
        totals[entry.choice] = totals.get(entry.choice, 0) + entry.weight
    return Hands(totals["for"], totals["against"], totals["abstain"])


async def record_online_result(
    organisation_id: int,
    vote_id: int,
    entries: list[BoardEntry],
    result: dict[str, Any],
    now: datetime,
    actor: Actor,
) -> str | None:
    """Inside the transaction that closes vote `vote_id`: if it was a meeting item's vote, record its
    figures and outcome as the item's decision, as a show of hands would be. Returns "passed" or
    "failed", or None when the vote was not a meeting's (or the item is decided already)."""
    item = await (
        AgendaItem.select(
            AgendaItem.id,
            AgendaItem.title,
            AgendaItem.resolution_kind,
            AgendaItem.quorum_note,
            AgendaItem.meeting.as_alias("meeting_id"),
            AgendaItem.meeting.public_id.as_alias("meeting_public_id"),
        )
        .where((AgendaItem.vote == vote_id) & (AgendaItem.result == ""))
        .first()
    )
    if item is None or item["resolution_kind"] not in KINDS:
        return None
    hands = _figures(entries)
    verdict, reasons = _decide(await constitution_of(organisation_id), item, hands, result, now)
    if not await _write_decision(organisation_id, vote_id, item, hands, verdict, reasons, now, actor):
        return None
    # A change to the constitution attached to the item is adopted with the result, as by a show of hands.
    if verdict == "passed":
        held = await meeting_by_id(organisation_id, int(item["meeting_id"]))
        if held is not None:
            await adopt_meeting_amendment(organisation_id, held, item, actor)
    return verdict


async def _write_decision(
    organisation_id: int,
    vote_id: int,
    item: dict[str, Any],
    hands: Hands,
    verdict: str,
    reasons: list[str],
    now: datetime,
    actor: Actor,
) -> bool:
    """The item's figures and outcome, once (an item already decided is left alone), and the audit entry."""
    detail = {
        "item": item["title"],
        "kind": item["resolution_kind"],
        "for": hands.votes_for,
        "against": hands.votes_against,
        "abstentions": hands.abstentions,
        "online_vote": vote_id,
        "result": verdict,
    }
    meeting = str(item["meeting_public_id"])
    changed = await guarded_update(
        AgendaItem,
        {
            AgendaItem.votes_for: hands.votes_for,
            AgendaItem.votes_against: hands.votes_against,
            AgendaItem.abstentions: hands.abstentions,
            AgendaItem.result: verdict,
            AgendaItem.result_reasons: "\n".join(reasons),
            AgendaItem.decided_at: now,
        },
        (AgendaItem.id == item["id"]) & (AgendaItem.result == ""),
        returning=[AgendaItem.id],
        audit=lambda _: AuditEntry(
            "meeting.resolution_recorded", organisation_id, "meeting", meeting, detail=detail
        ),
        actor=actor,
    )
    return bool(changed)


def _decide(
    constitution: Constitution, item: dict[str, Any], hands: Hands, result: dict[str, Any], now: datetime
) -> tuple[str, list[str]]:
    """The item's outcome from the online figures, by the item's threshold (governance/resolutions.py),
    and the reasons. The meeting was quorate for the item when the vote opened (checked then; its words
    are kept); if too few of those present voted for the vote's own quorum, the resolution fails."""
    quorum = QuorumOutcome(met=True, needed=0, present=0, message=item["quorum_note"])
    facts = ResolutionFacts(KINDS[item["resolution_kind"]], hands.as_votes(), quorum=quorum)
    outcome = resolution_outcome(constitution, facts)
    passed = outcome.passed
    reasons = [f"Decided by an online vote of those present, closed on {date_time(now)}.", *outcome.reasons]
    turnout = result.get("quorum", {})
    if not turnout.get("met", True):
        passed = False
        reasons.append(f"Too few of those present voted: {turnout.get('message', '')}")
    return ("passed" if passed else "failed"), reasons
