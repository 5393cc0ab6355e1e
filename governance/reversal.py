"""Reversing a ledger transaction: whether it may be reversed, and how many approvals the reversal needs.

A reversal is a new transaction of opposite entries, never an edit. It is held to the same two-person
rule as what it reverses: a payment that needed approvers needs as many for its reversal, so the rule
cannot be got round by paying small and reversing big, or by reversing an approved payment alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.violations import Violation

REASON_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ReversalFacts:
    kind: str  # the original's kind: contribution, payment or reversal
    reason: str
    already: bool  # reversed, or a reversal is waiting for approval
    original_approvals_needed: int  # what the original payment needed (0 for money in)


def reversal_approvals_needed(facts: ReversalFacts) -> int:
    """The same number of approvers as the original needed."""
    return facts.original_approvals_needed


def reversal_violations(facts: ReversalFacts) -> list[Violation]:
    """Why this transaction cannot be reversed now (empty when it can)."""
    if facts.kind == "reversal":
        return [
            Violation(
                "budget.reversal",
                "A reversal cannot itself be reversed. Record the right amount as a new payment or money in.",
            )
        ]
    if facts.already:
        return [
            Violation(
                "budget.already_reversed",
                "This has already been reversed, or a reversal of it is waiting for approval.",
            )
        ]
    problems = []
    if not facts.reason.strip():
        problems.append(Violation("budget.reason", "Say why this is being reversed"))
    elif len(facts.reason.strip()) > REASON_LIMIT:
        problems.append(Violation("budget.reason", f"Keep the reason to {REASON_LIMIT} characters or fewer"))
    return problems
