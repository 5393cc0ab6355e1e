"""Tables for commissioning: providers and what they offer, proposals to buy an offer from a pool (decided
by the board or by a members' vote), contracts whose cost is committed in the pool's ledger, invoices that
draw the commitment down, and members' ratings of the services they use.

Money is BigInt pence. A contract's commitment lives in the budgets ledger (`committed_pence` on the pool
and each participant's sub-account); `contract_share` says how much of it belongs to each contract.
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
from coop.budgets.tables import BudgetPool, PoolAccount, PoolPayment
from coop.members.tables import Member
from coop.organisations.tables import Organisation
from coop.votes.tables import Vote


class Provider(Table, tablename="provider"):
    """An organisation or person the members can buy support from."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    name = Varchar(length=200)
    kind = Varchar(length=30, help_text="cic, charity, company, personal_assistant or shared_lives_carer.")
    cqc_number = Varchar(length=30, default="", help_text="CQC registration number, where registered.")
    cqc_rating = Varchar(length=30, default="", help_text="The CQC's latest overall rating.")
    contact = Text(default="", help_text="Who to contact and how.")
    created_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class ServiceOffer(Table, tablename="service_offer"):
    """Something a provider sells, with its unit and price per unit."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    provider = ForeignKey(Provider, null=False, on_delete=OnDelete.restrict)
    name = Varchar(length=200)
    description = Text(default="")
    unit = Varchar(length=20, help_text="hour, session, day, week or month.")
    price_pence = BigInt(help_text="Price of one unit, in pence.")
    created_at = Timestamptz(default=TimestamptzNow())


class CommissionProposal(Table, tablename="commission_proposal"):
    """A proposal to buy an offer from a pool, and how it is being decided."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    pool = ForeignKey(BudgetPool, null=False, on_delete=OnDelete.restrict)
    offer = ForeignKey(ServiceOffer, null=False, on_delete=OnDelete.restrict)
    quantity = Integer()
    period_start = Date()
    period_end = Date()
    total_pence = BigInt()
    shares = Text(default="{}", help_text="JSON: pool account id -> pence, by the pool's cost rule.")
    route = Varchar(length=20, help_text="members_vote or board.")
    approvals_needed = Integer(default=1, help_text="Board route: directors who must approve.")
    status = Varchar(length=20, help_text="awaiting_board, vote_open, approved, not_approved or contracted.")
    vote = ForeignKey(Vote, null=True, default=None, on_delete=OnDelete.restrict)
    proposed_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class ProposalApproval(Table, tablename="proposal_approval"):
    """One director's approval of a proposal (never the person who proposed it)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    proposal = ForeignKey(CommissionProposal, null=False, on_delete=OnDelete.restrict)
    approver = ForeignKey(Person, null=False, on_delete=OnDelete.restrict)
    approved_at = Timestamptz(default=TimestamptzNow())


class Contract(Table, tablename="contract"):
    """An agreed purchase: its cost is committed against the participants' sub-accounts."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    reference = Varchar(length=20)
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    pool = ForeignKey(BudgetPool, null=False, on_delete=OnDelete.restrict)
    proposal = ForeignKey(CommissionProposal, null=False, unique=True, on_delete=OnDelete.restrict)
    provider = ForeignKey(Provider, null=False, on_delete=OnDelete.restrict)
    offer = ForeignKey(ServiceOffer, null=False, on_delete=OnDelete.restrict)
    total_pence = BigInt()
    drawn_pence = BigInt(default=0, help_text="Invoiced so far (paid or awaiting approval).")
    status = Varchar(length=20, default="active", help_text="active or ended.")
    created_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class ContractShare(Table, tablename="contract_share"):
    """One participant's part of a contract: committed at the start, drawn down by invoices."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict)
    account = ForeignKey(PoolAccount, null=False, on_delete=OnDelete.restrict)
    committed_pence = BigInt()
    drawn_pence = BigInt(default=0)


class ContractInvoice(Table, tablename="contract_invoice"):
    """A provider's invoice against a contract, paid through the pool's payment path."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict)
    invoice_number = Varchar(length=60)
    amount_pence = BigInt()
    payment = ForeignKey(PoolPayment, null=False, unique=True, on_delete=OnDelete.restrict)
    recorded_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class ServiceRating(Table, tablename="service_rating"):
    """A member's view of a service they use: a rating and whether it met their outcomes."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    rating = Integer(help_text="1 (poor) to 5 (excellent).")
    met_outcomes = Varchar(length=10, help_text="yes, partly or no.")
    comment = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
