"""The secretary's spreadsheet import in the browser, with JavaScript on and off, by keyboard: a file coop
cannot read (the GOV.UK error summary by the file field), a file with problems (every problem listed,
each summary link leading to its row), and a clean file up to the check page. Nothing is added here
(the browser tests share one database; adding is tested over HTTP in tests/coop/members)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_error_summary, check_page, follow_link, tab_to

pytestmark = pytest.mark.e2e

WITH_PROBLEMS = b"name,member_class,admitted_on,contact_by\nAsha Patel,astronaut,31/02/2024,email\n"
CLEAN = (
    b"name,member_class,admitted_on,contact_by,address\nAsha Patel,family_carer,31/03/2024,post,1 Mill Lane\n"
)


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _send(page: Page, data: bytes) -> None:
    page.locator("#csv_file").set_input_files(
        files=[{"name": "members.csv", "mimeType": "text/csv", "buffer": data}]
    )
    tab_to(page, page.get_by_role("button", name="Check the file"))
    page.keyboard.press("Enter")


def test_the_secretary_checks_a_spreadsheet_before_adding_anyone(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    helen = new_page(javascript=javascript, storage_state=signed_in_states("helen@riverside.example"))
    helen.goto("/o/riverside/register")
    follow_link(helen, "Add members from a spreadsheet")
    expect(helen.locator("h1")).to_have_text("Add members from a spreadsheet")
    check_page(helen)

    _send(helen, b"name,favourite_colour\nAsha,green\n")
    assert check_error_summary(helen, javascript=javascript)[0].startswith(
        "The file has columns coop does not"
    )
    check_page(helen)

    _send(helen, WITH_PROBLEMS)
    expect(helen.locator("h2", has_text="Nothing has been added")).to_be_visible()
    summary = helen.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 1: Choose a membership class")
    expect(summary).to_contain_text("Row 1: Enter the date they were admitted")
    expect(helen.locator("#row-1-member_class")).to_contain_text("Choose a membership class")
    check_page(helen)

    _send(helen, CLEAN)
    expect(helen.locator("h1")).to_have_text("Add 1 member to the register")
    expect(helen.locator("main")).to_contain_text("Asha Patel")
    check_page(helen)
