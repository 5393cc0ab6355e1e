"""Helpers for membership tests: finding members and applications, reading the outbox."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import run


def member_row(name: str, slug: str = "riverside") -> dict[str, Any]:
    from coop.members.tables import Member

    row = run(Member.select().where((Member.name == name) & (Member.organisation.slug == slug)).first())
    assert row is not None, name
    return row


def member_id(name: str, slug: str = "riverside") -> str:
    return str(member_row(name, slug)["public_id"])


def application_row(name: str) -> dict[str, Any]:
    from coop.members.tables import MembershipApplication

    row = run(MembershipApplication.select().where(MembershipApplication.name == name).first())
    assert row is not None, name
    return row


def outbox_to(address: str) -> list[dict[str, Any]]:
    from coop.mail.tables import OutboxMessage

    return run(OutboxMessage.select().where(OutboxMessage.to_address == address).order_by(OutboxMessage.id))


def link_in(body: str, path_part: str) -> str:
    match = re.search(r"https://testserver\.local(\S*" + re.escape(path_part) + r"\S*)", body)
    assert match, body
    return match.group(1)


def count(table: Any) -> int:
    return int(run(table.count()))


def add_members(organisation: int, how_many: int, prefix: str = "Member", batch: int = 500) -> None:
    """`how_many` members who never sign in, inserted in batches (the database numbers their entries)."""
    from datetime import date

    from coop.members.tables import Member

    for start in range(0, how_many, batch):
        run(
            Member.insert(
                *(
                    Member(
                        organisation=organisation,
                        name=f"{prefix} {i:05d}" if how_many > 1 else f"{prefix} 0",
                        member_class="family_carer",
                        admitted_on=date(2025, 1, 1),
                        contact_by="post",
                    )
                    for i in range(start, min(start + batch, how_many))
                )
            )
        )
