"""governance.budget: exact splits (M11), the overspend check, the amount parser (M7), spending rules (M8)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.budget import (
    MAX_AMOUNT_PENCE,
    ApprovalSubject,
    CostRule,
    PoolPosition,
    SubAccount,
    approval_violations,
    format_pence,
    members_vote_violations,
    overspend_violations,
    parse_amount,
    parse_hours,
    spending_requirement,
    split_by_weights,
    split_cost,
    split_equally,
    two_person_rule_text,
)
from governance.constitution import SpendingRules
from governance.violations import RuleViolationError

# ------------------------------------------------------------------------------------------------ splits


@settings(max_examples=10_000, deadline=None)
@given(
    total=st.integers(min_value=-MAX_AMOUNT_PENCE, max_value=MAX_AMOUNT_PENCE),
    n=st.integers(min_value=1, max_value=50),
    seed=st.integers(min_value=0, max_value=2**32),
    max_weight=st.sampled_from([1, 3, 60, 10_000]),
)
def test_a_split_always_adds_up_to_the_total(total, n, seed, max_weight):
    # Weights from a seeded generator: 10,000 cases stay fast while covering 1-50 parties (M11).
    rng = random.Random(seed)
    weights = [rng.randint(0, max_weight) for _ in range(n)]
    if not any(weights):
        weights[rng.randrange(n)] = 1
    shares = split_by_weights(total, list(enumerate(weights)))
    assert sum(shares.values()) == total
    assert all(type(v) is int for v in shares.values())
    weight_sum = sum(weights)
    for i, w in enumerate(weights):
        # Each share is within a penny of its exact proportion (compared in integers).
        assert abs(abs(shares[i]) * weight_sum - abs(total) * w) < weight_sum
        if w == 0:
            assert shares[i] == 0


@settings(max_examples=300, deadline=None)
@given(total=st.integers(min_value=0, max_value=MAX_AMOUNT_PENCE), n=st.integers(min_value=1, max_value=50))
def test_equal_shares_differ_by_at_most_a_penny_and_the_first_listed_get_the_odd_pence(total, n):
    shares = split_equally(total, list(range(n)))
    values = [shares[i] for i in range(n)]
    assert sum(values) == total
    assert max(values) - min(values) <= 1
    assert values == sorted(values, reverse=True)
    # A refund mirrors the charge penny for penny.
    assert split_equally(-total, list(range(n))) == {k: -v for k, v in shares.items()}


def test_tie_order_is_the_order_listed():
    assert split_equally(100, ["sam", "ali", "jo"]) == {"sam": 34, "ali": 33, "jo": 33}
    assert split_equally(100, ["jo", "ali", "sam"]) == {"jo": 34, "ali": 33, "sam": 33}
    assert split_equally(2, ["a", "b", "c"]) == {"a": 1, "b": 1, "c": 0}


def test_largest_remainder_beats_position():
    # 10p by 1:1:2 -> 2.5, 2.5, 5: the two halves tie, the first listed gets the penny.
    assert split_by_weights(10, [("a", 1), ("b", 1), ("c", 2)]) == {"a": 3, "b": 2, "c": 5}
    # 100p by hours 50:30:20 minutes, exact.
    assert split_cost(100, CostRule.BY_HOURS, ["a", "b", "c"], {"a": 50, "b": 30, "c": 20}) == {
        "a": 50,
        "b": 30,
        "c": 20,
    }
    # 7p by 1:2 -> 2.33, 4.67: c's larger remainder wins the penny though a is first.
    assert split_by_weights(7, [("a", 1), ("c", 2)]) == {"a": 2, "c": 5}


def test_split_refuses_nonsense():
    for weights in ([], [("a", 0)], [("a", -1), ("b", 2)], [("a", 1), ("a", 1)]):
        with pytest.raises(ValueError):
            split_by_weights(100, weights)
    with pytest.raises(ValueError):
        split_cost(100, CostRule.FIXED_SHARES, ["a"])


# ------------------------------------------------------------------------------------------- overspend


def test_a_share_that_would_go_below_the_floor_is_named_in_plain_english():
    pool = PoolPosition("Shared support worker", balance_pence=10_000)
    accounts = [SubAccount(1, "Sam", 2_180), SubAccount(2, "Ali", 5_000, floor_pence=4_000)]
    violations = overspend_violations(pool, accounts, {1: 2_500, 2: 1_500})
    assert [v.code for v in violations] == ["budget.sub_account_floor", "budget.sub_account_floor"]
    assert violations[0].message == (
        "Sam's share of £25.00 would leave -£3.20 in their account, below the £0.00 it must keep."
    )
    assert "would leave £35.00 in their account, below the £40.00 it must keep" in violations[1].message
    assert overspend_violations(pool, accounts, {1: 2_180, 2: 1_000}) == []


def test_committed_money_counts_as_spent_and_the_pool_keeps_its_contingency():
    pool = PoolPosition("Pool", balance_pence=10_000, floor_pence=2_000, committed_pence=7_000)
    accounts = [SubAccount(1, "Sam", 10_000, committed_pence=7_000)]
    assert overspend_violations(pool, accounts, {1: 1_000}) == []
    violations = overspend_violations(pool, accounts, {1: 1_001})
    assert [v.code for v in violations] == ["budget.pool_floor"]
    assert "below the £20.00 contingency it must keep" in violations[0].message
    assert [v.code for v in overspend_violations(pool, accounts, {9: 1})] == ["budget.unknown_account"]


@settings(max_examples=300, deadline=None)
@given(
    balances=st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=8),
    total=st.integers(min_value=1, max_value=200_000),
)
def test_no_violation_means_no_account_goes_below_its_floor(balances, total):
    accounts = [SubAccount(i, f"P{i}", b) for i, b in enumerate(balances)]
    pool = PoolPosition("Pool", sum(balances))
    charges = split_equally(total, [a.key for a in accounts])
    ok = overspend_violations(pool, accounts, charges) == []
    assert ok == all(a.balance_pence - charges[a.key] >= 0 for a in accounts)


# --------------------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("£1,234.56", 123_456),
        ("1234.5", 123_450),
        ("12.5", 1_250),
        ("12", 1_200),
        ("0.1", 10),
        (".50", 50),
        ("£ 7.05", 705),
        (" 1,000,000 ", 100_000_000),
        ("0.01", 1),
    ],
)
def test_amounts_are_read_exactly(text, pence):
    assert parse_amount(text) == pence


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-1",
        "£-1",
        "0",
        "0.00",
        "1e3",
        "NaN",
        "inf",
        "١٢٣",
        "12.345",
        "1,23",
        "12,3456",
        "£",
        ".",
        "12.",
        "1.2.3",
        "£1,000,000.01",
        "0x10",
        "1_000",
    ],
)
def test_anything_else_is_a_clear_error(text):
    with pytest.raises(RuleViolationError) as error:
        parse_amount(text)
    (violation,) = error.value.violations
    assert violation.code == "budget.amount_format"
    assert violation.message.startswith("Enter")


def test_zero_is_allowed_where_asked_and_errors_name_the_field():
    assert parse_amount("0", allow_zero=True) == 0
    with pytest.raises(RuleViolationError) as error:
        parse_amount("x", field="floor")
    assert error.value.violations[0].code == "budget.floor_format"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_AMOUNT_PENCE))
def test_what_we_show_we_read_back(pence):
    assert parse_amount(format_pence(pence)) == pence


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_the_parser_never_crashes_and_never_returns_a_float(text):
    try:
        value = parse_amount(text)
    except RuleViolationError:
        return
    assert type(value) is int and 0 < value <= MAX_AMOUNT_PENCE


def test_hours_are_whole_minutes():
    assert parse_hours("2") == 120
    assert parse_hours("2.5") == 150
    assert parse_hours("1.25") == 75
    for bad in ("", "-1", "1.33", "two", "1e2"):
        with pytest.raises(RuleViolationError):
            parse_hours(bad)


def test_format_pence():
    assert format_pence(0) == "£0.00"
    assert format_pence(-320) == "-£3.20"
    assert format_pence(123_456_789) == "£1,234,567.89"


# ------------------------------------------------------------------------------------------ spending rules


def test_a_members_vote_above_its_threshold():
    rules = SpendingRules(members_vote_above_pence=100_000)
    assert not spending_requirement(100_000, rules).needs_members_vote
    big = spending_requirement(100_001, rules)
    assert big.needs_members_vote
    assert members_vote_violations(big, rules)[0].message == (
        "Spending above £1,000.00 needs a members' vote before it can be paid."
    )
    assert not spending_requirement(10**8, SpendingRules(members_vote_above_pence=None)).needs_members_vote


AT_OR_ABOVE_500 = SpendingRules(two_person_approval_at_or_above_pence=50_000)


@pytest.mark.parametrize(("pence", "approvers"), [(49_999, 0), (50_000, 2), (50_001, 2)])
def test_two_approvers_at_or_above_the_threshold(pence, approvers):
    """The edge is explicit: exactly the threshold needs two people (it needed none before)."""
    assert spending_requirement(pence, AT_OR_ABOVE_500).approvers_needed == approvers


def test_the_default_rule_is_at_or_above_500_pounds_over_30_days():
    rules = SpendingRules()
    assert (rules.two_person_threshold_pence, rules.two_person_approval_window_days) == (50_000, 30)
    assert spending_requirement(50_000, rules).approvers_needed == 2


@pytest.mark.parametrize(("pence", "approvers"), [(50_000, 0), (50_001, 2)])
def test_an_older_above_rule_keeps_its_strict_edge(pence, approvers):
    rules = SpendingRules(two_person_approval_above_pence=50_000)
    assert spending_requirement(pence, rules).approvers_needed == approvers


@pytest.mark.parametrize(
    ("recent", "pence", "approvers"),
    [
        (0, 30_000, 0),  # the first half of a £600 payment split in two
        (30_000, 30_000, 2),  # the second half: £600 to one payee in the window
        (40_000, 9_999, 0),  # threshold - 1p in all
        (40_000, 10_000, 2),  # exactly the threshold in all
        (40_000, 10_001, 2),  # threshold + 1p in all
    ],
)
def test_payments_to_one_payee_in_the_window_are_added_up(recent, pence, approvers):
    needs = spending_requirement(pence, AT_OR_ABOVE_500, recent_to_payee_pence=recent)
    assert (needs.approvers_needed, needs.payee_total_pence) == (approvers, recent + pence)


def test_a_payment_split_into_five_needs_two_approvers_from_the_part_that_reaches_the_threshold():
    parts = [12_000] * 5  # £600 as five payments of £120
    needed, paid = [], 0
    for part in parts:
        needed.append(
            spending_requirement(part, AT_OR_ABOVE_500, recent_to_payee_pence=paid).approvers_needed
        )
        paid += part
    assert needed == [0, 0, 0, 0, 2]  # £480 so far needs nobody; the fifth makes £600


def test_the_rule_in_words_says_its_edge():
    assert two_person_rule_text(AT_OR_ABOVE_500) == (
        "Payments of £500.00 or more need two other people to approve them. Payments to the same payee "
        "within 30 days are added together."
    )
    assert two_person_rule_text(SpendingRules(two_person_approval_above_pence=50_000)).startswith(
        "Payments over £500.00 need"
    )


def test_nobody_approves_their_own_claim_or_twice():
    def codes(**kwargs):
        return [v.code for v in approval_violations(**kwargs)]

    assert codes(requester=1, approver=1, already_approved=[], approvers_needed=2) == ["budget.own_claim"]
    assert codes(requester=1, approver=2, already_approved=[2], approvers_needed=2) == [
        "budget.already_approved"
    ]
    assert codes(requester=1, approver=4, already_approved=[2, 3], approvers_needed=2) == [
        "budget.fully_approved"
    ]
    assert codes(requester=1, approver=2, already_approved=[], approvers_needed=0) == [
        "budget.no_approval_needed"
    ]
    assert codes(requester=1, approver=3, already_approved=[2], approvers_needed=2) == []


def test_the_approval_messages_name_what_is_approved():
    def message(subject, **kwargs):
        found = approval_violations(subject=subject, **kwargs)
        assert len(found) == 1
        return found[0].message

    own = {"requester": 1, "approver": 1, "already_approved": [], "approvers_needed": 2}
    twice = {"requester": 1, "approver": 2, "already_approved": [2], "approvers_needed": 2}
    full = {"requester": 1, "approver": 4, "already_approved": [2, 3], "approvers_needed": 2}
    none = {"requester": 1, "approver": 2, "already_approved": [], "approvers_needed": 0}
    assert message(ApprovalSubject.PAYMENT, **own) == "You cannot approve a payment you asked for."
    assert message(ApprovalSubject.PROPOSAL, **own) == "You cannot approve a proposal you made."
    assert message(ApprovalSubject.REVERSAL, **own) == "You cannot approve a reversal you asked for."
    assert message(ApprovalSubject.PROPOSAL, **twice) == "You have already approved this proposal."
    assert message(ApprovalSubject.REVERSAL, **full) == "This reversal already has the approvals it needs."
    assert message(ApprovalSubject.PROPOSAL, **none) == "This proposal does not need approval."
    # Without a subject it is a payment, as before; the codes do not change with the subject.
    assert approval_violations(**twice)[0].message == "You have already approved this payment."
    assert {approval_violations(subject=s, **own)[0].code for s in ApprovalSubject} == {"budget.own_claim"}
