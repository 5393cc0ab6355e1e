"""The documents pages of the demo organisation (not founded in coop): the registers and the membership
application form as pages and as tagged PDFs, for the board and secretary only."""

from __future__ import annotations

import html

from tests.conftest import make_client
from tests.coop.documents.pdfs import pdf_facts
from tests.coop.helpers import page_text, sign_in

SECRETARY = "helen@riverside.example"
MEMBER = "jamie@riverside.example"


def test_the_secretary_lists_the_documents_and_reads_the_register_of_members(demo, client) -> None:
    sign_in(client, SECRETARY)
    index = client.get("/o/riverside/documents")
    assert index.status_code == 200
    text = html.unescape(page_text(index.text))
    assert "Register of members" in text and "Membership application form" in text
    # The demo organisation was not set up in coop: no founders' answers, so no articles.
    assert 'href="/o/riverside/documents/articles"' not in index.text
    assert "was not set up in coop" in text
    register = client.get("/o/riverside/documents/register-of-members")
    assert register.status_code == 200
    assert "Amara Okafor" in register.text and "Download this document as a PDF" in register.text


def test_the_register_of_members_pdf_is_tagged_has_its_language_and_the_members(demo, client) -> None:
    sign_in(client, SECRETARY)
    response = client.get("/o/riverside/documents/register-of-members/pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="riverside-register-of-members.pdf"' in response.headers["content-disposition"]
    facts = pdf_facts(response.content)
    assert facts.tagged and facts.language == "en-GB"
    assert facts.title == "Register of members - Riverside Shared Support CIC"
    assert "Amara Okafor" in facts.text and "Jamie Carter" in facts.text


def test_the_application_form_and_directors_register_come_as_pdfs(demo, client) -> None:
    sign_in(client, SECRETARY)
    form = pdf_facts(client.get("/o/riverside/documents/membership-application-form/pdf").content)
    assert form.tagged
    assert "Budget holder" in form.text
    assert "I want to become a member of Riverside Shared Support CIC" in form.text
    directors = pdf_facts(client.get("/o/riverside/documents/register-of-directors/pdf").content)
    assert directors.tagged and "Register of directors" in directors.text
    assert "Helen Jones" in directors.text


def test_a_member_without_a_board_role_cannot_see_documents(demo, client) -> None:
    sign_in(client, MEMBER)
    assert client.get("/o/riverside/documents").status_code == 403
    assert client.get("/o/riverside/documents/register-of-members/pdf").status_code == 403


def test_an_unknown_document_or_a_founding_document_without_answers_is_not_found(demo, client) -> None:
    sign_in(client, SECRETARY)
    assert client.get("/o/riverside/documents/no-such-thing").status_code == 404
    assert client.get("/o/riverside/documents/articles/pdf").status_code == 404


def test_every_member_gets_the_board_register_pdf_and_only_the_board_sees_private_particulars(
    demo, client
) -> None:
    sign_in(client, MEMBER)
    board = client.get("/o/riverside/board")
    assert 'href="/o/riverside/board/pdf"' in board.text
    public = pdf_facts(client.get("/o/riverside/board/pdf").content)
    assert public.tagged and "Helen Jones" in public.text
    assert "The public register." in public.text and "do not publish" not in public.text
    with make_client(demo) as secretary:
        sign_in(secretary, SECRETARY)
        private = pdf_facts(secretary.get("/o/riverside/board/pdf").content)
    assert (
        "Includes private particulars (home addresses and full dates of birth): do not publish."
        in private.text
    )


def test_a_register_of_1000_members_comes_in_bounded_parts(demo, client) -> None:
    from tests.coop.members.helpers import add_members, member_row

    add_members(int(member_row("Jamie Carter")["organisation"]), 1_000, prefix="Postal")
    sign_in(client, SECRETARY)
    first = client.get("/o/riverside/documents/register-of-members")
    assert first.text.count('<th scope="row" class="govuk-table__header">') == 500
    assert "Next part" in first.text
    pdf = pdf_facts(client.get("/o/riverside/documents/register-of-members/pdf").content)
    assert "Amara Okafor" in pdf.text and "Postal 00999" not in pdf.text
    after = first.text.split("register-of-members?after=", 1)[1].split('"', 1)[0]
    last_part = client.get(f"/o/riverside/documents/register-of-members?after={after}")
    assert last_part.text.count('<th scope="row" class="govuk-table__header">') == 500
    third = last_part.text.split("register-of-members?after=", 1)[1].split('"', 1)[0]
    end = client.get(f"/o/riverside/documents/register-of-members?after={third}")
    assert "Postal 00999" in end.text and "Next part" not in end.text


def test_the_overview_links_the_board_to_its_documents_and_not_other_members(demo, client) -> None:
    sign_in(client, SECRETARY)
    assert 'href="/o/riverside/documents"' in client.get("/o/riverside/").text
    with make_client(demo) as member:
        sign_in(member, MEMBER)
        assert 'href="/o/riverside/documents"' not in member.get("/o/riverside/").text


def test_the_overview_shows_the_compliance_calendar_to_every_member(demo, client) -> None:
    from datetime import date

    from coop.documents.compliance import upcoming_deadlines
    from tests.conftest import run
    from tests.coop.members.helpers import member_row

    sign_in(client, MEMBER)
    text = html.unescape(page_text(client.get("/o/riverside/").text))
    assert "Coming up: dates to meet" in text
    assert "Community interest company report (CIC34)" in text and "Confirmation statement" in text
    # Riverside adopted its constitution on 3 April 2023; its year ends on 31 March.
    found = run(upcoming_deadlines(int(member_row("Jamie Carter")["organisation"]), date(2026, 5, 1)))
    dates = {d.key: d.due for d in found}
    assert dates["accounts"] == dates["cic34"] == date(2026, 12, 31)
    assert dates["confirmation_statement"] == date(2027, 4, 17)
    assert dates["agm"] == date(2026, 12, 31)  # its rules retire directors by rotation at the AGM
