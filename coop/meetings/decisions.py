"""Resolutions at meetings: the secretary enters the show of hands for an item's resolution, and the
outcome is decided by governance/resolutions.py with the right threshold (ordinary, special or a board
decision), the quorum for that item without conflicted directors, and the chair's casting vote only where
the constitution gives one. Also the register of resolutions across meetings."""

from __future__ import annotations

from typing import Any

from coop.audit.guarded import guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now
from coop.db import write_transaction
from coop.meetings.attendance import present, quorum_now
from coop.meetings.interests import declarations
from coop.meetings.service import BOARD_ROLES, MeetingError, MeetingInfo
from coop.meetings.tables import AgendaItem, Meeting
from coop.organisations.service import OrgContext, constitution_of
from coop.pagination import KeysetPage, keyset_page
from coop.public_ids import parse_public_id
from coop.resolutions.meeting_amendments import adopt_meeting_amendment
from governance.resolutions import Choice, ResolutionFacts, ResolutionKind, resolution_outcome
from governance.show_of_hands import Hands, casting_vote_violations, hands_violations

KIND = {"ordinary": ResolutionKind.ORDINARY, "special": ResolutionKind.SPECIAL, "board": ResolutionKind.BOARD}
CASTING = {"": None, "for": Choice.FOR, "against": Choice.AGAINST}


def _check_waiting(meeting: MeetingInfo, item: dict[str, Any], casting: str) -> None:
    if meeting.status != "open":
        raise MeetingError({"votes_for": "Votes are taken while the meeting is under way"})
    if not item["resolution_kind"] or item["result"]:
        raise MeetingError({"votes_for": "This item has no resolution waiting for a vote"})
    if item.get("vote") is not None:
        raise MeetingError({"votes_for": "This item is being decided by an online vote of those present"})
    if casting not in CASTING:
        raise MeetingError({"casting_vote": "Choose the chair's casting vote, or none"})


async def _write_result(
    org: OrgContext,
    meeting: MeetingInfo,
    item: dict[str, Any],
    hands: Hands,
    casting: str,
    result: str,
    reasons: tuple[str, ...],
    quorum_note: str,
    actor: Actor,
) -> bool:
    """The item's result and its audit entry, once: a second recording of the same item changes nothing
    (and returns False)."""
    rows = await guarded_update(
        AgendaItem,
        {
            AgendaItem.votes_for: hands.votes_for,
            AgendaItem.votes_against: hands.votes_against,
            AgendaItem.abstentions: hands.abstentions,
            AgendaItem.casting_vote: casting,
            AgendaItem.result: result,
            AgendaItem.result_reasons: "\n".join(reasons),
            AgendaItem.quorum_note: quorum_note,
            AgendaItem.decided_at: now(),
        },
        (AgendaItem.id == item["id"]) & (AgendaItem.result == ""),
        returning=[AgendaItem.id],
        audit=lambda _: AuditEntry(
            "meeting.resolution_recorded",
            org.organisation_id,
            "meeting",
            meeting.public_id,
            detail={
                "item": item["title"],
                "kind": item["resolution_kind"],
                "for": hands.votes_for,
                "against": hands.votes_against,
                "abstentions": hands.abstentions,
                "casting_vote": casting,
                "result": result,
            },
        ),
        actor=actor,
    )
    return bool(rows)


async def record_resolution(
    org: OrgContext, meeting: MeetingInfo, item: dict[str, Any], hands: Hands, casting: str, actor: Actor
) -> str:
    """Decide the item's resolution from the hands counted and write the result. Returns "passed" or
    "failed". Refused (nothing written) when the item is not quorate, the counts are impossible, or a
    casting vote is not allowed."""
    _check_waiting(meeting, item, casting)
    constitution = await constitution_of(org.organisation_id)
    conflicted = {int(d["member"]) for d in (await declarations([item["id"]])).get(item["id"], [])}
    quorum = await quorum_now(constitution, meeting, conflicted)
    if not quorum.met:
        raise MeetingError(
            {"votes_for": f"The meeting is not quorate for this item, so cannot decide it. {quorum.message}"}
        )
    able = len({int(r["member"]) for r in await present(meeting)} - conflicted)
    problems = hands_violations(hands, able, len(conflicted))
    if problems:
        raise MeetingError({"votes_for": problems[0].message})
    chair_conflicted = meeting.chair_id in conflicted
    if casting:
        refused = casting_vote_violations(
            constitution, board_meeting=meeting.is_board, hands=hands, chair_conflicted=chair_conflicted
        )
        if refused:
            raise MeetingError({"casting_vote": refused[0].message})
    facts = ResolutionFacts(
        KIND[item["resolution_kind"]],
        hands.as_votes(),
        quorum=quorum,
        chair_casting_vote=CASTING[casting],
        chair_may_vote_on_item=not chair_conflicted,
    )
    outcome = resolution_outcome(constitution, facts)
    result = "passed" if outcome.passed else "failed"
    # A change to the constitution attached to the item is adopted with the result, or neither is written.
    async with write_transaction():
        written = await _write_result(
            org, meeting, item, hands, casting, result, outcome.reasons, quorum.message, actor
        )
        if written and result == "passed":
            await adopt_meeting_amendment(org.organisation_id, meeting, item, actor)
    return result


def register_where(org: OrgContext) -> Any:
    """Which resolutions decided at meetings this person may see in the register (the page's rule, and the
    API's): board decisions only for the board and the secretary."""
    where = (AgendaItem.meeting.organisation == org.organisation_id) & (AgendaItem.result != "")
    if not org.has_any(*BOARD_ROLES):
        where &= AgendaItem.meeting.kind != "board"
    return where


REGISTER_COLUMNS = (
    AgendaItem.id,
    AgendaItem.public_id,
    AgendaItem.title,
    AgendaItem.resolution_kind,
    AgendaItem.resolution_text,
    AgendaItem.votes_for,
    AgendaItem.votes_against,
    AgendaItem.abstentions,
    AgendaItem.casting_vote,
    AgendaItem.result,
    AgendaItem.decided_at,
    AgendaItem.meeting.title.as_alias("meeting_title"),
    AgendaItem.meeting.public_id.as_alias("meeting_public_id"),
)


async def resolutions_page(org: OrgContext, *, after: str = "", before: str = "") -> KeysetPage:
    """The register of resolutions: every resolution decided at a meeting, oldest first, a page at a time.
    Board decisions only for the board and the secretary."""
    where = register_where(org)
    return await keyset_page(
        lambda: AgendaItem.select(*REGISTER_COLUMNS).where(where),
        (AgendaItem.id,),
        total=await AgendaItem.count().where(where),
        after=after,
        before=before,
        per_page=50,
    )


async def decided_resolution(org: OrgContext, public_id: str) -> dict[str, Any] | None:
    """One entry of the register by its agenda item's public id (None if this person may not see it)."""
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    row: dict[str, Any] | None = await (
        AgendaItem.select(*REGISTER_COLUMNS)
        .where(register_where(org) & (AgendaItem.public_id == uid))
        .first()
    )
    return row


async def set_current_item(
    org: OrgContext, meeting: MeetingInfo, item: dict[str, Any] | None, actor: Actor
) -> None:
    """Move the live page to an item (or to none, between items)."""
    if meeting.status == "closed":
        raise MeetingError({"item": "The meeting has closed"})
    async with write_transaction():
        await Meeting.update({Meeting.current_item: item["id"] if item else None}).where(
            Meeting.id == meeting.id
        )
        await record(
            AuditEntry(
                "meeting.item_taken",
                org.organisation_id,
                "meeting",
                meeting.public_id,
                detail={"item": item["title"] if item else ""},
            ),
            actor,
        )
