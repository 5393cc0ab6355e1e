"""Tables for the register of members, the roles members hold, and everything about joining, leaving,
communication needs, supporters and proxies."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
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
from coop.organisations.tables import Organisation


class Member(Table, tablename="member"):
    """An entry in the register of members: admitted, perhaps ceased, never deleted (a legal record)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID(help_text="Used in addresses instead of the row number.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    person = ForeignKey(
        Person, null=True, default=None, on_delete=OnDelete.restrict, help_text="Null: never signs in."
    )
    name = Varchar(length=200)
    entry_number = Integer(
        null=True,
        default=None,
        help_text="The entry's number in the register: given by the database when the entry is made "
        "(next in its organisation), unique per organisation, never changed.",
    )
    member_class = Varchar(length=40, help_text="A member class key from the constitution.")
    admitted_on = Date()
    ceased_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    address = Text(default="", help_text="Postal address for notices (register of members, CA06 s.113).")
    email = Varchar(length=320, null=True, default=None, help_text="Email address for notices, if agreed.")
    phone = Varchar(length=40, default="")
    contact_by = Varchar(length=20, default="email", help_text="email, post, phone or supporter.")
    shares_held = Integer(default=0, help_text="Shares held (share companies and societies).")
    guarantee_pence = Integer(default=0, help_text="Amount guaranteed (companies limited by guarantee).")
    leaving_on = Date(null=True, default=None, help_text="Resignation given: the day it takes effect.")
    ceased_reason = Varchar(length=20, default="", help_text="resigned, expelled or ceased.")


class RoleGrant(Table, tablename="role_grant"):
    """A role a member holds in their organisation (director, secretary, treasurer, admin)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    role = Varchar(length=20)
    granted_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class MemberEvent(Table, tablename="member_event"):
    """A change to a register entry (admitted, class changed, resignation, expulsion steps, ceased)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=30)
    happened_on = Date()
    detail = Text(default="", help_text="JSON: what changed, reasons, the member's representations.")
    recorded_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    assisted_by = ForeignKey(
        Person, null=True, default=None, on_delete=OnDelete.restrict, help_text="A supporter helped."
    )
    created_at = Timestamptz(default=TimestamptzNow())


class MembershipApplication(Table, tablename="membership_application"):
    """An application to join a member class, for the board to decide."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    member_class = Varchar(length=40)
    name = Varchar(length=200)
    email = Varchar(length=320)
    address = Text(default="")
    contact_by = Varchar(length=20, default="email")
    answers = Text(default="[]", help_text="JSON list of [question, answer].")
    about = Text(default="", help_text="Anything else the applicant told the board.")
    status = Varchar(length=20, default="submitted", help_text="submitted, more_info, admitted, refused.")
    board_message = Text(default="", help_text="The board's question, or its reason for refusing.")
    reply = Text(default="", help_text="The applicant's answer to the board's question.")
    reply_token_hash = Varchar(length=64, null=True, default=None)
    decided_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    member = ForeignKey(Member, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MemberInvitation(Table, tablename="member_invitation"):
    """A one-time link inviting someone the board already knows to become a member."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    member_class = Varchar(length=40)
    name = Varchar(length=200)
    email = Varchar(length=320)
    token_hash = Varchar(length=64)
    expires_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class CommunicationNeed(Table, tablename="communication_need"):
    """How a member needs information (Accessible Information Standard), recorded with their consent."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    need = Varchar(length=20, help_text="easy_read, large_print, audio, bsl, post or supporter.")
    detail = Varchar(length=500, default="")
    consent_at = Timestamptz(default=TimestamptzNow())
    recorded_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    assisted_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    ended_at = Timestamptz(null=True, default=None)


class SensitiveFact(Table, tablename="sensitive_fact"):
    """A special-category fact (disabled, uses support, carer), kept only with explicit consent."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    fact = Varchar(length=20, help_text="disabled, uses_support or carer.")
    consent_at = Timestamptz(default=TimestamptzNow())
    recorded_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    withdrawn_at = Timestamptz(null=True, default=None)


class MemberSupporter(Table, tablename="member_supporter"):
    """Someone a member names to help them use coop: sees what they see, has no vote of their own."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    person = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict, help_text="Signs in.")
    name = Varchar(length=200)
    email = Varchar(length=320, null=True, default=None)
    started_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)


class ProxyAppointment(Table, tablename="proxy_appointment"):
    """A member's proxy: for one meeting or standing, revocable, within the constitution's limits."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict, help_text="Who appoints.")
    proxy_member = ForeignKey(
        Member, null=True, default=None, on_delete=OnDelete.restrict, help_text="The proxy, if a member."
    )
    proxy_name = Varchar(length=200)
    proxy_email = Varchar(length=320, null=True, default=None)
    standing = Boolean(default=False, help_text="For every meeting until revoked.")
    meeting_name = Varchar(length=200, default="")
    meeting_starts_at = Timestamptz(null=True, default=None)
    instructions = Text(default="")
    received_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    recorded_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    assisted_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)


class MemberLetter(Table, tablename="member_letter"):
    """A notice to print and post: for members who asked for post or have no email. The text is kept as
    it was sent, so the secretary prints what every other member was told."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID(help_text="Used in addresses instead of the row number.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=40, help_text="What the notice is about, e.g. vote_reminder or vote_result.")
    subject = Varchar(length=300)
    body = Text(default="")
    easy_read = Text(default="", help_text="Short sentences, one a line, if asked for.")
    large_print = Boolean(default=False)
    needs = Varchar(length=200, default="", help_text="The member's needs then, comma-separated.")
    address = Text(default="", help_text="The address for notices when it was written.")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    sent_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)


class MemberImport(Table, tablename="member_import"):
    """A bulk import of register entries, kept for its idempotency key: sending the same import again
    (a retry after a lost answer) replays this outcome instead of adding everyone twice."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    idempotency_key = Varchar(length=64, help_text="Unique per organisation (index in the migration).")
    fingerprint = Varchar(length=64, help_text="SHA-256 of the rows imported: a different import, same key.")
    rows = Integer(help_text="How many entries it added.")
    created_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
