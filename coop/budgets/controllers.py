"""HTTP for pooled budgets: the pools list and a pool's page (every member: totals only, plus their own
sub-account), and for the treasurer or secretary: creating a pool, adding the people taking part, and
recording money in and payments out, each binding form through a check-your-answers page."""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.budgets import contributions, errors, ledger, payee_window, payments, pool_pages, pools
from coop.budgets.check_step import CheckStep
from coop.budgets.commitments import Commitments
from coop.budgets.forms import (
    check_token,
    read_contribution_form,
    read_contributor_form,
    read_payment_form,
    read_pool_form,
)
from coop.budgets.page_parts import page_names, pool_or_404, requires_manager
from coop.errors import Refused, form_page, on_refusal, refusal_context
from coop.form_values import whole_number
from coop.guards import confirm_password_first, current_org, current_session, requires_member
from coop.pagination import list_position
from coop.path_params import ID_MAX
from coop.settings import Settings
from coop.urls import org_path
from coop.web import form_errors_page, redirect, render
from governance.budget import (
    CostRule,
    FundingSource,
    two_person_rule_text,
)


def _base(org_slug: str) -> str:
    return org_path(org_slug, "budgets")


async def _money_in_check_page(
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
        return render(
            request,
            "budgets/index.html",
            {
                **await pool_pages.pools_with_totals(org.organisation_id),
                "is_manager": org.has_any(*pools.MANAGER_ROLES),
                **page_names(),
            },
        )

    # ----------------------------------------------------------------------------------- create a pool

    @get("/new", name="budget_new", guards=[requires_manager])
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "budgets/new.html", {"form": {}, **page_names()})

    @post("/new", name="budget_new_post", guards=[requires_manager])
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        data = read_pool_form(form)
        if data.errors:
            return form_errors_page(request, "budgets/new.html", data.errors, {"form": form, **page_names()})
        public_id = await pools.create_pool(
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
        pool = await pool_or_404(request, pool_id)
        page = await pool_pages.pool_page(org, pool, person_id=current_session(request).person_id)
        return render(
            request,
            "budgets/show.html",
            {
                **page,
                "base": f"{_base(org.slug)}/{pool['public_id']}",
                **page_names(),
            },
        )

    @get("/{pool_id:str}/accounts/{account_id:str}", name="budget_statement")
    async def account_statement(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], account_id: FromPath[str]
    ) -> Template:
        """One person's statement: every entry with its running balance, reconciling to the penny. Seen by
        the treasurer and secretary, and by the person themselves; anyone else gets 404."""
        org = current_org(request)
        pool = await pool_or_404(request, pool_id)
        account = await pools.contributor_account(int(pool["id"]), account_id)
        if account is None or not (org.has_any(*pools.MANAGER_ROLES) or account["member"] == org.member_id):
            raise NotFoundException()
        return render(
            request,
            "budgets/statement.html",
            {
                "pool": pool,
                "sheet": await pools.statement(int(account["id"]), limit=500),
                "is_manager": org.has_any(*pools.MANAGER_ROLES),
                "base": f"{_base(org.slug)}/{pool['public_id']}",
                **page_names(),
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
        pool = await pool_or_404(request, pool_id)
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
        chosen_id = whole_number(str(form.get("member", "")), low=1, high=ID_MAX)
        people = await pool_pages.people_to_add(
            org.organisation_id, int(pool["id"]), chosen_id=chosen_id, search=q, position=position
        )
        return {
            "pool": pool,
            **people,
            "form": form,
            "base": f"{_base(org.slug)}/{pool['public_id']}",
            **page_names(),
        }

    @post(
        "/{pool_id:str}/people",
        name="budget_people_post",
        guards=[requires_manager],
        opt=form_page("budgets/people.html"),
    )
    async def add_person(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        pool = await pool_or_404(request, pool_id)
        form = await request.form()
        data = read_contributor_form(form)

        async def load() -> dict[str, Any]:
            # The people page loads its member search, which only a refused request needs.
            return await self._people_context(request, pool, form)

        async with on_refusal(request, load):
            if data.errors:
                raise Refused(field_errors=data.errors)
            await pools.add_contributor(
                org.organisation_id,
                int(pool["id"]),
                data.member_id,
                share=data.share,
                floor_pence=data.floor_pence,
                joined_on=clock.today(),
                actor=actor_of(request),
            )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}?added=1")

    # -------------------------------------------------------------------------------------- money in

    async def _contribution_context(
        self, request: Request[Any, Any, Any], pool: dict[str, Any]
    ) -> dict[str, Any]:
        org = current_org(request)
        return {
            "pool": pool,
            "accounts": await ledger.accounts_of(int(pool["id"])),
            "base": f"{_base(org.slug)}/{pool['public_id']}",
            **page_names(),
        }

    @get("/{pool_id:str}/money-in", name="budget_money_in", guards=[requires_manager])
    async def money_in(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Template:
        pool = await pool_or_404(request, pool_id)
        context = await self._contribution_context(request, pool)
        return render(
            request,
            "budgets/money_in.html",
            {**context, "form": {"idempotency_key": ledger.new_idempotency_key()}},
        )

    async def _money_in_step(
        self, request: Request[Any, Any, Any], pool_id: str, settings: Settings
    ) -> CheckStep:
        """The money-in form as posted (its context has the pool), for its check page and for recording it."""
        pool = await pool_or_404(request, pool_id)
        context = await self._contribution_context(request, pool)
        form = await request.form()
        data = read_contribution_form(form, {int(a["id"]) for a in context["accounts"]})
        check = partial(_money_in_check_page, request, context, data, form, settings)
        as_sent = {**context, "form": form}
        return CheckStep("budgets/money_in.html", "contribution", as_sent, data, check)

    @post("/{pool_id:str}/money-in/check", name="budget_money_in_check", guards=[requires_manager])
    async def money_in_check(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Template:
        return await (await self._money_in_step(request, pool_id, settings)).page(request)

    @post(
        "/{pool_id:str}/money-in",
        name="budget_money_in_post",
        guards=[requires_manager],
        opt=form_page("budgets/money_in.html", field="amount"),
    )
    async def money_in_record(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        org = current_org(request)
        step = await self._money_in_step(request, pool_id, settings)
        pool, data = step.context["pool"], cast(Any, step.data)
        # Refused: the form again, every reason by the amount.
        if shown := await step.unless_checked(request, settings.secret_key):
            return shown
        assert data.period_start is not None and data.period_end is not None
        result = await contributions.record_contribution(
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
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}/transactions/{result.public_id}")

    @get("/{pool_id:str}/transactions/{txn_id:str}", name="budget_transaction", guards=[requires_manager])
    async def transaction(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], txn_id: FromPath[str]
    ) -> Template:
        pool = await pool_or_404(request, pool_id)
        page = await pool_pages.transaction_page(
            current_org(request).organisation_id, int(pool["id"]), txn_id
        )
        if page is None:
            raise NotFoundException()
        return render(
            request,
            "budgets/transaction.html",
            {
                "pool": pool,
                **page,
                "base": f"{_base(current_org(request).slug)}/{pool['public_id']}",
                **page_names(),
            },
        )

    # ------------------------------------------------------------------------------------- money out

    async def _payment_context(self, request: Request[Any, Any, Any], pool: dict[str, Any]) -> dict[str, Any]:
        org = current_org(request)
        accounts = [a for a in await ledger.accounts_of(int(pool["id"])) if a["left_on"] is None]
        rules = await payments.spending_rules(org.organisation_id)
        return {
            "pool": pool,
            "accounts": accounts,
            "by_hours": pool["cost_rule"] == CostRule.BY_HOURS.value,
            "rules": rules,
            "two_person_rule": two_person_rule_text(rules),
            "base": f"{_base(org.slug)}/{pool['public_id']}",
            **page_names(),
        }

    @get("/{pool_id:str}/pay", name="budget_pay", guards=[requires_manager])
    async def pay(self, request: Request[Any, Any, Any], pool_id: FromPath[str]) -> Template:
        pool = await pool_or_404(request, pool_id)
        context = await self._payment_context(request, pool)
        # The idempotency key is made when the form is shown and kept through check and retries.
        return render(
            request,
            "budgets/pay.html",
            {**context, "form": {"idempotency_key": ledger.new_idempotency_key()}},
        )

    async def _read_payment(
        self, request: Request[Any, Any, Any], pool: dict[str, Any], context: dict[str, Any], form: Any
    ) -> tuple[Any, dict[int, int]]:
        data = read_payment_form(
            form, [int(a["id"]) for a in context["accounts"]], by_hours=context["by_hours"]
        )
        shares: dict[int, int] = {}
        if not data.errors:
            # Caught here, not by coop.web's one mapping, on purpose: this reads the form for the check
            # page and for the action alike, and a split the rules refuse is one more error beside the
            # form's own, under the amount, on the same page (the action's refusal is the mapping's).
            try:
                shares = await payments.payment_shares(pool, data.request())
            except errors.BudgetError as error:
                data.errors["amount"] = error.violations[0].message
        return data, shares

    async def _payment_step(
        self, request: Request[Any, Any, Any], pool_id: str, settings: Settings
    ) -> CheckStep:
        """The payment form as posted (its context has the pool), with the split it makes, for its check
        page and for recording it."""
        pool = await pool_or_404(request, pool_id)
        context = await self._payment_context(request, pool)
        form = await request.form()
        data, shares = await self._read_payment(request, pool, context, form)
        check = partial(_pay_check_page, request, context, data, shares, form, settings)
        return CheckStep("budgets/pay.html", "payment", {**context, "form": form}, data, check)

    @post("/{pool_id:str}/pay/check", name="budget_pay_check", guards=[requires_manager])
    async def pay_check(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Template:
        return await (await self._payment_step(request, pool_id, settings)).page(request)

    @post(
        "/{pool_id:str}/pay",
        name="budget_pay_post",
        guards=[requires_manager],
        opt=form_page("budgets/pay.html", field="amount"),
    )
    async def pay_record(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        org = current_org(request)
        step = await self._payment_step(request, pool_id, settings)
        pool, data = step.context["pool"], cast(Any, step.data)
        # Refused: the form again, every reason by the amount.
        if shown := await step.unless_checked(request, settings.secret_key):
            return shown
        result = await payments.request_payment(
            org.organisation_id, int(pool["id"]), data.request(), actor=actor_of(request)
        )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}/payments/{result.public_id}")

    @get("/{pool_id:str}/payments/{payment_id:str}", name="budget_payment")
    async def payment(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], payment_id: FromPath[str]
    ) -> Template:
        org = current_org(request)
        pool = await pool_or_404(request, pool_id)
        payment = await payments.payment_in_org(org.organisation_id, payment_id)
        if payment is None or payment["pool"] != pool["id"]:
            raise NotFoundException()
        page = await pool_pages.payment_page(org, pool, payment, person_id=current_session(request).person_id)
        return render(
            request,
            "budgets/payment.html",
            {
                **page,
                "base": f"{_base(org.slug)}/{pool['public_id']}",
                **page_names(),
            },
        )

    @post(
        "/{pool_id:str}/payments/{payment_id:str}/approve",
        name="budget_payment_approve",
        opt=form_page("budgets/refused.html"),
    )
    async def approve(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], payment_id: FromPath[str]
    ) -> Response[Any]:
        org = current_org(request)
        if not org.has_any(*pools.APPROVER_ROLES):
            raise PermissionDeniedException()
        pool = await pool_or_404(request, pool_id)
        page = f"{_base(org.slug)}/{pool['public_id']}/payments/{payment_id}"
        if (ask := confirm_password_first(request, page)) is not None:
            return ask
        person_id = current_session(request).person_id
        refusal_context(request, pool=pool)  # refused: why, and the way back to the pool
        await payments.approve_payment(
            org.organisation_id, payment_id, approver_person_id=person_id, actor=actor_of(request)
        )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}/payments/{payment_id}")

    @post(
        "/{pool_id:str}/payments/{payment_id:str}/cancel",
        name="budget_payment_cancel",
        guards=[requires_manager],
        opt=form_page("budgets/refused.html"),
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        pool_id: FromPath[str],
        payment_id: FromPath[str],
        commitments: NamedDependency[Commitments],
    ) -> Response[Any]:
        org = current_org(request)
        pool = await pool_or_404(request, pool_id)
        refusal_context(request, pool=pool)  # refused: why, and the way back to the pool
        await payments.cancel_payment(
            org.organisation_id, payment_id, commitments=commitments, actor=actor_of(request)
        )
        return redirect(request, f"{_base(org.slug)}/{pool['public_id']}/payments/{payment_id}")
