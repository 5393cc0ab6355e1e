"""Meetings: calling one (board, general, AGM or class), who may see and run it, who is invited, and its
agenda with papers. Notice, attendance, interests, resolutions and minutes have their own modules here.

Board meetings are seen by the board and the secretary; general and class meetings by every member. The
secretary (or an admin) runs meetings. Another organisation's meeting is never found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.custom_types import Combinable

from coop import clock
from coop.audit.service import Actor, AuditEntry, record
from coop.boards.service import current_directors
from coop.db import stored_date, write_transaction
from coop.meetings.tables import AgendaItem, Meeting
from coop.members.errors import MembershipError
from coop.members.tables import Member
from coop.organisations.service import OrgContext, constitution_of
from coop.pagination import KeysetPage, keyset_page
from coop.public_ids import parse_public_id
from governance.constitution import Constitution
from governance.notice import MeetingKind

KINDS = {
    "board": "Board meeting",
    "general": "General meeting",
    "annual_general": "Annual general meeting",
    "class": "Class meeting",
}
RESOLUTION_KINDS = {
    "": "No resolution (for discussion or information)",
    "ordinary": "Ordinary resolution (more than half of the votes cast)",
    "special": "Special resolution (at least 75% of the votes cast)",
    "board": "Board decision",
}
MANAGER_ROLES = ("secretary", "admin")
"""Who calls and runs meetings and keeps their records."""
BOARD_ROLES = ("secretary", "admin", "director")
"""Who sees board meetings, their papers and minutes."""
PAGE_SIZE = 20
INVITE_BATCH = 200


class MeetingError(MembershipError):
    """A change the rules do not allow; `errors` maps form fields to plain-English messages."""


def is_manager(org: OrgContext) -> bool:
    return org.has_any(*MANAGER_ROLES)


@dataclass(frozen=True, slots=True)
class MeetingInfo:
    id: int
    public_id: str
    organisation_id: int
    kind: str
    member_class: str
    title: str
    starts_at: datetime
    place: str
    online_link: str
    chair_id: int | None
    chair_name: str
    status: str
    notice_send_on: date | None
    notice_sent_on: date | None
    notice_emails: int
    notice_letters: int
    short_notice_members: int | None
    short_notice_votes: int | None
    current_item: int | None
    minutes: str
    minutes_state: str
    minutes_approved_at: int | None
    minutes_signed_by: str
    minutes_signed_at: datetime | None

    @property
    def kind_name(self) -> str:
        return KINDS.get(self.kind, "Meeting")

    @property
    def meeting_kind(self) -> MeetingKind:
        return MeetingKind(self.kind)

    @property
    def is_board(self) -> bool:
        return self.kind == "board"

    @property
    def minutes_locked(self) -> bool:
        return self.minutes_state == "signed"


_COLUMNS = (
    *Meeting.all_columns(),
    Meeting.chair.name.as_alias("chair_name"),
    Meeting.minutes_signed_by.name.as_alias("signed_by_name"),
)


def _info(row: dict[str, Any]) -> MeetingInfo:
    return MeetingInfo(
        id=int(row["id"]),
        public_id=str(row["public_id"]),
        organisation_id=int(row["organisation"]),
        kind=row["kind"],
        member_class=row["member_class"],
        title=row["title"],
        starts_at=row["starts_at"],
        place=row["place"],
        online_link=row["online_link"],
        chair_id=row["chair"],
        chair_name=row["chair_name"] or "",
        status=row["status"],
        notice_send_on=stored_date(row["notice_send_on"]),
        notice_sent_on=stored_date(row["notice_sent_on"]),
        notice_emails=int(row["notice_emails"]),
        notice_letters=int(row["notice_letters"]),
        short_notice_members=row["short_notice_members"],
        short_notice_votes=row["short_notice_votes"],
        current_item=row["current_item"],
        minutes=row["minutes"],
        minutes_state=row["minutes_state"],
        minutes_approved_at=row["minutes_approved_at"],
        minutes_signed_by=row["signed_by_name"] or "",
        minutes_signed_at=row["minutes_signed_at"],
    )


def visible_meetings(org: OrgContext) -> Any:
    """Which meetings this person may see (the pages' rule, and the API's): board meetings only for the
    board and the secretary."""
    where: Combinable = Meeting.organisation == org.organisation_id
    if not org.has_any(*BOARD_ROLES):
        where &= Meeting.kind != "board"
    return where


async def meeting_in_org(org: OrgContext, public_id: str) -> MeetingInfo | None:
    """The meeting if it is this organisation's and the person may see it (else None: a 404)."""
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    row = await Meeting.select(*_COLUMNS).where(visible_meetings(org) & (Meeting.public_id == uid)).first()
    return _info(row) if row else None


async def meeting_by_id(organisation_id: int, meeting_id: int) -> MeetingInfo | None:
    row = await (
        Meeting.select(*_COLUMNS)
        .where((Meeting.organisation == organisation_id) & (Meeting.id == meeting_id))
        .first()
    )
    return _info(row) if row else None


async def meetings_page(
    org: OrgContext, *, after: str = "", before: str = "", last: bool = False
) -> KeysetPage:
    """The meetings this person may see, in the order they were called, one page at a time (keyed by id:
    a keyset page needs a key it can put in a link)."""
    where = visible_meetings(org)
    total = await Meeting.count().where(where)
    columns = (Meeting.id, Meeting.public_id, Meeting.kind, Meeting.title, Meeting.starts_at, Meeting.status)
    return await keyset_page(
        lambda: Meeting.select(*columns).where(where),
        (Meeting.id,),
        total=total,
        after=after,
        before=before,
        last=last,
        per_page=PAGE_SIZE,
    )


# --- calling a meeting ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewMeeting:
    kind: str
    title: str
    starts_at: datetime
    place: str
    online_link: str
    member_class: str = ""
    chair_public_id: str = ""


async def _chair_id(organisation_id: int, public_id: str) -> int | None:
    uid = parse_public_id(public_id) if public_id else None
    if uid is None:
        if public_id:
            raise MeetingError({"chair": "Choose the chair from the list"})
        return None
    row = (
        await Member.select(Member.id)
        .where(
            (Member.public_id == uid) & (Member.organisation == organisation_id) & Member.ceased_on.is_null()
        )
        .first()
    )
    if row is None:
        raise MeetingError({"chair": "Choose the chair from the list"})
    return int(row["id"])


async def create_meeting(org: OrgContext, new: NewMeeting, actor: Actor) -> str:
    """Call a meeting (no notice goes out yet). Returns its public id."""
    constitution = await constitution_of(org.organisation_id)
    if new.kind not in KINDS:
        raise MeetingError({"kind": "Choose what kind of meeting it is"})
    if new.kind == "class" and constitution.member_class(new.member_class) is None:
        raise MeetingError({"member_class": "Choose the class of members the meeting is for"})
    if new.starts_at <= clock.now():
        raise MeetingError({"starts_on_day": "The meeting must start in the future"})
    chair = await _chair_id(org.organisation_id, new.chair_public_id)
    async with write_transaction():
        rows = await Meeting.insert(
            Meeting(
                organisation=org.organisation_id,
                kind=new.kind,
                member_class=new.member_class if new.kind == "class" else "",
                title=new.title,
                starts_at=new.starts_at,
                place=new.place,
                online_link=new.online_link,
                chair=chair,
            )
        ).returning(Meeting.public_id, Meeting.id)
        public_id = str(rows[0]["public_id"])
        await record(
            AuditEntry(
                "meeting.called",
                org.organisation_id,
                "meeting",
                public_id,
                detail={"kind": new.kind, "title": new.title, "starts_at": new.starts_at.isoformat()},
            ),
            actor,
        )
    return public_id


async def directors_for_forms(org: OrgContext) -> list[dict[str, Any]]:
    """The current directors with their member public ids: a short list, the size of the board."""
    ids = [int(r["member"]) for r in await current_directors(org.organisation_id)]
    if not ids:
        return []
    return await (
        Member.select(Member.id, Member.public_id, Member.name)
        .where(Member.id.is_in(ids))
        .order_by(Member.name)
    )


# --- who is invited ---------------------------------------------------------------------------------------


async def invitee_ids(meeting: MeetingInfo, after: int = 0, limit: int = INVITE_BATCH) -> list[int]:
    """The next `limit` invited members after member `after`, by id: the directors for a board meeting,
    the class for a class meeting, every current member for a general meeting."""
    if meeting.is_board:
        ids = sorted(int(r["member"]) for r in await current_directors(meeting.organisation_id))
        return [i for i in ids if i > after][:limit]
    where = (
        (Member.organisation == meeting.organisation_id) & Member.ceased_on.is_null() & (Member.id > after)
    )
    if meeting.kind == "class":
        where &= Member.member_class == meeting.member_class
    rows = await Member.select(Member.id).where(where).order_by(Member.id).limit(limit)
    return [int(r["id"]) for r in rows]


_CLASS_COUNTS = (
    "SELECT member_class, COUNT(*) AS n FROM member WHERE organisation = {} AND ceased_on IS NULL "
    "GROUP BY member_class"
)


async def voting_strength(
    constitution: Constitution, organisation_id: int, member_class: str = ""
) -> tuple[int, int]:
    """How many members may vote at a general (or class) meeting and how many votes they hold: one
    grouped count, whatever the size of the membership."""
    members = votes = 0
    for row in await Meeting.raw(_CLASS_COUNTS, organisation_id):
        key = row["member_class"]
        found = constitution.member_class(key)
        if (member_class and key != member_class) or (found is not None and not found.can_vote):
            continue
        members += int(row["n"])
        votes += int(row["n"]) * (found.vote_weight if found else 1)
    return members, votes


# --- the agenda -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewItem:
    title: str
    paper: str
    paper_easy_read: str
    resolution_kind: str
    resolution_text: str


async def add_item(org: OrgContext, meeting: MeetingInfo, item: NewItem, actor: Actor) -> None:
    if meeting.status == "closed" or meeting.minutes_state:
        raise MeetingError({"title": "The meeting has ended, so its agenda cannot change"})
    if item.resolution_kind not in RESOLUTION_KINDS:
        raise MeetingError({"resolution_kind": "Choose whether the item has a resolution"})
    if item.resolution_kind == "board" and not meeting.is_board:
        raise MeetingError({"resolution_kind": "Only a board meeting takes board decisions"})
    if item.resolution_kind in ("ordinary", "special") and meeting.is_board:
        raise MeetingError(
            {"resolution_kind": "Members pass ordinary and special resolutions at a general meeting"}
        )
    if item.resolution_kind and not item.resolution_text:
        raise MeetingError({"resolution_text": "Enter the words of the resolution"})
    async with write_transaction():
        count = await AgendaItem.count().where(AgendaItem.meeting == meeting.id)
        if count >= MAX_ITEMS:
            raise MeetingError({"title": f"A meeting can have at most {MAX_ITEMS} agenda items"})
        await AgendaItem.insert(
            AgendaItem(
                meeting=meeting.id,
                position=count + 1,
                title=item.title,
                paper=item.paper,
                paper_easy_read=item.paper_easy_read,
                resolution_kind=item.resolution_kind,
                resolution_text=item.resolution_text if item.resolution_kind else "",
            )
        )
        await record(
            AuditEntry(
                "meeting.item_added",
                org.organisation_id,
                "meeting",
                meeting.public_id,
                detail={"title": item.title, "resolution": item.resolution_kind},
            ),
            actor,
        )


MAX_ITEMS = 60
"""An agenda longer than this is not a meeting anyone can follow; it also bounds every page."""


async def agenda(meeting: MeetingInfo) -> list[dict[str, Any]]:
    return await (
        AgendaItem.select()
        .where(AgendaItem.meeting == meeting.id)
        .order_by(AgendaItem.position)
        .limit(MAX_ITEMS)
    )


async def item_in_meeting(meeting: MeetingInfo, public_id: str) -> dict[str, Any] | None:
    uid = parse_public_id(public_id)
    if uid is None:
        return None
    return await (
        AgendaItem.select().where((AgendaItem.meeting == meeting.id) & (AgendaItem.public_id == uid)).first()
    )
