"""Tables for outgoing email."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.members.tables import Member


class OutboxMessage(Table, tablename="outbox_message"):
    """Every email coop sends: queued here, then delivered by a worker (or kept for an admin to read
    when no SMTP server is set)."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    to_address = Varchar(length=320)
    subject = Varchar(length=200)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    transport = Varchar(length=10, default="outbox", help_text="'smtp' or 'outbox'.")
    error = Text(default="", help_text="Why the last attempt to send failed.")
    state = Varchar(
        length=10,
        default="queued",
        help_text="queued (waiting for a worker), sent, failed (gave up), refused (the server said the "
        "address does not take mail) or kept (no SMTP server: read it in the outbox).",
    )
    attempts = Integer(default=0)
    smtp_reply = Text(default="", help_text="The mail server's last answer, word for word.")
    member = ForeignKey(
        Member,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        help_text="The member it is for, if any.",
    )
