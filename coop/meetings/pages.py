"""What each meeting page shows, gathered in one call per page so controllers only speak HTTP. Each page
issues a fixed number of queries whatever the size of the membership: lists are paged or bounded."""

from __future__ import annotations

from typing import Any

from coop import clock
from coop.meetings import attendance, minutes, notices
from coop.meetings.attendance import MODES, quorum_now
from coop.meetings.decisions import resolutions_page
from coop.meetings.interests import declarations, interests_page, standing_interests
from coop.meetings.online_votes import MINUTES
from coop.meetings.pack import part_labels
from coop.meetings.service import (
    KINDS,
    RESOLUTION_KINDS,
    MeetingInfo,
    agenda,
    directors_for_forms,
    is_manager,
    meetings_page,
)
from coop.organisations.service import OrgContext, constitution_of
from coop.votes.records import get_vote
from coop.votes.roll import vote_figures


def _position(query: Any) -> dict[str, str]:
    return {"after": str(query.get("after", ""))[:200], "before": str(query.get("before", ""))[:200]}


async def list_context(org: OrgContext, query: Any) -> dict[str, Any]:
    page = await meetings_page(org, **_position(query), last=query.get("page") == "last")
    return {"page": page, "kinds": KINDS, "manager": is_manager(org)}


async def new_meeting_context(org: OrgContext) -> dict[str, Any]:
    constitution = await constitution_of(org.organisation_id)
    return {
        "kinds": KINDS,
        "classes": [(c.key, c.name) for c in constitution.member_classes],
        "chairs": [
            {"public_id": str(d["public_id"]), "name": d["name"]} for d in await directors_for_forms(org)
        ],
    }


async def meeting_context(org: OrgContext, meeting: MeetingInfo) -> dict[str, Any]:
    constitution = await constitution_of(org.organisation_id)
    items = await agenda(meeting)
    declared = await declarations([int(i["id"]) for i in items])
    return {
        "meeting": meeting,
        "items": items,
        "declared": declared,
        "manager": is_manager(org),
        "notice": notices.notice_state(constitution, meeting),
        "timing": notices.timing(constitution, meeting),
        "resolution_kinds": {
            k: v for k, v in RESOLUTION_KINDS.items() if (k == "board") == meeting.is_board or k == ""
        },
        "class_name": constitution.class_plural(meeting.member_class) if meeting.member_class else "",
        "may_read_minutes": minutes.may_read_minutes(org, meeting),
        "pack_parts": part_labels(items),
    }


async def live_context(org: OrgContext, meeting: MeetingInfo) -> dict[str, Any]:
    """The live page: the current item, who is here, the quorum now and for the current item, results."""
    constitution = await constitution_of(org.organisation_id)
    items = await agenda(meeting)
    declared = await declarations([int(i["id"]) for i in items])
    current = next((i for i in items if i["id"] == meeting.current_item), None)
    conflicted = {int(d["member"]) for d in declared.get(int(current["id"]), [])} if current else set()
    here = await attendance.present(meeting)
    return {
        "meeting": meeting,
        "items": items,
        "current": current,
        "declared": declared,
        "present_count": len(here),
        "quorum": await quorum_now(constitution, meeting),
        "item_quorum": await quorum_now(constitution, meeting, conflicted) if current else None,
        "manager": is_manager(org),
        "online": await online_vote_state(org, current),
        "standing": await standing_interests(org.organisation_id, {int(r["member"]) for r in here})
        if meeting.is_board
        else {},
    }


async def attendance_context(org: OrgContext, meeting: MeetingInfo, query: Any) -> dict[str, Any]:
    search = str(query.get("q", ""))[:100]
    constitution = await constitution_of(org.organisation_id)
    return {
        "meeting": meeting,
        "search": search,
        "found": await attendance.who_may_attend(meeting, search),
        "page": await attendance.attendance_page(meeting, **_position(query)),
        "quorum": await quorum_now(constitution, meeting),
        "modes": {k: v for k, v in MODES.items() if k != "proxy" or not meeting.is_board},
    }


async def item_context(org: OrgContext, meeting: MeetingInfo, item: dict[str, Any]) -> dict[str, Any]:
    constitution = await constitution_of(org.organisation_id)
    declared = (await declarations([int(item["id"])])).get(int(item["id"]), [])
    conflicted = {int(d["member"]) for d in declared}
    board = meeting.is_board
    return {
        "meeting": meeting,
        "item": item,
        "declared": declared,
        "manager": is_manager(org),
        "directors": await directors_for_forms(org) if board and is_manager(org) else [],
        "quorum": await quorum_now(constitution, meeting, conflicted) if meeting.status == "open" else None,
        "casting_allowed": board and constitution.board.chair_casting_vote,
        "online": await online_vote_state(org, item),
        "vote_minutes": MINUTES,
    }


async def online_vote_state(org: OrgContext, item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The item's online vote, if it was put to one: the vote, how many have voted of how many may, and
    whether this person may vote (or has). Two queries, whatever the size of the roll."""
    if item is None or item.get("vote") is None:
        return None
    vote = await get_vote(org.organisation_id, int(item["vote"]))
    if vote is None:
        return None
    status, figures = await vote_figures(vote.id, org.member_id)
    return {"vote": vote, "me": status, "turnout": figures, "open": vote.accepting_at(clock.now())}


async def minutes_context(org: OrgContext, meeting: MeetingInfo) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "manager": is_manager(org),
        "is_chair": meeting.chair_id is not None and meeting.chair_id == org.member_id,
        "approving": await minutes.approving_meetings(org, meeting)
        if meeting.minutes_state == "draft"
        else [],
        "may_read": minutes.may_read_minutes(org, meeting),
    }


async def resolutions_context(org: OrgContext, query: Any) -> dict[str, Any]:
    return {"page": await resolutions_page(org, **_position(query)), "kinds": RESOLUTION_KINDS}


async def interests_context(org: OrgContext, query: Any) -> dict[str, Any]:
    return {
        "page": await interests_page(org, **_position(query)),
        "directors": await directors_for_forms(org),
        "manager": is_manager(org),
    }
