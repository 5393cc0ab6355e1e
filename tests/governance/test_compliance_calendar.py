"""The compliance calendar's dates: months added as the Companies Act counts them (month ends, 29
February), first accounts over 12 months, societies' AR30, CIC34 with the accounts, confirmation
statements, the AGM where the rules need one, and directors' term ends."""

from __future__ import annotations

from datetime import date

import pytest

from governance.compliance_calendar import add_months, compliance_deadlines, first_year_end, report_period
from governance.constitution.schema import LegalForm

CIC = LegalForm.CIC_GUARANTEE


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 31), 9, date(2026, 12, 31)),  # month end to month end
        (date(2026, 6, 30), 9, date(2027, 3, 31)),  # 30 June is a month end: to 31 March
        (date(2026, 3, 15), 9, date(2026, 12, 15)),
        (date(2023, 5, 30), 9, date(2024, 2, 29)),  # no 30 February: the month's last day (leap year)
        (date(2024, 5, 30), 9, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 9, date(2024, 11, 30)),  # 29 February is a month end
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 2, 28), 36, date(2028, 2, 29)),  # 28 February 2025 is a month end too
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_months_are_added_as_the_companies_act_counts_them(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def _dates(deadlines) -> dict[str, date]:
    return {d.key: d.due for d in deadlines}


def test_a_new_cic_files_accounts_and_cic34_nine_months_after_its_first_year_end() -> None:
    found = compliance_deadlines(CIC, 3, 31, date(2026, 4, 1), date(2026, 4, 2), horizon_days=700)
    assert _dates(found) == {
        "confirmation_statement": date(2027, 4, 15),  # 12 months from set-up, then 14 days
        "accounts": date(2027, 12, 31),
        "cic34": date(2027, 12, 31),
    }
    assert [d.key for d in found] == ["confirmation_statement", "accounts", "cic34"]  # soonest first


def test_first_accounts_over_twelve_months_are_due_21_months_after_set_up() -> None:
    assert first_year_end(date(2026, 1, 1), 3, 31) == date(2027, 3, 31)  # 15 months: more than 6
    found = compliance_deadlines(CIC, 3, 31, date(2026, 1, 1), date(2026, 1, 2), horizon_days=700)
    # The later of 21 months after set-up (1 October 2027) and 3 months after the period (30 June 2027).
    assert _dates(found)["accounts"] == date(2027, 10, 1)


def test_a_29_february_year_end_moves_to_28_february_in_other_years() -> None:
    form = LegalForm.CIC_SHARES
    first = compliance_deadlines(form, 2, 29, date(2023, 6, 1), date(2024, 3, 1), horizon_days=700)
    assert _dates(first)["accounts"] == date(2024, 11, 30)
    later = compliance_deadlines(form, 2, 29, date(2023, 6, 1), date(2024, 12, 1), horizon_days=700)
    assert _dates(later)["accounts"] == date(2025, 11, 30)  # the year to 28 February 2025


def test_past_filings_give_way_to_the_next_year() -> None:
    found = compliance_deadlines(CIC, 3, 31, date(2020, 1, 15), date(2026, 1, 10))
    assert _dates(found) == {
        "confirmation_statement": date(2026, 1, 29),
        "accounts": date(2026, 12, 31),
        "cic34": date(2026, 12, 31),
    }


def test_a_society_sends_the_annual_return_in_seven_months_and_holds_an_agm() -> None:
    found = compliance_deadlines(
        LegalForm.COOPERATIVE_SOCIETY, 12, 31, date(2026, 3, 1), date(2026, 3, 2), horizon_days=700
    )
    assert _dates(found) == {"annual_return": date(2027, 7, 31), "agm": date(2027, 7, 31)}


def test_an_agm_where_the_rules_need_one_and_director_term_ends_ahead_only() -> None:
    terms = [("Amara Okafor", date(2026, 9, 1)), ("Tom Evans", date(2025, 1, 1))]
    found = compliance_deadlines(
        LegalForm.COMPANY_GUARANTEE,
        3,
        31,
        date(2026, 4, 1),
        date(2026, 4, 2),
        agm_required=True,
        director_terms=terms,
        horizon_days=700,
    )
    by_key = {d.key: d for d in found}
    assert by_key["agm"].due == date(2027, 12, 31) and "cic34" not in by_key
    assert [d.title for d in found if d.key == "term_end"] == ["Amara Okafor's term as a director ends"]


def test_no_dates_for_an_unincorporated_group_or_a_missing_year_end() -> None:
    assert compliance_deadlines(LegalForm.UNINCORPORATED, 3, 31, date(2026, 1, 1), date(2026, 1, 2)) == ()
    assert compliance_deadlines(CIC, 0, 0, date(2026, 1, 1), date(2026, 1, 2)) == ()


def test_the_report_period_is_the_latest_year_ended_or_the_first_while_it_runs() -> None:
    set_up = date(2023, 4, 3)
    # The first year (to 31 March 2024, more than 6 months after set-up) while it is still running.
    assert report_period(set_up, date(2023, 12, 1), 3, 31) == (set_up, date(2024, 3, 31))
    # Once it has ended, it is the year reported until the next year end.
    assert report_period(set_up, date(2024, 3, 31), 3, 31) == (set_up, date(2024, 3, 31))
    assert report_period(set_up, date(2025, 3, 30), 3, 31) == (set_up, date(2024, 3, 31))
    assert report_period(set_up, date(2026, 12, 7), 3, 31) == (date(2025, 4, 1), date(2026, 3, 31))
    # A 29 February year end is 28 February in other years; the year after starts on 1 March.
    leap = date(2023, 1, 10)
    assert report_period(leap, date(2024, 3, 1), 2, 29) == (leap, date(2024, 2, 29))
    assert report_period(leap, date(2025, 3, 1), 2, 29) == (date(2024, 3, 1), date(2025, 2, 28))
    assert report_period(leap, date(2029, 2, 28), 2, 29) == (date(2028, 3, 1), date(2029, 2, 28))
