"""Letters to post, for printing all at once: the notices written for members who asked for post (kept in
`member_letter` by `coop.members.notices`), oldest first, in parts of `PART`. Marking a letter as sent
stays on the register's letters page."""

from __future__ import annotations

from typing import Any

from coop.members.tables import MemberLetter
from coop.path_params import ID_MAX

PART = 200

_COLUMNS = (
    MemberLetter.id,
    MemberLetter.member.name.as_alias("name"),
    MemberLetter.subject,
    MemberLetter.body,
    MemberLetter.easy_read,
    MemberLetter.large_print,
    MemberLetter.address,
    MemberLetter.created_at,
)


def _unsent(organisation_id: int) -> Any:
    return (MemberLetter.organisation == organisation_id) & MemberLetter.sent_at.is_null()


async def unsent_count(organisation_id: int) -> int:
    return int(await MemberLetter.count().where(_unsent(organisation_id)))


async def unsent_letters(organisation_id: int, after: int) -> tuple[list[dict[str, Any]], int | None]:
    """One part of the letters still to send (after the letter `after`), and where the next part starts."""
    rows = list(
        await MemberLetter.select(*_COLUMNS)
        .where(_unsent(organisation_id) & (MemberLetter.id > min(max(after, 0), ID_MAX)))
        .order_by(MemberLetter.id)
        .limit(PART + 1)
    )
    more = len(rows) > PART
    rows = rows[:PART]
    return rows, (int(rows[-1]["id"]) if more else None)


async def letter_parts(organisation_id: int) -> list[dict[str, int]]:
    """Where each part of the letters to send starts (`after`, a letter id) and its first and last number."""
    query = MemberLetter.select(MemberLetter.id).where(_unsent(organisation_id)).order_by(MemberLetter.id)
    ids = [int(r["id"]) for r in await query]
    return [
        {"after": ids[start - 1] if start else 0, "first": start + 1, "last": min(start + PART, len(ids))}
        for start in range(0, len(ids), PART)
    ]
