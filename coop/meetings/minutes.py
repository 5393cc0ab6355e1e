"""Minutes: drafted from what was recorded (who took part and how, declarations of interest, each decision
with its figures), edited by the secretary, approved at a later meeting of the same body, then signed by
the chair, after which they are locked. Every step is in the audit log. Kept at least ten years (CA06
s.248 for board minutes, s.355 for general meetings)."""

from __future__ import annotations

from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.clock import now
from coop.db import write_transaction
from coop.meetings.interests import declarations
from coop.meetings.service import (
    MeetingError,
    MeetingInfo,
    agenda,
    is_manager,
    meeting_in_org,
)
from coop.meetings.tables import Attendance, Meeting
from coop.organisations.service import OrgContext
from coop.template_filters import date_time

MINUTES_LIMIT = 100_000
ATTENDANCE_IN_MINUTES = 500
"""Beyond this many people the minutes give the count and point to the attendance record."""
_MODE_WORDS = {"room": "in the room", "online": "online", "proxy": "by proxy"}


async def _attendance_lines(meeting: MeetingInfo) -> list[str]:
    rows = await (
        Attendance.select(Attendance.mode, Attendance.proxy_name, Attendance.member.name.as_alias("name"))
        .where(Attendance.meeting == meeting.id)
        .order_by(Attendance.id)
        .limit(ATTENDANCE_IN_MINUTES + 1)
    )
    seen: dict[str, str] = {}
    for r in rows[:ATTENDANCE_IN_MINUTES]:
        how = _MODE_WORDS.get(r["mode"], r["mode"])
        if r["mode"] == "proxy":
            how = f"represented by {r['proxy_name']} as proxy"
        seen.setdefault(r["name"], how)
    lines = [f"- {name} ({how})" for name, how in seen.items()]
    if len(rows) > ATTENDANCE_IN_MINUTES:
        lines.append("- and others: see the attendance record")
    return lines


def _item_lines(item: dict[str, Any], declared: list[dict[str, Any]]) -> list[str]:
    lines = [f"\n{item['position']}. {item['title']}"]
    for d in declared:
        lines.append(
            f"   {d['name']} declared an interest ({d['nature']}) and took no part in the quorum or the vote."
        )
    if item["resolution_kind"]:
        lines.append(f"   Resolution: {item['resolution_text']}")
        if item["result"]:
            casting = f"; the chair's casting vote {item['casting_vote']}" if item["casting_vote"] else ""
            lines.append(
                f"   {'In an online vote of those present' if item.get('vote') else 'On a show of hands'}: "
                f"{item['votes_for']} for, {item['votes_against']} against, "
                f"{item['abstentions']} abstaining{casting}. The resolution {item['result'].upper()}."
            )
        else:
            lines.append("   No vote was taken.")
    return lines


async def draft_text(meeting: MeetingInfo) -> str:
    items = await agenda(meeting)
    declared = await declarations([int(i["id"]) for i in items])
    lines = [
        f"Minutes of the {meeting.kind_name.lower()}: {meeting.title}",
        f"Held on {date_time(meeting.starts_at)}, {meeting.place or 'online'}.",
    ]
    if meeting.chair_name:
        lines.append(f"Chair: {meeting.chair_name}.")
    lines.append("\nPresent:")
    lines.extend(await _attendance_lines(meeting) or ["- nobody was recorded as present"])
    for item in items:
        lines.extend(_item_lines(item, declared.get(int(item["id"]), [])))
    return "\n".join(lines) + "\n"


async def _audit(org: OrgContext, meeting: MeetingInfo, action: str, actor: Actor, **detail: Any) -> None:
    await record(AuditEntry(action, org.organisation_id, "meeting", meeting.public_id, detail=detail), actor)


async def draft_minutes(org: OrgContext, meeting: MeetingInfo, actor: Actor) -> None:
    """Write the first draft from the records, once the meeting has closed."""
    if meeting.status != "closed":
        raise MeetingError({"minutes": "Close the meeting before drafting its minutes"})
    if meeting.minutes_state:
        raise MeetingError({"minutes": "The minutes have been drafted already"})
    text = await draft_text(meeting)
    async with write_transaction():
        await Meeting.update({Meeting.minutes: text, Meeting.minutes_state: "draft"}).where(
            (Meeting.id == meeting.id) & (Meeting.minutes_state == "")
        )
        await _audit(org, meeting, "meeting.minutes_drafted", actor)


async def save_minutes(org: OrgContext, meeting: MeetingInfo, text: str, actor: Actor) -> None:
    if meeting.minutes_state != "draft":
        raise MeetingError({"minutes": "Only draft minutes can be changed: approved minutes are final"})
    if not text.strip():
        raise MeetingError({"minutes": "Enter the minutes"})
    if len(text) > MINUTES_LIMIT:
        raise MeetingError({"minutes": f"The minutes must be {MINUTES_LIMIT:,} characters or fewer"})
    async with write_transaction():
        await Meeting.update({Meeting.minutes: text}).where(
            (Meeting.id == meeting.id) & (Meeting.minutes_state == "draft")
        )
        await _audit(org, meeting, "meeting.minutes_edited", actor, length=len(text))


def _same_body(a: MeetingInfo, b: MeetingInfo) -> bool:
    return a.is_board == b.is_board


async def approving_meetings(org: OrgContext, meeting: MeetingInfo) -> list[dict[str, Any]]:
    """Later meetings of the same body that have been held or are under way (at most 10, soonest first)."""
    kind = Meeting.kind == "board" if meeting.is_board else Meeting.kind != "board"
    return await (
        Meeting.select(Meeting.public_id, Meeting.title, Meeting.starts_at)
        .where(
            (Meeting.organisation == org.organisation_id)
            & kind
            & (Meeting.starts_at > meeting.starts_at)
            & Meeting.status.is_in(["open", "closed"])
        )
        .order_by(Meeting.starts_at)
        .limit(10)
    )


async def approve_minutes(org: OrgContext, meeting: MeetingInfo, at_public_id: str, actor: Actor) -> None:
    """Record that a later meeting of the same body approved the minutes as a true record."""
    if meeting.minutes_state != "draft":
        raise MeetingError({"approved_at": "Only draft minutes can be approved"})
    later = await meeting_in_org(org, at_public_id)
    if (
        later is None
        or not _same_body(meeting, later)
        or later.starts_at <= meeting.starts_at
        or later.status not in ("open", "closed")
    ):
        raise MeetingError(
            {"approved_at": "Choose the later meeting, held or under way, that approved the minutes"}
        )
    async with write_transaction():
        await Meeting.update(
            {Meeting.minutes_state: "approved", Meeting.minutes_approved_at: later.id}
        ).where((Meeting.id == meeting.id) & (Meeting.minutes_state == "draft"))
        await _audit(org, meeting, "meeting.minutes_approved", actor, at=later.title)


async def sign_minutes(org: OrgContext, meeting: MeetingInfo, actor: Actor) -> None:
    """The chair signs the approved minutes; from then on nobody can change them."""
    if meeting.minutes_state != "approved":
        raise MeetingError({"sign": "The minutes must be approved at a later meeting before they are signed"})
    if meeting.chair_id is None or meeting.chair_id != org.member_id:
        raise MeetingError({"sign": "Only the chair of the meeting can sign its minutes"})
    async with write_transaction():
        await Meeting.update(
            {
                Meeting.minutes_state: "signed",
                Meeting.minutes_signed_by: org.member_id,
                Meeting.minutes_signed_at: now(),
            }
        ).where((Meeting.id == meeting.id) & (Meeting.minutes_state == "approved"))
        await _audit(org, meeting, "meeting.minutes_signed", actor, chair=org.member_name)


def may_read_minutes(org: OrgContext, meeting: MeetingInfo) -> bool:
    """Members read minutes once approved; the secretary sees the draft too."""
    return is_manager(org) or meeting.minutes_state in ("approved", "signed")
