"""Reading the commissioning forms: every field as text, amounts through governance.budget.parse_amount
(exact pence), errors keyed by field id for the GOV.UK error summary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coop.budgets.forms import amount_field, whole_field
from coop.budgets.ledger import KEY_PATTERN
from coop.commissioning.proposals import MAX_VOTE_DAYS
from coop.commissioning.providers import CQC_RATINGS, PROVIDER_KINDS, UNITS
from coop.commissioning.ratings import MET_OUTCOMES
from coop.form_values import form_text, optional_period, read_date
from governance.budget import parse_hours
from governance.violations import RuleViolationError

CQC_NUMBER = re.compile(r"^1-[0-9]{5,12}$")
EXPIRED = "This form has expired. Reload the page and try again. Nothing has been changed."


@dataclass
class ProviderForm:
    name: str = ""
    kind: str = ""
    cqc_number: str = ""
    cqc_rating: str = ""
    contact: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def read_provider_form(form: Any) -> ProviderForm:
    errors: dict[str, str] = {}
    result = ProviderForm(
        name=form_text(form, "name", 200),
        kind=form_text(form, "kind"),
        cqc_number=form_text(form, "cqc_number", 30).replace(" ", ""),
        cqc_rating=form_text(form, "cqc_rating"),
        contact=form_text(form, "contact"),
        errors=errors,
    )
    if not result.name:
        errors["name"] = "Enter the provider's name"
    if result.kind not in PROVIDER_KINDS:
        errors["kind"] = "Choose what kind of provider this is"
    if result.cqc_number and not CQC_NUMBER.match(result.cqc_number):
        errors["cqc_number"] = (
            "Enter the CQC registration number as it is on the CQC register, like 1-123456789"
        )
    if result.cqc_rating and result.cqc_rating not in CQC_RATINGS:
        errors["cqc_rating"] = "Choose the CQC rating from the list"
    if result.cqc_rating and not result.cqc_number:
        errors["cqc_number"] = "Enter the CQC registration number that goes with the rating"
    if not result.contact:
        errors["contact"] = "Enter who to contact at the provider and how"
    return result


@dataclass
class OfferForm:
    name: str = ""
    description: str = ""
    unit: str = ""
    price_pence: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def read_offer_form(form: Any) -> OfferForm:
    errors: dict[str, str] = {}
    result = OfferForm(
        name=form_text(form, "name", 200),
        description=form_text(form, "description"),
        unit=form_text(form, "unit"),
        price_pence=amount_field(form, "price", errors),
        errors=errors,
    )
    if not result.name:
        errors["name"] = "Enter the name of the service"
    if result.unit not in UNITS:
        errors["unit"] = "Choose what the price is for"
    return result


@dataclass
class ProposalForm:
    quantity: int = 0
    period_start: date | None = None
    period_end: date | None = None
    participants: list[int] = field(default_factory=list)
    minutes: dict[int, int] = field(default_factory=dict)
    vote_days: int = 14
    errors: dict[str, str] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "start": str(self.period_start),
            "end": str(self.period_end),
            "participants": sorted(self.participants),
            "minutes": {str(k): v for k, v in sorted(self.minutes.items())},
            "vote_days": self.vote_days,
        }


def read_proposal_form(form: Any, account_ids: list[int], *, by_hours: bool) -> ProposalForm:
    errors: dict[str, str] = {}
    result = ProposalForm(errors=errors)
    result.quantity = whole_field(
        form,
        "quantity",
        errors,
        "Enter how many units to buy, as a whole number from 1 to 10000",
        low=0,
        high=10000,
    )
    if result.quantity == 0 and "quantity" not in errors:
        errors["quantity"] = "Enter how many units to buy, as a whole number from 1 to 10000"
    result.period_start = read_date(form, "period_start", "start of the period", errors)
    result.period_end = read_date(form, "period_end", "end of the period", errors)
    if result.period_start and result.period_end and result.period_end < result.period_start:
        errors["period_end_day"] = "The end of the period must be on or after its start"
    chosen = form.getall("participants", []) if hasattr(form, "getall") else form.get("participants", [])
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    result.participants = [a for a in account_ids if str(a) in chosen]
    if not result.participants:
        errors["participants"] = "Choose who will use this service"
    if by_hours:
        for account_id in result.participants:
            name = f"hours_{account_id}"
            try:
                result.minutes[account_id] = parse_hours(form_text(form, name) or "0", field=name)
            except RuleViolationError as error:
                errors[name] = error.violations[0].message
        if result.participants and not errors and not any(result.minutes.values()):
            errors[f"hours_{result.participants[0]}"] = "Enter the hours each person is expected to use"
    result.vote_days = (
        whole_field(
            form,
            "vote_days",
            errors,
            f"Enter the number of days the vote stays open, from 1 to {MAX_VOTE_DAYS}",
            low=1,
            high=MAX_VOTE_DAYS,
        )
        if form_text(form, "vote_days")
        else 14
    )
    return result


@dataclass
class InvoiceForm:
    invoice_number: str = ""
    amount_pence: int = 0
    idempotency_key: str = ""
    period_start: date | None = None  # the service invoiced for (optional)
    period_end: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        period = [d.isoformat() if d else "" for d in (self.period_start, self.period_end)]
        return {
            "number": self.invoice_number,
            "amount": self.amount_pence,
            "key": self.idempotency_key,
            "period": period,
        }


def read_invoice_form(form: Any) -> InvoiceForm:
    errors: dict[str, str] = {}
    result = InvoiceForm(
        invoice_number=form_text(form, "invoice_number", 60),
        amount_pence=amount_field(form, "amount", errors),
        idempotency_key=form_text(form, "idempotency_key", 64),
        errors=errors,
    )
    if not result.invoice_number:
        errors["invoice_number"] = "Enter the invoice number from the provider's invoice"
    result.period_start, result.period_end = optional_period(form, "service", "service", errors)
    if not KEY_PATTERN.match(result.idempotency_key):
        errors["amount"] = EXPIRED
    return result


@dataclass
class RatingForm:
    rating: int = 0
    met_outcomes: str = ""
    comment: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def read_rating_form(form: Any) -> RatingForm:
    errors: dict[str, str] = {}
    raw = form_text(form, "rating")
    result = RatingForm(
        rating=int(raw) if raw in {"1", "2", "3", "4", "5"} else 0,
        met_outcomes=form_text(form, "met_outcomes"),
        comment=form_text(form, "comment"),
        errors=errors,
    )
    if not result.rating:
        errors["rating"] = "Choose a rating from 1 to 5"
    if result.met_outcomes not in MET_OUTCOMES:
        errors["met_outcomes"] = "Say whether the service met your outcomes"
    return result
