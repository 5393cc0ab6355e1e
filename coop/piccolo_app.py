"""The single Piccolo app: every area's tables, one migrations folder at the top level."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from coop.accounts.tables import LoginSession, LoginThrottle, PasswordReset, Person, TrustedDevice
from coop.api.tables import ApiToken
from coop.audit.tables import AuditChainHead, AuditEvent
from coop.boards.tables import DirectorPrivateParticulars, Directorship
from coop.budgets.tables import (
    BudgetPool,
    LedgerEntry,
    LedgerReversal,
    LedgerTransaction,
    PaymentApproval,
    PoolAccount,
    PoolPayment,
    ReversalApproval,
)
from coop.commissioning.tables import (
    CommissionProposal,
    Contract,
    ContractInvoice,
    ContractShare,
    ProposalApproval,
    Provider,
    ServiceOffer,
    ServiceRating,
)
from coop.jobs.tables import Job
from coop.mail.tables import OutboxMessage
from coop.members.tables import (
    CommunicationNeed,
    Member,
    MemberEvent,
    MemberInvitation,
    MemberLetter,
    MembershipApplication,
    MemberSupporter,
    ProxyAppointment,
    RoleGrant,
    SensitiveFact,
)
from coop.organisations.tables import ConstitutionVersion, Organisation
from coop.setup.tables import FoundingRecord
from coop.votes.tables import Ballot, SealedBallotRow, Vote, VoteParticipation, VoteRoll

APP_CONFIG = AppConfig(
    app_name="coop",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
    table_classes=[
        Person,
        LoginSession,
        LoginThrottle,
        PasswordReset,
        TrustedDevice,
        Organisation,
        ConstitutionVersion,
        FoundingRecord,
        Member,
        RoleGrant,
        MemberEvent,
        MembershipApplication,
        MemberInvitation,
        CommunicationNeed,
        SensitiveFact,
        MemberSupporter,
        ProxyAppointment,
        MemberLetter,
        Directorship,
        DirectorPrivateParticulars,
        AuditEvent,
        AuditChainHead,
        OutboxMessage,
        Job,
        Vote,
        VoteRoll,
        VoteParticipation,
        Ballot,
        SealedBallotRow,
        BudgetPool,
        PoolAccount,
        LedgerTransaction,
        LedgerEntry,
        PoolPayment,
        PaymentApproval,
        LedgerReversal,
        ReversalApproval,
        Provider,
        ServiceOffer,
        CommissionProposal,
        ProposalApproval,
        Contract,
        ContractShare,
        ContractInvoice,
        ServiceRating,
        ApiToken,
    ],
)
