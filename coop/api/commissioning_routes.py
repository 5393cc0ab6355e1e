"""API for commissioning: providers, proposals and contracts; adding a provider and proposing spending."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta, Struct

from coop.api.auth import ROLES, WRITE, api_actor, api_caller
from coop.api.org_routes import Cursor, Limit
from coop.api.paging import DEFAULT_LIMIT, PageOf, keyset
from coop.api.problems import READ_PROBLEMS, WRITE_PROBLEMS, ApiProblem
from coop.budgets import service as budgets
from coop.commissioning import service as commissioning
from coop.commissioning.forms import read_provider_form
from coop.commissioning.tables import CommissionProposal, Contract, Provider
from coop.votes.records import VoteStateError

MANAGERS = commissioning.MANAGER_ROLES
AccountId = Annotated[int, Meta(ge=1, le=2**31 - 1)]


class ProviderOut(Struct):
    id: str
    name: str
    kind: str
    cqc_number: str
    cqc_rating: str
    contact: str


class NewProvider(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(max_length=200)]
    kind: Annotated[str, Meta(max_length=40, description="cic, charity, company, personal_assistant, ...")]
    contact: Annotated[str, Meta(max_length=2000)]
    cqc_number: Annotated[str, Meta(max_length=30)] = ""
    cqc_rating: Annotated[str, Meta(max_length=40)] = ""


class ProposalOut(Struct):
    id: str
    quantity: int
    period_start: date
    period_end: date
    total_pence: int
    route: str
    status: str
    created_at: datetime


class NewProposal(Struct, forbid_unknown_fields=True):
    """Propose spending from a pool on a provider's service offer; the constitution decides the route."""

    offer: Annotated[str, Meta(max_length=40, description="The service offer's id")]
    pool: Annotated[str, Meta(max_length=40, description="The pool's id")]
    quantity: Annotated[int, Meta(ge=1, le=10000)]
    period_start: date
    period_end: date
    participants: Annotated[list[AccountId], Meta(min_length=1, max_length=500)]
    minutes: dict[str, Annotated[int, Meta(ge=0, le=10**6)]] = {}
    """By-hours pools: each participant's expected minutes of use, by account id."""
    vote_days: Annotated[int, Meta(ge=1, le=commissioning.MAX_VOTE_DAYS)] = 14


class ContractOut(Struct):
    id: str
    reference: str
    total_pence: int
    drawn_pence: int
    status: str
    created_at: datetime


class Created(Struct):
    id: str


def _provider(r: dict[str, Any]) -> ProviderOut:
    return ProviderOut(
        id=str(r["public_id"]),
        name=r["name"],
        kind=r["kind"],
        cqc_number=r["cqc_number"],
        cqc_rating=r["cqc_rating"],
        contact=r["contact"],
    )


class CommissioningRoutes(Controller):
    path = "/orgs/{org_slug:str}"
    tags = ["Commissioning"]

    @get("/providers", responses=READ_PROBLEMS, operation_id="listProviders", summary="Providers")
    async def providers(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> PageOf[ProviderOut]:
        org = api_caller(request).org
        query = Provider.select().where(Provider.organisation == org.organisation_id)
        rows, nxt = await keyset(query, Provider.id, cursor=cursor, limit=limit)
        return PageOf(items=[_provider(r) for r in rows], next=nxt)

    @post(
        "/providers",
        responses=WRITE_PROBLEMS,
        operation_id="addProvider",
        summary="Add a provider (director, secretary, treasurer)",
        opt={ROLES: MANAGERS, WRITE: True},
    )
    async def add_provider(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], data: JSONBody[NewProvider]
    ) -> Created:
        org = api_caller(request).org
        form = read_provider_form(
            {
                "name": data.name,
                "kind": data.kind,
                "cqc_number": data.cqc_number,
                "cqc_rating": data.cqc_rating,
                "contact": data.contact,
            }
        )
        if form.errors:
            raise ApiProblem("The provider could not be added. See `errors`.", errors=form.errors)
        details = commissioning.ProviderDetails(
            form.name, form.kind, form.cqc_number, form.cqc_rating, form.contact
        )
        return Created(
            id=await commissioning.create_provider(org.organisation_id, details, actor=api_actor(request))
        )

    @get("/proposals", responses=READ_PROBLEMS, operation_id="listProposals", summary="Spending proposals")
    async def proposals(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
        proposal_state: Annotated[
            Literal["awaiting_board", "vote_open", "approved", "not_approved", "contracted"] | None,
            QueryParameter(name="state", description="Proposal state"),
        ] = None,
    ) -> PageOf[ProposalOut]:
        org = api_caller(request).org
        query = CommissionProposal.select().where(CommissionProposal.organisation == org.organisation_id)
        if proposal_state:
            query = query.where(CommissionProposal.status == proposal_state)
        rows, nxt = await keyset(query, CommissionProposal.id, cursor=cursor, limit=limit)
        return PageOf(
            items=[
                ProposalOut(
                    id=str(r["public_id"]),
                    quantity=int(r["quantity"]),
                    period_start=r["period_start"],
                    period_end=r["period_end"],
                    total_pence=int(r["total_pence"]),
                    route=r["route"],
                    status=r["status"],
                    created_at=r["created_at"],
                )
                for r in rows
            ],
            next=nxt,
        )

    @post(
        "/proposals",
        responses=WRITE_PROBLEMS,
        operation_id="proposeSpending",
        summary="Propose spending (director, secretary, treasurer)",
        opt={ROLES: MANAGERS, WRITE: True},
    )
    async def propose(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], data: JSONBody[NewProposal]
    ) -> Created:
        org = api_caller(request).org
        offer = await commissioning.offer_in_org(org.organisation_id, data.offer)
        pool = await budgets.pool_in_org(org.organisation_id, data.pool)
        errors = {}
        if offer is None:
            errors["offer"] = "There is no service offer with this id"
        if pool is None:
            errors["pool"] = "There is no pool with this id"
        if data.period_end < data.period_start:
            errors["period_end"] = "The end of the period must be on or after its start"
        minutes = {int(k): v for k, v in data.minutes.items() if k.isascii() and k.isdigit() and len(k) < 10}
        if len(minutes) != len(data.minutes):
            errors["minutes"] = "Use pool account ids as the keys"
        if errors:
            raise ApiProblem("The proposal could not be made. See `errors`.", errors=errors)
        assert offer is not None and pool is not None
        details = commissioning.ProposalDetails(
            data.quantity,
            data.period_start,
            data.period_end,
            tuple(data.participants),
            minutes,
            data.vote_days,
        )
        try:
            public_id = await commissioning.create_proposal(
                org.organisation_id, pool, offer, details, now=datetime.now(UTC), actor=api_actor(request)
            )
        except VoteStateError as error:
            raise ApiProblem(str(error), status_code=409) from error
        return Created(id=public_id)

    @get("/contracts", responses=READ_PROBLEMS, operation_id="listContracts", summary="Contracts")
    async def contracts(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
        contract_state: Annotated[
            Literal["active", "ended"] | None, QueryParameter(name="state", description="Contract state")
        ] = None,
    ) -> PageOf[ContractOut]:
        org = api_caller(request).org
        query = Contract.select().where(Contract.organisation == org.organisation_id)
        if contract_state:
            query = query.where(Contract.status == contract_state)
        rows, nxt = await keyset(query, Contract.id, cursor=cursor, limit=limit)
        return PageOf(
            items=[
                ContractOut(
                    id=str(r["public_id"]),
                    reference=r["reference"],
                    total_pence=int(r["total_pence"]),
                    drawn_pence=int(r["drawn_pence"]),
                    status=r["status"],
                    created_at=r["created_at"],
                )
                for r in rows
            ],
            next=nxt,
        )
