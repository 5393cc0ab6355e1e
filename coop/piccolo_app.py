"""The single Piccolo app: every area's tables, one migrations folder at the top level."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from coop.accounts.tables import LoginSession, LoginThrottle, PasswordReset, Person, SignUp, TrustedDevice
from coop.api.tables import ApiToken
from coop.audit.tables import AuditChainHead, AuditEvent
from coop.boards.tables import BoardElection, DirectorPrivateParticulars, Directorship, Nomination
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
from coop.documents.tables import CommunityInterestReport
from coop.jobs.tables import Job
from coop.mail.tables import OutboxMessage
from coop.meetings.tables import AgendaItem, Attendance, DirectorInterest, InterestDeclaration, Meeting
from coop.members.tables import (
    CommunicationNeed,
    Member,
    MemberEvent,
    MemberImport,
    MemberInvitation,
    MemberLetter,
    MembershipApplication,
    MemberSupporter,
    ProxyAppointment,
    RoleGrant,
    SensitiveFact,
)
from coop.organisations.tables import ConstitutionVersion, Organisation
from coop.resolutions.tables import (
    ConstitutionAmendment,
    MeetingAmendment,
    WrittenResolution,
    WrittenResolutionAgreement,
    WrittenResolutionElector,
)
from coop.setup.tables import FoundingDraft, FoundingRecord
from coop.votes.tables import (
    Ballot,
    SealedBallotRow,
    TellerKey,
    Vote,
    VoteParticipation,
    VoteRoll,
    VoteTeller,
)

APP_CONFIG = AppConfig(
    app_name="coop",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
    table_classes=[
        Person,
        LoginSession,
        LoginThrottle,
        PasswordReset,
        TrustedDevice,
        SignUp,
        Organisation,
        ConstitutionVersion,
        FoundingRecord,
        FoundingDraft,
        Member,
        RoleGrant,
        MemberEvent,
        MembershipApplication,
        MemberImport,
        MemberInvitation,
        CommunicationNeed,
        SensitiveFact,
        MemberSupporter,
        ProxyAppointment,
        MemberLetter,
        Directorship,
        DirectorPrivateParticulars,
        BoardElection,
        Nomination,
        WrittenResolution,
        WrittenResolutionElector,
        WrittenResolutionAgreement,
        ConstitutionAmendment,
        Meeting,
        AgendaItem,
        Attendance,
        DirectorInterest,
        InterestDeclaration,
        MeetingAmendment,
        CommunityInterestReport,
        AuditEvent,
        AuditChainHead,
        OutboxMessage,
        Job,
        Vote,
        VoteRoll,
        VoteParticipation,
        Ballot,
        SealedBallotRow,
        TellerKey,
        VoteTeller,
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
