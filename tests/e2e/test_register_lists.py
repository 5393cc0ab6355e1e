"""The register and the members list in the browser, with JavaScript on and off: searching by keyboard
(a plain GET form), the result shown with its stored entry number, clearing the search; axe and the page
checks on every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_page, fill_by_keyboard, follow_link, tab_to

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _search(page: Page, text: str) -> None:
    field = page.locator("#q")
    field.fill("")
    fill_by_keyboard(page, field, text)
    tab_to(page, page.get_by_role("button", name="Search", exact=True))
    page.keyboard.press("Enter")


def test_the_secretary_searches_the_register_and_the_members_list(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    helen = new_page(javascript=javascript, storage_state=signed_in_states("helen@riverside.example"))
    helen.goto("/o/riverside/register")
    check_page(helen)
    _search(helen, "ben williams")
    table = helen.locator("#register")
    expect(table.locator("caption")).to_contain_text("1 entry matching “ben williams”")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr td").first).to_have_text("8")  # his stored entry number
    check_page(helen)
    _search(helen, "no such person at all")
    expect(helen.locator("main")).to_contain_text("No entries match “no such person at all”.")
    check_page(helen)
    follow_link(helen, "Clear the search")
    expect(helen.locator("#q")).to_have_value("")

    helen.goto("/o/riverside/members")
    _search(helen, "WILLIAMS")
    expect(helen.locator("main table tbody tr")).to_have_count(1)
    expect(helen.locator("main table")).to_contain_text("Ben Williams")
    check_page(helen)
