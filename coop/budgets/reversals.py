"""Reversing a payment or money in: a new ledger transaction of opposite entries (never an edit), asked
for with a reason by someone who may record money (the treasurer or secretary), and held to the same
two-person rule as the original: a payment that needed approvers needs as many for its reversal.

Each request is a `ledger_reversal` row. A partial unique index allows one live request per transaction,
so of any number of concurrent requests exactly one wins; `ledger_transaction.reverses` is unique too, as
a backstop. Money moves as everywhere in budgets (coop/budgets/ledger.py): the pool row first, then each
sub-account, with a guarded UPDATE wherever money leaves a contributor (reversing money in), so nothing
goes below its floor. Reversing a contract's invoice payment gives the money back to the contract while
it runs (through the `Commitments` it is given, as `cancel_payment` is), so it can be invoiced again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from piccolo.columns import Column
from piccolo.custom_types import Combinable

from coop import clock
from coop.audit.guarded import guarded_change, guarded_update
from coop.audit.service import Actor, AuditEntry, record
from coop.budgets import ledger
from coop.budgets.approvals import REVERSALS
from coop.budgets.commitments import Commitments
from coop.budgets.errors import BudgetError, NotEnoughMoney, NotFound, refusal
from coop.budgets.pools import APPROVER_ROLES, MANAGER_ROLES
from coop.budgets.tables import (
    LedgerEntry,
    LedgerReversal,
    LedgerTransaction,
    PoolPayment,
)
from coop.db import write_transaction
from coop.public_ids import is_public_id
from governance.reversal import ReversalFacts, reversal_approvals_needed, reversal_violations
from governance.violations import Violation

AWAITING = "awaiting_approval"
DONE = "done"
CANCELLED = "cancelled"


class NotAllowed(BudgetError):
    status_code = 403


@dataclass(frozen=True, slots=True)
class ReversalResult:
    public_id: str  # the request
    status: str  # done or awaiting_approval
    original_reference: str
    reversal_public_id: str = ""  # the reversing transaction, once done
    reversal_reference: str = ""


@dataclass(frozen=True, slots=True)
class Reversible:
    """A transaction and what its reversal would involve: for the form, the check page and the service."""

    original: dict[str, Any]
    payment: dict[str, Any] | None  # the pool payment it paid, if it is a payment
    live: dict[str, Any] | None  # the request that reversed it, or waits for approval
    approvals_needed: int

    def facts(self, reason: str) -> ReversalFacts:
        return ReversalFacts(
            kind=self.original["kind"],
            reason=reason,
            already=self.live is not None,
            original_approvals_needed=int(self.payment["approvals_needed"]) if self.payment else 0,
        )

    def problems(self, reason: str) -> list[Violation]:
        return reversal_violations(self.facts(reason))


def _allowed(roles: frozenset[str], allowed: tuple[str, ...], what: str) -> None:
    if not roles.intersection(allowed):
        raise refusal("budget.not_allowed", f"Only the {' or '.join(allowed)} can {what}.", NotAllowed)


# ---------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------


async def reversible(organisation_id: int, pool_id: int, txn_public_id: str) -> Reversible | None:
    """The transaction of this pool with this public id, with its payment and live reversal, or None."""
    if not is_public_id(txn_public_id):
        return None
    return await _reversible(
        (LedgerTransaction.public_id == txn_public_id)
        & (LedgerTransaction.organisation == organisation_id)
        & (LedgerTransaction.pool == pool_id)
    )


async def payment_reversal(payment: dict[str, Any]) -> Reversible | None:
    """A paid pool payment's transaction and its reversal, if any (None while it is not paid)."""
    if payment["txn"] is None:
        return None
    return await _reversible(LedgerTransaction.id == payment["txn"])


async def _reversible(where: Any) -> Reversible | None:
    original = await LedgerTransaction.select().where(where).first()
    if original is None:
        return None
    payment = await PoolPayment.select().where(PoolPayment.txn == original["id"]).first()
    live = await _live_request(int(original["id"]))
    facts = ReversalFacts(
        original["kind"], "", live is not None, int(payment["approvals_needed"]) if payment else 0
    )
    return Reversible(original, payment, live, reversal_approvals_needed(facts))


async def _live_request(txn_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await LedgerReversal.select(
            *LedgerReversal.all_columns(),
            LedgerReversal.reversal.public_id.as_alias("reversal_public_id"),
            LedgerReversal.reversal.reference.as_alias("reversal_reference"),
        )
        .where((LedgerReversal.original == txn_id) & (LedgerReversal.status != CANCELLED))
        .first()
    )
    return row


async def request_in_org(organisation_id: int, request_public_id: str) -> dict[str, Any] | None:
    if not is_public_id(request_public_id):
        return None
    row: dict[str, Any] | None = (
        await LedgerReversal.select(
            *LedgerReversal.all_columns(),
            LedgerReversal.original.public_id.as_alias("original_public_id"),
            LedgerReversal.original.reference.as_alias("original_reference"),
            LedgerReversal.original.kind.as_alias("original_kind"),
            LedgerReversal.original.amount_pence.as_alias("amount_pence"),
            LedgerReversal.original.description.as_alias("original_description"),
            LedgerReversal.reversal.public_id.as_alias("reversal_public_id"),
            LedgerReversal.reversal.reference.as_alias("reversal_reference"),
        )
        .where(
            (LedgerReversal.public_id == request_public_id) & (LedgerReversal.organisation == organisation_id)
        )
        .first()
    )
    return row


# ---------------------------------------------------------------------------------------------------------
# Asking, approving, withdrawing
# ---------------------------------------------------------------------------------------------------------


async def request_reversal(
    organisation_id: int,
    pool_id: int,
    txn_public_id: str,
    *,
    reason: str,
    roles: frozenset[str],
    commitments: Commitments,
    actor: Actor,
) -> ReversalResult:
    """Reverse a transaction now, or, if its original needed approvers, ask for the same approvals.
    `commitments` says who holds pool money set aside (a paid invoice's money goes back to its contract)."""
    _allowed(roles, MANAGER_ROLES, "reverse a payment or money in")
    found = await reversible(organisation_id, pool_id, txn_public_id)
    if found is None:
        raise refusal("budget.transaction", "Transaction not found", NotFound)
    if problems := found.problems(reason):
        raise BudgetError(problems)
    original = found.original
    reason = reason.strip()
    try:
        async with write_transaction():
            await ledger.move_pool(pool_id, balance=0, committed=0, guard=False)  # pool row first
            rows = await LedgerReversal.insert(
                LedgerReversal(
                    organisation=organisation_id,
                    pool=pool_id,
                    original=original["id"],
                    reason=reason,
                    status=AWAITING,
                    approvals_needed=found.approvals_needed,
                    requested_by=actor.person_id,
                )
            ).returning(LedgerReversal.id, LedgerReversal.public_id)
            request_id, public_id = int(rows[0]["id"]), str(rows[0]["public_id"])
            done: tuple[str, str] = ("", "")
            if not found.approvals_needed:
                done = await _reverse(organisation_id, request_id, original, reason, commitments, actor)
            entry = _entry(
                "budget.transaction_reversed" if done[0] else "budget.reversal_requested",
                organisation_id,
                original["public_id"],
                {
                    "reference": original["reference"],
                    "reversal": done[1],
                    "reason": reason,
                    "approvals_needed": found.approvals_needed,
                },
            )
            await record(entry, actor)
    except BudgetError:
        raise
    except Exception as exc:
        if ledger.is_unique_violation(exc):
            # Another request for the same transaction won the unique index.
            raise BudgetError(reversal_violations(replace(found.facts(reason), already=True))) from exc
        raise
    return ReversalResult(public_id, DONE if done[0] else AWAITING, original["reference"], *done)


async def approve_reversal(
    organisation_id: int,
    request_public_id: str,
    *,
    approver_person_id: int,
    roles: frozenset[str],
    commitments: Commitments,
    actor: Actor,
) -> ReversalResult:
    """One approval; the last one needed reverses (exactly once, however many approve at the same moment)."""
    _allowed(roles, APPROVER_ROLES, "approve a reversal")
    request = await request_in_org(organisation_id, request_public_id)
    if request is None:
        raise refusal("budget.reversal", "Reversal not found", NotFound)
    done: tuple[str, str] = ("", "")
    async with write_transaction():
        await ledger.move_pool(int(request["pool"]), balance=0, committed=0, guard=False)
        current = await LedgerReversal.select(LedgerReversal.status).where(LedgerReversal.id == request["id"])
        if current[0]["status"] != AWAITING:
            raise refusal("budget.already_decided", "This reversal has already been decided.")
        approvals = await REVERSALS.approve(
            int(request["id"]),
            requester=request["requested_by"],
            approver=approver_person_id,
            needed=int(request["approvals_needed"]),
        )
        if approvals >= int(request["approvals_needed"]):
            original = (
                await LedgerTransaction.select().where(LedgerTransaction.id == request["original"]).first()
            )
            assert original is not None
            done = await _reverse(
                organisation_id, int(request["id"]), original, request["reason"], commitments, actor
            )
        entry = _entry(
            "budget.transaction_reversed" if done[0] else "budget.reversal_approved",
            organisation_id,
            request["original_public_id"],
            {"reference": request["original_reference"], "reversal": done[1], "approvals": approvals},
        )
        await record(entry, actor)
    return ReversalResult(
        str(request["public_id"]), DONE if done[0] else AWAITING, request["original_reference"], *done
    )


async def cancel_reversal(
    organisation_id: int, request_public_id: str, *, roles: frozenset[str], actor: Actor
) -> None:
    """Withdraw a reversal still waiting for approval: nothing was moved, so nothing moves back."""
    _allowed(roles, MANAGER_ROLES, "withdraw a reversal")
    request = await request_in_org(organisation_id, request_public_id)
    if request is None:
        raise refusal("budget.reversal", "Reversal not found", NotFound)
    withdrawn = await guarded_update(
        LedgerReversal,
        _decision(CANCELLED),
        _awaiting(int(request["id"])),
        returning=[LedgerReversal.id],
        audit=lambda _: _entry(
            "budget.reversal_withdrawn",
            organisation_id,
            request["original_public_id"],
            {"reference": request["original_reference"]},
        ),
        actor=actor,
    )
    if not withdrawn:
        raise refusal("budget.already_decided", "This reversal has already been decided.")


def _entry(action: str, organisation_id: int, original_public_id: Any, detail: dict[str, Any]) -> AuditEntry:
    """Every reversal event is recorded against the transaction it reverses."""
    return AuditEntry(
        action,
        organisation_id=organisation_id,
        target_type="ledger_transaction",
        target_id=str(original_public_id),
        detail=detail,
    )


def _decision(status: str, reversal_txn: int | None = None) -> dict[Column, Any]:
    return {
        LedgerReversal.status: status,
        LedgerReversal.reversal: reversal_txn,
        LedgerReversal.decided_at: clock.now(),
    }


def _awaiting(request_id: int) -> Combinable:
    return (LedgerReversal.id == request_id) & (LedgerReversal.status == AWAITING)


async def _decide(request_id: int, status: str, reversal_txn: int | None = None) -> bool:
    """Decide a request still awaiting approval (the caller audits it); False if another got there first."""
    rows = await guarded_change(
        LedgerReversal, _decision(status, reversal_txn), _awaiting(request_id), returning=[LedgerReversal.id]
    )
    return bool(rows)


# ---------------------------------------------------------------------------------------------------------
# Moving the money back
# ---------------------------------------------------------------------------------------------------------


async def _back_to_commitment(
    organisation_id: int, original: dict[str, Any], commitments: Commitments, actor: Actor
) -> bool:
    """A contract's invoice payment: while the contract runs, its money goes back to the contract's
    commitment (so it can be invoiced again) rather than becoming free to spend. True if it did."""
    payment = await PoolPayment.select(PoolPayment.id, PoolPayment.shares).where(
        PoolPayment.txn == original["id"]
    )
    if not payment:
        return False
    shares = {int(k): int(v) for k, v in json.loads(payment[0]["shares"]).items()}
    return await commitments.taken_back(organisation_id, int(payment[0]["id"]), shares, actor)


async def _reverse(
    organisation_id: int,
    request_id: int,
    original: dict[str, Any],
    reason: str,
    commitments: Commitments,
    actor: Actor,
) -> tuple[str, str]:
    """Post the opposite entries (inside the caller's transaction, after it took the pool row) and mark
    the request done. Returns the reversing transaction's public id and reference."""
    pool_id = int(original["pool"])
    entries = (
        await LedgerEntry.select().where(LedgerEntry.txn == original["id"]).order_by(LedgerEntry.account)
    )
    contributors = {int(a["id"]) for a in await ledger.accounts_of(pool_id)}
    delta = {int(e["account"]): -int(e["amount_pence"]) for e in entries}
    recommit = await _back_to_commitment(organisation_id, original, commitments, actor)
    pool_delta = sum(v for k, v in delta.items() if k in contributors)
    charges = {k: -v for k, v in delta.items() if k in contributors and v < 0}
    moved = await ledger.move_pool(
        pool_id, balance=pool_delta, committed=pool_delta if recommit else 0, guard=pool_delta < 0
    )
    if not moved:
        raise NotEnoughMoney(await ledger.overspend_reasons(pool_id, charges))
    legs: list[tuple[int, int, int]] = []
    for account_id in sorted(delta):
        amount = delta[account_id]
        mine = account_id in contributors
        after = await ledger.move_account(
            account_id,
            balance=amount,
            committed=amount if recommit and mine else 0,
            guard=mine and amount < 0,
        )
        if after is None:
            raise NotEnoughMoney(await ledger.overspend_reasons(pool_id, charges))
        legs.append((account_id, amount, after))
    txn_id, public_id, reference = await ledger.write_transaction_rows(
        organisation_id=organisation_id,
        pool_id=pool_id,
        kind="reversal",
        prefix="R",
        amount=int(original["amount_pence"]),
        legs=legs,
        actor=actor,
        description=f"Reverses {original['reference']}: {reason}",
        reverses=int(original["id"]),
        # The same period as the original, so a return shows the pair side by side and nets to zero.
        period_start=original["period_start"],
        period_end=original["period_end"],
    )
    if not await _decide(request_id, DONE, txn_id):
        raise refusal("budget.already_decided", "This reversal has already been decided.")
    return public_id, reference
