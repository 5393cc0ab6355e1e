"""HTTP for pooled budgets: the pools list and a pool's page (every member: totals only, plus their own
sub-account), and for the treasurer or secretary: creating a pool, adding the people taking part, and
recording money in and payments out, each binding form through a check-your-answers page."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop.accounts.controllers import actor_of
from coop.budgets import payee_window, reversals, service
from coop.budgets.forms import (
    check_token,
    check_token_ok,
    read_contribution_form,
    read_contributor_form,
    read_payment_form,
    read_pool_form,
)
from coop.budgets.reversal_pairs import pairs
from coop.budgets.tables import LedgerTransaction, PoolAccount
from coop.form_values import whole_number
from coop.guards import confirm_password_first, current_org, current_session, requires_member, requires_role
from coop.members import register as members_register
from coop.members.tables import Member
from coop.pagination import list_position
from coop.path_params import ID_MAX
from coop.settings import Settings
from coop.web import form_errors_page, redirect, render
from governance.budget import (
    COST_RULE_NAMES,
    FUNDING_SOURCE_NAMES,
    CostRule,
    FundingSource,
    format_pence,
    two_person_rule_text,
)

requires_manager = requires_role(*service.MANAGER_ROLES)


def _base(org_slug: str) -> str:
    return f"/o/{org_slug}/budgets"


async def _pool_or_404(request: Request[Any, Any, Any], pool_id: str) -> dict[str, Any]:
    pool = await service.pool_in_org(current_org(request).organisation_id, pool_id)
    if pool is None:
        raise NotFoundException()
    return pool


def _names() -> dict[str, Any]:
    return {
        "cost_rules": {r.value: n for r, n in COST_RULE_NAMES.items()},
        "funding_sources": {s.value: n for s, n in FUNDING_SOURCE_NAMES.items()},
        "surplus_handling": service.SURPLUS_HANDLING,
        "money": format_pence,
    }


def _not_in_pool(pool_id: int) -> Any:
    """Members who do not already take part in the pool (world accounts have no member)."""
    return Member.id.not_in(
        PoolAccount.select(PoolAccount.member).where(
            (PoolAccount.pool == pool_id) & PoolAccount.member.is_not_null()
        )
    )


def _money_in_check_page(
    request: Request[Any, Any, Any], context: dict[str, Any], data: Any, form: Any, settings: Settings
) -> Template:
    return render(
        request,
        "budgets/money_in_check.html",
        {
            **context,
            "data": data,
            "account": next(a for a in context["accounts"] if a["id"] == data.account_id),
            "form": form,
            "token": check_token(settings.secret_key, "contribution", data.payload()),
        },
    )


async def _pay_check_page(
    request: Request[Any, Any, Any],
    context: dict[str, Any],
    data: Any,
    shares: dict[int, int],
    form: Any,
    settings: Settings,
) -> Template:
    names = {int(a["id"]): a["name"] for a in context["accounts"]}
    return render(
        request,
        "budgets/pay_check.html",
        {
            **context,
            "data": data,
            "form": form,
            "shares": [(names[k], v) for k, v in shares.items()],
            "requirement": await payee_window.requirement_for(
                int(context["pool"]["organisation"]), data.payee, data.amount_pence, context["rules"]
            ),
            "token": check_token(settings.secret_key, "payment", data.payload()),
        },
    )


class BudgetController(Controller):
    path = "/o/{org_slug:str}/budgets"
    guards = [requires_member]

    @get("/", name="budgets")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        pools = await service.pools_of(org.organisation_id)
        totals = {p["id"]: await service.pool_totals(int(p["id"])) for p in pools}
        return render(
            request,
            "budgets/index.html",
            {
                "pools": pools,
                "totals": totals,
                "is_manager": org.has_any(*service.MANAGER_ROLES),
                **_names(),
            },
        )

    # ----------------------------------------------------------------------------------- create a pool

    @get("/new", name="budget_new", guards=[requires_manager])
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "budgets/new.html", {"form": {}, **_names()})

    @post("/new", name="budget_new_post", guards=[requires_manager])
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        data = read_pool_form(form)
        if data.errors:
            return form_errors_page(request, "budgets/new.html", data.errors, {"form": form, **_names()})
        public_id = await service.create_pool(
            org.organisation_id,
            name=data.name,
            purpose=data.purpose,
            cost_rule=CostRule(data.cost_rule),
            contingency_weeks=data.contingency_weeks,
            floor_pence=data.floor_pence,
            surplus_handling=data.surplus_handling,
            exit_terms=data.exit_terms,
            actor=actor_of(request),
        )
        return redirect(request, f"{_base(org.slug)}/{public_id}?created=1")

    # ------------------------------------------------------------------------------------ a pool's page

    @get("/{pool_id:str}", name="budget")
    async def show(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Template:
        org = current_org(request)
        pool = await _pool_or_404(request, pool_id)
        accounts = await service.accounts_of(int(pool["id"]))
        mine = next((a for a in accounts if a["member"] == org.member_id), None)
        manager = org.has_any(*service.MANAGER_ROLES)
        payments = await service.payments_of(int(pool["id"]), limit=20)
        person_id = current_session(request).person_id
        approvable = set()
        if org.has_any(*service.APPROVER_ROLES):
            for p in payments:
                if (
                    p["status"] == "awaiting_approval"
                    and p["requested_by"] != person_id
                    and person_id not in await service.approvers_of(int(p["id"]))
                ):
                    approvable.add(p["id"])
        return render(
            request,
            "budgets/show.html",
            {
                "pool": pool,
                "totals": await service.pool_totals(int(pool["id"])),
                # Members see who takes part; only the treasurer and secretary see each person's money.
                "accounts": accounts,
                "mine": mine,
                "my_statement": await service.statement(int(mine["id"]), limit=20) if mine else None,
                "is_manager": manager,
                "payments": payments,
                "approvable": approvable,
                "base": f"{_base(org.slug)}/{pool['public_id']}",
                **_names(),
            },
        )

    @get("/{pool_id:str}/accounts/{account_id:str}", name="budget_statement")
    async def account_statement(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], account_id: FromPath[str]
    ) -> Template:
        """One person's statement: every entry with its running balance, reconciling to the penny. Seen by
        the treasurer and secretary, and by the person themselves; anyone else gets 404."""
        org = current_org(request)
        pool = await _pool_or_404(request, pool_id)
        account = await service.contributor_account(int(pool["id"]), account_id)
        if account is None or not (org.has_any(*service.MANAGER_ROLES) or account["member"] == org.member_id):
            raise NotFoundException()
        return render(
            request,
            "budgets/statement.html",
            {
                "pool": pool,
                "sheet": await service.statement(int(account["id"]), limit=500),
                "is_manager": org.has_any(*service.MANAGER_ROLES),
                "base": f"{_base(org.slug)}/{pool['public_id']}",
                **_names(),
            },
        )

    # ------------------------------------------------------------------------------ people taking part

    @get("/{pool_id:str}/people", name="budget_people", guards=[requires_manager])
    async def people(
        self,
        request: Request[Any, Any, Any],
        pool_id: FromPath[str],
        member: FromQuery[str] = "",
        q: FromQuery[str] = "",
    ) -> Template:
        """Find the person by name (a GET search with paged results and a Choose button each, so it works
        without JavaScript at any size of membership), then give their share and floor."""
        pool = await _pool_or_404(request, pool_id)
        position = list_position(request.query_params)
        context = await self._people_context(request, pool, {"member": member}, q, position)
        return render(request, "budgets/people.html", context)

    async def _people_context(
        self,
        request: Request[Any, Any, Any],
        pool: dict[str, Any],
        form: Any,
        q: str = "",
        position: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        org = current_org(request)
        outside = _not_in_pool(int(pool["id"]))
        raw = str(form.get("member", ""))
        chosen = None
        member_id = whole_number(raw, low=1, high=ID_MAX)
        if member_id is not None:
            chosen = await members_register.current_member(org.organisation_id, member_id, excluding=outside)
        search = members_register.clean_search(q)
        found = None
        if chosen is None:
            found = await members_register.members_page(
                org.organisation_id, search=search, excluding=outside, per_page=20, **(position or {})
            )
        return {
            "pool": pool,
            "chosen": chosen,
            "found": found,
            "search": search,
            "form": form,
            "base": f"{_base(org.slug)}/{pool['public_id']}",
            **_names(),
        }

    @post("/{pool_id:str}/people", name="budget_people_post", guards=[requires_manager])
    async def add_person(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        pool = await _pool_or_404(request, pool_id)
        form = await request.form()
        data = read_contributor_form(form)
        if not data.errors:
            try:
                await service.add_contributor(
                    org.organisation_id,
                    int(pool["id"]),
                    data.member_id,
                    share=data.share,
                    floor_pence=data.floor_pence,
                    joined_on=date.today(),
                    actor=actor_of(request),
                )
            except service.BudgetError as error:
                data.errors["member"] = error.violations[0].message
        if data.errors:
            return form_errors_page(
                request, "budgets/people.html", data.errors, await self._people_context(request, pool, form)
            )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}?added=1")

    # -------------------------------------------------------------------------------------- money in

    async def _contribution_context(
        self, request: Request[Any, Any, Any], pool: dict[str, Any]
    ) -> dict[str, Any]:
        org = current_org(request)
        return {
            "pool": pool,
            "accounts": await service.accounts_of(int(pool["id"])),
            "base": f"{_base(org.slug)}/{pool['public_id']}",
            **_names(),
        }

    @get("/{pool_id:str}/money-in", name="budget_money_in", guards=[requires_manager])
    async def money_in(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Template:
        pool = await _pool_or_404(request, pool_id)
        context = await self._contribution_context(request, pool)
        return render(
            request,
            "budgets/money_in.html",
            {**context, "form": {"idempotency_key": service.new_idempotency_key()}},
        )

    @post("/{pool_id:str}/money-in/check", name="budget_money_in_check", guards=[requires_manager])
    async def money_in_check(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Template:
        pool = await _pool_or_404(request, pool_id)
        context = await self._contribution_context(request, pool)
        form = await request.form()
        data = read_contribution_form(form, {int(a["id"]) for a in context["accounts"]})
        if data.errors:
            return form_errors_page(request, "budgets/money_in.html", data.errors, {**context, "form": form})
        return _money_in_check_page(request, context, data, form, settings)

    @post("/{pool_id:str}/money-in", name="budget_money_in_post", guards=[requires_manager])
    async def money_in_record(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        org = current_org(request)
        pool = await _pool_or_404(request, pool_id)
        context = await self._contribution_context(request, pool)
        form = await request.form()
        data = read_contribution_form(form, {int(a["id"]) for a in context["accounts"]})
        if data.errors:
            return form_errors_page(request, "budgets/money_in.html", data.errors, {**context, "form": form})
        if not check_token_ok(
            settings.secret_key, "contribution", data.payload(), str(form.get("check", ""))
        ):
            # Not through the check page (or changed since): show the check page first (M12).
            return _money_in_check_page(request, context, data, form, settings)
        assert data.period_start is not None and data.period_end is not None
        try:
            result = await service.record_contribution(
                org.organisation_id,
                int(pool["id"]),
                data.account_id,
                amount_pence=data.amount_pence,
                funding_source=FundingSource(data.funding_source),
                funder=data.funder,
                period_start=data.period_start,
                period_end=data.period_end,
                description=data.description,
                idempotency_key=data.idempotency_key,
                actor=actor_of(request),
            )
        except service.BudgetError as error:
            return form_errors_page(
                request,
                "budgets/money_in.html",
                {"amount": error.violations[0].message},
                {**context, "form": form},
            )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}/transactions/{result.public_id}")

    @get("/{pool_id:str}/transactions/{txn_id:str}", name="budget_transaction", guards=[requires_manager])
    async def transaction(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], txn_id: FromPath[str]
    ) -> Template:
        pool = await _pool_or_404(request, pool_id)
        txn = (
            await LedgerTransaction.select()
            .where((LedgerTransaction.public_id == txn_id) & (LedgerTransaction.pool == pool["id"]))
            .first()
            if service.is_public_id(txn_id)
            else None
        )
        if txn is None:
            raise NotFoundException()
        account = (
            await PoolAccount.select(PoolAccount.name)
            .where(
                PoolAccount.id.is_in(
                    [
                        int(e["account"])
                        for e in await service.LedgerEntry.select().where(
                            service.LedgerEntry.txn == txn["id"]
                        )
                    ]
                )
                & (PoolAccount.kind == service.CONTRIBUTOR)
            )
            .first()
        )
        found = await reversals.reversible(current_org(request).organisation_id, int(pool["id"]), txn_id)
        assert found is not None
        return render(
            request,
            "budgets/transaction.html",
            {
                "pool": pool,
                "txn": txn,
                "account": account,
                "reversal": found,
                "can_reverse": not found.problems("-"),
                "pair": (await pairs([int(txn["id"])])).get(int(txn["id"]), {}),
                "base": f"{_base(current_org(request).slug)}/{pool['public_id']}",
                **_names(),
            },
        )

    # ------------------------------------------------------------------------------------- money out

    async def _payment_context(self, request: Request[Any, Any, Any], pool: dict[str, Any]) -> dict[str, Any]:
        org = current_org(request)
        accounts = [a for a in await service.accounts_of(int(pool["id"])) if a["left_on"] is None]
        rules = (await service.constitution_of(org.organisation_id)).spending
        return {
            "pool": pool,
            "accounts": accounts,
            "by_hours": pool["cost_rule"] == CostRule.BY_HOURS.value,
            "rules": rules,
            "two_person_rule": two_person_rule_text(rules),
            "base": f"{_base(org.slug)}/{pool['public_id']}",
            **_names(),
        }

    @get("/{pool_id:str}/pay", name="budget_pay", guards=[requires_manager])
    async def pay(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Template:
        pool = await _pool_or_404(request, pool_id)
        context = await self._payment_context(request, pool)
        # The idempotency key is made when the form is shown and kept through check and retries.
        return render(
            request,
            "budgets/pay.html",
            {**context, "form": {"idempotency_key": service.new_idempotency_key()}},
        )

    async def _read_payment(
        self, request: Request[Any, Any, Any], pool: dict[str, Any], context: dict[str, Any], form: Any
    ) -> tuple[Any, dict[int, int]]:
        data = read_payment_form(
            form, [int(a["id"]) for a in context["accounts"]], by_hours=context["by_hours"]
        )
        shares: dict[int, int] = {}
        if not data.errors:
            try:
                shares = await service.payment_shares(pool, data.request())
            except service.BudgetError as error:
                data.errors["amount"] = error.violations[0].message
        return data, shares

    @post("/{pool_id:str}/pay/check", name="budget_pay_check", guards=[requires_manager])
    async def pay_check(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Template:
        pool = await _pool_or_404(request, pool_id)
        context = await self._payment_context(request, pool)
        form = await request.form()
        data, shares = await self._read_payment(request, pool, context, form)
        if data.errors:
            return form_errors_page(request, "budgets/pay.html", data.errors, {**context, "form": form})
        return await _pay_check_page(request, context, data, shares, form, settings)

    @post("/{pool_id:str}/pay", name="budget_pay_post", guards=[requires_manager])
    async def pay_record(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        org = current_org(request)
        pool = await _pool_or_404(request, pool_id)
        context = await self._payment_context(request, pool)
        form = await request.form()
        data, shares = await self._read_payment(request, pool, context, form)
        if data.errors:
            return form_errors_page(request, "budgets/pay.html", data.errors, {**context, "form": form})
        if not check_token_ok(settings.secret_key, "payment", data.payload(), str(form.get("check", ""))):
            return await _pay_check_page(request, context, data, shares, form, settings)
        try:
            result = await service.request_payment(
                org.organisation_id,
                int(pool["id"]),
                data.request(),
                actor=actor_of(request),
            )
        except service.BudgetError as error:
            return form_errors_page(
                request,
                "budgets/pay.html",
                {"amount": " ".join(v.message for v in error.violations)},
                {**context, "form": form},
            )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}/payments/{result.public_id}")

    @get("/{pool_id:str}/payments/{payment_id:str}", name="budget_payment")
    async def payment(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], payment_id: FromPath[str]
    ) -> Template:
        org = current_org(request)
        pool = await _pool_or_404(request, pool_id)
        payment = await service.payment_in_org(org.organisation_id, payment_id)
        if payment is None or payment["pool"] != pool["id"]:
            raise NotFoundException()
        person_id = current_session(request).person_id
        approvers = await service.approvers_of(int(payment["id"]))
        manager = org.has_any(*service.MANAGER_ROLES)
        names = {int(a["id"]): a["name"] for a in await service.accounts_of(int(pool["id"]))}
        return render(
            request,
            "budgets/payment.html",
            {
                "pool": pool,
                "payment": payment,
                "approvals": len(approvers),
                "can_approve": payment["status"] == "awaiting_approval"
                and org.has_any(*service.APPROVER_ROLES)
                and payment["requested_by"] != person_id
                and person_id not in approvers,
                "can_cancel": payment["status"] == "awaiting_approval" and manager,
                "reversal": await reversals.payment_reversal(payment) if manager else None,
                "shares": [(names.get(int(k), "?"), v) for k, v in json.loads(payment["shares"]).items()]
                if manager
                else [],
                "base": f"{_base(org.slug)}/{pool['public_id']}",
                **_names(),
            },
        )

    @post("/{pool_id:str}/payments/{payment_id:str}/approve", name="budget_payment_approve")
    async def approve(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], payment_id: FromPath[str]
    ) -> Response[Any]:
        org = current_org(request)
        if not org.has_any(*service.APPROVER_ROLES):
            raise PermissionDeniedException()
        pool = await _pool_or_404(request, pool_id)
        page = f"{_base(org.slug)}/{pool['public_id']}/payments/{payment_id}"
        if (ask := confirm_password_first(request, page)) is not None:
            return ask
        person_id = current_session(request).person_id
        try:
            await service.approve_payment(
                org.organisation_id, payment_id, approver_person_id=person_id, actor=actor_of(request)
            )
        except service.NotFound as error:
            raise NotFoundException() from error
        except service.BudgetError as error:
            return render(
                request,
                "budgets/refused.html",
                {"pool": pool, "messages": [v.message for v in error.violations], **_names()},
                status_code=422,
            )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}/payments/{payment_id}")

    @post(
        "/{pool_id:str}/payments/{payment_id:str}/cancel",
        name="budget_payment_cancel",
        guards=[requires_manager],
    )
    async def cancel(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], payment_id: FromPath[str]
    ) -> Response[Any]:
        org = current_org(request)
        pool = await _pool_or_404(request, pool_id)
        try:
            await service.cancel_payment(org.organisation_id, payment_id, actor=actor_of(request))
        except service.NotFound as error:
            raise NotFoundException() from error
        except service.BudgetError as error:
            return render(
                request,
                "budgets/refused.html",
                {"pool": pool, "messages": [v.message for v in error.violations], **_names()},
                status_code=422,
            )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}/payments/{payment_id}")
