"""Meetings at any size: pages make the same number of queries with 10 members and with 1,000 (and a
general meeting with hundreds of arrivals), lists are paged or bounded, and a notice to 1,000 members
goes out in batches with exactly one copy each."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.helpers import post_form, sign_in
from tests.coop.jobs.helpers import run_jobs
from tests.coop.meetings.helpers import SECRETARY, add_item, call_meeting, meeting_row
from tests.coop.members.helpers import add_members, member_row


def _org() -> int:
    return int(member_row("Jamie Carter")["organisation"])


def _arrive_everyone(meeting: str, limit: int, skip: int = 0) -> None:
    from coop.meetings.tables import Attendance
    from coop.members.tables import Member

    meeting_id = meeting_row(meeting)["id"]
    rows = run(Member.select(Member.id).where(Member.organisation == _org()).order_by(Member.id).limit(limit))
    ids = [r["id"] for r in rows][skip:]
    run(Attendance.insert(*(Attendance(meeting=meeting_id, member=i, mode="room") for i in ids)))


def test_meeting_pages_cost_the_same_at_10_and_1000_members(demo, client, monkeypatch):
    from coop.db import current_engine

    sign_in(client, SECRETARY)
    general = call_meeting(client, kind="general", days=30, title="General meeting")
    add_item(client, general, "Accounts", "ordinary", "That the accounts be received.")
    post_form(client, f"/o/riverside/meetings/{general}/attendance", {})  # nothing: refused, no change
    queries: list[str] = []
    engine_class = type(current_engine())
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        queries.append(str(querystring))
        return await original(self, querystring, in_pool)

    pages = [
        "/o/riverside/meetings",
        f"/o/riverside/meetings/{general}",
        f"/o/riverside/meetings/{general}/live",
        f"/o/riverside/meetings/{general}/attendance?q=Member",
        "/o/riverside/meetings/resolutions",
        "/o/riverside/meetings/interests",
    ]

    def measure() -> list[int]:
        counts = []
        for url in pages:
            client.get(url)
            queries.clear()
            assert client.get(url).status_code == 200, url
            counts.append(len(queries))
        return counts

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    _arrive_everyone(general, 10)
    small = measure()
    monkeypatch.setattr(engine_class, "run_querystring", original)
    add_members(_org(), 1000)
    _arrive_everyone(general, 500, skip=10)
    for day in range(2, 30):
        call_meeting(client, days=day, title=f"Board meeting {day}")
    monkeypatch.setattr(engine_class, "run_querystring", counting)
    assert measure() == small, dict(zip(pages, small, strict=True))
    # Lists are bounded: 20 meetings a page, 50 arrivals a page, 20 members found by a search.
    listing = client.get("/o/riverside/meetings").text
    assert (
        len(
            re.findall(
                r'<td class="govuk-table__cell"><a class="govuk-link" href="/o/riverside/meetings/', listing
            )
        )
        == 20
    )
    next_page = re.search(r'href="(/o/riverside/meetings\?after=[^"]+)" rel="next"', listing)
    assert next_page and client.get(next_page.group(1).replace("&amp;", "&")).status_code == 200
    attendance = client.get(f"/o/riverside/meetings/{general}/attendance?q=Member").text
    assert len(re.findall(r'name="member" value=', attendance)) <= 20
    assert len(re.findall(r"/leave", attendance)) <= 50 and "<select" not in attendance


def test_a_notice_to_1000_members_goes_in_batches_once_each(demo, client, settings):
    from coop.jobs.tables import Job
    from coop.members.tables import Member, MemberLetter

    add_members(_org(), 1000)
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=40, title="Big general meeting")
    add_item(client, meeting, "Accounts")
    assert post_form(client, f"/o/riverside/meetings/{meeting}/notice", {}).status_code == 303
    send_on = meeting_row(meeting)["notice_send_on"]
    if isinstance(send_on, str):
        from datetime import date

        send_on = date.fromisoformat(send_on)
    at = datetime.combine(send_on, time(12, 0), tzinfo=UTC)
    run_jobs(settings, at=at)
    run_jobs(settings, at=at + timedelta(minutes=1))
    row = meeting_row(meeting)
    assert row["status"] == "notice_sent"
    members = run(Member.count().where((Member.organisation == _org()) & Member.ceased_on.is_null()))
    letters = run(
        MemberLetter.select(MemberLetter.member).where(
            MemberLetter.subject == "Notice of meeting: Big general meeting"
        )
    )
    assert len(letters) == len({r["member"] for r in letters}) == row["notice_letters"]
    assert row["notice_letters"] + row["notice_emails"] == members
    batches = run(Job.count().where(Job.kind == "meeting.notice"))
    assert batches >= members // 200
