"""Tables for organisations and their constitutions in force."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Organisation(Table, tablename="organisation"):
    """A CIC, co-operative or group: the tenant every other record belongs to."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    slug = Varchar(length=60, unique=True, help_text="Short name used in addresses: /o/<slug>/.")
    name = Varchar(length=200)
    legal_form = Varchar(length=40, help_text="cic_guarantee, cic_shares, cooperative_society, ...")
    company_number = Varchar(length=20, null=True, default=None)
    society_number = Varchar(length=20, null=True, default=None)
    year_end_month = Integer(default=3)
    year_end_day = Integer(default=31)
    created_at = Timestamptz(default=TimestamptzNow())


class ConstitutionVersion(Table, tablename="constitution_version"):
    """One adopted version of an organisation's rules, as data. Never edited; amendments add a version."""

    id: Serial  # the primary key Piccolo adds; declared for the type checker

    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    version = Integer()
    model_name = Varchar(length=60, help_text="The model constitution it started from.")
    document = Text(help_text="The rules as TOML, read by governance.constitution.")
    adopted_on = Date()
    adopted_by = Varchar(length=200, default="", help_text="The resolution that adopted it.")
    created_at = Timestamptz(default=TimestamptzNow())
