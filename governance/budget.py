"""Pooled budgets, pure: money as integer pence, cost splits that add up exactly, the never-overspend check,
an exact amount parser for forms, and the constitution's spending rules (members' vote, two approvers).

No floats anywhere: every amount is an `int` number of pence, and every division is integer division with
the remainder handed out by the largest-remainder method in a documented, deterministic order.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from governance.constitution.schema import SpendingRules
from governance.violations import RuleViolationError, Violation

K = TypeVar("K", bound=Hashable)

#: The largest single amount coop accepts: £1,000,000 (reliability-bar I9).
MAX_AMOUNT_PENCE = 100_000_000


class CostRule(StrEnum):
    """How a pool shares a cost among the people taking part."""

    EQUAL = "equal"
    BY_HOURS = "by_hours"
    FIXED_SHARES = "fixed_shares"


class FundingSource(StrEnum):
    """Where a contribution's money came from (councils audit direct payments person by person)."""

    DIRECT_PAYMENT = "direct_payment"
    PERSONAL_HEALTH_BUDGET = "personal_health_budget"
    INDIVIDUAL_SERVICE_FUND = "isf"
    SELF_FUNDED = "self_funded"
    GRANT = "grant"


FUNDING_SOURCE_NAMES: dict[FundingSource, str] = {
    FundingSource.DIRECT_PAYMENT: "Direct payment",
    FundingSource.PERSONAL_HEALTH_BUDGET: "Personal health budget",
    FundingSource.INDIVIDUAL_SERVICE_FUND: "Individual Service Fund",
    FundingSource.SELF_FUNDED: "Self-funded",
    FundingSource.GRANT: "Grant",
}

#: Funding sources that come from a named funder (a council, an NHS board, a grant-maker).
FUNDER_REQUIRED = frozenset(
    {
        FundingSource.DIRECT_PAYMENT,
        FundingSource.PERSONAL_HEALTH_BUDGET,
        FundingSource.INDIVIDUAL_SERVICE_FUND,
        FundingSource.GRANT,
    }
)

COST_RULE_NAMES: dict[CostRule, str] = {
    CostRule.EQUAL: "Equal shares",
    CostRule.BY_HOURS: "By hours of support used",
    CostRule.FIXED_SHARES: "Fixed shares agreed by the pool",
}


# -------------------------------------------------------------------------------------------------------
# Showing money
# -------------------------------------------------------------------------------------------------------


def format_pence(pence: int) -> str:
    """£1,234.56; negative amounts as -£3.20."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


# -------------------------------------------------------------------------------------------------------
# Splitting a cost exactly
# -------------------------------------------------------------------------------------------------------


def split_by_weights(total: int, weights: Sequence[tuple[K, int]]) -> dict[K, int]:
    """Share `total` pence in proportion to whole-number weights, adding up to `total` exactly.

    Largest-remainder method: each party first gets floor(total × weight / sum of weights); the pence
    left over go one each to the parties with the largest remainders. **Tie order:** among equal
    remainders, the party listed first gets the penny first (callers list parties in the order they
    joined the pool, so the rule is stable and explainable). A negative total (a refund) is split as
    its absolute value and negated, so refunds mirror charges penny for penny. Parties with weight 0
    pay nothing.
    """
    if not weights:
        raise ValueError("a cost must be shared among at least one party")
    keys = [key for key, _ in weights]
    if len(set(keys)) != len(keys):
        raise ValueError("each party may appear only once in a split")
    if any(w < 0 for _, w in weights):
        raise ValueError("weights cannot be negative")
    weight_sum = sum(w for _, w in weights)
    if weight_sum == 0:
        raise ValueError("at least one party must have a weight above zero")
    sign = -1 if total < 0 else 1
    amount = abs(total)
    shares: dict[K, int] = {}
    remainders: list[tuple[int, int, K]] = []
    for position, (key, weight) in enumerate(weights):
        whole, remainder = divmod(amount * weight, weight_sum)
        shares[key] = whole
        # Sort key: largest remainder first, then earliest position.
        remainders.append((-remainder, position, key))
    left = amount - sum(shares.values())
    for _, _, key in sorted(remainders)[:left]:
        shares[key] += 1
    return {key: sign * value for key, value in shares.items()}


def split_equally(total: int, parties: Sequence[K]) -> dict[K, int]:
    """Equal shares; the odd pence go to the parties listed first."""
    return split_by_weights(total, [(p, 1) for p in parties])


def split_cost(
    total: int, rule: CostRule, parties: Sequence[K], weights: Mapping[K, int] | None = None
) -> dict[K, int]:
    """Split by the pool's rule. BY_HOURS takes minutes of support used; FIXED_SHARES the agreed shares."""
    if rule is CostRule.EQUAL:
        return split_equally(total, parties)
    if weights is None:
        raise ValueError(f"the {rule.value} rule needs a weight for each party")
    return split_by_weights(total, [(p, weights.get(p, 0)) for p in parties])


# -------------------------------------------------------------------------------------------------------
# Never overspend
# -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubAccount:
    """One contributor's money inside a pool: what is there, what is promised, what must stay."""

    key: int
    name: str
    balance_pence: int
    floor_pence: int = 0
    committed_pence: int = 0

    @property
    def available_pence(self) -> int:
        return self.balance_pence - self.committed_pence


@dataclass(frozen=True, slots=True)
class PoolPosition:
    name: str
    balance_pence: int
    floor_pence: int = 0
    committed_pence: int = 0

    @property
    def available_pence(self) -> int:
        return self.balance_pence - self.committed_pence


def overspend_violations(
    pool: PoolPosition, accounts: Sequence[SubAccount], charges: Mapping[int, int]
) -> list[Violation]:
    """Would charging `charges` (sub-account key → pence) take any sub-account or the pool below its floor?

    The database enforces the same rule with a conditional UPDATE (the only check that holds under
    concurrency); this function gives the plain-English reasons to show on the form before that.
    """
    violations: list[Violation] = []
    by_key = {a.key: a for a in accounts}
    for key, amount in charges.items():
        account = by_key.get(key)
        if account is None:
            violations.append(
                Violation("budget.unknown_account", "Someone sharing this cost is not in the pool.")
            )
            continue
        left = account.available_pence - amount
        if amount > 0 and left < account.floor_pence:
            violations.append(
                Violation(
                    "budget.sub_account_floor",
                    f"{account.name}'s share of {format_pence(amount)} would leave {format_pence(left)} "
                    f"in their account, below the {format_pence(account.floor_pence)} it must keep.",
                )
            )
    total = sum(charges.values())
    left = pool.available_pence - total
    if total > 0 and left < pool.floor_pence:
        violations.append(
            Violation(
                "budget.pool_floor",
                f"This payment of {format_pence(total)} would leave {format_pence(left)} in "
                f"{pool.name}, below the {format_pence(pool.floor_pence)} contingency it must keep.",
            )
        )
    return violations


# -------------------------------------------------------------------------------------------------------
# Reading amounts from forms
# -------------------------------------------------------------------------------------------------------

# ASCII digits only (str.isdigit() would accept "١٢٣"); optional £; commas only in groups of three.
_AMOUNT = re.compile(r"£?(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<pence>[0-9]{1,2}))?")


def parse_amount(text: str, *, field: str = "amount", allow_zero: bool = False) -> int:
    """Read "£1,234.56", "12.5", "12" or ".50" as exact pence. Raises RuleViolationError otherwise.

    Never converts through float: "0.1" is 10p and "1e3", "NaN", "-1" and non-ASCII digits are refused.
    """
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        raise _amount_error(field, "Enter an amount in pounds, like 25 or 25.50")
    if cleaned.startswith("-") or cleaned.startswith("£-"):
        raise _amount_error(field, "Enter an amount above £0, without a minus sign")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None or (match.group("pounds") is None and match.group("pence") is None):
        if re.fullmatch(r"£?[0-9,]*\.[0-9]{3,}", cleaned):
            raise _amount_error(field, "Enter an amount with no more than 2 digits after the decimal point")
        raise _amount_error(field, "Enter an amount in pounds and pence, like 25 or 1,234.50")
    pounds = int((match.group("pounds") or "0").replace(",", ""))
    pence_text = (match.group("pence") or "").ljust(2, "0")
    pence = pounds * 100 + int(pence_text or "0")
    if pence == 0 and not allow_zero:
        raise _amount_error(field, "Enter an amount above £0")
    if pence > MAX_AMOUNT_PENCE:
        raise _amount_error(field, f"Enter an amount of {format_pence(MAX_AMOUNT_PENCE)} or less")
    return pence


def parse_hours(text: str, *, field: str = "hours") -> int:
    """Read hours of support like "2", "2.5" or "1.25" as whole minutes (exactly; no float)."""
    cleaned = text.strip()
    match = re.fullmatch(r"(?P<h>[0-9]{1,4})(?:\.(?P<f>[0-9]{1,2}))?", cleaned)
    if match is None:
        raise RuleViolationError(
            [Violation(f"budget.{field}_format", "Enter hours as a number, like 2 or 2.5")]
        )
    hundredths = int(match.group("h")) * 100 + int((match.group("f") or "").ljust(2, "0") or "0")
    minutes, leftover = divmod(hundredths * 60, 100)
    if leftover:
        raise RuleViolationError(
            [Violation(f"budget.{field}_format", "Enter hours in whole minutes, like 1.25 or 1.5")]
        )
    return minutes


def _amount_error(field: str, message: str) -> RuleViolationError:
    return RuleViolationError([Violation(f"budget.{field}_format", message)])


# -------------------------------------------------------------------------------------------------------
# Spending rules from the constitution
# -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpendingRequirement:
    """What a payment of a given amount needs before money moves."""

    amount_pence: int
    needs_members_vote: bool
    approvers_needed: int  # people other than the requester (0: the requester's own record is enough)
    payee_total_pence: int = 0  # this payment plus what the same payee was paid or asked for in the window


def spending_requirement(
    amount_pence: int, rules: SpendingRules, *, recent_to_payee_pence: int = 0
) -> SpendingRequirement:
    """The payment's needs. The members' vote is for spending strictly above its amount, as the
    constitution's wording says. Two approvers are needed when this payment, added to what the same payee
    was paid or is waiting to be paid within the constitution's window (`recent_to_payee_pence`, a fact
    the caller loads), is at or above the two-person threshold: so a payment of exactly the threshold
    needs two, and splitting a large payment into small ones does not avoid them."""
    vote_limit = rules.members_vote_above_pence
    payee_total = amount_pence + recent_to_payee_pence
    return SpendingRequirement(
        amount_pence=amount_pence,
        needs_members_vote=vote_limit is not None and amount_pence > vote_limit,
        approvers_needed=2 if payee_total >= rules.two_person_threshold_pence else 0,
        payee_total_pence=payee_total,
    )


def two_person_rule_text(rules: SpendingRules) -> str:
    """The rule in words, with its edge as the constitution states it."""
    if (
        rules.two_person_approval_at_or_above_pence is None
        and rules.two_person_approval_above_pence is not None
    ):
        limit = f"over {format_pence(rules.two_person_approval_above_pence)}"
    else:
        limit = f"of {format_pence(rules.two_person_threshold_pence)} or more"
    days = rules.two_person_approval_window_days
    return (
        f"Payments {limit} need two other people to approve them. Payments to the same payee within "
        f"{days} {'day' if days == 1 else 'days'} are added together."
    )


def members_vote_violations(requirement: SpendingRequirement, rules: SpendingRules) -> list[Violation]:
    if not requirement.needs_members_vote or rules.members_vote_above_pence is None:
        return []
    return [
        Violation(
            "budget.needs_members_vote",
            f"Spending above {format_pence(rules.members_vote_above_pence)} needs a members' vote "
            "before it can be paid.",
        )
    ]


class ApprovalSubject(StrEnum):
    """What is being approved: the rule is the same for each, the words name the thing."""

    PAYMENT = "payment"
    PROPOSAL = "proposal"
    REVERSAL = "reversal"


#: What the person approving cannot approve, in words for each subject.
_OWN = {
    ApprovalSubject.PAYMENT: "a payment you asked for",
    ApprovalSubject.PROPOSAL: "a proposal you made",
    ApprovalSubject.REVERSAL: "a reversal you asked for",
}


def approval_violations(
    *,
    requester: int,
    approver: int,
    already_approved: Sequence[int],
    approvers_needed: int,
    subject: ApprovalSubject = ApprovalSubject.PAYMENT,
) -> list[Violation]:
    """Can `approver` approve this payment, proposal or reversal now? Nobody approves their own, or
    twice, or what needs no approval or already has all it needs. The messages name the `subject`."""
    if approvers_needed == 0:
        return [Violation("budget.no_approval_needed", f"This {subject} does not need approval.")]
    if approver == requester:
        return [Violation("budget.own_claim", f"You cannot approve {_OWN[subject]}.")]
    if approver in already_approved:
        return [Violation("budget.already_approved", f"You have already approved this {subject}.")]
    if len(set(already_approved)) >= approvers_needed:
        return [Violation("budget.fully_approved", f"This {subject} already has the approvals it needs.")]
    return []
