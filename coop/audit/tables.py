"""Tables for the audit log. UPDATE and DELETE are refused by database triggers (see migrations)."""

from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.accounts.tables import Person
from coop.organisations.tables import Organisation


class AuditEvent(Table, tablename="audit_event"):
    """One thing that happened: who, what, to what, when, with what outcome. Chained by hash."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    chain = Varchar(length=64, help_text="'org:<id>' for an organisation's log, 'site' for the rest.")
    seq = BigInt(help_text="Position in the chain, from 1.")
    organisation = ForeignKey(Organisation, null=True, default=None, on_delete=OnDelete.restrict)
    at = Timestamptz(default=TimestamptzNow())
    actor = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    action = Varchar(length=80)
    target_type = Varchar(length=40, default="")
    target_id = Varchar(length=64, default="")
    outcome = Varchar(length=20, default="ok")
    request_id = Varchar(length=36, default="")
    detail = Text(default="{}", help_text="JSON; never a password, token or secret-ballot choice.")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class AuditChainHead(Table, tablename="audit_chain_head"):
    """The last link of each chain strand. A writer locks the head of a strand nobody else holds
    (coop/audit/service.py: `_next_link`), so writers never queue on one row."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    chain = Varchar(length=64, unique=True)
    seq = BigInt(default=0)
    hash = Varchar(length=64, default="")
