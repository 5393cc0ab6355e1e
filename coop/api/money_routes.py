"""API for pooled budgets: balances, your own statement, the treasurer's ledger, and recording money in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, HeaderParameter, JSONBody
from msgspec import Meta, Struct

from coop.api.auth import ROLES, WRITE, api_actor, api_caller
from coop.api.listing import (
    LEDGER,
    Filters,
    page_of,
    row_as,
)
from coop.api.org_routes import Cursor, Limit, Since, Until
from coop.api.paging import DEFAULT_LIMIT, PageOf
from coop.api.problems import READ_PROBLEMS, WRITE_PROBLEMS
from coop.budgets import contributions, ledger, pools
from governance.budget import FundingSource

MANAGERS = pools.MANAGER_ROLES
IdempotencyKey = Annotated[
    str,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=16,
        max_length=64,
        pattern=ledger.KEY_PATTERN.pattern,
        description="16 to 64 letters, digits, - or _. Sending the same key again replays the first answer "
        "and records nothing more.",
    ),
]


class Totals(Struct):
    money_in: int
    money_out: int
    balance: int
    committed: int
    available: int
    floor: int


class PoolOut(Struct):
    id: str
    name: str
    purpose: str
    cost_rule: str
    totals_pence: Totals


class EntryOut(Struct):
    reference: str
    kind: str
    description: str
    amount_pence: int
    balance_after_pence: int
    created_at: datetime


class StatementOut(Struct):
    pool: str
    account: str
    opening_pence: int
    closing_pence: int
    entries: list[EntryOut]


class TransactionOut(Struct):
    id: str
    reference: str
    kind: str
    description: str
    amount_pence: int
    funding_source: str
    funder: str
    period_start: date | None
    period_end: date | None
    created_at: datetime


class MoneyIn(Struct, forbid_unknown_fields=True):
    """Money into one contributor's sub-account (a council's direct-payment remittance, for example)."""

    account: Annotated[int, Meta(ge=1, le=2**31 - 1, description="The contributor's pool account id")]
    amount_pence: Annotated[int, Meta(ge=1, le=10**11)]
    funding_source: FundingSource
    period_start: date
    period_end: date
    funder: Annotated[str, Meta(max_length=200)] = ""
    description: Annotated[str, Meta(max_length=500)] = ""


class Recorded(Struct):
    id: str
    reference: str
    amount_pence: int


async def _pool(request: Request[Any, Any, Any], pool_id: str) -> dict[str, Any]:
    pool = await pools.pool_in_org(api_caller(request).org.organisation_id, pool_id)
    if pool is None:
        raise NotFoundException()
    return pool


async def _pool_out(pool: dict[str, Any]) -> PoolOut:
    return PoolOut(
        id=str(pool["public_id"]),
        name=pool["name"],
        purpose=pool["purpose"],
        cost_rule=pool["cost_rule"],
        totals_pence=Totals(**await pools.pool_totals(int(pool["id"]))),
    )


class PoolRoutes(Controller):
    path = "/orgs/{org_slug:str}/pools"
    tags = ["Pooled budgets"]

    @get("/", responses=READ_PROBLEMS, operation_id="listPools", summary="Pools and their totals")
    async def pools(self, request: Request[Any, Any, Any], org_slug: FromPath[str]) -> list[PoolOut]:
        org = api_caller(request).org
        # An organisation has a handful of pools; each adds its totals (a bounded, small list).
        return [await _pool_out(p) for p in (await pools.pools_of(org.organisation_id))[:100]]

    @get("/{pool_id:str}", responses=READ_PROBLEMS, operation_id="getPool", summary="One pool's totals")
    async def pool(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], pool_id: FromPath[str]
    ) -> PoolOut:
        return await _pool_out(await _pool(request, pool_id))

    @get(
        "/{pool_id:str}/statement",
        responses=READ_PROBLEMS,
        operation_id="getMyStatement",
        summary="Your own sub-account's statement (the latest 500 entries)",
    )
    async def statement(
        self, request: Request[Any, Any, Any], org_slug: FromPath[str], pool_id: FromPath[str]
    ) -> StatementOut:
        org = api_caller(request).org
        pool = await _pool(request, pool_id)
        accounts = await ledger.accounts_of(int(pool["id"]))
        mine = next((a for a in accounts if a["member"] == org.member_id), None)
        if mine is None:
            raise NotFoundException(detail="You have no sub-account in this pool.")
        sheet = await pools.statement(int(mine["id"]), limit=500)
        return StatementOut(
            pool=str(pool["public_id"]),
            account=str(mine["public_id"]),
            opening_pence=int(sheet["opening"]),
            closing_pence=int(sheet["closing"]),
            entries=[
                EntryOut(
                    reference=e["reference"],
                    kind=e["kind"],
                    description=e["description"],
                    amount_pence=int(e["amount_pence"]),
                    balance_after_pence=int(e["balance_after_pence"]),
                    created_at=e["created_at"],
                )
                for e in sheet["entries"]
            ],
        )

    @get(
        "/{pool_id:str}/ledger",
        responses=READ_PROBLEMS,
        operation_id="listLedger",
        summary="The pool's full ledger (treasurer, secretary)",
        opt={ROLES: MANAGERS},
    )
    async def ledger(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        pool_id: FromPath[str],
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
        since: Since = None,
        until: Until = None,
    ) -> PageOf[TransactionOut]:
        pool = await _pool(request, pool_id)
        filters = Filters(None, since, until)
        return await page_of(
            LEDGER, int(pool["id"]), row_as(TransactionOut), cursor=cursor, limit=limit, filters=filters
        )

    @post(
        "/{pool_id:str}/money-in",
        responses=WRITE_PROBLEMS,
        operation_id="recordMoneyIn",
        summary="Record money in (treasurer, secretary), idempotently",
        opt={ROLES: MANAGERS, WRITE: True},
    )
    async def money_in(
        self,
        request: Request[Any, Any, Any],
        org_slug: FromPath[str],
        pool_id: FromPath[str],
        data: JSONBody[MoneyIn],
        idempotency_key: IdempotencyKey,
    ) -> Recorded:
        org = api_caller(request).org
        pool = await _pool(request, pool_id)
        result = await contributions.record_contribution(
            org.organisation_id,
            int(pool["id"]),
            data.account,
            amount_pence=data.amount_pence,
            funding_source=data.funding_source,
            funder=data.funder,
            period_start=data.period_start,
            period_end=data.period_end,
            description=data.description,
            idempotency_key=idempotency_key,
            actor=api_actor(request),
        )
        return Recorded(id=result.public_id, reference=result.reference, amount_pence=result.amount_pence)
