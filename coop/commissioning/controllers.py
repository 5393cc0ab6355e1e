"""HTTP for commissioning: the provider directory (every member reads; the board and secretary manage),
proposals to buy a service from a pool (board decision or members' vote), contracts (committing money
through a check-your-answers page), invoices (paid through the budgets payment path) and members' ratings.
Individual amounts are shown only to the managers and to each person for their own share."""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from coop import clock
from coop.actor import actor_of
from coop.budgets import errors, ledger, payee_window
from coop.budgets.check_step import CheckStep
from coop.budgets.forms import check_token
from coop.commissioning import contracts, funding, invoices, pages, proposals, providers, ratings, rows
from coop.commissioning.forms import (
    read_invoice_form,
    read_offer_form,
    read_proposal_form,
    read_provider_form,
    read_rating_form,
)
from coop.errors import form_page, refusal_context
from coop.guards import confirm_password_first, current_org, current_session, requires_member, requires_role
from coop.settings import Settings
from coop.urls import org_path
from coop.web import form_errors_page, redirect, render
from governance.budget import COST_RULE_NAMES, format_pence, two_person_rule_text

requires_manager = requires_role(*rows.MANAGER_ROLES)


def _base(slug: str) -> str:
    return org_path(slug, "commissioning")


def _names() -> dict[str, Any]:
    return {
        "money": format_pence,
        "kinds": providers.PROVIDER_KINDS,
        "units": providers.UNITS,
        "ratings": providers.CQC_RATINGS,
        "met_outcomes": ratings.MET_OUTCOMES,
        "statuses": proposals.STATUS_NAMES,
        "cost_rules": {r.value: n for r, n in COST_RULE_NAMES.items()},
    }


def _found(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        raise NotFoundException()
    return row


#: A refused action shows why, with the way back (`back`, given by the handler through refusal_context).
REFUSED = form_page("commissioning/refused.html")


class CommissioningController(Controller):
    path = "/o/{org_slug:str}/commissioning"
    guards = [requires_member]

    @get("/", name="commissioning")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        org = current_org(request)
        page = await pages.index_page(org)
        return render(request, "commissioning/index.html", {**page, "base": _base(org.slug), **_names()})

    # ------------------------------------------------------------------------------- providers, offers

    @get("/providers/new", name="provider_new", guards=[requires_manager])
    async def provider_new(self, request: Request[Any, Any, Any]) -> Template:
        base = _base(current_org(request).slug)
        return render(request, "commissioning/provider_new.html", {"form": {}, "base": base, **_names()})

    @post("/providers/new", name="provider_new_post", guards=[requires_manager])
    async def provider_create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        data = read_provider_form(form)
        if data.errors:
            return form_errors_page(
                request,
                "commissioning/provider_new.html",
                data.errors,
                {"form": form, "base": _base(org.slug), **_names()},
            )
        public_id = await providers.create_provider(
            org.organisation_id,
            providers.ProviderDetails(data.name, data.kind, data.cqc_number, data.cqc_rating, data.contact),
            actor=actor_of(request),
        )
        return redirect(request, f"{_base(org.slug)}/providers/{public_id}?added=1")

    @get("/providers/{provider_id:str}", name="provider")
    async def provider(self, request: Request[Any, Any, Any], provider_id: FromPath[str]) -> Template:
        org = current_org(request)
        page = _found(await pages.provider_page(org, provider_id))
        return render(request, "commissioning/provider.html", {**page, "base": _base(org.slug), **_names()})

    @get("/providers/{provider_id:str}/offers/new", name="offer_new", guards=[requires_manager])
    async def offer_new(self, request: Request[Any, Any, Any], provider_id: FromPath[str]) -> Template:
        org = current_org(request)
        provider = _found(await providers.provider_in_org(org.organisation_id, provider_id))
        return render(
            request,
            "commissioning/offer_new.html",
            {"provider": provider, "form": {}, "base": _base(org.slug), **_names()},
        )

    @post("/providers/{provider_id:str}/offers/new", name="offer_new_post", guards=[requires_manager])
    async def offer_create(
        self, request: Request[Any, Any, Any], provider_id: FromPath[str]
    ) -> Response[Any]:
        org = current_org(request)
        provider = _found(await providers.provider_in_org(org.organisation_id, provider_id))
        form = await request.form()
        data = read_offer_form(form)
        if data.errors:
            return form_errors_page(
                request,
                "commissioning/offer_new.html",
                data.errors,
                {"provider": provider, "form": form, "base": _base(org.slug), **_names()},
            )
        await providers.create_offer(
            org.organisation_id,
            int(provider["id"]),
            providers.OfferDetails(data.name, data.description, data.unit, data.price_pence),
            actor=actor_of(request),
        )
        return redirect(request, f"{_base(org.slug)}/providers/{provider_id}?offer=1")

    # -------------------------------------------------------------------------------------- proposals

    async def _proposal_context(
        self, request: Request[Any, Any, Any], offer_id: str, pool_id: str
    ) -> dict[str, Any]:
        org = current_org(request)
        page = _found(await pages.proposal_form_page(org.organisation_id, offer_id, pool_id))
        return {**page, "base": _base(org.slug), **_names()}

    @get("/offers/{offer_id:str}/propose", name="proposal_new", guards=[requires_manager])
    async def proposal_new(self, request: Request[Any, Any, Any], offer_id: FromPath[str]) -> Template:
        context = await self._proposal_context(request, offer_id, request.query_params.get("pool", ""))
        if request.query_params.get("pool") and context["pool"] is None:
            raise NotFoundException()
        form = {"participants": [str(a["id"]) for a in context["accounts"]], "vote_days": "14"}
        return render(request, "commissioning/proposal_new.html", {**context, "form": form})

    async def _read_proposal(
        self, request: Request[Any, Any, Any], offer_id: str, settings: Settings
    ) -> CheckStep:
        """The proposal form as posted (its context has the pool and the offer), with the split it makes,
        for its check page and for making it."""
        form = await request.form()
        context = await self._proposal_context(request, offer_id, str(form.get("pool", "")))
        if context["pool"] is None:
            raise NotFoundException()
        data = read_proposal_form(
            form, [int(a["id"]) for a in context["accounts"]], by_hours=context["by_hours"]
        )
        shares: dict[int, int] = {}
        if not data.errors:
            # Caught here, not by coop.web's one mapping, on purpose: a split the rules refuse is one
            # more error beside the form's own and the funding problems below, all shown on one page.
            try:
                shares = await proposals.proposal_shares(
                    context["pool"], context["offer"], self._details(data)
                )
            except errors.BudgetError as error:
                data.errors["participants"] = error.violations[0].message
        if shares:
            assert data.period_start is not None and data.period_end is not None  # read, or shares is empty
            # Said when the proposal is made, next to what to change: buy less, or leave someone out.
            for problem in await funding.funding_problems(int(context["pool"]["id"]), shares):
                field = "quantity" if problem.code == "commissioning.cannot_afford" else "participants"
                data.errors[field] = " ".join(filter(None, (data.errors.get(field), problem.message)))
            context["funding"] = await funding.funding_figures(
                int(context["pool"]["id"]),
                sum(shares.values()),
                data.period_start,
                data.period_end,
                deciding=True,
            )
        # Keep the ticked boxes when the form is shown again.
        context["form"] = {
            **{k: form.get(k) for k in form},
            "participants": [str(p) for p in data.participants],
        }
        check = partial(self._proposal_check_page, request, context, data, shares, settings)
        about = {"offer": str(context["offer"]["public_id"]), "pool": str(context["pool"]["public_id"])}
        return CheckStep("commissioning/proposal_new.html", "proposal", context, data, check, about)

    @staticmethod
    def _details(data: Any) -> proposals.ProposalDetails:
        return proposals.ProposalDetails(
            data.quantity,
            data.period_start,
            data.period_end,
            tuple(data.participants),
            data.minutes,
            data.vote_days,
        )

    async def _proposal_check_page(
        self,
        request: Request[Any, Any, Any],
        context: dict[str, Any],
        data: Any,
        shares: dict[int, int],
        settings: Settings,
    ) -> Template:
        org = current_org(request)
        names = {int(a["id"]): a["name"] for a in context["accounts"]}
        total = sum(shares.values())
        route, approvals = proposals.decision_route(
            total, await proposals.spending_rules(org.organisation_id)
        )
        payload = {
            **data.payload(),
            "offer": str(context["offer"]["public_id"]),
            "pool": str(context["pool"]["public_id"]),
        }
        return render(
            request,
            "commissioning/proposal_check.html",
            {
                **context,
                "data": data,
                "total": total,
                "shares": [(names[k], v) for k, v in shares.items()],
                "route": route,
                "approvals": approvals,
                "outcomes": await ratings.provider_outcomes(int(context["provider"]["id"])),
                "token": check_token(settings.secret_key, "proposal", payload),
            },
        )

    @post("/offers/{offer_id:str}/propose/check", name="proposal_check", guards=[requires_manager])
    async def proposal_check(
        self, request: Request[Any, Any, Any], offer_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Template:
        return await (await self._read_proposal(request, offer_id, settings)).page(request)

    @post("/offers/{offer_id:str}/propose", name="proposal_post", guards=[requires_manager], opt=REFUSED)
    async def proposal_create(
        self, request: Request[Any, Any, Any], offer_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        org = current_org(request)
        step = await self._read_proposal(request, offer_id, settings)
        context, data = step.context, cast(Any, step.data)
        back = {"back": f"{_base(org.slug)}/offers/{offer_id}/propose"}
        if shown := await step.unless_checked(request, settings.secret_key, refused=back):
            return shown
        public_id = await proposals.create_proposal(
            org.organisation_id,
            context["pool"],
            context["offer"],
            self._details(data),
            now=clock.now(),
            actor=actor_of(request),
        )
        return redirect(request, f"{_base(org.slug)}/proposals/{public_id}")

    @get("/proposals/{proposal_id:str}", name="proposal")
    async def proposal(self, request: Request[Any, Any, Any], proposal_id: FromPath[str]) -> Template:
        org = current_org(request)
        person_id = current_session(request).person_id
        page = _found(await pages.proposal_page(org, proposal_id, person_id=person_id))
        return render(request, "commissioning/proposal.html", {**page, "base": _base(org.slug), **_names()})

    @post(
        "/proposals/{proposal_id:str}/approve",
        name="proposal_approve",
        guards=[requires_role(rows.BOARD_ROLE)],
        opt=REFUSED,
    )
    async def proposal_approve(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> Response[Any]:
        org = current_org(request)
        page = f"{_base(org.slug)}/proposals/{proposal_id}"
        if (ask := confirm_password_first(request, page)) is not None:
            return ask  # approving commits members' money (M8)
        refusal_context(request, back=page)
        await proposals.approve_proposal(
            org.organisation_id,
            proposal_id,
            approver_person_id=current_session(request).person_id,
            actor=actor_of(request),
        )
        return redirect(request, f"{_base(org.slug)}/proposals/{proposal_id}")

    # -------------------------------------------------------------------------------------- contracts

    @get("/proposals/{proposal_id:str}/contract", name="contract_check", guards=[requires_manager])
    async def contract_check(self, request: Request[Any, Any, Any], proposal_id: FromPath[str]) -> Template:
        """Check your answers before the contract's cost is committed against each person's money."""
        org = current_org(request)
        page = _found(await pages.contract_check_page(org.organisation_id, proposal_id))
        return render(
            request, "commissioning/contract_check.html", {**page, "base": _base(org.slug), **_names()}
        )

    @post(
        "/proposals/{proposal_id:str}/contract", name="contract_post", guards=[requires_manager], opt=REFUSED
    )
    async def contract_create(
        self, request: Request[Any, Any, Any], proposal_id: FromPath[str]
    ) -> Response[Any]:
        org = current_org(request)
        refusal_context(request, back=f"{_base(org.slug)}/proposals/{proposal_id}")
        public_id = await contracts.create_contract(org.organisation_id, proposal_id, actor=actor_of(request))
        return redirect(request, f"{_base(org.slug)}/contracts/{public_id}?created=1")

    async def _contract_context(self, request: Request[Any, Any, Any], contract_id: str) -> dict[str, Any]:
        org = current_org(request)
        summary = _found(await pages.contract_summary(org.organisation_id, contract_id))
        return {**summary, "base": _base(org.slug), **_names()}

    @get("/contracts/{contract_id:str}", name="contract")
    async def contract(self, request: Request[Any, Any, Any], contract_id: FromPath[str]) -> Template:
        org = current_org(request)
        page = _found(await pages.contract_page(org, contract_id))
        return render(request, "commissioning/contract.html", {**page, "base": _base(org.slug), **_names()})

    @get("/contracts/{contract_id:str}/end", name="contract_end", guards=[requires_manager])
    async def contract_end_check(
        self, request: Request[Any, Any, Any], contract_id: FromPath[str]
    ) -> Template:
        """Check your answers before the money left on the contract is given back."""
        context = await self._contract_context(request, contract_id)
        return render(request, "commissioning/contract_end.html", context)

    @post(
        "/contracts/{contract_id:str}/end", name="contract_end_post", guards=[requires_manager], opt=REFUSED
    )
    async def contract_end(
        self, request: Request[Any, Any, Any], contract_id: FromPath[str]
    ) -> Response[Any]:
        org = current_org(request)
        refusal_context(request, back=f"{_base(org.slug)}/contracts/{contract_id}")
        await contracts.end_contract(org.organisation_id, contract_id, actor=actor_of(request))
        return redirect(request, f"{_base(org.slug)}/contracts/{contract_id}?ended=1")

    # --------------------------------------------------------------------------------------- invoices

    @get("/contracts/{contract_id:str}/invoices/new", name="invoice_new", guards=[requires_manager])
    async def invoice_new(self, request: Request[Any, Any, Any], contract_id: FromPath[str]) -> Template:
        context = await self._contract_context(request, contract_id)
        form = {"idempotency_key": ledger.new_idempotency_key()}
        return render(request, "commissioning/invoice_new.html", {**context, "form": form})

    async def _invoice_check_page(
        self,
        request: Request[Any, Any, Any],
        context: dict[str, Any],
        data: Any,
        form: Any,
        settings: Settings,
    ) -> Template:
        org = current_org(request)
        rules = await proposals.spending_rules(org.organisation_id)
        # The invoice is paid to the provider: earlier payments to them in the window count too.
        requirement = await payee_window.requirement_for(
            org.organisation_id, context["provider"]["name"], data.amount_pence, rules
        )
        return render(
            request,
            "commissioning/invoice_check.html",
            {
                **context,
                "data": data,
                "form": form,
                "two_people": requirement.approvers_needed > 0,
                "two_person_rule": two_person_rule_text(rules),
                "token": check_token(settings.secret_key, "invoice", data.payload()),
            },
        )

    async def _read_invoice(
        self, request: Request[Any, Any, Any], contract_id: str, settings: Settings
    ) -> CheckStep:
        """The invoice form as posted, for its check page and for recording it."""
        context = await self._contract_context(request, contract_id)
        form = await request.form()
        data = read_invoice_form(form)
        # Said on the check page; the final post leaves it to the service, which replays a double submit.
        if not data.errors and data.amount_pence > context["left"] and request.url.path.endswith("/check"):
            data.errors["amount"] = (
                invoices.too_much_error(data.amount_pence, context["left"], context["contract"]["reference"])
                .violations[0]
                .message
            )
        as_sent = {**context, "form": form}
        check = partial(self._invoice_check_page, request, as_sent, data, form, settings)
        return CheckStep("commissioning/invoice_new.html", "invoice", as_sent, data, check)

    @post("/contracts/{contract_id:str}/invoices/check", name="invoice_check", guards=[requires_manager])
    async def invoice_check(
        self, request: Request[Any, Any, Any], contract_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Template:
        return await (await self._read_invoice(request, contract_id, settings)).page(request)

    @post(
        "/contracts/{contract_id:str}/invoices",
        name="invoice_post",
        guards=[requires_manager],
        opt=form_page("commissioning/invoice_new.html", field="amount"),
    )
    async def invoice_create(
        self, request: Request[Any, Any, Any], contract_id: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        org = current_org(request)
        step = await self._read_invoice(request, contract_id, settings)
        data = cast(Any, step.data)
        # Refused: the form again, every reason by the amount.
        if shown := await step.unless_checked(request, settings.secret_key):
            return shown
        await invoices.record_invoice(
            org.organisation_id,
            contract_id,
            invoice_number=data.invoice_number,
            amount_pence=data.amount_pence,
            idempotency_key=data.idempotency_key,
            period_start=data.period_start,
            period_end=data.period_end,
            actor=actor_of(request),
        )
        return redirect(request, f"{_base(org.slug)}/contracts/{contract_id}?invoiced=1")

    # --------------------------------------------------------------------------------------- outcomes

    @post("/contracts/{contract_id:str}/rating", name="contract_rating")
    async def rate(self, request: Request[Any, Any, Any], contract_id: FromPath[str]) -> Response[Any]:
        org = current_org(request)
        form = await request.form()
        data = read_rating_form(form)
        if not data.errors:
            await ratings.rate_service(
                org.organisation_id,
                contract_id,
                org.member_id,
                rating=data.rating,
                met_outcomes=data.met_outcomes,
                comment=data.comment,
                actor=actor_of(request),
            )
            return redirect(request, f"{_base(org.slug)}/contracts/{contract_id}?rated=1")
        page = _found(await pages.contract_page(org, contract_id))
        return form_errors_page(
            request,
            "commissioning/contract.html",
            data.errors,
            {**page, "my_rating": form, "base": _base(org.slug), **_names()},
        )
