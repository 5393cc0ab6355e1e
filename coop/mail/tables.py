"""Tables for outgoing email."""

from __future__ import annotations

from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table, tablename="outbox_message"):
    """Every email coop sends, kept so an admin can read it when no SMTP server is configured."""

    to_address = Varchar(length=320)
    subject = Varchar(length=200)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    transport = Varchar(length=10, default="outbox", help_text="'smtp' or 'outbox'.")
    error = Text(default="")
