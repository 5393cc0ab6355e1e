"""The register at any size: stored entry numbers (given once, in order, never changed, distinct under
concurrent admissions), keyset pages whose cost does not grow with the register, a search, the CSV
streamed in batches, and no writes on GET (a resignation that has taken effect shows from its date)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import make_client, run
from tests.coop.budgets.helpers import make_pool
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.members.helpers import add_members, member_row

SECRETARY = "helen@riverside.example"
MEMBER = "jamie@riverside.example"
ENTRY_NUMBERS_MIGRATION = "2026-12-07T10:34:33:000000"


def _org() -> int:
    return int(member_row("Jamie Carter")["organisation"])


def _numbers(organisation: int) -> dict[str, int]:
    from coop.members.tables import Member

    rows = run(Member.select(Member.name, Member.entry_number).where(Member.organisation == organisation))
    return {r["name"]: r["entry_number"] for r in rows}


def _table_first_cells(html: str) -> list[str]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [page_text(c).strip() for c in re.findall(r"<tr[^>]*>\s*<td[^>]*>(.*?)</td>", body, re.S)]


def _link(html: str, rel: str) -> str | None:
    """The href of the pager's previous/next link."""
    match = re.search(rf'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="{rel}"', html)
    return match.group(1).replace("&amp;", "&") if match else None


# ------------------------------------------------------------------------------------- entry numbers


def test_entry_numbers_are_given_in_order_and_never_change(demo, client):
    from coop.members.tables import Member

    organisation = _org()
    before = _numbers(organisation)
    # The demo's entries are numbered 1..n in the order they were made.
    assert sorted(before.values()) == list(range(1, len(before) + 1))
    sign_in(client, SECRETARY)
    for name in ("Dot Cotton", "Ethel Skinner"):
        response = post_form(
            client,
            "/o/riverside/register/new",
            {
                "name": name,
                "member_class": "family_carer",
                "admitted_day": "5",
                "admitted_month": "3",
                "admitted_year": "2025",
                "contact_by": "post",
                "address": "7 Bridge Street",
            },
        )
        assert response.status_code == 303
    after = _numbers(organisation)
    assert after["Dot Cotton"] == len(before) + 1 and after["Ethel Skinner"] == len(before) + 2
    # Another organisation counts from its own 1.
    assert sorted(_numbers(int(member_row("Omar Farouk", "northfield")["organisation"])).values())[0] == 1

    jamie = member_row("Jamie Carter")
    assert (
        post_form(
            client, f"/o/riverside/register/{jamie['public_id']}/cease", {"reason": "ceased"}
        ).status_code
        == 303
    )
    assert _numbers(organisation) == after  # ceasing changes nobody's number
    register = client.get("/o/riverside/register?q=Jamie")
    assert _table_first_cells(register.text) == [str(jamie["entry_number"])]
    assert "Ceased" in page_text(register.text)
    # The database itself refuses to renumber an entry.
    with pytest.raises(Exception, match="never changes"):
        run(Member.update({Member.entry_number: 999}).where(Member.id == jamie["id"]))
    assert _numbers(organisation) == after


def test_the_back_fill_gives_the_numbers_the_register_showed(demo, monkeypatch):
    """Entries made before the numbers were stored get the numbers the register used to work out: their
    place in their organisation's entries in id order, in batches (3 here, to cross batch edges)."""
    import importlib

    from piccolo.apps.migrations.commands.backwards import run_backwards
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from coop.members.tables import Member

    back = run(run_backwards(app_name="coop", migration_id=ENTRY_NUMBERS_MIGRATION, auto_agree=True))
    assert back.success, back.message
    assert set(_numbers(_org()).values()) == {None}
    # Entries of two organisations made alternately, as a real history would be.
    northfield = int(member_row("Omar Farouk", "northfield")["organisation"])
    for i in range(4):
        add_members(_org(), 1, prefix=f"Riverside late {i}")
        add_members(northfield, 1, prefix=f"Northfield late {i}")
    old_numbering = run(
        Member.raw(
            "SELECT m.id, (SELECT COUNT(*) FROM member e WHERE e.organisation = m.organisation "
            "AND e.id <= m.id) AS entry FROM member m"
        )
    )
    # The module Piccolo runs: it imports migrations by file name from their folder (on sys.path by now).
    migration = importlib.import_module("coop_2026_12_07t10_34_33_000000")
    monkeypatch.setattr(migration, "BATCH", 3)
    batches: list[int] = []
    original_query = migration.QueryString

    def spy(sql: str, *args: Any) -> Any:
        if sql.startswith("UPDATE member SET entry_number"):
            batches.append(args[0])  # where the batch starts numbering
        return original_query(sql, *args)

    monkeypatch.setattr(migration, "QueryString", spy)
    forward = run(run_forwards(app_name="coop"))
    assert forward.success, forward.message
    assert 0 in batches and 3 in batches and 6 in batches  # the module run is this one, in batches of 3
    stored = {r["id"]: r["entry_number"] for r in run(Member.select(Member.id, Member.entry_number))}
    assert stored == {r["id"]: r["entry"] for r in old_numbering}
    # And new entries carry on from there.
    add_members(northfield, 1, prefix="Northfield newest")
    assert _numbers(northfield)["Northfield newest 0"] == max(_numbers(northfield).values())
    assert sorted(_numbers(northfield).values()) == list(range(1, len(_numbers(northfield)) + 1))


def test_concurrent_admissions_get_distinct_consecutive_numbers(demo):
    """Many admissions at once (on PostgreSQL each on its own connection, as with several workers): every
    entry gets its own number and they run on without a gap."""
    from coop.db import write_transaction
    from coop.members.tables import Member

    organisation = _org()
    start = max(_numbers(organisation).values())

    async def admit(i: int) -> None:
        async with write_transaction():
            await Member.select(Member.id).where(Member.organisation == organisation).first()
            await asyncio.sleep(0)  # let the others start their transactions too
            await Member.insert(
                Member(
                    organisation=organisation,
                    name=f"Concurrent {i}",
                    member_class="family_carer",
                    admitted_on=date(2025, 1, 1),
                )
            )

    async def crowd() -> None:
        await asyncio.gather(*(admit(i) for i in range(24)))

    run(crowd())
    numbers = _numbers(organisation)
    given = [numbers[f"Concurrent {i}"] for i in range(24)]
    assert sorted(given) == list(range(start + 1, start + 25))


# ------------------------------------------------------------------------------------------- pages


def test_keyset_links_walk_the_whole_register_both_ways(demo, client):
    organisation = _org()
    add_members(organisation, 120)
    total = len(_numbers(organisation))
    sign_in(client, SECRETARY)
    seen: list[str] = []
    url: str | None = "/o/riverside/register"
    pages = 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        cells = _table_first_cells(page.text)
        assert 0 < len(cells) <= 50
        seen += cells
        url = _link(page.text, "next")
        pages += 1
    assert seen == [str(n) for n in range(1, total + 1)] and pages == -(-total // 50)
    # Backwards from the last page, through the previous links.
    last = client.get("/o/riverside/register?page=last")
    assert _table_first_cells(last.text) == [str(n) for n in range(total - 49, total + 1)]
    back = client.get(_link(last.text, "prev"))
    assert _table_first_cells(back.text) == [str(n) for n in range(total - 99, total - 49)]
    # Damaged, hostile or stale positions give a page, never an error.
    for query in (
        "after=!!!",
        "before=%00",
        "after=W10",
        "after=WzEyMzQ1Njc4OTAxMjM0NTY3ODkwXQ",
        "after=WzEwMDAwMF0",
    ):
        response = client.get(f"/o/riverside/register?{query}")
        assert response.status_code == 200, query
        assert len(_table_first_cells(response.text)) == 50


def test_no_page_lists_more_than_its_page_size(demo, client):
    from coop.budgets.tables import BudgetPool

    organisation = _org()
    make_pool(contributors=2)
    pool = run(BudgetPool.select(BudgetPool.public_id).first())
    add_members(organisation, 620)
    sign_in(client, SECRETARY)
    register = client.get("/o/riverside/register")
    assert len(_table_first_cells(register.text)) == 50
    assert len(_table_first_cells(client.get("/o/riverside/register/print").text)) == 500
    assert (
        len(re.findall(r'href="/o/riverside/members/[^"]+">', client.get("/o/riverside/register/index").text))
        == 50
    )
    members = client.get("/o/riverside/members")
    assert len(_table_first_cells(members.text)) == 50 and "?after=" in members.text
    people = client.get(f"/o/riverside/budgets/{pool['public_id']}/people")
    assert people.status_code == 200
    assert len(re.findall(r'name="member" value="\d+"', people.text)) == 20
    assert "<select" not in people.text


def test_query_counts_do_not_grow_with_the_register(demo, client, monkeypatch):
    """Each page makes the same number of queries with 10 members and with 1,000."""
    from coop.budgets.tables import BudgetPool
    from coop.db import current_engine

    make_pool(contributors=2)
    pool = run(BudgetPool.select(BudgetPool.public_id).first())
    queries: list[str] = []
    engine_class = type(current_engine())
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        queries.append(str(querystring))
        return await original(self, querystring, in_pool)

    sign_in(client, SECRETARY)
    pages = [
        "/o/riverside/register",
        "/o/riverside/register?page=last",
        "/o/riverside/register?q=Member",
        "/o/riverside/register/index?page=last",
        "/o/riverside/register/print",
        "/o/riverside/members",
        "/o/riverside/members?page=last",
        "/o/riverside/members?q=Member",
        f"/o/riverside/budgets/{pool['public_id']}/people",
        f"/o/riverside/budgets/{pool['public_id']}/people?q=Member",
    ]

    def measure() -> list[int]:
        counts = []
        for url in pages:
            client.get(url)  # warm: the session and CSRF cookies settle first
            queries.clear()
            assert client.get(url).status_code == 200, url
            counts.append(len(queries))
        return counts

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    small = measure()
    add_members(_org(), 1000 - len(_numbers(_org())))
    assert len(_numbers(_org())) == 1000
    assert measure() == small
    assert max(small) <= 5, dict(zip(pages, small, strict=True))


def test_search_the_register_and_the_members_list(demo, client):
    organisation = _org()
    add_members(organisation, 80)
    sign_in(client, SECRETARY)
    found = client.get("/o/riverside/register?q=ben+williams")
    assert [c for c in _table_first_cells(found.text)] == [str(member_row("Ben Williams")["entry_number"])]
    by_number = client.get("/o/riverside/register?q=3")
    assert _table_first_cells(by_number.text) == ["3"]  # an entry number finds that entry
    # Searching pages too, keeping the search in the links.
    many = client.get("/o/riverside/register?q=member")
    assert "80 entries matching" in page_text(many.text)
    next_page = _link(many.text, "next")
    assert next_page and "q=member" in next_page
    assert len(_table_first_cells(client.get(next_page).text)) == 30
    listing = client.get("/o/riverside/members?q=WILLIAMS")
    assert "Ben Williams" in listing.text and "Jamie Carter" not in listing.text
    assert "No current members match" in client.get("/o/riverside/members?q=zzzz").text


# ---------------------------------------------------------------------------------------------- CSV


def test_the_csv_streams_in_batches_and_matches_the_pages(demo, client):
    from coop.members import register

    organisation = _org()
    add_members(organisation, 2_100)
    total = len(_numbers(organisation))

    async def chunks() -> list[str]:
        stream = register.register_csv(organisation)
        first = await anext(stream)  # the heading row, before any entry is read
        assert first.startswith("Entry,Name,")
        return [first] + [chunk async for chunk in stream]

    parts = run(chunks())
    assert len(parts) == 1 + -(-total // register.CSV_BATCH)
    assert all(part.count("\r\n") <= register.CSV_BATCH for part in parts)
    sign_in(client, SECRETARY)
    export = client.get("/o/riverside/register/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, total + 1)]
    assert export.text == "".join(parts)


# ------------------------------------------------------------------------------------- no GET writes


def test_pages_write_nothing_and_a_resignation_shows_from_its_day(demo, settings):
    from coop.audit.tables import AuditEvent
    from coop.members import register
    from coop.members.tables import Member, MemberEvent

    jamie = member_row("Jamie Carter")
    yesterday = date.today() - timedelta(days=1)
    run(Member.update({Member.leaving_on: yesterday}).where(Member.id == jamie["id"]))
    with make_client(settings) as secretary, make_client(settings) as member:
        sign_in(secretary, SECRETARY)
        sign_in(member, MEMBER)
        events, audit = run(MemberEvent.count()), run(AuditEvent.count())
        register_page = page_text(secretary.get("/o/riverside/register?q=Jamie").text)
        assert "Resigned" in register_page and f"{yesterday.day} {yesterday:%B %Y}" in register_page
        assert "Jamie Carter" not in secretary.get("/o/riverside/members").text
        assert member.get("/o/riverside/me").status_code == 404  # their access ended on the day
        secretary.get("/o/riverside/register/index")
        secretary.get("/o/riverside/register/print")
        assert run(MemberEvent.count()) == events and run(AuditEvent.count()) == audit
        assert member_row("Jamie Carter")["ceased_on"] is None  # nothing was written by a GET
        # Other members no longer see their page either.
        with make_client(settings) as grace:
            sign_in(grace, "grace@riverside.example")
            assert grace.get(f"/o/riverside/members/{jamie['public_id']}").status_code == 404
    # The daily job (`coop settle-resignations`) writes it down: the entry ends, with event and audit.
    from click.testing import CliRunner

    from coop.cli import main

    result = CliRunner().invoke(main, ["settle-resignations"])
    assert result.exit_code == 0 and "1 resignation written down" in result.output, result.output
    row = member_row("Jamie Carter")
    assert row["ceased_on"] == yesterday and row["ceased_reason"] == "resigned"
    assert run(MemberEvent.count()) == events + 1
    assert run(register.settle_all_due_resignations()) == 0


def test_the_workers_sweep_writes_down_a_resignation_on_its_day_and_not_before(demo, settings):
    """No cron needed: every worker's sweep settles resignations that have taken effect, once."""
    from datetime import UTC, datetime

    from coop.members.tables import Member, MemberEvent
    from tests.coop.jobs.helpers import run_jobs

    jamie = member_row("Jamie Carter")
    tomorrow = date.today() + timedelta(days=1)
    run(Member.update({Member.leaving_on: tomorrow}).where(Member.id == jamie["id"]))
    events = run(MemberEvent.count())
    run_jobs(settings)
    assert member_row("Jamie Carter")["ceased_on"] is None  # not yet: it takes effect tomorrow
    on_the_day = datetime.combine(tomorrow, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    run_jobs(settings, at=on_the_day)
    run_jobs(settings, at=on_the_day, worker_id="another-worker")
    row = member_row("Jamie Carter")
    assert row["ceased_on"] == tomorrow and row["ceased_reason"] == "resigned"
    assert run(MemberEvent.count()) == events + 1  # written down once, however many workers swept


def test_opening_a_vote_writes_down_resignations_in_effect_first(demo):
    """The roll is written from the written register, so opening a vote (a write already) settles first:
    a member whose resignation took effect yesterday is not on it."""
    from coop.members.tables import Member
    from coop.votes.tables import VoteRoll
    from tests.coop.votes.helpers import make_vote

    jamie = member_row("Jamie Carter")
    run(Member.update({Member.leaving_on: date.today() - timedelta(days=1)}).where(Member.id == jamie["id"]))
    vote = make_vote()
    assert member_row("Jamie Carter")["ceased_reason"] == "resigned"
    roll = {r["member"] for r in run(VoteRoll.select(VoteRoll.member).where(VoteRoll.vote == vote))}
    assert roll and jamie["id"] not in roll
