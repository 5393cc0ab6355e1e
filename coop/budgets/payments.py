"""Money out: paying from a pool once per idempotency key, with the members' vote and two-person rules of
the constitution; approving, cancelling, and paying money a commitment already set aside."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from coop import clock
from coop.audit.guarded import guarded_change
from coop.audit.service import Actor, AuditEntry, record
from coop.budgets import payee_window
from coop.budgets.approvals import PAYMENTS
from coop.budgets.commitments import Commitments
from coop.budgets.errors import BudgetError, IdempotencyConflict, NotEnoughMoney, NotFound, refusal
from coop.budgets.ledger import (
    MONEY_OUT,
    accounts_of,
    audit_refusal,
    check_key,
    move_account,
    move_pool,
    new_reference,
    once_per_key,
    overspend_reasons,
    release,
    request_fingerprint,
    reserve,
    world_account,
    write_transaction_rows,
)
from coop.budgets.tables import BudgetPool, PoolPayment
from coop.db import write_transaction
from coop.organisations.service import constitution_of
from coop.public_ids import is_public_id
from governance.budget import (
    CostRule,
    members_vote_violations,
    spending_requirement,
    split_cost,
)
from governance.constitution.schema import SpendingRules
from governance.violations import Violation


@dataclass(frozen=True, slots=True)
class PaymentResult:
    public_id: str
    reference: str
    status: str  # awaiting_approval, paid or cancelled
    amount_pence: int
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    payee: str
    description: str
    amount_pence: int
    idempotency_key: str
    minutes: dict[int, int] = field(default_factory=dict)  # by-hours pools: account id -> minutes used
    # The service paid for (both or neither): returns count the payment in the period it starts in.
    period_start: date | None = None
    period_end: date | None = None

    def period_problems(self) -> list[Violation]:
        if (self.period_start is None) != (self.period_end is None):
            return [Violation("budget.period", "Enter both dates of the service, or neither")]
        if self.period_start and self.period_end and self.period_end < self.period_start:
            return [Violation("budget.period", "The end of the service must be on or after its start")]
        return []

    def period_fingerprint(self) -> dict[str, str]:
        """Part of the request's fingerprint (only when given, so older fingerprints still match)."""
        if self.period_start is None or self.period_end is None:
            return {}
        return {"period": f"{self.period_start.isoformat()}/{self.period_end.isoformat()}"}


async def payments_of(pool_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    return (
        await PoolPayment.select()
        .where(PoolPayment.pool == pool_id)
        .order_by(PoolPayment.id, ascending=False)
        .limit(limit)
    )


async def payment_in_org(organisation_id: int, payment_public_id: str) -> dict[str, Any] | None:
    if not is_public_id(payment_public_id):
        return None
    row: dict[str, Any] | None = (
        await PoolPayment.select()
        .where((PoolPayment.public_id == payment_public_id) & (PoolPayment.organisation == organisation_id))
        .first()
    )
    return row


async def spending_rules(organisation_id: int) -> SpendingRules:
    """The constitution's rules for spending pool money (thresholds for two approvers and a members' vote)."""
    return (await constitution_of(organisation_id)).spending


async def payment_shares(pool: dict[str, Any], request: PaymentRequest) -> dict[int, int]:
    """Who pays what, by the pool's cost rule, among the contributors taking part (in joining order)."""
    accounts = [a for a in await accounts_of(int(pool["id"])) if a["left_on"] is None]
    if not accounts:
        raise refusal("budget.no_contributors", "Add the people taking part before paying from this pool")
    ids = [int(a["id"]) for a in accounts]
    rule = CostRule(pool["cost_rule"])
    if rule is CostRule.EQUAL:
        return split_cost(request.amount_pence, rule, ids)
    if rule is CostRule.FIXED_SHARES:
        weights = {int(a["id"]): int(a["share"]) for a in accounts}
    else:
        weights = {i: request.minutes.get(i, 0) for i in ids}
    if not any(weights.values()):
        raise refusal("budget.hours", "Enter the hours of support each person used")
    shares = split_cost(request.amount_pence, rule, ids, weights)
    return {k: v for k, v in shares.items() if v}


async def request_payment(
    organisation_id: int, pool_id: int, request: PaymentRequest, *, actor: Actor
) -> PaymentResult:
    """Pay from a pool, once per idempotency key. Small payments are paid at once; above the constitution's
    threshold the money is reserved and waits for two approvers (neither the requester)."""
    check_key(request.idempotency_key)
    if request.amount_pence <= 0:
        raise refusal("budget.amount", "Enter an amount above £0")
    if not request.payee.strip():
        raise refusal("budget.payee", "Enter who is being paid")
    if problems := request.period_problems():
        raise BudgetError(problems)
    pool = (
        await BudgetPool.select()
        .where((BudgetPool.id == pool_id) & (BudgetPool.organisation == organisation_id))
        .first()
    )
    if pool is None:
        raise refusal("budget.pool", "Pool not found", NotFound)
    rules = (await constitution_of(organisation_id)).spending
    requirement = spending_requirement(request.amount_pence, rules)
    vote = members_vote_violations(requirement, rules)
    if vote:
        raise BudgetError(vote)
    shares = await payment_shares(pool, request)
    fingerprint = request_fingerprint(
        {
            "pool": str(pool["public_id"]),
            "payee": request.payee.strip(),
            "description": request.description.strip(),
            "amount": request.amount_pence,
            "minutes": {str(k): v for k, v in sorted(request.minutes.items())},
            **request.period_fingerprint(),
        }
    )
    refused = AuditEntry(
        "budget.payment_refused",
        organisation_id=organisation_id,
        target_type="budget_pool",
        target_id=str(pool["public_id"]),
        outcome="refused",
        detail={"amount_pence": request.amount_pence},
    )

    async def attempt() -> PaymentResult:
        async with audit_refusal(refused, actor):
            return await _pay(organisation_id, pool, request, shares, fingerprint, rules, actor)

    return await once_per_key(attempt, busy_code="budget.busy")


async def _pay(
    organisation_id: int,
    pool: dict[str, Any],
    request: PaymentRequest,
    shares: dict[int, int],
    fingerprint: str,
    rules: SpendingRules,
    actor: Actor,
    *,
    committed: bool = False,
) -> PaymentResult:
    """One write transaction: replay an earlier request with the key, or claim the key and pay (or
    reserve the money to wait for approval). `committed`: the money is already set aside (a contract)."""
    pool_id = int(pool["id"])
    now = clock.now()
    async with write_transaction():
        replay = await _replayed_payment(organisation_id, request.idempotency_key, fingerprint)
        if replay is not None:
            return replay
        approvers_needed = await _approvers_needed(organisation_id, request, rules, now)
        payment_id, public_id, reference = await _claim_key(
            organisation_id, pool_id, request, shares, fingerprint, approvers_needed, now, actor
        )
        if approvers_needed:
            # Reserve now (so nothing else can spend it), pay when approved. Money a contract committed
            # is already reserved: it now waits for approval as this payment's.
            if not committed:
                await reserve(pool_id, shares, request.amount_pence)
        else:
            await _post_payment(
                organisation_id,
                pool_id,
                payment_id,
                shares,
                request.amount_pence,
                reserved=committed,
                actor=actor,
            )
        detail = {
            "reference": reference,
            "payee": request.payee.strip(),
            "amount_pence": request.amount_pence,
            "shares": {str(k): v for k, v in shares.items()},
        }
        action = "budget.payment_requested" if approvers_needed else "budget.payment_paid"
        entry = AuditEntry(
            action,
            organisation_id=organisation_id,
            target_type="pool_payment",
            target_id=public_id,
            detail=detail,
        )
        await record(entry, actor)
    return PaymentResult(
        public_id, reference, "awaiting_approval" if approvers_needed else "paid", request.amount_pence
    )


async def _replayed_payment(organisation_id: int, key: str, fingerprint: str) -> PaymentResult | None:
    """The result of an earlier request with this key; refused if that request was a different one."""
    existing = (
        await PoolPayment.select()
        .where((PoolPayment.organisation == organisation_id) & (PoolPayment.idempotency_key == key))
        .first()
    )
    if existing is None:
        return None
    if existing["fingerprint"] != fingerprint:
        raise refusal(
            "budget.idempotency_conflict",
            "This form was already used for a different payment. Start again from the pool page.",
            IdempotencyConflict,
        )
    return PaymentResult(
        str(existing["public_id"]),
        existing["reference"],
        existing["status"],
        int(existing["amount_pence"]),
        replayed=True,
    )


async def _approvers_needed(
    organisation_id: int, request: PaymentRequest, rules: SpendingRules, now: datetime
) -> int:
    """Two approvers if this and the payee's other recent payments reach the threshold: counted inside
    the write transaction, so concurrent parts of one split payment cannot each slip under it."""
    await payee_window.lock_payee(organisation_id, request.payee)
    recent = await payee_window.recent_to_payee(organisation_id, request.payee, rules, now)
    return spending_requirement(request.amount_pence, rules, recent_to_payee_pence=recent).approvers_needed


async def _claim_key(
    organisation_id: int,
    pool_id: int,
    request: PaymentRequest,
    shares: dict[int, int],
    fingerprint: str,
    approvers_needed: int,
    now: datetime,
    actor: Actor,
) -> tuple[int, str, str]:
    """Insert the payment, claiming its idempotency key first: a concurrent duplicate waits on the
    unique index, then replays. Returns its id, public id and reference."""
    rows = await PoolPayment.insert(
        PoolPayment(
            organisation=organisation_id,
            pool=pool_id,
            reference=new_reference("P"),
            idempotency_key=request.idempotency_key,
            fingerprint=fingerprint,
            payee=payee_window.payee_name(request.payee),
            description=request.description.strip(),
            amount_pence=request.amount_pence,
            shares=json.dumps({str(k): v for k, v in shares.items()}, sort_keys=True),
            status="awaiting_approval",
            approvals_needed=approvers_needed,
            requested_by=actor.person_id,
            period_start=request.period_start,
            period_end=request.period_end,
            created_at=now,
        )
    ).returning(PoolPayment.id, PoolPayment.public_id, PoolPayment.reference)
    return int(rows[0]["id"]), str(rows[0]["public_id"]), rows[0]["reference"]


async def _post_payment(
    organisation_id: int,
    pool_id: int,
    payment_id: int,
    shares: dict[int, int],
    amount: int,
    *,
    reserved: bool,
    actor: Actor,
) -> None:
    """Move the money (guarded unless already reserved), write the ledger, mark the payment paid."""
    release = -amount if reserved else 0
    if not await move_pool(pool_id, balance=-amount, committed=release, guard=not reserved):
        raise NotEnoughMoney(await overspend_reasons(pool_id, shares))
    legs: list[tuple[int, int, int]] = []
    for account_id in sorted(shares):
        share = shares[account_id]
        after = await move_account(
            account_id, balance=-share, committed=-share if reserved else 0, guard=not reserved
        )
        if after is None:
            raise NotEnoughMoney(await overspend_reasons(pool_id, shares))
        legs.append((account_id, -share, after))
    money_out = await world_account(pool_id, MONEY_OUT)
    out_after = await move_account(money_out, balance=amount, committed=0, guard=False)
    assert out_after is not None
    legs.append((money_out, amount, out_after))
    payment = (
        await PoolPayment.select(
            PoolPayment.payee, PoolPayment.description, PoolPayment.period_start, PoolPayment.period_end
        )
        .where(PoolPayment.id == payment_id)
        .first()
    )
    assert payment is not None
    txn_id, _, _ = await write_transaction_rows(
        organisation_id=organisation_id,
        pool_id=pool_id,
        kind="payment",
        prefix="T",
        amount=amount,
        legs=legs,
        actor=actor,
        description=f"{payment['payee']}: {payment['description']}".strip(": "),
        period_start=payment["period_start"],
        period_end=payment["period_end"],
    )
    done = await _decide(payment_id, {PoolPayment.status: "paid", PoolPayment.txn: txn_id})
    if not done:
        raise refusal("budget.already_decided", "This payment has already been decided.")


async def _decide(payment_id: int, values: dict[Any, Any]) -> bool:
    """Move a payment out of awaiting_approval; False if someone else decided it first (one wins). The
    caller audits it, with the money it moved."""
    rows = await guarded_change(
        PoolPayment,
        {**values, PoolPayment.decided_at: clock.now()},
        (PoolPayment.id == payment_id) & (PoolPayment.status == "awaiting_approval"),
        returning=[PoolPayment.id],
    )
    return bool(rows)


async def approve_payment(
    organisation_id: int, payment_public_id: str, *, approver_person_id: int, actor: Actor
) -> PaymentResult:
    """One approval; the last one needed pays (exactly once, however many approve at the same moment)."""
    payment = await payment_in_org(organisation_id, payment_public_id)
    if payment is None:
        raise refusal("budget.payment", "Payment not found", NotFound)
    async with write_transaction():
        # Lock order as everywhere: the pool row first, so approvals of one pool queue here.
        await move_pool(int(payment["pool"]), balance=0, committed=0, guard=False)
        current = await PoolPayment.select(PoolPayment.status).where(PoolPayment.id == payment["id"]).first()
        assert current is not None
        if current["status"] != "awaiting_approval":
            raise refusal("budget.already_decided", "This payment has already been decided.")
        approvals = await PAYMENTS.approve(
            int(payment["id"]),
            requester=payment["requested_by"],
            approver=approver_person_id,
            needed=int(payment["approvals_needed"]),
        )
        status = "awaiting_approval"
        if approvals >= int(payment["approvals_needed"]):
            shares = {int(k): int(v) for k, v in json.loads(payment["shares"]).items()}
            await _post_payment(
                organisation_id,
                int(payment["pool"]),
                int(payment["id"]),
                shares,
                int(payment["amount_pence"]),
                reserved=True,
                actor=actor,
            )
            status = "paid"
        await record(
            AuditEntry(
                "budget.payment_approved" if status != "paid" else "budget.payment_paid",
                organisation_id=organisation_id,
                target_type="pool_payment",
                target_id=str(payment["public_id"]),
                detail={"reference": payment["reference"], "approvals": approvals},
            ),
            actor,
        )
    return PaymentResult(
        str(payment["public_id"]), payment["reference"], status, int(payment["amount_pence"])
    )


async def cancel_payment(
    organisation_id: int, payment_public_id: str, *, commitments: Commitments, actor: Actor
) -> PaymentResult:
    """Withdraw a payment awaiting approval and release the money it reserved (or give it back to the
    commitment it was drawn from: `commitments` says who holds pool money)."""
    payment = await payment_in_org(organisation_id, payment_public_id)
    if payment is None:
        raise refusal("budget.payment", "Payment not found", NotFound)
    shares = {int(k): int(v) for k, v in json.loads(payment["shares"]).items()}
    async with write_transaction():
        pool_id = int(payment["pool"])
        await move_pool(pool_id, balance=0, committed=0, guard=False)
        done = await _decide(int(payment["id"]), {PoolPayment.status: "cancelled"})
        if not done:
            raise refusal("budget.already_decided", "This payment has already been decided.")
        back_to_commitment = await commitments.taken_back(organisation_id, int(payment["id"]), shares, actor)
        if not back_to_commitment:
            await release(pool_id, shares)
        await record(
            AuditEntry(
                "budget.payment_cancelled",
                organisation_id=organisation_id,
                target_type="pool_payment",
                target_id=str(payment["public_id"]),
                detail={
                    "reference": payment["reference"],
                    "money": "set aside again" if back_to_commitment else "released",
                },
            ),
            actor,
        )
    return PaymentResult(
        str(payment["public_id"]), payment["reference"], "cancelled", int(payment["amount_pence"])
    )


async def pay_from_commitment(
    organisation_id: int,
    pool: dict[str, Any],
    request: PaymentRequest,
    shares: dict[int, int],
    *,
    actor: Actor,
) -> PaymentResult:
    """Pay money a commitment already set aside (an invoice against a contract), once per idempotency key,
    with the two-person rule for large amounts. The members' vote was the contract's, so it is not asked
    again. Call inside the caller's `write_transaction()`; the caller releases nothing itself."""
    check_key(request.idempotency_key)
    if request.amount_pence <= 0 or sum(shares.values()) != request.amount_pence:
        raise refusal("budget.amount", "Enter an amount above £0")
    if problems := request.period_problems():
        raise BudgetError(problems)
    rules = (await constitution_of(organisation_id)).spending
    fingerprint = request_fingerprint(
        {
            "pool": str(pool["public_id"]),
            "payee": request.payee.strip(),
            "description": request.description.strip(),
            "amount": request.amount_pence,
            "shares": {str(k): v for k, v in sorted(shares.items())},
            **request.period_fingerprint(),
        }
    )
    return await _pay(organisation_id, pool, request, shares, fingerprint, rules, actor, committed=True)
