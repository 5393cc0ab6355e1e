"""Tables for pooled budgets: pools, their ledger accounts (a sub-account per contributor), immutable
double-entry ledger transactions and entries, payments (with idempotency keys) and their approvals.

Money is BigInt pence. Balances are stored running balances, changed only by conditional UPDATEs inside
`write_transaction()` (see coop/budgets/ledger.py); ledger rows are append-only (database triggers).
"""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    BigInt,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.accounts.tables import Person
from coop.members.tables import Member
from coop.organisations.tables import Organisation


class BudgetPool(Table, tablename="budget_pool"):
    """Budget holders pooling part of their personal budgets to buy support together."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    name = Varchar(length=200)
    purpose = Text(default="", help_text="What the pool buys, and the care-plan outcomes it serves.")
    cost_rule = Varchar(length=20, default="equal", help_text="equal, by_hours or fixed_shares.")
    contingency_weeks = Integer(default=0, help_text="Target buffer in weeks of payments (often 4 to 8).")
    floor_pence = BigInt(default=0, help_text="The contingency the pool must always keep, in pence.")
    surplus_handling = Varchar(length=20, default="carry_forward", help_text="carry_forward or return.")
    exit_terms = Text(default="", help_text="Notice to leave and what happens to a leaver's money.")
    balance_pence = BigInt(default=0, help_text="Sum of the contributors' balances (stored, running).")
    committed_pence = BigInt(default=0, help_text="Reserved by payments awaiting approval.")
    created_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class PoolAccount(Table, tablename="pool_account"):
    """A ledger account in a pool: one per contributor, plus "money in" and "money out" (the world)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    pool = ForeignKey(BudgetPool, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=20, help_text="contributor, money_in or money_out.")
    member = ForeignKey(Member, null=True, default=None, on_delete=OnDelete.restrict)
    name = Varchar(length=200)
    share = Integer(default=1, help_text="Fixed share (fixed_shares pools).")
    floor_pence = BigInt(default=0, help_text="What this contributor's account must always keep.")
    balance_pence = BigInt(default=0, help_text="Stored running balance (contributors: money held).")
    committed_pence = BigInt(default=0, help_text="Reserved by payments awaiting approval.")
    joined_on = Date(null=True, default=None)
    left_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class LedgerTransaction(Table, tablename="ledger_transaction"):
    """One money event: its entries sum to zero. Never edited; a mistake is put right by a reversal."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    reference = Varchar(length=20, help_text="Shown to people: C-000001, P-000001, R-000001.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    pool = ForeignKey(BudgetPool, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=20, help_text="contribution, payment or reversal.")
    description = Text(default="")
    amount_pence = BigInt(help_text="The total moved (always above zero).")
    funding_source = Varchar(length=30, default="", help_text="Contributions: where the money came from.")
    funder = Varchar(length=200, default="", help_text="Which council, NHS body or grant-maker.")
    period_start = Date(null=True, default=None)
    period_end = Date(null=True, default=None)
    reverses: ForeignKey[LedgerTransaction] = ForeignKey(
        "self", null=True, default=None, on_delete=OnDelete.restrict
    )
    idempotency_key = Varchar(length=64, null=True, default=None)
    actor = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class LedgerEntry(Table, tablename="ledger_entry"):
    """One leg of a transaction on one account, with the account's balance after it (append-only)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    pool = ForeignKey(BudgetPool, null=False, on_delete=OnDelete.restrict)
    txn = ForeignKey(LedgerTransaction, null=False, on_delete=OnDelete.restrict)
    account = ForeignKey(PoolAccount, null=False, on_delete=OnDelete.restrict)
    amount_pence = BigInt(help_text="Signed: + into the account, - out of it.")
    balance_after_pence = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())


class PoolPayment(Table, tablename="pool_payment"):
    """A payment out of a pool: requested, perhaps approved, then paid (or cancelled)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    reference = Varchar(length=20)
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    pool = ForeignKey(BudgetPool, null=False, on_delete=OnDelete.restrict)
    idempotency_key = Varchar(length=64, help_text="Unique per organisation: a double submit pays once.")
    fingerprint = Varchar(length=64, help_text="SHA-256 of the request, to spot a reused key.")
    payee = Varchar(length=200)
    description = Text(default="")
    amount_pence = BigInt()
    shares = Text(default="{}", help_text="JSON: pool account id -> pence charged to it.")
    status = Varchar(length=20, help_text="awaiting_approval, paid or cancelled.")
    approvals_needed = Integer(default=0)
    requested_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    txn = ForeignKey(LedgerTransaction, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    period_start = Date(null=True, default=None, help_text="First day of the service paid for.")
    period_end = Date(null=True, default=None, help_text="Last day of the service paid for.")


class PaymentApproval(Table, tablename="payment_approval"):
    """One person's approval of a payment (never the person who asked for it)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    payment = ForeignKey(PoolPayment, null=False, on_delete=OnDelete.restrict)
    approver = ForeignKey(Person, null=False, on_delete=OnDelete.restrict)
    approved_at = Timestamptz(default=TimestamptzNow())


class LedgerReversal(Table, tablename="ledger_reversal"):
    """A request to reverse one ledger transaction, with its reason: done at once, or once it has the
    approvals its original needed (see coop/budgets/reversals.py). At most one live request per
    transaction (a partial unique index), and at most one reversal (`ledger_transaction.reverses`)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    pool = ForeignKey(BudgetPool, null=False, on_delete=OnDelete.restrict)
    original = ForeignKey(LedgerTransaction, null=False, on_delete=OnDelete.restrict)
    reason = Text()
    status = Varchar(length=20, help_text="awaiting_approval, done or cancelled.")
    approvals_needed = Integer(default=0)
    requested_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    reversal = ForeignKey(LedgerTransaction, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class ReversalApproval(Table, tablename="reversal_approval"):
    """One person's approval of a reversal (never the person who asked for it)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    request = ForeignKey(LedgerReversal, null=False, on_delete=OnDelete.restrict)
    approver = ForeignKey(Person, null=False, on_delete=OnDelete.restrict)
    approved_at = Timestamptz(default=TimestamptzNow())
