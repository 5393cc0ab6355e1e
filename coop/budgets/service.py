"""Pooled budgets: creating pools, adding contributors, recording contributions, paying out (with
idempotency keys and two-person approval), statements, and the ledger's invariants.

Every change of money is one `write_transaction()` that (1) moves the pool's stored balance with a
conditional UPDATE that refuses to cross the floor, (2) does the same for each contributor's sub-account
in id order, (3) writes an immutable ledger transaction whose entries sum to zero, each carrying the
account's balance after it, and (4) records an audit event. Never read-then-write: the UPDATE's WHERE
clause is the check (PostgreSQL re-checks it after waiting for a concurrent writer; SQLite holds the
IMMEDIATE lock). The pool row is always updated first, so writers to one pool queue on it and never
deadlock.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from coop.audit.service import Actor, AuditEntry, record
from coop.budgets import payee_window
from coop.budgets.reversal_pairs import pairs
from coop.budgets.tables import (
    BudgetPool,
    LedgerEntry,
    LedgerTransaction,
    PaymentApproval,
    PoolAccount,
    PoolPayment,
)
from coop.db import write_transaction
from coop.errors import Refused, field_errors_of
from coop.members.tables import Member
from coop.organisations.service import constitution_of
from governance.budget import (
    FUNDER_REQUIRED,
    CostRule,
    FundingSource,
    PoolPosition,
    SubAccount,
    approval_violations,
    format_pence,
    members_vote_violations,
    overspend_violations,
    spending_requirement,
    split_cost,
)
from governance.constitution.schema import SpendingRules
from governance.violations import Violation

CONTRIBUTOR = "contributor"
MONEY_IN = "money_in"
MONEY_OUT = "money_out"
MANAGER_ROLES = ("treasurer", "secretary")
APPROVER_ROLES = ("director", "treasurer", "secretary")
SURPLUS_HANDLING = {
    "carry_forward": "Carry it forward to the next period",
    "return": "Return it to each contributor in proportion to what they put in",
}
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class BudgetError(Refused):
    """A request the rules refuse (a `coop.errors.Refused`); carries violations with plain-English
    messages safe to show, each under the field its code names."""

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


@dataclass(frozen=True, slots=True)
class PaymentResult:
    public_id: str
    reference: str
    status: str  # awaiting_approval, paid or cancelled
    amount_pence: int
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class TransactionResult:
    public_id: str
    reference: str
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


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def _reference(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def _error(code: str, message: str, cls: type[BudgetError] = BudgetError) -> BudgetError:
    return cls([Violation(code, message)])


# ---------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------


def is_public_id(text: str) -> bool:
    """A well-formed UUID: checked before a query, because PostgreSQL fails the whole query on a bad one
    (a 500) where SQLite simply finds nothing."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


async def pool_in_org(organisation_id: int, pool_public_id: str) -> dict[str, Any] | None:
    """A pool of this organisation, or None (another organisation's pool is simply not found)."""
    if not is_public_id(pool_public_id):
        return None
    row: dict[str, Any] | None = (
        await BudgetPool.select()
        .where((BudgetPool.public_id == pool_public_id) & (BudgetPool.organisation == organisation_id))
        .first()
    )
    return row


async def pools_of(organisation_id: int) -> list[dict[str, Any]]:
    return await BudgetPool.select().where(BudgetPool.organisation == organisation_id).order_by(BudgetPool.id)


async def accounts_of(pool_id: int, *, kind: str | None = CONTRIBUTOR) -> list[dict[str, Any]]:
    query = PoolAccount.select().where(PoolAccount.pool == pool_id).order_by(PoolAccount.id)
    if kind is not None:
        query = query.where(PoolAccount.kind == kind)
    return await query


async def pool_totals(pool_id: int) -> dict[str, int]:
    """Money in, money out, held and reserved: the figures every member of the organisation may see."""
    pool = await BudgetPool.select().where(BudgetPool.id == pool_id).first()
    assert pool is not None
    world = {a["kind"]: a for a in await accounts_of(pool_id, kind=None) if a["kind"] != CONTRIBUTOR}
    return {
        "money_in": -int(world[MONEY_IN]["balance_pence"]),
        "money_out": int(world[MONEY_OUT]["balance_pence"]),
        "balance": int(pool["balance_pence"]),
        "committed": int(pool["committed_pence"]),
        "available": int(pool["balance_pence"]) - int(pool["committed_pence"]),
        "floor": int(pool["floor_pence"]),
    }


async def statement(account_id: int, *, limit: int = 200) -> dict[str, Any]:
    """One sub-account's entries with running balances; opening + entries = closing = stored balance."""
    account = await PoolAccount.select().where(PoolAccount.id == account_id).first()
    assert account is not None
    rows = (
        await LedgerEntry.select(
            LedgerEntry.id,
            LedgerEntry.amount_pence,
            LedgerEntry.balance_after_pence,
            LedgerEntry.created_at,
            LedgerEntry.txn.as_alias("txn_id"),
            LedgerEntry.txn.public_id.as_alias("txn_public_id"),
            LedgerEntry.txn.reference.as_alias("reference"),
            LedgerEntry.txn.kind.as_alias("kind"),
            LedgerEntry.txn.description.as_alias("description"),
            LedgerEntry.txn.funding_source.as_alias("funding_source"),
            LedgerEntry.txn.funder.as_alias("funder"),
            LedgerEntry.txn.period_start.as_alias("period_start"),
            LedgerEntry.txn.period_end.as_alias("period_end"),
        )
        .where(LedgerEntry.account == account_id)
        .order_by(LedgerEntry.id, ascending=False)
        .limit(limit)
    )
    rows.reverse()
    linked = await pairs([int(r["txn_id"]) for r in rows])
    for row in rows:  # a reversal and what it reverses are shown linked
        row.update(linked.get(int(row["txn_id"]), {}))
    opening = int(rows[0]["balance_after_pence"]) - int(rows[0]["amount_pence"]) if rows else 0
    return {"account": account, "entries": rows, "opening": opening, "closing": int(account["balance_pence"])}


async def payments_of(pool_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    return (
        await PoolPayment.select()
        .where(PoolPayment.pool == pool_id)
        .order_by(PoolPayment.id, ascending=False)
        .limit(limit)
    )


async def contributor_account(pool_id: int, account_public_id: str) -> dict[str, Any] | None:
    """A contributor's sub-account in this pool by its public id, or None."""
    if not is_public_id(account_public_id):
        return None
    row: dict[str, Any] | None = (
        await PoolAccount.select(PoolAccount.id, PoolAccount.public_id, PoolAccount.member, PoolAccount.name)
        .where(
            (PoolAccount.public_id == account_public_id)
            & (PoolAccount.pool == pool_id)
            & (PoolAccount.kind == CONTRIBUTOR)
        )
        .first()
    )
    return row


async def payment_in_org(organisation_id: int, payment_public_id: str) -> dict[str, Any] | None:
    if not is_public_id(payment_public_id):
        return None
    row: dict[str, Any] | None = (
        await PoolPayment.select()
        .where((PoolPayment.public_id == payment_public_id) & (PoolPayment.organisation == organisation_id))
        .first()
    )
    return row


async def approvers_of(payment_id: int) -> list[int]:
    rows = await PaymentApproval.select(PaymentApproval.approver).where(PaymentApproval.payment == payment_id)
    return [int(r["approver"]) for r in rows]


# ---------------------------------------------------------------------------------------------------------
# Pools and contributors
# ---------------------------------------------------------------------------------------------------------


async def create_pool(
    organisation_id: int,
    *,
    name: str,
    purpose: str,
    cost_rule: CostRule,
    contingency_weeks: int,
    floor_pence: int,
    surplus_handling: str,
    exit_terms: str,
    actor: Actor,
) -> str:
    async with write_transaction():
        rows = await BudgetPool.insert(
            BudgetPool(
                organisation=organisation_id,
                name=name,
                purpose=purpose,
                cost_rule=cost_rule.value,
                contingency_weeks=contingency_weeks,
                floor_pence=floor_pence,
                surplus_handling=surplus_handling,
                exit_terms=exit_terms,
                created_by=actor.person_id,
            )
        ).returning(BudgetPool.id, BudgetPool.public_id)
        pool_id = int(rows[0]["id"])
        for kind, label in ((MONEY_IN, "Money in"), (MONEY_OUT, "Money out")):
            await PoolAccount.insert(
                PoolAccount(organisation=organisation_id, pool=pool_id, kind=kind, name=label, share=0)
            )
        await record(
            AuditEntry(
                "budget.pool_created",
                organisation_id=organisation_id,
                target_type="budget_pool",
                target_id=str(rows[0]["public_id"]),
                detail={"name": name, "cost_rule": cost_rule.value, "floor_pence": floor_pence},
            ),
            actor,
        )
    return str(rows[0]["public_id"])


async def add_contributor(
    organisation_id: int,
    pool_id: int,
    member_id: int,
    *,
    share: int,
    floor_pence: int,
    joined_on: date,
    actor: Actor,
) -> int:
    member = (
        await Member.select(Member.id, Member.name)
        .where(
            (Member.id == member_id) & (Member.organisation == organisation_id) & Member.ceased_on.is_null()
        )
        .first()
    )
    if member is None:
        raise _error("budget.member", "Choose a current member of the organisation")
    if await PoolAccount.exists().where((PoolAccount.pool == pool_id) & (PoolAccount.member == member_id)):
        raise _error("budget.member", f"{member['name']} already takes part in this pool")
    async with write_transaction():
        rows = await PoolAccount.insert(
            PoolAccount(
                organisation=organisation_id,
                pool=pool_id,
                kind=CONTRIBUTOR,
                member=member_id,
                name=member["name"],
                share=share,
                floor_pence=floor_pence,
                joined_on=joined_on,
            )
        ).returning(PoolAccount.id, PoolAccount.public_id)
        await record(
            AuditEntry(
                "budget.contributor_added",
                organisation_id=organisation_id,
                target_type="pool_account",
                target_id=str(rows[0]["public_id"]),
                detail={"pool": pool_id, "member": member_id, "share": share, "floor_pence": floor_pence},
            ),
            actor,
        )
    return int(rows[0]["id"])


# ---------------------------------------------------------------------------------------------------------
# Moving money: the guarded updates
# ---------------------------------------------------------------------------------------------------------


# The guard: one statement checks and moves, so no concurrent writer can slip in between (never
# read-then-write). Parameters: balance change, commitment change, row id [, balance change, commitment].
_POOL_UPDATE = (
    "UPDATE budget_pool SET balance_pence = balance_pence + {}, committed_pence = committed_pence + {} "
    "WHERE id = {} RETURNING id"
)
_POOL_UPDATE_GUARDED = (
    "UPDATE budget_pool SET balance_pence = balance_pence + {}, committed_pence = committed_pence + {} "
    "WHERE id = {} AND balance_pence + {} - committed_pence - {} >= floor_pence RETURNING id"
)
_ACCOUNT_UPDATE = (
    "UPDATE pool_account SET balance_pence = balance_pence + {}, committed_pence = committed_pence + {} "
    "WHERE id = {} RETURNING balance_pence"
)
_ACCOUNT_UPDATE_GUARDED = (
    "UPDATE pool_account SET balance_pence = balance_pence + {}, committed_pence = committed_pence + {} "
    "WHERE id = {} AND balance_pence + {} - committed_pence - {} >= floor_pence RETURNING balance_pence"
)


async def _move_pool(pool_id: int, *, balance: int, committed: int, guard: bool) -> bool:
    """Change the pool's stored balance/commitment; with `guard`, only if it stays at or above its floor."""
    if guard:
        rows = await BudgetPool.raw(_POOL_UPDATE_GUARDED, balance, committed, pool_id, balance, committed)
    else:
        rows = await BudgetPool.raw(_POOL_UPDATE, balance, committed, pool_id)
    return bool(rows)


async def _move_account(account_id: int, *, balance: int, committed: int, guard: bool) -> int | None:
    """Change one account's stored balance; returns the new balance, or None if the guard refused it."""
    if guard:
        rows = await PoolAccount.raw(
            _ACCOUNT_UPDATE_GUARDED, balance, committed, account_id, balance, committed
        )
    else:
        rows = await PoolAccount.raw(_ACCOUNT_UPDATE, balance, committed, account_id)
    return int(rows[0]["balance_pence"]) if rows else None


async def _overspend_reasons(pool_id: int, charges: dict[int, int]) -> list[Violation]:
    """Why a guarded update refused: read after the fact, only to explain (the UPDATE decided)."""
    pool = await BudgetPool.select().where(BudgetPool.id == pool_id).first()
    assert pool is not None
    accounts = [
        SubAccount(
            int(a["id"]), a["name"], int(a["balance_pence"]), int(a["floor_pence"]), int(a["committed_pence"])
        )
        for a in await accounts_of(pool_id)
    ]
    position = PoolPosition(
        pool["name"], int(pool["balance_pence"]), int(pool["floor_pence"]), int(pool["committed_pence"])
    )
    reasons = overspend_violations(position, accounts, charges)
    return reasons or [Violation("budget.not_enough_money", "There is not enough money in this pool.")]


async def _write_transaction_rows(
    *,
    organisation_id: int,
    pool_id: int,
    kind: str,
    prefix: str,
    amount: int,
    legs: list[tuple[int, int, int]],  # (account id, signed amount, balance after)
    actor: Actor,
    description: str = "",
    idempotency_key: str | None = None,
    reverses: int | None = None,
    **extra: Any,
) -> tuple[int, str, str]:
    assert sum(leg[1] for leg in legs) == 0, "a transaction's entries must sum to zero"
    reference = _reference(prefix)
    rows = await LedgerTransaction.insert(
        LedgerTransaction(
            organisation=organisation_id,
            pool=pool_id,
            kind=kind,
            reference=reference,
            description=description,
            amount_pence=amount,
            idempotency_key=idempotency_key,
            reverses=reverses,
            actor=actor.person_id,
            **extra,
        )
    ).returning(LedgerTransaction.id, LedgerTransaction.public_id)
    txn_id = int(rows[0]["id"])
    await LedgerEntry.insert(
        *(
            LedgerEntry(
                organisation=organisation_id,
                pool=pool_id,
                txn=txn_id,
                account=account_id,
                amount_pence=signed,
                balance_after_pence=after,
            )
            for account_id, signed, after in legs
        )
    )
    return txn_id, str(rows[0]["public_id"]), reference


async def _world_account(pool_id: int, kind: str) -> int:
    row = (
        await PoolAccount.select(PoolAccount.id)
        .where((PoolAccount.pool == pool_id) & (PoolAccount.kind == kind))
        .first()
    )
    assert row is not None
    return int(row["id"])


def _check_key(key: str) -> None:
    if not KEY_PATTERN.match(key):
        raise _error(
            "budget.idempotency_key",
            "This form has expired. Go back, reload the page and try again. Nothing has been changed.",
        )


def _fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _is_unique_violation(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text


# ---------------------------------------------------------------------------------------------------------
# Contributions
# ---------------------------------------------------------------------------------------------------------


async def record_contribution(
    organisation_id: int,
    pool_id: int,
    account_id: int,
    *,
    amount_pence: int,
    funding_source: FundingSource,
    funder: str,
    period_start: date,
    period_end: date,
    idempotency_key: str,
    actor: Actor,
    description: str = "",
) -> TransactionResult:
    """Money into one contributor's sub-account, with where it came from and the period it covers."""
    _check_key(idempotency_key)
    if amount_pence <= 0:
        raise _error("budget.amount", "Enter an amount above £0")
    if funding_source in FUNDER_REQUIRED and not funder.strip():
        raise _error("budget.funder", "Enter who pays this money, like the name of the council")
    if period_end < period_start:
        raise _error("budget.period", "The end of the period must be on or after its start")
    for _ in range(2):
        try:
            async with write_transaction():
                replay = await _replayed_contribution(
                    organisation_id, idempotency_key, amount_pence, account_id
                )
                if replay is not None:
                    return replay
                account = (
                    await PoolAccount.select(PoolAccount.id, PoolAccount.name)
                    .where(
                        (PoolAccount.id == account_id)
                        & (PoolAccount.pool == pool_id)
                        & (PoolAccount.organisation == organisation_id)
                        & (PoolAccount.kind == CONTRIBUTOR)
                    )
                    .first()
                )
                if account is None:
                    raise _error("budget.account", "Choose who this money is from", NotFound)
                await _move_pool(pool_id, balance=amount_pence, committed=0, guard=False)
                after = await _move_account(account_id, balance=amount_pence, committed=0, guard=False)
                money_in = await _world_account(pool_id, MONEY_IN)
                world_after = await _move_account(money_in, balance=-amount_pence, committed=0, guard=False)
                assert after is not None and world_after is not None
                _, public_id, reference = await _write_transaction_rows(
                    organisation_id=organisation_id,
                    pool_id=pool_id,
                    kind="contribution",
                    prefix="C",
                    amount=amount_pence,
                    legs=[(account_id, amount_pence, after), (money_in, -amount_pence, world_after)],
                    actor=actor,
                    description=description,
                    idempotency_key=idempotency_key,
                    funding_source=funding_source.value,
                    funder=funder.strip(),
                    period_start=period_start,
                    period_end=period_end,
                )
                await record(
                    AuditEntry(
                        "budget.contribution_recorded",
                        organisation_id=organisation_id,
                        target_type="ledger_transaction",
                        target_id=public_id,
                        detail={
                            "reference": reference,
                            "account": account_id,
                            "amount_pence": amount_pence,
                            "funding_source": funding_source.value,
                            "funder": funder.strip(),
                        },
                    ),
                    actor,
                )
                return TransactionResult(public_id, reference, amount_pence)
        except BudgetError:
            raise
        except Exception as exc:
            # A concurrent request with the same key won the unique index: replay its result.
            if not _is_unique_violation(exc):
                raise
    raise _error("budget.busy", "Another request with this form is still being processed. Try again.")


async def _replayed_contribution(
    organisation_id: int, key: str, amount: int, account_id: int
) -> TransactionResult | None:
    row = (
        await LedgerTransaction.select()
        .where(
            (LedgerTransaction.organisation == organisation_id) & (LedgerTransaction.idempotency_key == key)
        )
        .first()
    )
    if row is None:
        return None
    entry = (
        await LedgerEntry.select(LedgerEntry.account)
        .where((LedgerEntry.txn == row["id"]) & (LedgerEntry.amount_pence > 0))
        .first()
    )
    if int(row["amount_pence"]) != amount or entry is None or int(entry["account"]) != account_id:
        raise _error(
            "budget.idempotency_conflict",
            "This form was already used for a different contribution. Start again from the pool page.",
            IdempotencyConflict,
        )
    return TransactionResult(str(row["public_id"]), row["reference"], amount, replayed=True)


# ---------------------------------------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------------------------------------


async def payment_shares(pool: dict[str, Any], request: PaymentRequest) -> dict[int, int]:
    """Who pays what, by the pool's cost rule, among the contributors taking part (in joining order)."""
    accounts = [a for a in await accounts_of(int(pool["id"])) if a["left_on"] is None]
    if not accounts:
        raise _error("budget.no_contributors", "Add the people taking part before paying from this pool")
    ids = [int(a["id"]) for a in accounts]
    rule = CostRule(pool["cost_rule"])
    if rule is CostRule.EQUAL:
        return split_cost(request.amount_pence, rule, ids)
    if rule is CostRule.FIXED_SHARES:
        weights = {int(a["id"]): int(a["share"]) for a in accounts}
    else:
        weights = {i: request.minutes.get(i, 0) for i in ids}
    if not any(weights.values()):
        raise _error("budget.hours", "Enter the hours of support each person used")
    shares = split_cost(request.amount_pence, rule, ids, weights)
    return {k: v for k, v in shares.items() if v}


async def request_payment(
    organisation_id: int, pool_id: int, request: PaymentRequest, *, actor: Actor
) -> PaymentResult:
    """Pay from a pool, once per idempotency key. Small payments are paid at once; above the constitution's
    threshold the money is reserved and waits for two approvers (neither the requester)."""
    _check_key(request.idempotency_key)
    if request.amount_pence <= 0:
        raise _error("budget.amount", "Enter an amount above £0")
    if not request.payee.strip():
        raise _error("budget.payee", "Enter who is being paid")
    if problems := request.period_problems():
        raise BudgetError(problems)
    pool = (
        await BudgetPool.select()
        .where((BudgetPool.id == pool_id) & (BudgetPool.organisation == organisation_id))
        .first()
    )
    if pool is None:
        raise _error("budget.pool", "Pool not found", NotFound)
    rules = (await constitution_of(organisation_id)).spending
    requirement = spending_requirement(request.amount_pence, rules)
    vote = members_vote_violations(requirement, rules)
    if vote:
        raise BudgetError(vote)
    shares = await payment_shares(pool, request)
    fingerprint = _fingerprint(
        {
            "pool": str(pool["public_id"]),
            "payee": request.payee.strip(),
            "description": request.description.strip(),
            "amount": request.amount_pence,
            "minutes": {str(k): v for k, v in sorted(request.minutes.items())},
            **request.period_fingerprint(),
        }
    )
    for _ in range(2):
        try:
            return await _pay(organisation_id, pool, request, shares, fingerprint, rules, actor)
        except NotEnoughMoney as refused:
            await record(
                AuditEntry(
                    "budget.payment_refused",
                    organisation_id=organisation_id,
                    target_type="budget_pool",
                    target_id=str(pool["public_id"]),
                    outcome="refused",
                    detail={
                        "amount_pence": request.amount_pence,
                        "codes": [v.code for v in refused.violations],
                    },
                ),
                actor,
            )
            raise
        except BudgetError:
            raise
        except Exception as exc:
            if not _is_unique_violation(exc):
                raise
    raise _error("budget.busy", "Another request with this form is still being processed. Try again.")


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
    pool_id = int(pool["id"])
    now = payee_window.clock()
    async with write_transaction():
        existing = (
            await PoolPayment.select()
            .where(
                (PoolPayment.organisation == organisation_id)
                & (PoolPayment.idempotency_key == request.idempotency_key)
            )
            .first()
        )
        if existing is not None:
            if existing["fingerprint"] != fingerprint:
                raise _error(
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
        # Two approvers if this and the payee's other recent payments reach the threshold (counted in
        # this transaction, so concurrent parts of one split payment cannot each slip under it).
        await payee_window.lock_payee(organisation_id, request.payee)
        recent = await payee_window.recent_to_payee(organisation_id, request.payee, rules, now)
        approvers_needed = spending_requirement(
            request.amount_pence, rules, recent_to_payee_pence=recent
        ).approvers_needed
        # The key is claimed first: a concurrent duplicate waits on the unique index, then replays.
        rows = await PoolPayment.insert(
            PoolPayment(
                organisation=organisation_id,
                pool=pool_id,
                reference=_reference("P"),
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
        payment_id, public_id, reference = int(rows[0]["id"]), str(rows[0]["public_id"]), rows[0]["reference"]
        if approvers_needed:
            # Reserve now (so nothing else can spend it), pay when approved. Money a contract committed
            # is already reserved: it now waits for approval as this payment's.
            if not committed:
                await _reserve(pool_id, shares, request.amount_pence)
            status = "awaiting_approval"
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
            status = "paid"
        await record(
            AuditEntry(
                "budget.payment_requested" if approvers_needed else "budget.payment_paid",
                organisation_id=organisation_id,
                target_type="pool_payment",
                target_id=public_id,
                detail={
                    "reference": reference,
                    "payee": request.payee.strip(),
                    "amount_pence": request.amount_pence,
                    "shares": {str(k): v for k, v in shares.items()},
                },
            ),
            actor,
        )
    return PaymentResult(public_id, reference, status, request.amount_pence)


async def _reserve(pool_id: int, shares: dict[int, int], amount: int) -> None:
    if not await _move_pool(pool_id, balance=0, committed=amount, guard=True):
        raise NotEnoughMoney(await _overspend_reasons(pool_id, shares))
    for account_id in sorted(shares):
        if await _move_account(account_id, balance=0, committed=shares[account_id], guard=True) is None:
            raise NotEnoughMoney(await _overspend_reasons(pool_id, shares))


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
    if not await _move_pool(pool_id, balance=-amount, committed=release, guard=not reserved):
        raise NotEnoughMoney(await _overspend_reasons(pool_id, shares))
    legs: list[tuple[int, int, int]] = []
    for account_id in sorted(shares):
        share = shares[account_id]
        after = await _move_account(
            account_id, balance=-share, committed=-share if reserved else 0, guard=not reserved
        )
        if after is None:
            raise NotEnoughMoney(await _overspend_reasons(pool_id, shares))
        legs.append((account_id, -share, after))
    money_out = await _world_account(pool_id, MONEY_OUT)
    out_after = await _move_account(money_out, balance=amount, committed=0, guard=False)
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
    txn_id, _, _ = await _write_transaction_rows(
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
        raise _error("budget.already_decided", "This payment has already been decided.")


async def _decide(payment_id: int, values: dict[Any, Any]) -> bool:
    """Move a payment out of awaiting_approval; False if someone else decided it first (one wins)."""
    rows = (
        await PoolPayment.update({**values, PoolPayment.decided_at: datetime.now(UTC)})
        .where((PoolPayment.id == payment_id) & (PoolPayment.status == "awaiting_approval"))
        .returning(PoolPayment.id)
    )
    return bool(rows)


async def approve_payment(
    organisation_id: int, payment_public_id: str, *, approver_person_id: int, actor: Actor
) -> PaymentResult:
    """One approval; the last one needed pays (exactly once, however many approve at the same moment)."""
    payment = await payment_in_org(organisation_id, payment_public_id)
    if payment is None:
        raise _error("budget.payment", "Payment not found", NotFound)
    async with write_transaction():
        # Lock order as everywhere: the pool row first, so approvals of one pool queue here.
        await _move_pool(int(payment["pool"]), balance=0, committed=0, guard=False)
        current = await PoolPayment.select(PoolPayment.status).where(PoolPayment.id == payment["id"]).first()
        assert current is not None
        if current["status"] != "awaiting_approval":
            raise _error("budget.already_decided", "This payment has already been decided.")
        already = await approvers_of(int(payment["id"]))
        problems = approval_violations(
            requester=int(payment["requested_by"]) if payment["requested_by"] is not None else -1,
            approver=approver_person_id,
            already_approved=already,
            approvers_needed=int(payment["approvals_needed"]),
        )
        if problems:
            raise BudgetError(problems)
        await PaymentApproval.insert(PaymentApproval(payment=payment["id"], approver=approver_person_id))
        status = "awaiting_approval"
        if len(already) + 1 >= int(payment["approvals_needed"]):
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
                detail={"reference": payment["reference"], "approvals": len(already) + 1},
            ),
            actor,
        )
    return PaymentResult(
        str(payment["public_id"]), payment["reference"], status, int(payment["amount_pence"])
    )


async def cancel_payment(organisation_id: int, payment_public_id: str, *, actor: Actor) -> PaymentResult:
    """Withdraw a payment awaiting approval and release the money it reserved."""
    payment = await payment_in_org(organisation_id, payment_public_id)
    if payment is None:
        raise _error("budget.payment", "Payment not found", NotFound)
    shares = {int(k): int(v) for k, v in json.loads(payment["shares"]).items()}
    async with write_transaction():
        pool_id = int(payment["pool"])
        await _move_pool(pool_id, balance=0, committed=0, guard=False)
        done = await _decide(int(payment["id"]), {PoolPayment.status: "cancelled"})
        if not done:
            raise _error("budget.already_decided", "This payment has already been decided.")
        back_to_commitment = False
        for hook in _cancel_hooks:
            if await hook(organisation_id, int(payment["id"]), shares, actor):
                back_to_commitment = True
                break
        if not back_to_commitment:
            await _move_pool(pool_id, balance=0, committed=-int(payment["amount_pence"]), guard=False)
            for account_id in sorted(shares):
                await _move_account(account_id, balance=0, committed=-shares[account_id], guard=False)
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


# ---------------------------------------------------------------------------------------------------------
# Commitments: money promised (by a contract, coop/commissioning) but not yet invoiced
# ---------------------------------------------------------------------------------------------------------

#: Each returns, for a pool id, the pence committed per sub-account by something other than a payment
#: awaiting approval (a contract's remaining cost), so `ledger_problems` can reconcile `committed_pence`.
CommitmentSource = Callable[[int], Awaitable[dict[int, int]]]
_commitment_sources: list[CommitmentSource] = []


def register_commitment_source(source: CommitmentSource) -> None:
    if source not in _commitment_sources:
        _commitment_sources.append(source)


#: Each is called inside `cancel_payment`'s transaction with (organisation id, payment id, shares, actor)
#: and returns True when it took the payment's reserved money back into a commitment of its own (an
#: invoice against a contract still running): the money then stays set aside instead of being released.
CancelHook = Callable[[int, int, dict[int, int], Actor], Awaitable[bool]]
_cancel_hooks: list[CancelHook] = []


def register_cancel_hook(hook: CancelHook) -> None:
    if hook not in _cancel_hooks:
        _cancel_hooks.append(hook)


async def commit_shares(
    organisation_id: int,
    pool_id: int,
    shares: dict[int, int],
    *,
    actor: Actor,
    target_type: str,
    target_id: str,
) -> None:
    """Set money aside against each sub-account (and the pool), or raise NotEnoughMoney. Call inside the
    caller's `write_transaction()`, so its own rows and this commitment land together or not at all."""
    async with write_transaction():
        await _reserve(pool_id, shares, sum(shares.values()))
        await _record_commitment(
            "budget.committed", organisation_id, pool_id, shares, actor, target_type, target_id
        )


async def release_shares(
    organisation_id: int,
    pool_id: int,
    shares: dict[int, int],
    *,
    actor: Actor,
    target_type: str,
    target_id: str,
) -> None:
    """Give back money set aside by `commit_shares` that will not be spent."""
    async with write_transaction():
        await _move_pool(pool_id, balance=0, committed=-sum(shares.values()), guard=False)
        for account_id in sorted(shares):
            await _move_account(account_id, balance=0, committed=-shares[account_id], guard=False)
        await _record_commitment(
            "budget.released", organisation_id, pool_id, shares, actor, target_type, target_id
        )


async def _record_commitment(
    action: str,
    organisation_id: int,
    pool_id: int,
    shares: dict[int, int],
    actor: Actor,
    target_type: str,
    target_id: str,
) -> None:
    detail = {"pool": pool_id, "shares": {str(k): v for k, v in sorted(shares.items())}}
    await record(
        AuditEntry(
            action,
            organisation_id=organisation_id,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
        ),
        actor,
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
    _check_key(request.idempotency_key)
    if request.amount_pence <= 0 or sum(shares.values()) != request.amount_pence:
        raise _error("budget.amount", "Enter an amount above £0")
    if problems := request.period_problems():
        raise BudgetError(problems)
    rules = (await constitution_of(organisation_id)).spending
    fingerprint = _fingerprint(
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


# ---------------------------------------------------------------------------------------------------------
# Invariants (reliability-bar §3.3): checked after every budget test; cheap enough for a nightly job
# ---------------------------------------------------------------------------------------------------------


async def ledger_problems(pool_id: int | None = None) -> list[str]:
    """Every way the stored ledger could disagree with itself; [] when it is exact to the penny."""
    problems: list[str] = []
    pools = await (
        BudgetPool.select() if pool_id is None else BudgetPool.select().where(BudgetPool.id == pool_id)
    )
    for pool in pools:
        pid = int(pool["id"])
        name = f"pool {pid}"
        accounts = await accounts_of(pid, kind=None)
        entries = await LedgerEntry.select().where(LedgerEntry.pool == pid).order_by(LedgerEntry.id)
        txns = await LedgerTransaction.select().where(LedgerTransaction.pool == pid)
        payments = await PoolPayment.select().where(PoolPayment.pool == pid)
        by_txn: dict[int, int] = {}
        by_account: dict[int, list[dict[str, Any]]] = {}
        for e in entries:
            by_txn[int(e["txn"])] = by_txn.get(int(e["txn"]), 0) + int(e["amount_pence"])
            by_account.setdefault(int(e["account"]), []).append(e)
        for t in txns:  # I1
            if by_txn.get(int(t["id"]), 0) != 0:
                problems.append(f"{name}: transaction {t['reference']} does not balance")
            if int(t["amount_pence"]) <= 0:
                problems.append(f"{name}: transaction {t['reference']} has amount {t['amount_pence']}")
            if int(t["id"]) not in by_txn:
                problems.append(f"{name}: transaction {t['reference']} has no entries")
        if sum(int(e["amount_pence"]) for e in entries) != 0:  # I2
            problems.append(f"{name}: entries do not sum to zero")
        contributors = [a for a in accounts if a["kind"] == CONTRIBUTOR]
        for a in accounts:  # I4 and the running balances
            running = 0
            for e in by_account.get(int(a["id"]), []):
                running += int(e["amount_pence"])
                if int(e["balance_after_pence"]) != running:
                    problems.append(f"{name}: account {a['id']} entry {e['id']} has a wrong running balance")
                    break
            if running != int(a["balance_pence"]):
                problems.append(f"{name}: account {a['id']} stored balance {a['balance_pence']} != {running}")
            # I3. An account still filling up may sit below its floor; once anything has been taken or
            # reserved from it, every withdrawal was guarded, so it must be at or above the floor.
            taken = any(int(e["amount_pence"]) < 0 for e in by_account.get(int(a["id"]), []))
            if (
                a["kind"] == CONTRIBUTOR
                and (taken or int(a["committed_pence"]) > 0)
                and int(a["balance_pence"]) - int(a["committed_pence"]) < int(a["floor_pence"])
            ):
                problems.append(f"{name}: account {a['id']} is below its floor")
            if int(a["committed_pence"]) < 0:
                problems.append(f"{name}: account {a['id']} has negative commitments")
            if int(a["organisation"]) != int(pool["organisation"]):
                problems.append(f"{name}: account {a['id']} belongs to another organisation")  # I8
        held = sum(int(a["balance_pence"]) for a in contributors)
        if held != int(pool["balance_pence"]):
            problems.append(f"{name}: sub-accounts hold {held} but the pool says {pool['balance_pence']}")
        world = sum(int(a["balance_pence"]) for a in accounts if a["kind"] != CONTRIBUTOR)
        if held + world != 0:
            problems.append(f"{name}: money in - money out != money held")
        pool_taken = int(pool["committed_pence"]) > 0 or any(
            int(e["amount_pence"]) < 0 for a in contributors for e in by_account.get(int(a["id"]), [])
        )
        if pool_taken and int(pool["balance_pence"]) - int(pool["committed_pence"]) < int(
            pool["floor_pence"]
        ):
            problems.append(f"{name}: the pool is below its floor")
        pending: dict[int, int] = {}
        for p in payments:
            if p["status"] == "awaiting_approval":
                for k, v in json.loads(p["shares"]).items():
                    pending[int(k)] = pending.get(int(k), 0) + int(v)
            if p["status"] == "paid":
                if p["txn"] is None:
                    problems.append(f"{name}: payment {p['reference']} is paid without a transaction")
                approvals = len(set(await approvers_of(int(p["id"]))))
                if approvals < int(p["approvals_needed"]):  # I10
                    problems.append(f"{name}: payment {p['reference']} was paid without its approvals")
        for source in _commitment_sources:
            for k, v in (await source(pid)).items():
                pending[k] = pending.get(k, 0) + v
        if sum(pending.values()) != int(pool["committed_pence"]):
            problems.append(f"{name}: the pool's commitments do not match the payments awaiting approval")
        for a in contributors:
            if pending.get(int(a["id"]), 0) != int(a["committed_pence"]):
                problems.append(f"{name}: account {a['id']} commitments do not match its pending payments")
        keys = [p["idempotency_key"] for p in payments]
        if len(keys) != len(set(keys)):  # I5
            problems.append(f"{name}: an idempotency key was used twice")
    return problems


def describe_money(pence: int) -> str:
    return format_pence(pence)
