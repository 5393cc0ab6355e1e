"""governance.affordability: what a pool has uncommitted, whether it can fund a purchase (issue 14, item 7),
and what that costs a week."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.affordability import Funds, funding_violations, period_cost


def test_uncommitted_is_the_balance_less_contracts_pending_payments_and_agreed_purchases():
    pool = Funds(
        "Garden pool", balance_pence=100_000, committed_pence=30_000, agreed_pence=20_000, floor_pence=5_000
    )
    assert pool.uncommitted_pence == 50_000
    assert pool.spare_pence == 45_000  # the contingency stays
    assert pool.left_after(40_000) == 10_000
    assert Funds("Empty", 1_000, 2_000).spare_pence == 0  # never below zero


@pytest.mark.parametrize(("cost", "fundable"), [(44_999, True), (45_000, True), (45_001, False)])
def test_a_purchase_can_be_funded_up_to_what_is_spare_and_not_a_penny_more(cost, fundable):
    pool = Funds("Garden pool", 100_000, 30_000, 20_000, 5_000)
    assert (funding_violations(cost, pool) == []) is fundable


def test_the_refusal_says_the_figures():
    pool = Funds("Garden pool", 100_000, 30_000, 20_000, 5_000)
    (problem,) = funding_violations(120_000, pool)
    assert problem.code == "commissioning.cannot_afford"
    assert problem.message == (
        "Garden pool cannot pay for this: it costs £1,200.00, but the pool has £500.00 not yet committed "
        "and must keep £50.00 as its contingency, so it can take on at most £450.00. Buy less, or add money "
        "to the pool first."
    )


def test_each_payer_must_be_able_to_fund_their_share():
    pool = Funds("Garden pool", 200_000, 0)
    amara = Funds("Amara Okafor", 100_000, 0, agreed_pence=70_001)  # already promised to another purchase
    sofia = Funds("Sofia Rossi", 100_000, 0)
    problems = funding_violations(60_000, pool, [(amara, 30_000), (sofia, 30_000)])
    assert [p.code for p in problems] == ["commissioning.share_cannot_afford"]
    assert problems[0].message.startswith("Amara Okafor's share is £300.00")
    assert funding_violations(59_999, pool, [(amara, 29_999), (sofia, 30_000)]) == []


def test_when_the_pool_cannot_fund_it_that_is_the_one_reason_given():
    pool = Funds("Garden pool", 100_000, 0)
    payers = [(Funds("Amara Okafor", 50_000, 0), 60_000), (Funds("Sofia Rossi", 50_000, 0), 60_000)]
    assert [p.code for p in funding_violations(120_000, pool, payers)] == ["commissioning.cannot_afford"]


def test_the_share_message_names_the_figures():
    amara = Funds("Amara Okafor", 100_000, 10_000, agreed_pence=70_000, floor_pence=5_000)
    (problem,) = funding_violations(20_000, Funds("Pool", 10**6, 0), [(amara, 20_000)])
    assert problem.message == (
        "Amara Okafor's share is £200.00, but their part of the pool has £200.00 not yet committed and must "
        "keep £50.00 as its contingency, so it can take on at most £150.00."
    )


def test_cost_a_week_over_the_period_rounds_up_to_the_penny():
    cost = period_cost(60_000, date(2026, 5, 1), date(2026, 7, 31))
    assert (cost.days, cost.per_week_pence) == (92, 4_566)  # £600 × 7 / 92 = £45.652...
    assert period_cost(7_000, date(2026, 5, 1), date(2026, 5, 7)).per_week_pence == 7_000
    assert period_cost(100, date(2026, 5, 1), date(2026, 5, 1)).per_week_pence == 700  # one day


@given(st.integers(0, 10**8), st.integers(1, 3_650))
def test_a_week_times_the_weeks_never_understates_the_cost(total, days):
    cost = period_cost(total, date(2026, 1, 1), date.fromordinal(date(2026, 1, 1).toordinal() + days - 1))
    assert cost.days == days
    assert cost.per_week_pence * days >= total * 7 > (cost.per_week_pence - 1) * days
