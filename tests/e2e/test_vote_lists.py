"""The votes list by state and the bulletin board in the browser, with JavaScript on and off: a member
moves from open votes to closed ones by keyboard, opens a closed election and its board; axe and the page
checks on every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_page, follow_link

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_a_member_lists_votes_by_state_and_reads_a_closed_votes_board(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    jamie = new_page(javascript=javascript, storage_state=signed_in_states("jamie@riverside.example"))
    jamie.goto("/o/riverside/votes")
    expect(jamie.locator("main h2").first).to_have_text("Open votes")
    expect(jamie.locator("main [aria-current=page]")).to_have_text("Open votes")
    expect(jamie.locator("main")).to_contain_text("Commission a shared personal assistant (PA) service")
    check_page(jamie)
    follow_link(jamie, "Closed votes")
    jamie.wait_for_load_state()
    expect(jamie.locator("main [aria-current=page]")).to_have_text("Closed votes")
    expect(jamie.locator("main")).not_to_contain_text("Commission a shared personal assistant")
    check_page(jamie)
    follow_link(jamie, "Election of two directors, 2026")
    expect(jamie.locator("main h1")).to_contain_text("Election of two directors, 2026")
    jamie.wait_for_load_state()
    check_page(jamie)
    jamie.goto(jamie.url.rstrip("/") + "/board")
    expect(jamie.locator("main table tbody tr").first).to_be_visible()
    check_page(jamie)
    jamie.goto("/o/riverside/votes?state=closed")
    follow_link(jamie, "Not yet open")
    expect(jamie.locator("main")).to_contain_text("There are no votes waiting to open.")
    check_page(jamie)
