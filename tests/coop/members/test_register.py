"""The register of members: who sees it, adding members who never sign in, export == page, index,
changes of class, resignation with notice, cessation, expulsion by the constitution's procedure."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from tests.conftest import make_client, run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.members.helpers import count, member_id, member_row

SECRETARY = "helen@riverside.example"
MEMBER = "jamie@riverside.example"


def test_only_the_board_sees_the_register(demo, client):
    sign_in(client, MEMBER)
    for url in (
        "/o/riverside/register",
        "/o/riverside/register/export.csv",
        "/o/riverside/register/print",
        "/o/riverside/register/new",
        "/o/riverside/applications",
        "/o/riverside/invitations",
    ):
        assert client.get(url).status_code == 403, url
    # Members see names and classes, never addresses or communication needs.
    page = client.get(f"/o/riverside/members/{member_id('Ben Williams')}")
    assert page.status_code == 200
    assert "Ben Williams" in page.text and "12 Mill Lane" not in page.text and "Large print" not in page.text
    listing = client.get("/o/riverside/members")
    assert "Ben Williams" in listing.text and "Mill Lane" not in listing.text


def test_register_shows_every_entry_with_address_class_and_dates(demo, client):
    sign_in(client, SECRETARY)
    page = client.get("/o/riverside/register")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Register of members" in text
    assert "12 Mill Lane, Riverside, RV1 2AB" in text
    assert "Budget holder" in text and "3 April 2023" in text and "£1.00" in text
    # The admitted applicant from the demo is on the register too.
    assert "Ruth Adeyemi" in text  # admitted through an application


def test_register_htmx_fragment(demo, client):
    sign_in(client, SECRETARY)
    page = client.get("/o/riverside/register", headers={"HX-Request": "true"})
    assert page.status_code == 200 and page.headers["vary"] == "HX-Request"
    assert "<html" not in page.text and 'id="register"' in page.text


def _table_rows(html: str) -> list[list[str]]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([page_text(c).strip().replace("&#39;", "'").replace("&amp;", "&") for c in cells])
    return rows


def test_export_matches_the_register_page(demo, client):
    sign_in(client, SECRETARY)
    page = client.get("/o/riverside/register")
    export = client.get("/o/riverside/register/export.csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0][:2] == ["Entry", "Name"]
    assert rows[1:] == _table_rows(page.text)
    printable = client.get("/o/riverside/register/print")
    assert _table_rows(printable.text) == rows[1:]


def test_export_neutralises_spreadsheet_formulas(demo, client):
    sign_in(client, SECRETARY)
    response = post_form(
        client,
        "/o/riverside/register/new",
        {
            "name": '=HYPERLINK("http://evil.example")',
            "member_class": "family_carer",
            "admitted_day": "1",
            "admitted_month": "2",
            "admitted_year": "2025",
            "contact_by": "post",
            "address": "@SUM(A1:A9)\n1 Road",
        },
    )
    assert response.status_code == 303
    export = client.get("/o/riverside/register/export.csv").text
    rows = list(csv.reader(io.StringIO(export)))
    evil = next(r for r in rows if "HYPERLINK" in r[1])
    assert evil[1].startswith("'=") and evil[2].startswith("'@")
    assert all(not cell or cell[0] not in "=+-@\t\0" for row in rows for cell in row)


def test_secretary_adds_a_member_who_never_signs_in(demo, client):
    from coop.members.tables import Member, MemberEvent

    sign_in(client, SECRETARY)
    form = client.get("/o/riverside/register/new")
    assert form.status_code == 200 and "Add a member" in form.text
    before = count(Member)
    bad = post_form(client, "/o/riverside/register/new", {"contact_by": "post"})
    assert bad.status_code == 422 and "<title>Error: Add a member" in bad.text
    for message in (
        "Enter their full name",
        "Choose a membership class",
        "Enter the date they were admitted",
        "Enter their postal address",
    ):
        assert message in bad.text
    assert count(Member) == before  # nothing changed
    future = date.today() + timedelta(days=3)
    assert (
        post_form(
            client,
            "/o/riverside/register/new",
            {
                "name": "Dot Cotton",
                "member_class": "family_carer",
                "admitted_day": str(future.day),
                "admitted_month": str(future.month),
                "admitted_year": str(future.year),
                "contact_by": "phone",
            },
        ).status_code
        == 422
    )
    done = post_form(
        client,
        "/o/riverside/register/new",
        {
            "name": "Dot Cotton",
            "member_class": "family_carer",
            "admitted_day": "5",
            "admitted_month": "3",
            "admitted_year": "2025",
            "contact_by": "post",
            "address": "7 Bridge Street\nRiverside",
            "phone": "01234 567890",
        },
    )
    assert done.status_code == 303
    row = member_row("Dot Cotton")
    assert row["person"] is None and row["contact_by"] == "post" and row["admitted_on"] == date(2025, 3, 5)
    assert row["guarantee_pence"] == 100
    events = run(MemberEvent.select().where(MemberEvent.member == row["id"]))
    assert [e["kind"] for e in events] == ["admitted"]
    page = client.get(done.headers["location"])
    assert "Dot Cotton has been added to the register" in page.text and "7 Bridge Street" in page.text


def test_another_organisations_member_is_not_found(demo, client):
    sign_in(client, SECRETARY)
    omar = member_id("Omar Farouk", "northfield")
    for url in (f"/o/riverside/members/{omar}",):
        response = client.get(url)
        assert response.status_code == 404 and "Omar" not in response.text
    for action in ("class", "resign", "cease", "contact", "needs", "expulsion"):
        response = post_form(
            client,
            f"/o/riverside/register/{omar}/{action}",
            {"member_class": "family_carer", "confirm": "yes", "reason": "died"},
        )
        assert response.status_code == 404, action
    assert member_row("Omar Farouk", "northfield")["ceased_on"] is None
    # And the other organisation's pages themselves are a 404 for Helen.
    assert client.get("/o/northfield/register").status_code == 404
    assert "Omar" not in client.get("/o/riverside/register/export.csv").text


def test_change_of_class_is_recorded(demo, client):
    sign_in(client, SECRETARY)
    ruth = member_id("Ruth Adeyemi")
    bad = post_form(client, f"/o/riverside/register/{ruth}/class", {"member_class": "professional"})
    assert bad.status_code == 422 and "Choose a different class" in bad.text
    assert (
        post_form(client, f"/o/riverside/register/{ruth}/class", {"member_class": "family_carer"}).status_code
        == 303
    )
    assert member_row("Ruth Adeyemi")["member_class"] == "family_carer"
    page = client.get(f"/o/riverside/members/{ruth}")
    assert "Membership class changed" in page.text and "(to family carer)" in page.text


def test_a_ceased_member_keeps_their_entry_and_loses_every_right_at_once(demo, settings):
    with make_client(settings) as secretary, make_client(settings) as jamie:
        sign_in(secretary, SECRETARY)
        sign_in(jamie, MEMBER)
        assert jamie.get("/o/riverside/me").status_code == 200
        jamie_id = member_id("Jamie Carter")
        bad = post_form(secretary, f"/o/riverside/register/{jamie_id}/cease", {})
        assert bad.status_code == 422 and "Choose why the membership ends" in bad.text
        assert (
            post_form(secretary, f"/o/riverside/register/{jamie_id}/cease", {"reason": "ceased"}).status_code
            == 303
        )
        for url in ("/o/riverside/", "/o/riverside/me", "/o/riverside/members", "/o/riverside/me/data.json"):
            assert jamie.get(url).status_code == 404, url
        assert post_form(jamie, "/o/riverside/me/leave", {"confirm": "yes"}).status_code == 404
        row = member_row("Jamie Carter")
        assert row["ceased_on"] == date.today() and row["ceased_reason"] == "ceased"
        register = page_text(secretary.get("/o/riverside/register").text)
        assert "Jamie Carter" in register and "Ceased" in register
        # Gone from the members' list, still on the register; members cannot open the entry any more.
        assert "Jamie Carter" not in secretary.get("/o/riverside/members").text
        with make_client(settings) as grace:
            sign_in(grace, "grace@riverside.example")
            assert grace.get(f"/o/riverside/members/{jamie_id}").status_code == 404


def test_resignation_takes_effect_after_the_constitutions_notice(demo, client):
    from coop.members.leaving import settle_due_resignations

    sign_in(client, MEMBER)
    form = client.get("/o/riverside/me/leave")
    assert "7 days' notice" in form.text
    assert post_form(client, "/o/riverside/me/leave", {}).status_code == 422
    response = post_form(client, "/o/riverside/me/leave", {"confirm": "yes"})
    assert response.status_code == 303
    row = member_row("Jamie Carter")
    assert row["leaving_on"] == date.today() + timedelta(days=7) and row["ceased_on"] is None
    assert client.get("/o/riverside/me").status_code == 200  # still a member during the notice
    org_id = row["organisation"]
    assert run(settle_due_resignations(org_id, date.today() + timedelta(days=6))) == 0
    assert run(settle_due_resignations(org_id, date.today() + timedelta(days=7))) == 1
    row = member_row("Jamie Carter")
    assert row["ceased_reason"] == "resigned" and row["ceased_on"] == date.today() + timedelta(days=7)
    assert client.get("/o/riverside/me").status_code == 404


def test_expulsion_only_by_the_constitutions_procedure(demo, client):
    from coop.members.tables import MemberEvent
    from tests.coop.members.helpers import outbox_to

    sign_in(client, SECRETARY)
    grace = member_id("Grace Lee")
    url = f"/o/riverside/register/{grace}/expulsion"
    # No deciding before notice and hearing.
    early = post_form(
        client, url, {"step": "decide", "decided_by": "board", "votes_for": "5", "votes_cast": "5"}
    )
    assert early.status_code == 422 and "written notice" in early.text
    assert post_form(client, url, {"step": "propose", "reasons": ""}).status_code == 422
    assert (
        post_form(client, url, {"step": "propose", "reasons": "Repeated abuse of staff."}).status_code == 303
    )
    mail = outbox_to("grace@riverside.example")
    assert mail and "right to be heard" in mail[-1]["body"] and "Repeated abuse of staff." in mail[-1]["body"]
    not_heard = post_form(
        client, url, {"step": "decide", "decided_by": "board", "votes_for": "5", "votes_cast": "5"}
    )
    assert not_heard.status_code == 422 and "Record what the member said" in not_heard.text
    assert post_form(client, url, {"step": "hearing", "how": "in_person", "statement": ""}).status_code == 422
    assert (
        post_form(
            client,
            url,
            {"step": "hearing", "how": "in_person", "statement": "Grace apologised and explained."},
        ).status_code
        == 303
    )
    too_soon = post_form(
        client, url, {"step": "decide", "decided_by": "board", "votes_for": "5", "votes_cast": "5"}
    )
    assert too_soon.status_code == 422 and "14 days&#39; notice" in too_soon.text
    assert member_row("Grace Lee")["ceased_on"] is None
    # 14 days later, the board decides; 3 of 5 is short of 75%, so the proposal falls.
    run(
        MemberEvent.update({MemberEvent.happened_on: date.today() - timedelta(days=14)}).where(
            MemberEvent.kind == "expulsion_proposed"
        )
    )
    wrong_body = post_form(
        client, url, {"step": "decide", "decided_by": "general_meeting", "votes_for": "5", "votes_cast": "5"}
    )
    assert wrong_body.status_code == 422 and "the board decides" in wrong_body.text
    assert (
        post_form(
            client, url, {"step": "decide", "decided_by": "board", "votes_for": "3", "votes_cast": "5"}
        ).status_code
        == 303
    )
    assert member_row("Grace Lee")["ceased_on"] is None
    # A fresh proposal, heard, decided with 4 of 5: expelled, entry kept.
    assert post_form(client, url, {"step": "propose", "reasons": "Further abuse."}).status_code == 303
    run(
        MemberEvent.update({MemberEvent.happened_on: date.today() - timedelta(days=15)}).where(
            (MemberEvent.kind == "expulsion_proposed") & (MemberEvent.happened_on == date.today())
        )
    )
    assert post_form(client, url, {"step": "hearing", "how": "declined", "statement": ""}).status_code == 303
    assert (
        post_form(
            client, url, {"step": "decide", "decided_by": "board", "votes_for": "4", "votes_cast": "5"}
        ).status_code
        == 303
    )
    row = member_row("Grace Lee")
    assert row["ceased_reason"] == "expelled" and row["ceased_on"] == date.today()
    history = page_text(client.get(f"/o/riverside/members/{grace}").text)
    for words in (
        "Told of a proposal to expel them",
        "Heard about the proposal",
        "Decided not to expel",
        "Expelled",
    ):
        assert words in history


def test_index_of_names_when_over_fifty_members(demo, client):
    from coop.members.tables import Member

    sign_in(client, SECRETARY)
    assert "Index of names" not in client.get("/o/riverside/register").text
    org = member_row("Jamie Carter")["organisation"]
    run(
        Member.insert(
            *[
                Member(
                    organisation=org,
                    name=f"Member {i:02d}",
                    member_class="family_carer",
                    admitted_on=date(2025, 1, 1),
                )
                for i in range(45)
            ]
        )
    )
    page = client.get("/o/riverside/register")
    # Keyset pages have no page numbers: the register links to the next page and to the last.
    assert "Index of names" in page.text and "?after=" in page.text and "?page=last" in page.text
    index = client.get("/o/riverside/register/index")
    assert index.status_code == 200
    names = re.findall(r'href="/o/riverside/members/[^"]+">([^<]+)</a>', index.text)
    assert names == sorted(names) and len(names) == 50
