"""Documents and letters to post in the browser, JavaScript on and off, by keyboard, with axe and the page
checks on each new page: the secretary finds the documents from the overview, reads the register of
members and downloads it as a tagged PDF, opens the letters to post, downloads a vote's postal ballot
packs, and looks up a returned ballot paper by its reference (a wrong one first)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.coop.documents.pdfs import PdfFacts, pdf_facts
from tests.e2e.checks import check_error_summary, fill_by_keyboard, follow_link, tab_to
from tests.e2e.test_membership_journeys import HELEN, NewPage, States, arrive, press

pytestmark = pytest.mark.e2e

VOTE_TITLE = "Commission a shared personal assistant (PA) service"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def download(page: Page, link_name: str | re.Pattern[str]) -> PdfFacts:
    """Tab to a download link, press Enter, and read the PDF that arrives."""
    link = page.get_by_role("link", name=link_name).first
    with page.expect_download() as arrived:
        tab_to(page, link)
        page.keyboard.press("Enter")
    path = arrived.value.path()
    assert arrived.value.suggested_filename.endswith(".pdf")
    return pdf_facts(Path(path).read_bytes())


def test_the_secretary_downloads_documents_and_ballot_packs(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    page = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    page.goto("/o/riverside/")
    follow_link(page, "Founding documents, registers and letters to post")
    arrive(page, "Documents")
    follow_link(page, "Register of members")
    arrive(page, "Register of members")
    register = download(page, "Download this document as a PDF")
    assert register.tagged and register.language == "en-GB" and "Amara Okafor" in register.text

    follow_link(page, "Back to documents")
    arrive(page, "Documents", check=False)
    follow_link(page, "Letters and postal ballot packs to print and post")
    arrive(page, "Letters to post")
    expect(page.locator("#ballot-packs ~ .coop-table-wrapper")).to_contain_text(VOTE_TITLE)
    follow_link(page, re.compile(rf"^{re.escape(VOTE_TITLE)}"))
    arrive(page, "Postal ballot packs")
    packs = download(page, re.compile(r"^Print (all \d+ packs|packs 1 to \d+) \(PDF\)$"))
    assert packs.tagged and "Ballot paper" in packs.text and "How to return your ballot paper" in packs.text
    reference = re.search(r"Return reference: (\d+-\d+-\d+)", packs.text)
    assert reference is not None

    follow_link(page, "Enter a returned ballot paper by its reference")
    arrive(page, "Enter a returned ballot paper")
    fill_by_keyboard(page, page.locator("#reference"), "1-0001-00")
    press(page, "Continue")
    messages = check_error_summary(page, javascript=javascript)
    assert messages == ["This return reference is not right: check each number against the ballot paper"]
    arrive(page, "Enter a returned ballot paper")
    field = page.locator("#reference")
    field.fill("")
    fill_by_keyboard(page, field, reference.group(1))
    press(page, "Continue")
    arrive(page, "Enter a paper or in-room ballot")
    expect(page.locator("#member option:checked")).not_to_have_text("Select a member")
