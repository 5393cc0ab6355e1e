"""API reads about the organisation itself: its details and constitution, members, the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter, QueryParameter
from msgspec import Struct

from coop.api.auth import ROLES, api_caller
from coop.api.listing import (
    AUDIT_EVENTS,
    MEMBERS,
    Filters,
    page_of,
    row_as,
)
from coop.api.paging import DEFAULT_LIMIT, MAX_LIMIT, PageOf
from coop.api.problems import READ_PROBLEMS
from coop.members.entries import member_in_org
from coop.members.words import BOARD_ROLES
from coop.organisations.constitution import organisation_record

BOARD = BOARD_ROLES
AUDIT_ROLES = ("secretary", "admin")  # as the audit page
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")]
Cursor = Annotated[str | None, Parameter(max_length=64, description="The `next` value of the page before.")]
Since = Annotated[date | None, Parameter(description="Only items on or after this day (UTC).")]
Until = Annotated[date | None, Parameter(description="Only items before the end of this day (UTC).")]


class ConstitutionOut(Struct):
    version: int
    model_name: str
    adopted_on: date
    adopted_by: str
    document: str


class OrganisationOut(Struct):
    slug: str
    name: str
    legal_form: str
    company_number: str | None
    society_number: str | None
    constitution: ConstitutionOut


class MemberOut(Struct):
    """A register entry: the fields the register of members shows."""

    id: str
    name: str
    member_class: str
    admitted_on: date
    ceased_on: date | None
    ceased_reason: str
    leaving_on: date | None
    address: str
    email: str | None
    shares_held: int
    guarantee_pence: int


class AuditEventOut(Struct):
    seq: int
    at: datetime
    action: str
    target_type: str
    target_id: str
    outcome: str
    hash: str


_member = row_as(MemberOut)


class OrganisationRoutes(Controller):
    path = "/orgs/{org_slug:str}"
    tags = ["Organisation"]

    @get(
        "/",
        responses=READ_PROBLEMS,
        operation_id="getOrganisation",
        summary="The organisation and its constitution in force",
    )
    async def organisation(self, request: Request[Any, Any, Any], org_slug: FromPath[str]) -> OrganisationOut:
        found = await organisation_record(api_caller(request).org.organisation_id)
        if found is None:
            raise NotFoundException()
        row, version = found
        return OrganisationOut(
            slug=row["slug"],
            name=row["name"],
            legal_form=row["legal_form"],
            company_number=row["company_number"],
            society_number=row["society_number"],
            constitution=ConstitutionOut(
                version=int(version["version"]),
                model_name=version["model_name"],
                adopted_on=version["adopted_on"],
                adopted_by=version["adopted_by"],
                document=version["document"],
            ),
        )

    @get(
        "/members/me",
        responses=READ_PROBLEMS,
        operation_id="getMyMembership",
        summary="Your own register entry",
    )
    async def me(self, request: Request[Any, Any, Any], org_slug: FromPath[str]) -> MemberOut:
        org = api_caller(request).org
        row = await member_in_org(org, org.member_public_id)
        if row is None:
            raise NotFoundException()
        return _member(row)

    @get(
        responses=READ_PROBLEMS,
        path="/members",
        operation_id="listMembers",
        summary="The register of members (board)",
        opt={ROLES: BOARD},
    )
    async def members_list(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
        member_state: Annotated[
            Literal["current", "ceased"] | None, QueryParameter(name="state", description="current or ceased")
        ] = None,
        admitted_since: Since = None,
        admitted_until: Until = None,
    ) -> PageOf[MemberOut]:
        filters = Filters(member_state, admitted_since, admitted_until)
        org_id = api_caller(request).org.organisation_id
        return await page_of(MEMBERS, org_id, _member, cursor=cursor, limit=limit, filters=filters)

    @get(
        responses=READ_PROBLEMS,
        path="/audit-events",
        operation_id="listAuditEvents",
        summary="The organisation's audit log (secretary, admin)",
        opt={ROLES: AUDIT_ROLES},
    )
    async def audit_events(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
        since: Since = None,
        until: Until = None,
    ) -> PageOf[AuditEventOut]:
        org_id = api_caller(request).org.organisation_id
        return await page_of(
            AUDIT_EVENTS,
            org_id,
            row_as(AuditEventOut),
            cursor=cursor,
            limit=limit,
            filters=Filters(None, since, until),
        )
