"""What the secretary writes into the annual community interest report (form CIC34), one row per
financial year; everything else in the report is read from what coop recorded in that year."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.accounts.tables import Person
from coop.organisations.tables import Organisation


class CommunityInterestReport(Table, tablename="community_interest_report"):
    """The secretary's words for one year's CIC34, saved as they are written."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    report_key = Varchar(length=40, unique=True, help_text="'<organisation id>:<year end>': one per year.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    year_end = Date(help_text="The last day of the financial year reported on.")
    benefit = Text(default="", help_text="How the activities benefited the community (part 1).")
    consultation = Text(default="", help_text="How stakeholders were consulted and what came of it (part 2).")
    remuneration = Text(default="", help_text="Directors' remuneration (part 3).")
    transfers = Text(default="", help_text="Transfers of assets other than for full consideration (part 4).")
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
