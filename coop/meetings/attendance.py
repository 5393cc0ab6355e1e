"""Who is at a meeting, live: arrivals (in the room, online, or a member represented by proxy), leavings,
and the quorum as it stands now and for each item without the directors who declared an interest in it
(governance/quorum.py). The first arrival opens the meeting; closing it records everyone as gone."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.boards.service import as_director, current_directors
from coop.clock import LONDON, now
from coop.db import write_transaction
from coop.meetings.service import MeetingError, MeetingInfo, voting_strength
from coop.meetings.tables import Attendance, Meeting
from coop.members.tables import Member, ProxyAppointment
from coop.organisations.service import OrgContext, constitution_of
from coop.pagination import KeysetPage, keyset_page
from coop.public_ids import parse_public_id
from coop.template_filters import date_time
from governance.constitution import Constitution
from governance.notice import proxy_deadline
from governance.quorum import Participant, QuorumOutcome, board_quorum, general_meeting_quorum

MODES = {"room": "In the room", "online": "Online", "proxy": "Represented by a proxy"}
SEARCH_LIMIT = 20


async def present(meeting: MeetingInfo) -> list[dict[str, Any]]:
    """Everyone taking part now (one query; the quorum needs each of them)."""
    return await Attendance.select(
        Attendance.id, Attendance.member, Attendance.mode, Attendance.member.member_class.as_alias("cls")
    ).where((Attendance.meeting == meeting.id) & Attendance.left_at.is_null())


async def attendance_page(meeting: MeetingInfo, *, after: str = "", before: str = "") -> KeysetPage:
    """Who has arrived (and left), in order of arrival, a page at a time."""
    where = Attendance.meeting == meeting.id
    columns = (
        Attendance.id,
        Attendance.mode,
        Attendance.proxy_name,
        Attendance.arrived_at,
        Attendance.left_at,
        Attendance.member.name.as_alias("name"),
    )
    return await keyset_page(
        lambda: Attendance.select(*columns).where(where),
        (Attendance.id,),
        total=await Attendance.count().where(where),
        after=after,
        before=before,
        per_page=50,
    )


async def quorum_now(
    constitution: Constitution, meeting: MeetingInfo, conflicted: Collection[int] = ()
) -> QuorumOutcome:
    """The quorum as people stand now; for an item, leave out `conflicted` directors."""
    rows = await present(meeting)
    if meeting.is_board:
        directors = [as_director(r) for r in await current_directors(meeting.organisation_id)]
        return board_quorum(
            constitution,
            directors=directors,
            present_ids=[str(r["member"]) for r in rows],
            conflicted_ids={str(c) for c in conflicted},
        )
    voting, _ = await voting_strength(constitution, meeting.organisation_id, meeting.member_class)
    participants = [
        Participant(str(r["member"]), frozenset({r["cls"]}), by_proxy=r["mode"] == "proxy") for r in rows
    ]
    return general_meeting_quorum(constitution, voting_members=voting, participants=participants)


_SEARCH_SQL = """
SELECT m.public_id, m.name FROM member m
WHERE m.organisation = {} AND m.ceased_on IS NULL AND ({} = '' OR m.member_class = {})
  AND ({} = 0 OR m.id IN (SELECT d.member FROM directorship d WHERE d.organisation = m.organisation
                          AND d.ceased_on IS NULL))
  AND LOWER(m.name) LIKE LOWER({})
  AND NOT EXISTS (SELECT 1 FROM meeting_attendance a WHERE a.meeting = {} AND a.member = m.id
                  AND a.left_at IS NULL)
ORDER BY m.name, m.id LIMIT {}
"""


async def who_may_attend(meeting: MeetingInfo, search: str) -> list[dict[str, Any]]:
    """Invitees who are not here now, matching `search`: every director not here for a board meeting,
    otherwise up to 20 members by name (never a list of every member). One query."""
    text = " ".join(search.split())[:100]
    if not text and not meeting.is_board:
        return []
    rows = await Meeting.raw(
        _SEARCH_SQL,
        meeting.organisation_id,
        meeting.member_class,
        meeting.member_class,
        1 if meeting.is_board else 0,
        f"%{text}%",
        meeting.id,
        SEARCH_LIMIT,
    )
    return [{"public_id": str(r["public_id"]), "name": r["name"]} for r in rows]


def _open(meeting: MeetingInfo) -> None:
    if meeting.status == "closed":
        raise MeetingError({"member": "The meeting has closed"})


async def arrive(
    org: OrgContext,
    meeting: MeetingInfo,
    member_public_id: str,
    mode: str,
    proxy_name: str,
    actor: Actor,
) -> str:
    """Record someone arriving. Returns their name."""
    _open(meeting)
    constitution = await constitution_of(org.organisation_id)
    _check_mode(constitution, meeting, mode, proxy_name)
    member = await _arriving_member(org, member_public_id)
    await _check_invited(meeting, member)
    async with write_transaction():
        if await Attendance.exists().where(
            (Attendance.meeting == meeting.id)
            & (Attendance.member == member["id"])
            & Attendance.left_at.is_null()
        ):
            raise MeetingError({"member": f"{member['name']} is already here"})
        appointment = None
        if mode == "proxy":
            appointment = await proxy_appointment_for(constitution, meeting, member, proxy_name)
            await _check_proxy_limit(constitution, meeting, proxy_name)
        await Attendance.insert(
            Attendance(
                meeting=meeting.id,
                member=member["id"],
                mode=mode,
                proxy_name=proxy_name if mode == "proxy" else "",
                proxy_appointment=appointment,
                arrived_at=now(),
            )
        )
        if meeting.status != "open":
            await Meeting.update({Meeting.status: "open"}).where(Meeting.id == meeting.id)
        await record(
            AuditEntry(
                "meeting.arrived",
                org.organisation_id,
                "meeting",
                meeting.public_id,
                detail={"member": member["name"], "mode": mode},
            ),
            actor,
        )
    return str(member["name"])


def _check_mode(constitution: Constitution, meeting: MeetingInfo, mode: str, proxy_name: str) -> None:
    """How they take part is one the meeting allows: proxies only at members' meetings, where allowed."""
    if mode not in MODES:
        raise MeetingError({"mode": "Choose how they are taking part"})
    if mode == "proxy":
        if meeting.is_board:
            raise MeetingError(
                {"mode": "Directors take part themselves: there are no proxies at board meetings"}
            )
        if not constitution.proxies.allowed:
            raise MeetingError({"mode": "The constitution does not allow proxies"})
        if not proxy_name:
            raise MeetingError({"proxy_name": "Enter the name of the proxy"})


async def _arriving_member(org: OrgContext, member_public_id: str) -> dict[str, Any]:
    """The current member of this organisation who is arriving, or a refusal by the field."""
    uid = parse_public_id(member_public_id)
    member = None
    if uid is not None:
        member = (
            await Member.select(Member.id, Member.name, Member.member_class)
            .where(
                (Member.public_id == uid)
                & (Member.organisation == org.organisation_id)
                & Member.ceased_on.is_null()
            )
            .first()
        )
    if member is None:
        raise MeetingError({"member": "Choose who has arrived from the list"})
    return member


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


async def proxy_appointment_for(
    constitution: Constitution, meeting: MeetingInfo, member: dict[str, Any], proxy_name: str
) -> int:
    """The member's own appointment of this proxy that holds for this meeting: not revoked, standing or
    made for a meeting on this meeting's day, naming this proxy, and received by the constitution's
    deadline (CA06 ss.324, 327). Refused in words otherwise. Reads the member's appointments only (a few)."""
    rows = await (
        ProxyAppointment.select(
            ProxyAppointment.id,
            ProxyAppointment.proxy_name,
            ProxyAppointment.standing,
            ProxyAppointment.meeting_starts_at,
            ProxyAppointment.received_at,
        )
        .where((ProxyAppointment.member == member["id"]) & ProxyAppointment.revoked_at.is_null())
        .order_by(ProxyAppointment.id)
        .limit(50)
    )
    day = meeting.starts_at.astimezone(LONDON).date()
    for_here = [
        r
        for r in rows
        if r["standing"]
        or (r["meeting_starts_at"] is not None and r["meeting_starts_at"].astimezone(LONDON).date() == day)
    ]
    named = [r for r in for_here if _same_name(r["proxy_name"], proxy_name)]
    if not named:
        known = ", ".join(sorted({r["proxy_name"] for r in for_here}))
        also = f" Their proxy on record for this meeting: {known}." if known else ""
        raise MeetingError(
            {
                "proxy_name": f"{member['name']} has not appointed {proxy_name} as their proxy for this "
                f"meeting, so {proxy_name} cannot represent them.{also} A member appoints a proxy on "
                "their membership page, or the secretary records their proxy form there."
            }
        )
    deadline = proxy_deadline(constitution, meeting.starts_at)
    in_time = [r for r in named if r["received_at"] <= deadline]
    if not in_time:
        raise MeetingError(
            {
                "proxy_name": f"{member['name']}'s appointment of {proxy_name} arrived after the deadline "
                f"of {date_time(deadline)}, so it does not hold for this meeting."
            }
        )
    return int(in_time[-1]["id"])


async def _check_proxy_limit(constitution: Constitution, meeting: MeetingInfo, proxy_name: str) -> None:
    """Inside the arrival's transaction: one person holds at most the constitution's number of proxies."""
    limit = constitution.proxies.max_held
    if limit is None:
        return
    held = await Attendance.count().where(
        (Attendance.meeting == meeting.id)
        & (Attendance.mode == "proxy")
        & (Attendance.proxy_name == proxy_name)
        & Attendance.left_at.is_null()
    )
    if held >= limit:
        raise MeetingError(
            {
                "proxy_name": f"{proxy_name} already holds {held} proxies here; "
                f"the constitution allows at most {limit}"
            }
        )


async def _check_invited(meeting: MeetingInfo, member: dict[str, Any]) -> None:
    if meeting.is_board:
        if not any(
            int(r["member"]) == member["id"] for r in await current_directors(meeting.organisation_id)
        ):
            raise MeetingError({"member": f"{member['name']} is not a director"})
    elif meeting.kind == "class" and member["member_class"] != meeting.member_class:
        raise MeetingError({"member": f"{member['name']} is not in the class this meeting is for"})


async def leave(org: OrgContext, meeting: MeetingInfo, attendance_id: int, actor: Actor) -> str:
    """Record someone leaving. Returns their name."""
    _open(meeting)
    row = (
        await Attendance.select(Attendance.id, Attendance.member.name.as_alias("name"))
        .where(
            (Attendance.id == attendance_id)
            & (Attendance.meeting == meeting.id)
            & Attendance.left_at.is_null()
        )
        .first()
    )
    if row is None:
        raise MeetingError({"member": "They have left already"})
    async with write_transaction():
        await Attendance.update({Attendance.left_at: now()}).where(
            (Attendance.id == attendance_id) & Attendance.left_at.is_null()
        )
        await record(
            AuditEntry(
                "meeting.left",
                org.organisation_id,
                "meeting",
                meeting.public_id,
                detail={"member": row["name"]},
            ),
            actor,
        )
    return str(row["name"])


async def close_meeting(org: OrgContext, meeting: MeetingInfo, actor: Actor) -> None:
    """End the meeting: everyone still here is recorded as leaving now; the minutes can then be drafted."""
    if meeting.status != "open":
        raise MeetingError({"close": "Only a meeting under way can be closed"})
    async with write_transaction():
        await Attendance.update({Attendance.left_at: now()}).where(
            (Attendance.meeting == meeting.id) & Attendance.left_at.is_null()
        )
        await Meeting.update({Meeting.status: "closed", Meeting.current_item: None}).where(
            Meeting.id == meeting.id
        )
        await record(AuditEntry("meeting.closed", org.organisation_id, "meeting", meeting.public_id), actor)
