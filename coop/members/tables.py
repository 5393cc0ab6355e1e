"""Tables for the register of members and the roles members hold."""

from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from coop.accounts.tables import Person
from coop.organisations.tables import Organisation


class Member(Table, tablename="member"):
    """An entry in the register of members: admitted, perhaps ceased, never deleted (a legal record)."""

    public_id = UUID(help_text="Used in addresses instead of the row number.")
    organisation = ForeignKey(Organisation, null=False, on_delete=OnDelete.restrict)
    person = ForeignKey(
        Person, null=True, default=None, on_delete=OnDelete.restrict, help_text="Null: never signs in."
    )
    name = Varchar(length=200)
    member_class = Varchar(length=40, help_text="A member class key from the constitution.")
    admitted_on = Date()
    ceased_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class RoleGrant(Table, tablename="role_grant"):
    """A role a member holds in their organisation (director, secretary, treasurer, admin)."""

    member = ForeignKey(Member, null=False, on_delete=OnDelete.restrict)
    role = Varchar(length=20)
    granted_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
