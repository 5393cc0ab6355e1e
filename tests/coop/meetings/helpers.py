"""Helpers for meeting tests: calling a meeting, adding items and reading rows, over HTTP as a user would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.helpers import post_form
from tests.coop.members.helpers import member_id

SECRETARY = "helen@riverside.example"  # the secretary, a director
CHAIR = "amara@riverside.example"  # a director and admin, chair of the test meetings
MEMBER = "jamie@riverside.example"  # a member, not a director


def in_days(days: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


def call_meeting(
    client: Any, kind: str = "board", days: int = 30, title: str = "Board meeting", **extra: str
) -> str:
    day = in_days(days)
    data = {
        "kind": kind,
        "title": title,
        "starts_on_day": str(day.day),
        "starts_on_month": str(day.month),
        "starts_on_year": str(day.year),
        "time": "18:30",
        "place": "The Hub, 12 Mill Lane",
        "chair": member_id("Amara Okafor"),
        **extra,
    }
    response = post_form(client, "/o/riverside/meetings/new", data)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[-1]


def add_item(client: Any, meeting: str, title: str, kind: str = "", text: str = "", **extra: str) -> Any:
    return post_form(
        client,
        f"/o/riverside/meetings/{meeting}/items",
        {"title": title, "resolution_kind": kind, "resolution_text": text, **extra},
    )


def meeting_row(public_id: str) -> dict[str, Any]:
    from coop.meetings.tables import Meeting

    row = run(Meeting.select().where(Meeting.public_id == public_id).first())
    assert row is not None
    return row


def item_id(meeting: str, title: str) -> str:
    from coop.meetings.tables import AgendaItem

    row = run(
        AgendaItem.select(AgendaItem.public_id)
        .where((AgendaItem.meeting.public_id == meeting) & (AgendaItem.title == title))
        .first()
    )
    assert row is not None
    return str(row["public_id"])


def item_row(meeting: str, title: str) -> dict[str, Any]:
    from coop.meetings.tables import AgendaItem

    row = run(AgendaItem.select().where(AgendaItem.public_id == item_id(meeting, title)).first())
    assert row is not None
    return row


def arrive(client: Any, meeting: str, name: str, mode: str = "room", proxy_name: str = "") -> Any:
    return post_form(
        client,
        f"/o/riverside/meetings/{meeting}/attendance",
        {"member": member_id(name), "mode": mode, "proxy_name": proxy_name},
    )


def hands(
    client: Any, meeting: str, title: str, votes_for: int, against: int, abstain: int = 0, casting: str = ""
) -> Any:
    return post_form(
        client,
        f"/o/riverside/meetings/{meeting}/items/{item_id(meeting, title)}/resolution",
        {
            "votes_for": str(votes_for),
            "votes_against": str(against),
            "abstentions": str(abstain),
            "casting_vote": casting,
        },
    )


def declare(client: Any, meeting: str, title: str, name: str, nature: str = "Works for the provider") -> Any:
    return post_form(
        client,
        f"/o/riverside/meetings/{meeting}/items/{item_id(meeting, title)}/declarations",
        {"member": member_id(name), "nature": nature},
    )


def appoint_proxy(
    appointer: str,
    proxy_name: str,
    meeting: str | None = None,
    *,
    proxy_member: str | None = None,
    received_at: datetime | None = None,
    revoked: bool = False,
) -> int:
    """A proxy appointment as the member's form records it: for `meeting` (its start), else standing."""
    from coop.members.tables import Member, ProxyAppointment

    member = run(Member.select(Member.id, Member.organisation).where(Member.name == appointer).first())
    proxy = run(Member.select(Member.id).where(Member.name == proxy_member).first()) if proxy_member else None
    starts = meeting_row(meeting)["starts_at"] if meeting else None
    rows = run(
        ProxyAppointment.insert(
            ProxyAppointment(
                organisation=member["organisation"],
                member=member["id"],
                proxy_member=proxy["id"] if proxy else None,
                proxy_name=proxy_name,
                standing=meeting is None,
                meeting_name="The meeting" if meeting else "",
                meeting_starts_at=starts,
                received_at=received_at or datetime.now(UTC) - timedelta(days=30),
                revoked_at=datetime.now(UTC) if revoked else None,
            )
        ).returning(ProxyAppointment.id)
    )
    return int(rows[0]["id"])
