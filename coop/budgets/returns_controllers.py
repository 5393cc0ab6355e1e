"""HTTP for direct-payment monitoring returns (a printable page and a CSV download) and the pool's open
page for members.

A return shows one person's money, so only the board (directors, treasurer, secretary), the person
themselves and, through `/o/<slug>/supporting/<member>/budgets`, their named supporter may see it;
anyone else gets 404. The open page shows every member the pool's totals and what the money bought,
never another person's figures; each person sees their own figures there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.budgets import ledger, pools, returns
from coop.budgets.page_parts import page_names, pool_or_404
from coop.form_values import read_date
from coop.guards import current_org, requires_member, requires_role
from coop.members.guards import requires_supporter
from coop.urls import org_path
from coop.votes.chart import bar_chart
from coop.web import render

BOARD_ROLES = pools.APPROVER_ROLES
requires_board = requires_role(*BOARD_ROLES)


@dataclass(frozen=True, slots=True)
class PeriodForm:
    start: date
    end: date
    errors: dict[str, str]
    values: dict[str, str]


def _read_date(query: Any, prefix: str, label: str, default: date, errors: dict[str, str]) -> date:
    value = read_date(query, prefix, label, errors, optional=True)
    if value is None:
        return default
    if value < returns.EARLIEST:
        errors[f"{prefix}_day"] = f"The {label} must be in {returns.EARLIEST.year} or later"
        return default
    return value


def read_period(query: Any) -> PeriodForm:
    """The period from the query string; this quarter (April to June, ...) when none is given."""
    default_start, default_end = returns.quarter_of(clock.today_in_london())
    errors: dict[str, str] = {}
    start = _read_date(query, "from", "start date", default_start, errors)
    end = _read_date(query, "to", "end date", default_end, errors)
    if not errors and end < start:
        errors["to_day"] = "The end date must be the same as or after the start date"
    if errors:
        start, end = default_start, default_end
    values = {
        f"{prefix}_{part}": str(getattr(day, attr))
        for prefix, day in (("from", start), ("to", end))
        for part, attr in (("day", "day"), ("month", "month"), ("year", "year"))
    }
    if errors:  # keep what was typed, so the error can be put right
        values = {k: str(query.get(k, "")) for k in values}
    return PeriodForm(start, end, errors, values)


def _period_query(period: PeriodForm) -> str:
    return "&".join(f"{k}={v}" for k, v in period.values.items()) if not period.errors else ""


async def _return_page(
    request: Request[Any, Any, Any], pool: dict[str, Any], account: dict[str, Any], base: str, back: str
) -> Template:
    period = read_period(request.query_params)
    sheet = await returns.monitoring_return(int(account["id"]), period.start, period.end)
    quarter = returns.quarter_of(clock.today_in_london())
    last_quarter = returns.quarter_of(quarter[0].replace(day=1) - timedelta(days=1))
    return render(
        request,
        "budgets/returns/return.html",
        {
            "pool": pool,
            "sheet": sheet,
            "form": period.values,
            "errors": period.errors or None,
            "base": base,
            "back": back,
            "csv_url": f"{base}.csv?{_period_query(period)}",
            "quarters": [("This quarter", quarter), ("Last quarter", last_quarter)],
            "today": clock.today_in_london(),
            **page_names(),
        },
        status_code=422 if period.errors else 200,
    )


async def _return_csv(
    request: Request[Any, Any, Any], pool: dict[str, Any], account: dict[str, Any]
) -> Response[str]:
    period = read_period(request.query_params)
    if period.errors:
        raise NotFoundException()  # the page's form shows the error; a bad link downloads nothing
    csv_text = await returns.downloaded_return(
        current_org(request).organisation_id, account, period.start, period.end, actor=actor_of(request)
    )
    name = f"monitoring-return-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
    return Response(
        content=csv_text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _can_see(request: Request[Any, Any, Any], account: dict[str, Any]) -> bool:
    org = current_org(request)
    return org.has_any(*BOARD_ROLES) or account["member"] == org.member_id


class ReturnsController(Controller):
    """Returns for the board and the person themselves; the open page for every member."""

    path = "/o/{org_slug:str}/budgets"
    guards = [requires_member]

    async def _visible_account(
        self, request: Request[Any, Any, Any], pool_id: str, account_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        pool = await pool_or_404(request, pool_id)
        account = await pools.contributor_account(int(pool["id"]), account_id)
        if account is None or not _can_see(request, account):
            raise NotFoundException()
        return pool, account

    @get("/{pool_id:str}/accounts/{account_id:str}/return", name="budget_return")
    async def return_page(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], account_id: FromPath[str]
    ) -> Template:
        pool, account = await self._visible_account(request, pool_id, account_id)
        base = f"/o/{current_org(request).slug}/budgets/{pool['public_id']}"
        return await _return_page(
            request, pool, account, f"{base}/accounts/{account['public_id']}/return", base
        )

    @get("/{pool_id:str}/accounts/{account_id:str}/return.csv", name="budget_return_csv")
    async def return_download(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], account_id: FromPath[str]
    ) -> Response[str]:
        pool, account = await self._visible_account(request, pool_id, account_id)
        return await _return_csv(request, pool, account)

    @get("/{pool_id:str}/returns", name="budget_returns", guards=[requires_board])
    async def returns_index(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Template:
        pool = await pool_or_404(request, pool_id)
        return render(
            request,
            "budgets/returns/index.html",
            {
                "pool": pool,
                "accounts": await ledger.accounts_of(int(pool["id"])),
                "base": f"/o/{current_org(request).slug}/budgets/{pool['public_id']}",
            },
        )

    @get("/{pool_id:str}/spending", name="budget_spending")
    async def spending(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Template:
        org = current_org(request)
        pool = await pool_or_404(request, pool_id)
        by_service = await returns.spending_by_service(int(pool["id"]))
        mine = next(
            (a for a in await ledger.accounts_of(int(pool["id"])) if a["member"] == org.member_id), None
        )
        base = f"/o/{org.slug}/budgets/{pool['public_id']}"
        return render(
            request,
            "budgets/returns/spending.html",
            {
                "pool": pool,
                "totals": await pools.pool_totals(int(pool["id"])),
                "by_service": by_service,
                "chart": bar_chart(
                    [(payee, Decimal(pence) / 100) for payee, pence in by_service],
                    title="Money spent on each service, in pounds",
                )
                if by_service
                else "",
                # The person's own figures, for them alone: everything since they joined.
                "mine": await returns.monitoring_return(int(mine["id"]), returns.EARLIEST, returns.LATEST)
                if mine
                else None,
                "mine_url": f"{base}/accounts/{mine['public_id']}/return" if mine else "",
                "base": base,
                **page_names(),
            },
        )


class SupportingReturnsController(Controller):
    """The same returns for a member's named supporter, for that member's own money only."""

    path = "/o/{org_slug:str}/supporting/{member_id:str}/budgets"
    guards = [requires_supporter]

    def _base(self, request: Request[Any, Any, Any]) -> str:
        org = current_org(request)
        return org_path(org.slug, "supporting", org.member_public_id, "budgets")

    async def _own_account(
        self, request: Request[Any, Any, Any], pool_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        pool = await pool_or_404(request, pool_id)
        account = next(
            (
                a
                for a in await ledger.accounts_of(int(pool["id"]))
                if a["member"] == current_org(request).member_id
            ),
            None,
        )
        if account is None:
            raise NotFoundException()
        return pool, account

    @get("/", name="supporting_budgets")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        mine = await pools.pools_taking_part(org.organisation_id, org.member_id)
        return render(
            request, "budgets/returns/supporting.html", {"pools": mine, "base": self._base(request)}
        )

    @get("/{pool_id:str}/return", name="supporting_budget_return")
    async def return_page(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Template:
        pool, account = await self._own_account(request, pool_id)
        base = self._base(request)
        return await _return_page(request, pool, account, f"{base}/{pool['public_id']}/return", base)

    @get("/{pool_id:str}/return.csv", name="supporting_budget_return_csv")
    async def return_download(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Response[str]:
        pool, account = await self._own_account(request, pool_id)
        return await _return_csv(request, pool, account)
