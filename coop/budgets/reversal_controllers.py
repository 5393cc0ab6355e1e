"""HTTP for reversing a payment or money in: the reason form, the check-your-answers page before the
binding step, and the reversal's own page (approve or withdraw while it waits). Works as plain forms;
with htmx the reason form and the check step swap in place (`budgets/_reverse.html`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template

from coop.accounts.controllers import actor_of
from coop.budgets import reversals, service
from coop.budgets.controllers import _names, _pool_or_404, requires_manager
from coop.budgets.forms import check_token, check_token_ok, text
from coop.errors import form_page, refusal_context
from coop.guards import confirm_password_first, current_org, current_session, requires_member, requires_role
from coop.settings import Settings
from coop.web import form_errors_page, is_htmx, redirect, render
from governance.reversal import REASON_LIMIT

requires_approver = requires_role(*service.APPROVER_ROLES)


def _base(request: Request[Any, Any, Any], pool: dict[str, Any]) -> str:
    return f"/o/{current_org(request).slug}/budgets/{pool['public_id']}"


async def _reversible(
    request: Request[Any, Any, Any], pool: dict[str, Any], txn_id: str
) -> reversals.Reversible:
    found = await reversals.reversible(current_org(request).organisation_id, int(pool["id"]), txn_id)
    if found is None:
        raise NotFoundException()
    return found


def _context(
    request: Request[Any, Any, Any], pool: dict[str, Any], found: reversals.Reversible
) -> dict[str, Any]:
    return {
        "pool": pool,
        "txn": found.original,
        "payment": found.payment,
        "live": found.live,
        "approvals_needed": found.approvals_needed,
        "base": _base(request, pool),
        "fragment": is_htmx(request),
        "reason_limit": REASON_LIMIT,
        **_names(),
    }


def _payload(found: reversals.Reversible, reason: str) -> dict[str, Any]:
    return {"txn": str(found.original["public_id"]), "reason": reason}


def _token(settings: Settings, found: reversals.Reversible, reason: str) -> str:
    """Signs exactly what the check page showed; the binding POST must carry it."""
    return check_token(settings.secret_key, "reversal", _payload(found, reason))


def _page(
    request: Request[Any, Any, Any], context: dict[str, Any], errors: dict[str, str] | None = None
) -> Template:
    if errors:
        return form_errors_page(
            request, "budgets/reverse.html", errors, context, fragment="budgets/_reverse.html"
        )
    return render(request, "budgets/reverse.html", context, fragment="budgets/_reverse.html")


async def _submitted(
    request: Request[Any, Any, Any], pool_id: str, txn_id: str, settings: Settings
) -> tuple[dict[str, Any], reversals.Reversible, str, Template]:
    """Read the reason form: (pool, transaction, reason, the page to answer with): the form with the
    error by the reason field if it is refused, else the check page (with its token)."""
    pool = await _pool_or_404(request, pool_id)
    found = await _reversible(request, pool, txn_id)
    form = await request.form()
    reason = text(form, "reason", REASON_LIMIT + 1)
    context = {**_context(request, pool, found), "form": form, "reason": reason}
    if problems := found.problems(reason):
        return (
            pool,
            found,
            reason,
            _page(request, {**context, "step": "form"}, {"reason": problems[0].message}),
        )
    return (
        pool,
        found,
        reason,
        _page(request, {**context, "step": "check", "token": _token(settings, found, reason)}),
    )


class ReversalController(Controller):
    path = "/o/{org_slug:str}/budgets/{pool_id:str}"
    guards = [requires_member]

    @get("/transactions/{txn_id:str}/reverse", name="budget_reverse", guards=[requires_manager])
    async def form(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], txn_id: FromPath[str]
    ) -> Template:
        pool = await _pool_or_404(request, pool_id)
        found = await _reversible(request, pool, txn_id)
        problems = found.problems("-")
        context = {**_context(request, pool, found), "form": {}, "step": "form"}
        if problems:
            context["refusal"] = problems[0].message
        return _page(request, context)

    @post("/transactions/{txn_id:str}/reverse/check", name="budget_reverse_check", guards=[requires_manager])
    async def check(
        self,
        request: Request[Any, Any, Any],
        pool_id: FromPath[str],
        txn_id: FromPath[str],
        settings: NamedDependency[Settings],
    ) -> Template:
        return (await _submitted(request, pool_id, txn_id, settings))[3]

    @post(
        "/transactions/{txn_id:str}/reverse",
        name="budget_reverse_post",
        guards=[requires_manager],
        opt=form_page("budgets/reverse.html", fragment="budgets/_reverse.html", field="reason"),
    )
    async def reverse(
        self,
        request: Request[Any, Any, Any],
        pool_id: FromPath[str],
        txn_id: FromPath[str],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        org = current_org(request)
        pool, found, reason, answer = await _submitted(request, pool_id, txn_id, settings)
        form = await request.form()
        if found.problems(reason) or not check_token_ok(
            settings.secret_key, "reversal", _payload(found, reason), text(form, "check")
        ):
            # Refused, or not through the check page (or the reason changed since): answer as the check does.
            return answer
        # Refused (coop.web.handle_refused): this form again, every reason by the reason field.
        refusal_context(request, _context(request, pool, found), form=form, reason=reason, step="form")
        result = await reversals.request_reversal(
            org.organisation_id,
            int(pool["id"]),
            txn_id,
            reason=reason,
            roles=org.roles,
            actor=actor_of(request),
        )
        return redirect(request, f"{_base(request, pool)}/reversals/{result.public_id}")

    # ------------------------------------------------------------------------------- a reversal's page

    async def _request(
        self, request: Request[Any, Any, Any], pool: dict[str, Any], reversal_id: str
    ) -> dict[str, Any]:
        row = await reversals.request_in_org(current_org(request).organisation_id, reversal_id)
        if row is None or row["pool"] != pool["id"]:
            raise NotFoundException()
        return row

    @get("/reversals/{reversal_id:str}", name="budget_reversal", guards=[requires_approver])
    async def show(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], reversal_id: FromPath[str]
    ) -> Template:
        org = current_org(request)
        pool = await _pool_or_404(request, pool_id)
        row = await self._request(request, pool, reversal_id)
        approvers = await reversals.approvers_of(int(row["id"]))
        person_id = current_session(request).person_id
        waiting = row["status"] == reversals.AWAITING
        return render(
            request,
            "budgets/reversal.html",
            {
                "pool": pool,
                "reversal": row,
                "approvals": len(approvers),
                "can_approve": waiting and row["requested_by"] != person_id and person_id not in approvers,
                "can_cancel": waiting and org.has_any(*service.MANAGER_ROLES),
                "base": _base(request, pool),
                **_names(),
            },
        )

    async def _act(
        self, request: Request[Any, Any, Any], pool: dict[str, Any], reversal_id: str, *, approve: bool
    ) -> Response[Any]:
        org = current_org(request)
        page = f"{_base(request, pool)}/reversals/{reversal_id}"
        try:
            if approve:
                await reversals.approve_reversal(
                    org.organisation_id,
                    reversal_id,
                    approver_person_id=current_session(request).person_id,
                    roles=org.roles,
                    actor=actor_of(request),
                )
            else:
                await reversals.cancel_reversal(
                    org.organisation_id, reversal_id, roles=org.roles, actor=actor_of(request)
                )
        except service.NotFound as error:
            raise NotFoundException() from error
        except reversals.NotAllowed as error:
            raise PermissionDeniedException() from error
        except service.BudgetError as error:
            return render(
                request,
                "budgets/refused.html",
                {"pool": pool, "messages": [v.message for v in error.violations], **_names()},
                status_code=error.status_code,
            )
        return redirect(request, page)

    @post("/reversals/{reversal_id:str}/approve", name="budget_reversal_approve", guards=[requires_approver])
    async def approve(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], reversal_id: FromPath[str]
    ) -> Response[Any]:
        pool = await _pool_or_404(request, pool_id)
        await self._request(request, pool, reversal_id)
        if (
            ask := confirm_password_first(request, f"{_base(request, pool)}/reversals/{reversal_id}")
        ) is not None:
            return ask
        return await self._act(request, pool, reversal_id, approve=True)

    @post("/reversals/{reversal_id:str}/cancel", name="budget_reversal_cancel", guards=[requires_manager])
    async def cancel(
        self, request: Request[Any, Any, Any], pool_id: FromPath[str], reversal_id: FromPath[str]
    ) -> Response[Any]:
        pool = await _pool_or_404(request, pool_id)
        await self._request(request, pool, reversal_id)
        return await self._act(request, pool, reversal_id, approve=False)
