"""API reads about the organisation itself: its details and constitution, members, the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter, QueryParameter
from msgspec import Struct

from coop.api.auth import ROLES, api_caller
from coop.api.paging import DEFAULT_LIMIT, MAX_LIMIT, PageOf, check_dates, day_start, keyset, next_day
from coop.api.problems import READ_PROBLEMS
from coop.audit.tables import AuditEvent
from coop.members import entries as members
from coop.members.tables import Member
from coop.members.words import BOARD_ROLES
from coop.organisations.tables import ConstitutionVersion, Organisation

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


def _member(row: dict[str, Any]) -> MemberOut:
    return MemberOut(
        id=str(row["public_id"]),
        name=row["name"],
        member_class=row["member_class"],
        admitted_on=row["admitted_on"],
        ceased_on=row["ceased_on"],
        ceased_reason=row["ceased_reason"] or "",
        leaving_on=row["leaving_on"],
        address=row["address"] or "",
        email=row["email"],
        shares_held=int(row["shares_held"] or 0),
        guarantee_pence=int(row["guarantee_pence"] or 0),
    )


MEMBER_COLUMNS = (
    Member.id,
    Member.public_id,
    Member.name,
    Member.member_class,
    Member.admitted_on,
    Member.ceased_on,
    Member.ceased_reason,
    Member.leaving_on,
    Member.address,
    Member.email,
    Member.shares_held,
    Member.guarantee_pence,
)


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
        org = api_caller(request).org
        row = await Organisation.select().where(Organisation.id == org.organisation_id).first()
        version = (
            await ConstitutionVersion.select()
            .where(ConstitutionVersion.organisation == org.organisation_id)
            .order_by(ConstitutionVersion.version, ascending=False)
            .first()
        )
        if row is None or version is None:
            raise NotFoundException()
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
        row = await members.member_in_org(org, org.member_public_id)
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
        org = api_caller(request).org
        check_dates(admitted_since, admitted_until)
        query = Member.select(*MEMBER_COLUMNS).where(Member.organisation == org.organisation_id)
        if member_state == "current":
            query = query.where(members.current_members(org.organisation_id))
        elif member_state == "ceased":
            query = query.where(Member.ceased_on.is_not_null())
        if admitted_since:
            query = query.where(Member.admitted_on >= admitted_since)
        if admitted_until:
            query = query.where(Member.admitted_on <= admitted_until)
        rows, nxt = await keyset(query, Member.id, cursor=cursor, limit=limit)
        return PageOf(items=[_member(r) for r in rows], next=nxt)

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
        org = api_caller(request).org
        check_dates(since, until)
        query = AuditEvent.select(
            AuditEvent.id,
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.target_type,
            AuditEvent.target_id,
            AuditEvent.outcome,
            AuditEvent.hash,
        ).where(AuditEvent.organisation == org.organisation_id)
        if since:
            query = query.where(AuditEvent.at >= day_start(since))
        if until:
            query = query.where(AuditEvent.at < day_start(next_day(until)))
        rows, nxt = await keyset(query, AuditEvent.id, cursor=cursor, limit=limit)
        return PageOf(
            items=[
                AuditEventOut(
                    seq=int(r["seq"]),
                    at=r["at"],
                    action=r["action"],
                    target_type=r["target_type"],
                    target_id=r["target_id"],
                    outcome=r["outcome"],
                    hash=r["hash"],
                )
                for r in rows
            ],
            next=nxt,
        )
