"""Tables for the register of directors: one row per appointment (ceased rows stay: the register is a legal
record), and each director's private particulars kept apart from the public register."""

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

from coop.members.tables import Member
from coop.organisations.tables import Organisation
from coop.votes.tables import Vote


class Directorship(Table, tablename="directorship"):
    """An entry in the register of directors: an appointment, its seat, its end. Never deleted."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID(help_text="Used in addresses instead of the row number.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    seat = Varchar(length=40, default="", help_text="The member class whose reserved seat; empty: open seat.")
    route = Varchar(length=20, help_text="elected, co_opted or appointed_by_class.")
    appointed_by_class = Varchar(length=40, default="", help_text="The class that chose them, if one did.")
    appointed_on = Date()
    term_end = Date(null=True, default=None)
    ceased_on = Date(null=True, default=None)
    ceased_reason = Varchar(
        length=20,
        default="",
        help_text="resigned, removed, term_ended, died, ceased_member or not_re_elected.",
    )
    ceased_note = Text(default="")
    elected_by_vote = Integer(null=True, default=None, help_text="The vote that elected them, if one did.")
    user_led_consent = Boolean(default=False, help_text="Agreed to be counted toward the user-led share.")
    # Public particulars (Companies Act 2006 s.163): shown on the register members see.
    service_address = Text(default="")
    country_of_residence = Varchar(length=100, default="")
    nationality = Varchar(length=100, default="")
    occupation = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class DirectorPrivateParticulars(Table, tablename="director_private_particulars"):
    """What only the board and secretary see (s.165 and s.1087): the usual residential address and the
    full date of birth. The public register shows only the month and year of birth."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    directorship = ForeignKey(Directorship, null=False, unique=True, on_delete=OnDelete.restrict)
    residential_address = Text(default="")
    date_of_birth = Date(null=True, default=None)


class BoardElection(Table, tablename="board_election"):
    """A call for nominations to the board: members stand with a statement until the closing day, then the
    secretary puts the candidates to the members in a vote (a `board_election` vote)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID(help_text="Used in addresses instead of the row number.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    title = Varchar(length=200)
    seats = Integer(default=1)
    nominations_close_on = Date(help_text="The last day to stand.")
    vote = ForeignKey(Vote, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())


class Nomination(Table, tablename="nomination"):
    """A member standing for election, with their statement (and an easy-read version if they wrote one)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    public_id = UUID(help_text="Used in addresses instead of the row number.")
    election = ForeignKey(BoardElection, null=False, on_delete=OnDelete.restrict)
    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    statement = Text()
    easy_read = Text(default="")
    ballot_name = Varchar(length=200, default="", help_text="Their name as it appears on the ballot.")
    withdrawn_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
