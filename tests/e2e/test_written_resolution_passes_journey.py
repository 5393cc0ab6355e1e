"""A written resolution passed in the browser, JavaScript on and off (A16), by keyboard only (A3), with axe
and the page checks (A1) on every page with JavaScript on, and on the pages that differ from the other
journeys (50%, passed, the registers) with it off.

In an organisation of its own with four members (made with `coop create-org`, so nobody else joins it and
there are exactly four eligible votes): the secretary drafts an ordinary resolution and sends it round;
two members agree online, which is exactly 50% of all eligible votes and does not pass it; the secretary
records a third member's signed paper copy, which passes it; the register of written resolutions lists it
as passed, and the register of resolutions of meetings points to it."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.checks import check_error_summary, check_page, fill_by_keyboard, follow_link
from tests.e2e.conftest import Server
from tests.e2e.founding import Founder, found
from tests.e2e.test_membership_journeys import NewPage, States, arrive, banner, choose, open_details, press

pytestmark = pytest.mark.e2e

SLUG = "weirside"
HELEN = "helen@riverside.example"
JAMIE = "jamie@riverside.example"
KWAME = "kwame@riverside.example"
# The founders' register numbers follow their order: Sofia, who signs on paper, is number 4.
FOUNDERS = (
    Founder("Helen Jones", HELEN, "family_carer", director=True, secretary=True),
    Founder("Jamie Carter", JAMIE, "budget_holder", director=True),
    Founder("Kwame Mensah", KWAME, "family_carer", director=True),
    Founder("Sofia Rossi", "sofia@riverside.example", "budget_holder", director=True),
)
SOFIA_ENTRY = "4"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture(scope="module")
def weirside(server: Server) -> str:
    return found(server, "Weirside Support CIC", SLUG, FOUNDERS)


def draft_and_send_round(helen: Page, title: str, *, javascript: bool) -> str:
    helen.goto(f"/o/{SLUG}/")
    follow_link(helen, "Resolutions")
    arrive(helen, "Written resolutions", check=javascript)
    follow_link(helen, "Draft a written resolution")
    arrive(helen, "Draft a written resolution", check=False)
    press(helen, "Save draft")
    assert "Enter a short title for the resolution" in check_error_summary(helen, javascript=javascript)
    if javascript:
        check_page(helen)
    fill_by_keyboard(helen, helen.locator("#title"), title)
    fill_by_keyboard(helen, helen.locator("#text"), "That the company opens a drop-in on Saturdays.")
    fill_by_keyboard(helen, helen.locator("#easy_read"), "We want to open on Saturdays.\nYou can drop in.")
    choose(helen, "kind", "ordinary")
    choose(helen, "removes", "no")
    press(helen, "Save draft")
    arrive(helen, title, check=javascript)
    banner(helen, "The draft has been saved")
    press(helen, "Send it round to members")
    banner(helen, "The resolution has been sent round")
    expect(status(helen)).to_have_text("Sent round")
    expect(agreed(helen)).to_have_text("0 of 4 eligible votes (0 members)")
    if javascript:
        check_page(helen)
    return helen.url.split("?")[0]


def status(page: Page) -> Locator:
    return page.locator("main strong.govuk-tag").first


def agreed(page: Page) -> Locator:
    return page.locator(".govuk-summary-list__row", has_text="Agreed so far").locator("dd")


def agree_online(page: Page, title: str, *, check: bool) -> None:
    page.goto(f"/o/{SLUG}/resolutions")
    arrive(page, "Written resolutions", check=False)
    follow_link(page, title)
    arrive(page, title, check=check)
    expect(page.locator("main")).to_contain_text("You can drop in.")
    press(page, "I agree to this resolution")
    banner(page, "Your agreement has been recorded")
    expect(page.locator("main")).to_contain_text("You agreed to this resolution on")


def test_a_written_resolution_passes_only_above_half_of_all_eligible_votes(
    javascript: bool, weirside: str, new_page: NewPage, signed_in_states: States
) -> None:
    title = f"Open on Saturdays {secrets.token_hex(3).upper()}"
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    url = draft_and_send_round(helen, title, javascript=javascript)

    jamie = new_page(javascript=javascript, storage_state=signed_in_states(JAMIE))
    agree_online(jamie, title, check=javascript)
    kwame = new_page(javascript=javascript, storage_state=signed_in_states(KWAME))
    agree_online(kwame, title, check=False)

    # Two of four: exactly 50% of all eligible votes does not pass an ordinary resolution.
    expect(status(kwame)).to_have_text("Sent round")
    expect(agreed(kwame)).to_have_text("2 of 4 eligible votes (2 members)")
    open_details(kwame, "How this is counted")
    expect(kwame.locator("details[open]")).to_contain_text(
        "more than 50% of all eligible votes: 2 of 4 is 50%"
    )
    check_page(kwame)

    # The secretary records Sofia's signed paper copy: three of four, and it passes.
    helen.goto(url)
    follow_link(helen, "Record a signed paper copy")
    arrive(helen, "Record a signed paper copy", check=javascript)
    fill_by_keyboard(helen, helen.locator("#entry_number"), SOFIA_ENTRY)
    today = datetime.now(UTC).date()
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        fill_by_keyboard(helen, helen.locator(f"#received_{part}"), str(value))
    press(helen, "Record agreement")
    banner(helen, "The resolution has passed")
    expect(status(helen)).to_have_text("Passed")
    expect(agreed(helen)).to_have_text("3 of 4 eligible votes (3 members)")
    expect(helen.locator(".govuk-summary-list__row", has_text="Passed on")).to_be_visible()
    expect(helen.get_by_role("link", name="Record a signed paper copy")).to_have_count(0)
    check_page(helen)

    # The register of resolutions of meetings points to the register of written resolutions, which lists it.
    helen.goto(f"/o/{SLUG}/meetings/resolutions")
    arrive(helen, "Register of resolutions")
    follow_link(helen, "register of written resolutions")
    arrive(helen, "Written resolutions", check=False)
    row = helen.locator("tbody tr", has_text=title)
    expect(row).to_contain_text("Passed")
    expect(row).to_contain_text(re.compile(r"Ordinary"))
