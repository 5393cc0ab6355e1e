"""The budget areas' refusals: a request the money rules refuse, with plain-English reasons safe to show."""

from __future__ import annotations

from governance.violations import Violation


class BudgetError(Exception):
    """A request the rules refuse; carries violations with plain-English messages safe to show."""

    status_code = 422

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(v.message for v in violations))


class NotEnoughMoney(BudgetError):
    """The payment would take a sub-account or the pool below its floor (nothing was changed)."""


class IdempotencyConflict(BudgetError):
    """The idempotency key was already used for a different request."""


class NotFound(BudgetError):
    status_code = 404


def refusal(code: str, message: str, cls: type[BudgetError] = BudgetError) -> BudgetError:
    """One reason, as the error to raise."""
    return cls([Violation(code, message)])
