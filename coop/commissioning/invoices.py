"""Invoices against a contract: paid through the budgets payment path from the money the contract set aside,
once per idempotency key, in one transaction with the contract's draw-down. And what contracts hold in
pools, for the ledger's invariants and for a cancelled or reversed invoice payment (`CONTRACTS`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.budgets import ledger, payments
from coop.budgets.commitments import Commitments
from coop.budgets.errors import BudgetError, IdempotencyConflict, NotFound, refusal
from coop.budgets.reversal_pairs import pairs
from coop.budgets.tables import BudgetPool, PoolPayment
from coop.commissioning.contracts import contract_in_org, contract_shares
from coop.commissioning.tables import (
    Contract,
    ContractInvoice,
    ContractShare,
    Provider,
)
from coop.db import write_transaction
from governance.budget import (
    format_pence,
    split_by_weights,
)


async def invoices_of(contract_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await ContractInvoice.select(
            *ContractInvoice.all_columns(),
            ContractInvoice.payment.public_id.as_alias("payment_public_id"),
            ContractInvoice.payment.status.as_alias("payment_status"),
            ContractInvoice.payment.reference.as_alias("payment_reference"),
            ContractInvoice.payment.txn.as_alias("txn_id"),
        )
        .where(ContractInvoice.contract == contract_id)
        .order_by(ContractInvoice.id)
    )
    # A reversed payment is shown as reversed (its money went back to the contract).
    reversed_by = await pairs([int(r["txn_id"]) for r in rows if r["txn_id"] is not None])
    for row in rows:
        row["reversed_by"] = reversed_by.get(int(row["txn_id"] or 0), {}).get("reversed_by", "")
    return rows


async def contract_commitments(pool_id: int) -> dict[int, int]:
    """What active contracts still hold against each sub-account of a pool (for the ledger invariants)."""
    rows = await ContractShare.select(
        ContractShare.account, ContractShare.committed_pence, ContractShare.drawn_pence
    ).where((ContractShare.contract.pool == pool_id) & (ContractShare.contract.status == "active"))
    held: dict[int, int] = {}
    for r in rows:
        held[int(r["account"])] = (
            held.get(int(r["account"]), 0) + int(r["committed_pence"]) - int(r["drawn_pence"])
        )
    return held


async def invoice_payment_cancelled(
    organisation_id: int, payment_id: int, shares: dict[int, int], actor: Actor
) -> bool:
    """A cancelled invoice payment (a wrong amount, a disputed bill) is no longer invoiced: its money goes
    back to the contract's commitment, so the right invoice can be recorded against it. If the contract
    has ended, there is nothing to go back to and `cancel_payment` releases the money as usual."""
    invoice = (
        await ContractInvoice.select(
            ContractInvoice.public_id,
            ContractInvoice.contract,
            ContractInvoice.amount_pence,
            ContractInvoice.invoice_number,
            ContractInvoice.contract.reference.as_alias("reference"),
        )
        .where((ContractInvoice.payment == payment_id) & (ContractInvoice.organisation == organisation_id))
        .first()
    )
    if invoice is None:
        return False
    amount = int(invoice["amount_pence"])
    # Conditional on the contract still running: a concurrent `end_contract` either ran first (then this
    # releases nothing back) or waits and then releases what this gives back to the contract.
    undrawn = await Contract.raw(
        "UPDATE contract SET drawn_pence = drawn_pence - {} WHERE id = {} AND status = 'active' "
        "AND drawn_pence >= {} RETURNING id",
        amount,
        invoice["contract"],
        amount,
    )
    if not undrawn:
        return False
    for account_id in sorted(shares):
        back = await ContractShare.raw(
            "UPDATE contract_share SET drawn_pence = drawn_pence - {} WHERE contract = {} AND account = {} "
            "AND drawn_pence >= {} RETURNING id",
            shares[account_id],
            invoice["contract"],
            account_id,
            shares[account_id],
        )
        assert back, "an invoice's share was not drawn from the contract"
    await record(
        AuditEntry(
            "commissioning.invoice_cancelled",
            organisation_id=organisation_id,
            target_type="contract_invoice",
            target_id=str(invoice["public_id"]),
            detail={
                "contract": invoice["reference"],
                "invoice_number": invoice["invoice_number"],
                "amount_pence": amount,
            },
        ),
        actor,
    )
    return True


@dataclass(frozen=True, slots=True)
class InvoiceResult:
    public_id: str
    payment_public_id: str
    payment_status: str
    replayed: bool = False


def too_much_error(amount: int, left: int, reference: str) -> BudgetError:
    return refusal(
        "commissioning.invoice_too_much",
        f"This invoice is for {format_pence(amount)} but only {format_pence(left)} is left on contract "
        f"{reference}. Enter {format_pence(left)} or less, or agree a new contract for the rest.",
    )


async def record_invoice(
    organisation_id: int,
    contract_public_id: str,
    *,
    invoice_number: str,
    amount_pence: int,
    idempotency_key: str,
    actor: Actor,
    period_start: date | None = None,
    period_end: date | None = None,
) -> InvoiceResult:
    """Pay an invoice from the contract's commitment, once per idempotency key: the contract and each
    participant's share are drawn down by conditional updates, and the payment goes through the budgets
    payment path (two approvers above the threshold) in the same transaction."""
    contract = await contract_in_org(organisation_id, contract_public_id)
    if contract is None:
        raise refusal("commissioning.contract", "Contract not found", NotFound)
    if amount_pence <= 0:
        raise refusal("commissioning.amount", "Enter an amount above £0")
    pool = await BudgetPool.select().where(BudgetPool.id == contract["pool"]).first()
    provider = await Provider.select(Provider.name).where(Provider.id == contract["provider"]).first()
    assert pool is not None and provider is not None
    request = payments.PaymentRequest(
        provider["name"],
        f"Contract {contract['reference']}, invoice {invoice_number}",
        amount_pence,
        idempotency_key,
        period_start=period_start,
        period_end=period_end,
    )
    return await ledger.once_per_key(
        lambda: _record_once(organisation_id, contract, pool, request, invoice_number, actor),
        busy_code="commissioning.busy",
    )


async def _record_once(
    organisation_id: int,
    contract: dict[str, Any],
    pool: dict[str, Any],
    request: payments.PaymentRequest,
    invoice_number: str,
    actor: Actor,
) -> InvoiceResult:
    """One write transaction: replay an earlier request with the key, or draw the invoice from the
    contract, pay it through the budgets payment path and record it."""
    amount = request.amount_pence
    async with write_transaction():
        replay = await _replayed_invoice(organisation_id, request.idempotency_key, contract, amount)
        if replay is not None:
            return replay
        shares = await _draw_from_contract(contract, amount)
        payment = await payments.pay_from_commitment(organisation_id, pool, request, shares, actor=actor)
        if payment.replayed:  # the key was used for some other payment
            raise refusal(
                "commissioning.key",
                "This form was already used. Start again from the contract page.",
                IdempotencyConflict,
            )
        payment_row = await PoolPayment.select(PoolPayment.id).where(
            PoolPayment.public_id == payment.public_id
        )
        rows = await ContractInvoice.insert(
            ContractInvoice(
                organisation=organisation_id,
                contract=contract["id"],
                invoice_number=invoice_number,
                amount_pence=amount,
                payment=payment_row[0]["id"],
                recorded_by=actor.person_id,
            )
        ).returning(ContractInvoice.public_id)
        public_id = str(rows[0]["public_id"])
        detail = {
            "contract": contract["reference"],
            "invoice_number": invoice_number,
            "amount_pence": amount,
            "payment": payment.reference,
            "payment_status": payment.status,
        }
        entry = AuditEntry(
            "commissioning.invoice_recorded",
            organisation_id=organisation_id,
            target_type="contract_invoice",
            target_id=public_id,
            detail=detail,
        )
        await record(entry, actor)
    return InvoiceResult(public_id, payment.public_id, payment.status)


async def _draw_from_contract(contract: dict[str, Any], amount: int) -> dict[int, int]:
    """Draw `amount` from the contract and from each participant's share of it, by conditional updates
    (refused, with what is left, if the contract has ended or has too little left). Returns the pence
    drawn per sub-account."""
    if contract["status"] != "active":
        raise refusal("commissioning.ended", "This contract has ended, so it cannot be invoiced.")
    drawn = await Contract.raw(
        "UPDATE contract SET drawn_pence = drawn_pence + {} WHERE id = {} AND status = 'active' "
        "AND total_pence - drawn_pence >= {} RETURNING id",
        amount,
        contract["id"],
        amount,
    )
    if not drawn:
        now = await Contract.select(Contract.total_pence, Contract.drawn_pence, Contract.status).where(
            Contract.id == contract["id"]
        )
        if now[0]["status"] != "active":
            raise refusal("commissioning.ended", "This contract has ended, so it cannot be invoiced.")
        left = int(now[0]["total_pence"]) - int(now[0]["drawn_pence"])
        raise too_much_error(amount, left, contract["reference"])
    parts = await contract_shares(int(contract["id"]))
    # In proportion to what each still has committed: no share can exceed what is left.
    split = split_by_weights(
        amount, [(int(p["id"]), int(p["committed_pence"]) - int(p["drawn_pence"])) for p in parts]
    )
    shares: dict[int, int] = {}
    for part in parts:
        pence = split[int(part["id"])]
        if pence:
            moved = await ContractShare.raw(
                "UPDATE contract_share SET drawn_pence = drawn_pence + {} WHERE id = {} "
                "AND committed_pence - drawn_pence >= {} RETURNING id",
                pence,
                part["id"],
                pence,
            )
            # Shares are split in proportion to what is left, so none can overdraw.
            assert moved, "a contract share would be overdrawn"
            shares[int(part["account"])] = pence
    return shares


async def _replayed_invoice(
    organisation_id: int, key: str, contract: dict[str, Any], amount: int
) -> InvoiceResult | None:
    row = (
        await ContractInvoice.select(
            ContractInvoice.public_id,
            ContractInvoice.contract,
            ContractInvoice.amount_pence,
            ContractInvoice.payment.public_id.as_alias("payment_public_id"),
            ContractInvoice.payment.status.as_alias("payment_status"),
        )
        .where(
            (ContractInvoice.organisation == organisation_id)
            & (ContractInvoice.payment.idempotency_key == key)
        )
        .first()
    )
    if row is None:
        return None
    if int(row["contract"]) != int(contract["id"]) or int(row["amount_pence"]) != amount:
        raise refusal(
            "commissioning.key",
            "This form was already used for a different invoice. Start again from the contract page.",
            IdempotencyConflict,
        )
    return InvoiceResult(
        str(row["public_id"]), str(row["payment_public_id"]), row["payment_status"], replayed=True
    )


#: What contracts hold in pools: wired into the app in `create_app`, and passed to the budget operations
#: that reconcile or give back set-aside money (`coop/budgets/commitments.py`).
CONTRACTS = Commitments(sources=(contract_commitments,), take_back=(invoice_payment_cancelled,))
