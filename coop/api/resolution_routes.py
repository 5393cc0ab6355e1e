"""API reads about resolutions: the register (those decided at meetings and written resolutions) and one
resolution with its outcome. Written resolutions give counts of agreements, never who agreed. The same
reading functions and role rules as the pages: drafts and board decisions only for those who see them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from msgspec import Struct

from coop.api.auth import api_caller
from coop.api.listing import Filters, resolutions_register
from coop.api.org_routes import Cursor, Limit, Since, Until
from coop.api.paging import DEFAULT_LIMIT, PageOf
from coop.api.problems import READ_PROBLEMS
from coop.clock import today
from coop.meetings import decisions
from coop.organisations.service import OrgContext
from coop.resolutions import reading

ResolutionState = Literal["passed", "failed", "draft", "circulating", "lapsed"]


class ResolutionOut(Struct):
    """A resolution in the register. `method` is meeting (decided by those present) or written (agreed by
    members in writing); `kind` is ordinary, special or board (a board decision at a board meeting)."""

    id: str
    method: Literal["meeting", "written"]
    kind: str
    title: str
    text: str
    state: str
    """meeting: passed or failed. written: draft, circulating, passed or lapsed."""
    decided_on: date | None
    meeting: str | None = None
    """The meeting's id, for a resolution decided at a meeting."""
    meeting_title: str | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    casting_vote: str | None = None
    """'', for or against: the chair's casting vote, at a meeting."""
    decided_at: datetime | None = None
    circulated_on: date | None = None
    lapses_on: date | None = None
    eligible_votes: int | None = None
    """For a written resolution: all eligible votes on the day it was sent round."""


class ResolutionDetailOut(Struct):
    resolution: ResolutionOut
    easy_read: str = ""
    agreements: int | None = None
    """For a written resolution: how many members have agreed so far (never who)."""
    agreed_votes: int | None = None
    outcome: str | None = None
    """For a written resolution once sent round: passed, failed or open (still circulating)."""
    reasons: list[str] = []
    """The outcome in words, as the resolution's page gives it."""


def _at_meeting(row: dict[str, Any]) -> ResolutionOut:
    decided = row["decided_at"]
    return ResolutionOut(
        id=str(row["public_id"]),
        method="meeting",
        kind=row["resolution_kind"],
        title=row["title"],
        text=row["resolution_text"],
        state=row["result"],
        decided_on=decided.date() if isinstance(decided, datetime) else None,
        meeting=str(row["meeting_public_id"]),
        meeting_title=row["meeting_title"],
        votes_for=row["votes_for"],
        votes_against=row["votes_against"],
        abstentions=row["abstentions"],
        casting_vote=row["casting_vote"],
        decided_at=decided,
    )


def _written(row: dict[str, Any]) -> ResolutionOut:
    return ResolutionOut(
        id=str(row["public_id"]),
        method="written",
        kind=row["kind"],
        title=row["title"],
        text=row["text"],
        state=row["status"],
        decided_on=row["decided_on"],
        circulated_on=row["circulated_on"],
        lapses_on=row["lapses_on"],
        eligible_votes=int(row["eligible_votes"]),
    )


async def _detail(org: OrgContext, resolution_id: str) -> ResolutionDetailOut | None:
    row = await reading.resolution_in_org(org.organisation_id, resolution_id)
    if row is not None and reading.may_see(org, row):
        standing = await reading.standing(org.organisation_id, row, today())
        outcome = standing.outcome
        return ResolutionDetailOut(
            resolution=_written(row),
            easy_read=row["easy_read"],
            agreements=standing.agreements if outcome else None,
            agreed_votes=standing.agreed_votes if outcome else None,
            outcome=outcome.status.value if outcome else None,
            reasons=list(outcome.reasons) if outcome else [],
        )
    decided = await decisions.decided_resolution(org, resolution_id)
    return ResolutionDetailOut(resolution=_at_meeting(decided)) if decided else None


class ResolutionRoutes(Controller):
    path = "/orgs/{org_slug:str}/resolutions"
    tags = ["Resolutions"]

    @get(
        "/",
        responses=READ_PROBLEMS,
        operation_id="listResolutions",
        summary="The register of resolutions",
        description=(
            "Resolutions decided at meetings, oldest first, then written resolutions, oldest first; "
            "`method` keeps to one of them. Board decisions are listed only for the board and the "
            "secretary, and draft written resolutions only for the board, as on the site. `since` and "
            "`until` filter on the day a resolution was decided."
        ),
    )
    async def list_resolutions(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
        method: Annotated[
            Literal["meeting", "written"] | None,
            QueryParameter(description="Only resolutions decided at meetings, or only written ones"),
        ] = None,
        resolution_state: Annotated[
            ResolutionState | None, QueryParameter(name="state", description="Resolution state")
        ] = None,
        since: Since = None,
        until: Until = None,
    ) -> PageOf[ResolutionOut]:
        org = api_caller(request).org
        filters = Filters(resolution_state, since, until)
        page = await resolutions_register(org, method, cursor=cursor, limit=limit, filters=filters)
        items = [_at_meeting(r) for r in page.at_meetings] + [_written(r) for r in page.written]
        return PageOf(items=items, next=page.next)

    @get(
        "/{resolution_id:str}",
        responses=READ_PROBLEMS,
        operation_id="getResolution",
        summary="One resolution and its outcome",
    )
    async def resolution(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], resolution_id: FromPath[str]
    ) -> ResolutionDetailOut:
        found = await _detail(api_caller(request).org, resolution_id)
        if found is None:
            raise NotFoundException()
        return found
