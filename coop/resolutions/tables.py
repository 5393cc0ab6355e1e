"""Tables for members' written resolutions (Companies Act 2006, Part 13 Chapter 2): the resolution, who
was eligible on the day it was sent round (the law counts against all eligible votes, so the list is
frozen then), and each member's agreement. Rows are never deleted: they are the record of the decision."""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.accounts.tables import Person
from coop.meetings.tables import AgendaItem
from coop.members.tables import Member
from coop.organisations.tables import Organisation


class WrittenResolution(Table, tablename="written_resolution"):
    """One written resolution, from draft to passed or lapsed."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID(help_text="Used in addresses instead of the row number.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    title = Varchar(length=200)
    text = Text(help_text="The resolution exactly as members agree to it.")
    easy_read = Text(default="", help_text="The author's easy-read version, if they wrote one.")
    kind = Varchar(length=20, help_text="ordinary or special.")
    decision = Varchar(
        length=60,
        default="",
        help_text="A decision the constitution names (its own threshold), if it is one.",
    )
    status = Varchar(length=20, default="draft", help_text="draft, circulating, passed or lapsed.")
    circulated_on = Date(null=True, default=None)
    lapses_on = Date(null=True, default=None, help_text="The last day it can pass.")
    decided_on = Date(null=True, default=None, help_text="The day it passed or lapsed.")
    eligible_votes = Integer(default=0, help_text="All eligible votes on the day it was sent round.")
    created_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class WrittenResolutionElector(Table, tablename="written_resolution_elector"):
    """A member entitled to vote on the resolution on the day it was sent round, with their votes."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    resolution = ForeignKey(WrittenResolution, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    member_class = Varchar(length=40)
    weight = Integer(default=1)


class WrittenResolutionAgreement(Table, tablename="written_resolution_agreement"):
    """A member's agreement: given online by them, or on paper and entered by the secretary. Once given it
    cannot be withdrawn (s296(3))."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    resolution = ForeignKey(WrittenResolution, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    agreed_on = Date()
    channel = Varchar(length=20, help_text="online or paper.")
    recorded_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class ConstitutionAmendment(Table, tablename="constitution_amendment"):
    """A proposed new version of the constitution, put to the members as a written resolution: adopted as
    the next version in the same transaction as the agreement that passes the resolution."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    resolution = ForeignKey(WrittenResolution, null=False, unique=True, on_delete=OnDelete.restrict)
    base_version = Integer(help_text="The version in force when it was proposed: it amends that one.")
    document = Text(help_text="The proposed rules as TOML.")
    adopted_version = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class MeetingAmendment(Table, tablename="meeting_amendment"):
    """A proposed new version of the constitution attached to an agenda item's special resolution at a
    general meeting or AGM: adopted as the next version in the same transaction as the result that passes
    it."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    item = ForeignKey(AgendaItem, null=False, unique=True, on_delete=OnDelete.restrict)
    base_version = Integer(help_text="The version in force when it was attached: it amends that one.")
    document = Text(help_text="The proposed rules as TOML.")
    adopted_version = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
