"""API reads about meetings and the board: the meetings a member may see, one meeting with its notice,
agenda, resolutions and minutes, and the public register of directors with the board's composition.
Each answers from the same reading functions as the pages, under the same role rules."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from msgspec import Struct

from coop.api.auth import api_caller
from coop.api.listing import MEETINGS, Filters, page_of
from coop.api.org_routes import Cursor, Limit, Since, Until
from coop.api.paging import DEFAULT_LIMIT, PageOf, decode_cursor, encode_cursor
from coop.api.problems import READ_PROBLEMS
from coop.boards import service as boards
from coop.db import stored_date
from coop.meetings import pages, service

MeetingState = Literal["planned", "notice_scheduled", "notice_sent", "open", "closed"]


class MeetingOut(Struct):
    """A meeting as the list of meetings shows it. `kind` is board, general, annual_general or class."""

    id: str
    kind: str
    member_class: str
    title: str
    starts_at: datetime
    place: str
    online_link: str
    status: str
    notice_sent_on: date | None
    minutes_state: str
    """'' (none yet), draft, approved or signed."""


class AgendaItemOut(Struct):
    """An item of business, its papers and its resolution (kind '' when it has none) with the result."""

    id: str
    position: int
    title: str
    paper: str
    paper_easy_read: str
    resolution_kind: str
    resolution_text: str
    result: str
    """'' until decided, then passed or failed."""
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    casting_vote: str
    decided_at: datetime | None
    declared_interests: list[str]
    """Directors who declared an interest in this item, by name."""


class MeetingDetailOut(Struct):
    meeting: MeetingOut
    chair: str
    notice: list[str]
    """The meeting page's account of its notice: when it went out, when it counts as received."""
    notice_problems: list[str]
    agenda: list[AgendaItemOut]
    minutes: str | None
    """The minutes, once approved (the secretary sees the draft too); null when you may not read them."""


class CompositionLineOut(Struct):
    text: str
    met: bool


class DirectorOut(Struct):
    """An entry in the register of directors: the public particulars only, as members see them."""

    id: str
    name: str
    member_class: str
    seat: str
    route: str
    appointed_by_class: str
    appointed_on: date
    term_end: date | None
    ceased_on: date | None
    ceased_reason: str
    """resigned, removed, term_ended, died, ceased_member or not_re_elected; '' while in office."""
    ceased_note: str
    service_address: str
    country_of_residence: str
    nationality: str
    occupation: str
    born: str
    """Month and year of birth only."""


class BoardRegisterOut(Struct):
    composition: list[CompositionLineOut]
    breaches: list[str]
    """Where the board does not meet its constitution, in words; empty when it does."""
    next_steps: list[str]
    vacancies: dict[str, int]
    """Empty reserved seats, by member class."""
    directors: list[DirectorOut]
    next: str | None = None
    """Pass as `cursor` to get the next page of the register; null on the last page."""


def _meeting(row: dict[str, Any]) -> MeetingOut:
    return MeetingOut(
        id=str(row["public_id"]),
        kind=row["kind"],
        member_class=row["member_class"],
        title=row["title"],
        starts_at=row["starts_at"],
        place=row["place"],
        online_link=row["online_link"],
        status=row["status"],
        notice_sent_on=stored_date(row["notice_sent_on"]),
        minutes_state=row["minutes_state"],
    )


def _item(row: dict[str, Any], declared: list[dict[str, Any]]) -> AgendaItemOut:
    return AgendaItemOut(
        id=str(row["public_id"]),
        position=int(row["position"]),
        title=row["title"],
        paper=row["paper"],
        paper_easy_read=row["paper_easy_read"],
        resolution_kind=row["resolution_kind"],
        resolution_text=row["resolution_text"],
        result=row["result"],
        votes_for=row["votes_for"],
        votes_against=row["votes_against"],
        abstentions=row["abstentions"],
        casting_vote=row["casting_vote"],
        decided_at=row["decided_at"],
        declared_interests=[str(d["name"]) for d in declared],
    )


def _director(row: dict[str, Any]) -> DirectorOut:
    return DirectorOut(
        id=str(row["public_id"]),
        name=row["name"],
        member_class=row["member_class"],
        seat=row["seat"],
        route=row["route"],
        appointed_by_class=row["appointed_by_class"] or "",
        appointed_on=row["appointed_on"],
        term_end=row["term_end"],
        ceased_on=row["ceased_on"],
        ceased_reason=row["ceased_reason"] or "",
        ceased_note=row["ceased_note"] or "",
        service_address=row["service_address"] or "",
        country_of_residence=row["country_of_residence"] or "",
        nationality=row["nationality"] or "",
        occupation=row["occupation"] or "",
        born=row["born"],
    )


class MeetingRoutes(Controller):
    path = "/orgs/{org_slug:str}"
    tags = ["Meetings"]

    @get(
        "/meetings",
        responses=READ_PROBLEMS,
        operation_id="listMeetings",
        summary="Meetings, in the order they were called",
        description="Board meetings are listed only for the board and the secretary, as on the site.",
    )
    async def list_meetings(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
        meeting_state: Annotated[
            MeetingState | None, QueryParameter(name="state", description="Meeting state")
        ] = None,
        starts_since: Since = None,
        starts_until: Until = None,
    ) -> PageOf[MeetingOut]:
        org = api_caller(request).org
        filters = Filters(meeting_state, starts_since, starts_until)
        return await page_of(
            MEETINGS,
            org.organisation_id,
            _meeting,
            cursor=cursor,
            limit=limit,
            filters=filters,
            visible=service.visible_meetings(org),
        )

    @get(
        "/meetings/{meeting_id:str}",
        responses=READ_PROBLEMS,
        operation_id="getMeeting",
        summary="One meeting: its notice, agenda, resolutions and minutes",
    )
    async def meeting(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], meeting_id: FromPath[str]
    ) -> MeetingDetailOut:
        org = api_caller(request).org
        found = await service.meeting_in_org(org, meeting_id)
        if found is None:
            raise NotFoundException()
        page = await pages.meeting_context(org, found)
        return MeetingDetailOut(
            meeting=_meeting(asdict(found)),
            chair=found.chair_name,
            notice=list(page["notice"].lines),
            notice_problems=list(page["notice"].problems),
            agenda=[_item(i, page["declared"].get(i["id"], [])) for i in page["items"]],
            minutes=found.minutes if page["may_read_minutes"] else None,
        )

    @get(
        "/board",
        responses=READ_PROBLEMS,
        operation_id="getBoardRegister",
        summary="The public register of directors and the board's composition",
        description=(
            "Current and past directors in order of appointment, a page at a time, with the public "
            "particulars the register shows members (never home addresses or full dates of birth), and the "
            "board measured against the constitution in force."
        ),
    )
    async def board(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], cursor: Cursor = None
    ) -> BoardRegisterOut:
        org = api_caller(request).org
        after = decode_cursor(cursor)
        state = await boards.board_state(org.organisation_id)
        rows, next_after = await boards.register_page(org, min(after, 2**31 - 1))
        return BoardRegisterOut(
            composition=[CompositionLineOut(line.text, line.met) for line in state.composition],
            breaches=[v.message for v in state.breaches],
            next_steps=list(state.next_steps),
            vacancies=dict(state.vacancies),
            directors=[_director(r) for r in rows],
            next=encode_cursor(next_after) if next_after else None,
        )
