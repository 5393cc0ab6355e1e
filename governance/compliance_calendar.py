"""The compliance calendar: the filing and meeting dates that follow from an organisation's legal form, its
year end and the day it was set up, and its directors' term ends.

- Companies (CICs included) file accounts within 9 months after the end of the financial year (Companies
  Act 2006 s.442); the first accounts, for a period over 12 months, within 21 months of incorporation or
  3 months after the period ends, whichever is later. A CIC files its CIC34 report with its accounts
  (CAICE Act 2004 s.34). The confirmation statement is due within 14 days after each review period of 12
  months from incorporation (s.853A).
- Societies send the FCA the annual return (AR30) with their accounts within 7 months after the year end
  (Co-operative and Community Benefit Societies Act 2014 s.89).
- An AGM where the rules need one (societies, and rules that retire directors by rotation at the AGM):
  once each financial year, before the accounts are due, so the members receive them.

Months are added as the Companies Act counts them (s.443): from the last day of a month to the last day
of the month that many months on; otherwise to the same day, or the month's last day if it has none.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from governance.constitution.schema import LegalForm


@dataclass(frozen=True, slots=True)
class Deadline:
    """One date to meet: what it is, when it is due, and a plain-English line about it."""

    key: str
    title: str
    due: date
    description: str


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, as the Companies Act counts them (s.443)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day == _last_day(start.year, start.month):
        return date(year, month, _last_day(year, month))
    return date(year, month, min(start.day, _last_day(year, month)))


def year_end_in(year: int, month: int, day: int) -> date:
    """The year end (day and month) in `year`; 29 February is 28 February in other years."""
    return date(year, month, min(day, _last_day(year, month)))


def first_year_end(set_up_on: date, month: int, day: int) -> date:
    """The end of the first financial year: the first year end more than 6 months after set-up, so a first
    period runs 6 to 18 months (a company's first accounting reference period, s.391)."""
    candidate = year_end_in(set_up_on.year, month, day)
    while candidate <= add_months(set_up_on, 6):
        candidate = year_end_in(candidate.year + 1, month, day)
    return candidate


def _latest_year_end(today: date, first: date, month: int, day: int) -> date | None:
    """The most recent year end on or before `today` (None before the first one)."""
    if today < first:
        return None
    candidate = year_end_in(today.year, month, day)
    return candidate if candidate <= today else year_end_in(today.year - 1, month, day)


def report_period(set_up_on: date, today: date, month: int, day: int) -> tuple[date, date]:
    """The financial year a yearly report (the CIC34) covers, as (first day, last day): the latest year
    that has ended by `today`, or the first year while it is still running. The first year runs from
    set-up; later ones from the day after the year end before."""
    first = first_year_end(set_up_on, month, day)
    end = _latest_year_end(today, first, month, day) or first
    if end == first:
        return set_up_on, end
    return year_end_in(end.year - 1, month, day) + timedelta(days=1), end


def accounts_due(period_end: date, set_up_on: date, first: date) -> tuple[date, date]:
    """(companies, societies) deadlines for the accounts of the period ending `period_end`."""
    company = add_months(period_end, 9)
    if period_end == first and add_months(set_up_on, 12) < period_end:
        company = max(add_months(set_up_on, 21), add_months(period_end, 3))
    return company, add_months(period_end, 7)


def _accounts_deadlines(legal_form: LegalForm, period_end: date, due: date, agm: bool) -> list[Deadline]:
    year = f"the year to {period_end.day} {period_end:%B %Y}"
    if legal_form.is_society:
        out = [
            Deadline(
                "annual_return",
                "Annual return (AR30) and accounts",
                due,
                f"Send the FCA the annual return and accounts for {year}. The deadline cannot be extended.",
            )
        ]
    else:
        out = [Deadline("accounts", "Accounts", due, f"File the accounts for {year} at Companies House.")]
        if legal_form.is_cic:
            out.append(
                Deadline(
                    "cic34",
                    "Community interest company report (CIC34)",
                    due,
                    f"File the CIC34 report for {year} with the accounts.",
                )
            )
    if agm:
        out.append(
            Deadline(
                "agm",
                "Annual general meeting",
                due,
                f"Hold the AGM for {year} before the accounts are due, so the members receive them.",
            )
        )
    return out


def _confirmation_statements(set_up_on: date, today: date) -> Deadline:
    """The next confirmation statement not yet past: review periods run 12 months from incorporation."""
    years = 1
    while add_months(set_up_on, 12 * years) + timedelta(days=14) < today:
        years += 1
    review_end = add_months(set_up_on, 12 * years)
    return Deadline(
        "confirmation_statement",
        "Confirmation statement",
        review_end + timedelta(days=14),
        f"Confirm the company's details at Companies House for the 12 months to {review_end.day} "
        f"{review_end:%B %Y}.",
    )


def compliance_deadlines(
    legal_form: LegalForm,
    year_end_month: int,
    year_end_day: int,
    set_up_on: date,
    today: date,
    *,
    agm_required: bool = False,
    director_terms: Sequence[tuple[str, date]] = (),
    horizon_days: int = 400,
) -> tuple[Deadline, ...]:
    """Every deadline from `today` (those not yet past) to `horizon_days` ahead, soonest first."""
    if legal_form is LegalForm.UNINCORPORATED or not 1 <= year_end_month <= 12:
        return ()
    agm = agm_required or legal_form.is_society
    first = first_year_end(set_up_on, year_end_month, year_end_day)
    latest = _latest_year_end(today, first, year_end_month, year_end_day)
    # The latest year that has ended (or the first, before it ends) until its filings are past.
    period_end = latest or first
    due = accounts_due(period_end, set_up_on, first)[1 if legal_form.is_society else 0]
    if due < today:
        period_end = year_end_in(period_end.year + 1, year_end_month, year_end_day)
        due = accounts_due(period_end, set_up_on, first)[1 if legal_form.is_society else 0]
    out = _accounts_deadlines(legal_form, period_end, due, agm)
    if legal_form.is_company:
        out.append(_confirmation_statements(set_up_on, today))
    out += [
        Deadline("term_end", f"{name}'s term as a director ends", ends, "Elect or reappoint a director.")
        for name, ends in director_terms
        if ends >= today
    ]
    horizon = today + timedelta(days=horizon_days)
    return tuple(sorted((d for d in out if today <= d.due <= horizon), key=lambda d: (d.due, d.key)))
