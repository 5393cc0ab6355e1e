"""The budget areas' refusals: a request the money rules refuse (a `coop.errors.Refused`), with
plain-English reasons safe to show, each under the field its code names."""

from __future__ import annotations

from coop.errors import Refused, field_errors_of
from governance.violations import Violation


class BudgetError(Refused):
    """A request the rules refuse; carries violations with plain-English messages safe to show."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(
            "; ".join(v.message for v in violations),
            field_errors=field_errors_of(violations),
            violations=violations,
        )


class NotEnoughMoney(BudgetError):
    """The payment would take a sub-account or the pool below its floor (nothing was changed)."""


class IdempotencyConflict(BudgetError):
    """The idempotency key was already used for a different request."""

    status_code = 409


class NotFound(BudgetError):
    status_code = 404


def refusal(code: str, message: str, cls: type[BudgetError] = BudgetError) -> BudgetError:
    """One reason, as the error to raise."""
    return cls([Violation(code, message)])
