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
