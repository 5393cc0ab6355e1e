"""What the founders answered when an organisation was created, kept for its founding documents."""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.accounts.tables import Person
from coop.organisations.tables import Organisation


class FoundingRecord(Table, tablename="founding_record"):
    """The founders' answers for one organisation (objects, community, registered office, asset lock)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    organisation = ForeignKey(Organisation, null=False, unique=True, on_delete=OnDelete.restrict)
    # The column is named for the founders' answer; it hides Table.objects(), which coop never uses.
    objects = Text(  # type: ignore[assignment]
        help_text="What the organisation is for, as the founders wrote it."
    )
    community = Text(help_text="The community it serves (community interest statement).")
    registered_office = Text()
    asset_locked_body = Text(default="", help_text="Who receives the assets if it closes.")
    answers = Text(help_text="The answers as given (TOML), for the founding documents.")
    created_at = Timestamptz(default=TimestamptzNow())


class FoundingDraft(Table, tablename="founding_draft"):
    """Answers someone has given so far at /start, kept so they can stop and come back later. One per
    person: starting again replaces it. `founded` is the organisation it created, for the confirmation."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    person = ForeignKey(Person, null=False, unique=True, on_delete=OnDelete.cascade)
    answers = Text(default="{}", help_text="The answers so far, as JSON in the answers file's shape.")
    founded = ForeignKey(Organisation, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())
