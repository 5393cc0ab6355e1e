"""Tables for meetings: the meeting with its notice and minutes, agenda items with papers and resolutions,
attendance, and directors' interests (the standing register and declarations per item). Rows are never
deleted: minutes, resolutions and declarations are records the law asks to keep for ten years."""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.members.tables import Member, ProxyAppointment
from coop.organisations.tables import Organisation
from coop.votes.tables import Vote


class Meeting(Table, tablename="meeting"):
    """A board, general, annual general or class meeting, its notice and its minutes."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID(help_text="Used in addresses instead of the row number.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    kind = Varchar(length=20, help_text="board, general, annual_general or class.")
    member_class = Varchar(length=40, default="", help_text="For a class meeting: the class invited.")
    title = Varchar(length=200)
    starts_at = Timestamptz(index=True)
    place = Text(default="")
    online_link = Varchar(length=500, default="")
    chair = ForeignKey(Member, null=True, default=None, on_delete=OnDelete.restrict)
    status = Varchar(
        length=20, default="planned", help_text="planned, notice_scheduled, notice_sent, open or closed."
    )
    notice_send_on = Date(null=True, default=None, help_text="The day the notice goes out.")
    notice_sent_on = Date(null=True, default=None, help_text="The day the first notices went out.")
    notice_emails = Integer(default=0)
    notice_letters = Integer(default=0)
    short_notice_members = Integer(null=True, default=None, help_text="Members who agreed to short notice.")
    short_notice_votes = Integer(null=True, default=None, help_text="The votes those members hold.")
    current_item = Integer(null=True, default=None, help_text="The agenda item being discussed now.")
    minutes = Text(default="")
    minutes_state = Varchar(length=20, default="", help_text="'', draft, approved or signed.")
    minutes_approved_at = Integer(null=True, default=None, help_text="The meeting that approved them.")
    minutes_signed_by = ForeignKey(Member, null=True, default=None, on_delete=OnDelete.restrict)
    minutes_signed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AgendaItem(Table, tablename="agenda_item"):
    """One item of business, its paper (with an optional easy-read version) and its resolution, if any."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    meeting = ForeignKey(Meeting, null=False, on_delete=OnDelete.restrict)
    position = Integer()
    title = Varchar(length=200)
    paper = Text(default="")
    paper_easy_read = Text(default="")
    resolution_kind = Varchar(length=20, default="", help_text="'', ordinary, special or board.")
    resolution_text = Text(default="")
    votes_for = Integer(null=True, default=None)
    votes_against = Integer(null=True, default=None)
    abstentions = Integer(null=True, default=None)
    casting_vote = Varchar(length=10, default="", help_text="'', for or against: the chair's casting vote.")
    result = Varchar(length=10, default="", help_text="'', passed or failed.")
    result_reasons = Text(default="")
    quorum_note = Text(default="", help_text="The quorum for this item when it was decided.")
    decided_at = Timestamptz(null=True, default=None, index=True)
    vote = ForeignKey(
        Vote,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        help_text="The online vote of the members present, when the item was put to one.",
    )


class Attendance(Table, tablename="meeting_attendance"):
    """Someone taking part: in the room, online or by proxy, from arrival until they leave."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    meeting = ForeignKey(Meeting, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    mode = Varchar(length=10, help_text="room, online or proxy.")
    proxy_name = Varchar(length=200, default="", help_text="Who represents the member, by proxy.")
    proxy_appointment = ForeignKey(
        ProxyAppointment,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        help_text="The member's proxy appointment this proxy was checked against.",
    )
    arrived_at = Timestamptz(default=TimestamptzNow())
    left_at = Timestamptz(null=True, default=None)


class DirectorInterest(Table, tablename="director_interest"):
    """An entry in the register of interests: a director's standing interest, from and until when."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID()
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    description = Text()
    declared_on = Date()
    ended_on = Date(null=True, default=None)


class InterestDeclaration(Table, tablename="interest_declaration"):
    """A director's declaration of an interest in one agenda item: out of that item's quorum and vote."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    item = ForeignKey(AgendaItem, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    nature = Text(default="")
    declared_at = Timestamptz(default=TimestamptzNow())
