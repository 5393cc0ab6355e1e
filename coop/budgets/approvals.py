"""Two (or more) people approve: one flow for payments, commissioning proposals and reversals. What
needs approvers, and how many, is decided elsewhere (`governance.budget.spending_requirement`, at or
above the constitution's threshold); this records each approval under the same rule, nobody approves
their own or twice (`governance.budget.approval_violations`), whose messages name the thing approved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from coop.budgets.errors import BudgetError
from coop.budgets.tables import PaymentApproval, ReversalApproval
from governance.budget import ApprovalSubject, approval_violations


@dataclass(frozen=True, slots=True)
class Approvals:
    """Where one kind of thing keeps its approvals: a table with one row per approval, `column` naming
    the row approved and `approver` the person."""

    subject: ApprovalSubject
    table: type[Table]
    column: str

    def _approved(self) -> Any:
        return getattr(self.table, self.column)

    async def approvers(self, subject_id: int) -> list[int]:
        """The people who have approved this one, in no particular order."""
        rows = await self.table.select(self.table.approver).where(self._approved() == subject_id)  # type: ignore[attr-defined]
        return [int(r["approver"]) for r in rows]

    async def approvers_by(self, subject_ids: list[int]) -> dict[int, list[int]]:
        """Who has approved each of these: one statement for a page's worth."""
        rows = await self.table.select(self._approved(), self.table.approver).where(  # type: ignore[attr-defined]
            self._approved().is_in(subject_ids or [-1])
        )
        found: dict[int, list[int]] = {}
        for row in rows:
            found.setdefault(int(row[self.column]), []).append(int(row["approver"]))
        return found

    def may_approve(self, *, requester: int | None, approver: int, already: list[int], needed: int) -> bool:
        """Whether to offer `approver` the Approve button (the service checks again when they press it)."""
        return not approval_violations(
            requester=-1 if requester is None else requester,
            approver=approver,
            already_approved=already,
            approvers_needed=needed,
            subject=self.subject,
        )

    async def approve(self, subject_id: int, *, requester: int | None, approver: int, needed: int) -> int:
        """Record `approver`'s approval, or refuse with the reasons in words for this subject. Call inside
        the caller's `write_transaction()`, after it has taken the approved row (so concurrent approvals
        of one thing queue there and each counts the ones before it). Returns how many have approved."""
        already = await self.approvers(subject_id)
        problems = approval_violations(
            requester=-1 if requester is None else requester,
            approver=approver,
            already_approved=already,
            approvers_needed=needed,
            subject=self.subject,
        )
        if problems:
            raise BudgetError(problems)
        row: dict[str, Any] = {self.column: subject_id, "approver": approver}
        await self.table.insert(self.table(**row))
        return len(already) + 1


PAYMENTS = Approvals(ApprovalSubject.PAYMENT, PaymentApproval, "payment")
REVERSALS = Approvals(ApprovalSubject.REVERSAL, ReversalApproval, "request")
