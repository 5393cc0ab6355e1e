"""Reading the budget forms: every field as text, every amount through governance.budget.parse_amount
(exact pence, never float), errors keyed by field id for the error summary. And the check token that
proves a binding form went through its check-your-answers page (M12)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coop.budgets.service import KEY_PATTERN, SURPLUS_HANDLING, PaymentRequest
from coop.form_values import form_text, optional_period, read_date, whole_number
from coop.path_params import ID_MAX
from governance.budget import CostRule, FundingSource, parse_amount, parse_hours
from governance.violations import RuleViolationError

text = form_text
"""The shared form-text reader (coop.form_values), under the name this area's forms use."""


def _amount(form: Any, name: str, errors: dict[str, str], *, allow_zero: bool = False) -> int:
    try:
        return parse_amount(text(form, name), field=name, allow_zero=allow_zero)
    except RuleViolationError as error:
        errors[name] = error.violations[0].message
        return 0


def _whole(form: Any, name: str, errors: dict[str, str], message: str, *, low: int, high: int) -> int:
    value = whole_number(text(form, name) or str(low), low=low, high=high)
    if value is None:
        errors[name] = message
        return low
    return value


@dataclass
class PoolForm:
    name: str = ""
    purpose: str = ""
    cost_rule: str = ""
    contingency_weeks: int = 0
    floor_pence: int = 0
    surplus_handling: str = ""
    exit_terms: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def read_pool_form(form: Any) -> PoolForm:
    errors: dict[str, str] = {}
    result = PoolForm(
        name=text(form, "name", 200),
        purpose=text(form, "purpose"),
        cost_rule=text(form, "cost_rule"),
        surplus_handling=text(form, "surplus_handling"),
        exit_terms=text(form, "exit_terms"),
        errors=errors,
    )
    if not result.name:
        errors["name"] = "Enter a name for the pool"
    if not result.purpose:
        errors["purpose"] = "Say what the pool pays for"
    if result.cost_rule not in {r.value for r in CostRule}:
        errors["cost_rule"] = "Choose how the pool shares its costs"
    result.contingency_weeks = _whole(
        form,
        "contingency_weeks",
        errors,
        "Enter the contingency as a whole number of weeks, 0 to 52",
        low=0,
        high=52,
    )
    result.floor_pence = _amount(form, "floor", errors, allow_zero=True) if text(form, "floor") else 0
    if result.surplus_handling not in SURPLUS_HANDLING:
        errors["surplus_handling"] = "Choose what happens to money left over"
    return result


@dataclass
class ContributorForm:
    member_id: int = 0
    share: int = 1
    floor_pence: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def read_contributor_form(form: Any) -> ContributorForm:
    errors: dict[str, str] = {}
    member_id = whole_number(text(form, "member"), low=1, high=ID_MAX) or 0
    if not member_id:
        errors["member"] = "Choose who takes part"
    share = _whole(
        form, "share", errors, "Enter the share as a whole number from 1 to 1000", low=1, high=1000
    )
    floor = _amount(form, "floor", errors, allow_zero=True) if text(form, "floor") else 0
    return ContributorForm(member_id, share, floor, errors)


@dataclass
class ContributionForm:
    account_id: int = 0
    amount_pence: int = 0
    funding_source: str = ""
    funder: str = ""
    period_start: date | None = None
    period_end: date | None = None
    description: str = ""
    idempotency_key: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "account": self.account_id,
            "amount": self.amount_pence,
            "source": self.funding_source,
            "funder": self.funder,
            "start": self.period_start.isoformat() if self.period_start else "",
            "end": self.period_end.isoformat() if self.period_end else "",
            "description": self.description,
            "key": self.idempotency_key,
        }


def read_contribution_form(form: Any, account_ids: set[int]) -> ContributionForm:
    errors: dict[str, str] = {}
    account_id = whole_number(text(form, "account"), low=1, high=ID_MAX) or 0
    if account_id not in account_ids:
        errors["account"] = "Choose whose money this is"
    result = ContributionForm(
        account_id=account_id,
        amount_pence=_amount(form, "amount", errors),
        funding_source=text(form, "funding_source"),
        funder=text(form, "funder", 200),
        description=text(form, "description", 500),
        idempotency_key=text(form, "idempotency_key", 64),
        errors=errors,
    )
    if result.funding_source not in {s.value for s in FundingSource}:
        errors["funding_source"] = "Choose where the money came from"
    elif FundingSource(result.funding_source) is not FundingSource.SELF_FUNDED and not result.funder:
        errors["funder"] = "Enter who pays this money, like the name of the council"
    result.period_start = read_date(form, "period_start", "start of the period", errors)
    result.period_end = read_date(form, "period_end", "end of the period", errors)
    if result.period_start and result.period_end and result.period_end < result.period_start:
        errors["period_end_day"] = "The end of the period must be on or after its start"
    if not KEY_PATTERN.match(result.idempotency_key):
        errors["amount"] = "This form has expired. Reload the page and try again. Nothing has been changed."
    return result


@dataclass
class PaymentForm:
    payee: str = ""
    description: str = ""
    amount_pence: int = 0
    minutes: dict[int, int] = field(default_factory=dict)
    idempotency_key: str = ""
    period_start: date | None = None
    period_end: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "payee": self.payee,
            "description": self.description,
            "amount": self.amount_pence,
            "minutes": {str(k): v for k, v in sorted(self.minutes.items())},
            "key": self.idempotency_key,
            "start": self.period_start.isoformat() if self.period_start else "",
            "end": self.period_end.isoformat() if self.period_end else "",
        }

    def request(self) -> PaymentRequest:
        return PaymentRequest(
            self.payee,
            self.description,
            self.amount_pence,
            self.idempotency_key,
            self.minutes,
            period_start=self.period_start,
            period_end=self.period_end,
        )


def read_payment_form(form: Any, account_ids: list[int], *, by_hours: bool) -> PaymentForm:
    errors: dict[str, str] = {}
    result = PaymentForm(
        payee=text(form, "payee", 200),
        description=text(form, "description", 500),
        amount_pence=_amount(form, "amount", errors),
        idempotency_key=text(form, "idempotency_key", 64),
        errors=errors,
    )
    if not result.payee:
        errors["payee"] = "Enter who is being paid"
    if not result.description:
        errors["description"] = "Say what the payment is for"
    result.period_start, result.period_end = optional_period(form, "service", "service", errors)
    if by_hours:
        for account_id in account_ids:
            name = f"hours_{account_id}"
            try:
                result.minutes[account_id] = parse_hours(text(form, name) or "0", field=name)
            except RuleViolationError as error:
                errors[name] = error.violations[0].message
        if not errors and not any(result.minutes.values()):
            errors[f"hours_{account_ids[0]}" if account_ids else "amount"] = (
                "Enter the hours of support each person used"
            )
    if not KEY_PATTERN.match(result.idempotency_key):
        errors["amount"] = "This form has expired. Reload the page and try again. Nothing has been changed."
    return result


def check_token(secret: str, kind: str, payload: dict[str, Any]) -> str:
    """Signs exactly what the check-your-answers page showed; the final POST must carry it."""
    message = json.dumps({"kind": kind, **payload}, sort_keys=True, separators=(",", ":"))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def check_token_ok(secret: str, kind: str, payload: dict[str, Any], token: str) -> bool:
    return hmac.compare_digest(check_token(secret, kind, payload), token)
