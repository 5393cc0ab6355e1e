"""Personal API tokens: scoped to one organisation, read or read-write, stored only as a hash."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.accounts.tables import Person
from coop.organisations.tables import Organisation


class ApiToken(Table, tablename="api_token"):
    """A token a person made on their account page. Only a SHA-256 of the token is stored (it is 256 random
    bits, so a fast hash is enough); it acts with its owner's roles as they are at each request."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(Person, null=False, on_delete=OnDelete.restrict)
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    name = Varchar(length=100)
    can_write = Boolean(default=False, help_text="Read-write; otherwise read only.")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None, help_text="Refreshed at most once a minute.")
    revoked_at = Timestamptz(null=True, default=None)
    window_started_at = Timestamptz(default=TimestamptzNow(), help_text="Start of the rate-limit minute.")
    window_requests = Integer(default=0, help_text="Requests in the current rate-limit minute.")
