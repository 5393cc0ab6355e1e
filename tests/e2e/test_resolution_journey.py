"""A written resolution in the browser, JavaScript on and off (A16), by keyboard (A3), with axe and the page
checks on each new page (A1): the secretary drafts one (first meeting the errors), sends it round, a member
agrees to it online, and the secretary records a signed paper copy by register number.

Each run makes its own resolution with a unique title, so it never changes what other browser tests see."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.checks import check_error_summary, fill_by_keyboard, follow_link, tab_to
from tests.e2e.test_membership_journeys import HELEN, NewPage, States, arrive, banner, choose, press

pytestmark = pytest.mark.e2e

JAMIE = "jamie@riverside.example"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_a_written_resolution_from_draft_to_agreement(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    title = f"Buy a minibus {secrets.token_hex(3).upper()}"
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    helen.goto("/o/riverside/")
    follow_link(helen, "Resolutions")
    arrive(helen, "Written resolutions")
    follow_link(helen, "Draft a written resolution")
    arrive(helen, "Draft a written resolution")
    press(helen, "Save draft")
    messages = check_error_summary(helen, javascript=javascript)
    assert "Enter a short title for the resolution" in messages
    fill_by_keyboard(helen, helen.locator("#title"), title)
    fill_by_keyboard(helen, helen.locator("#text"), "That the company buys a wheelchair-accessible minibus.")
    fill_by_keyboard(helen, helen.locator("#easy_read"), "We want to buy a minibus.\nIt will have a ramp.")
    choose(helen, "kind", "ordinary")
    choose(helen, "removes", "no")
    press(helen, "Save draft")
    arrive(helen, title)
    banner(helen, "The draft has been saved")
    press(helen, "Send it round to members")
    banner(helen, "The resolution has been sent round")
    check = helen.locator("main")
    expect(check).to_contain_text("Sent round")
    expect(check).to_contain_text("Last day to agree")

    jamie = new_page(javascript=javascript, storage_state=signed_in_states(JAMIE))
    jamie.goto("/o/riverside/")
    follow_link(jamie, "Resolutions")
    arrive(jamie, "Written resolutions", check=False)
    follow_link(jamie, title)
    arrive(jamie, title)
    expect(jamie.locator("main")).to_contain_text("It will have a ramp.")
    press(jamie, "I agree to this resolution")
    banner(jamie, "Your agreement has been recorded")
    expect(jamie.locator("main")).to_contain_text("You agreed to this resolution on")
    expect(jamie.get_by_role("button", name="I agree to this resolution")).to_have_count(0)

    helen.reload()
    follow_link(helen, "Record a signed paper copy")
    arrive(helen, "Record a signed paper copy")
    fill_by_keyboard(helen, helen.locator("#entry_number"), "1")
    today = datetime.now(UTC).date()
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        fill_by_keyboard(helen, helen.locator(f"#received_{part}"), str(value))
    press(helen, "Record agreement")
    # Entry 1 (a founder) was eligible and has not agreed to this new resolution yet.
    banner(helen, "The signed paper copy has been recorded")
    expect(helen.locator("main")).to_contain_text("Agreed so far")
    expect(helen.locator("main")).to_contain_text("(2 members)")


def test_the_secretary_proposes_a_change_to_the_constitution(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    helen.goto("/o/riverside/resolutions")
    follow_link(helen, "Change the constitution")
    arrive(helen, "Change the constitution")
    title = f"Change the constitution {secrets.token_hex(3).upper()}"
    field = helen.locator("#title")
    field.fill("")
    fill_by_keyboard(helen, field, title)
    document = helen.locator("#document")
    tab_to(helen, document)
    text = document.input_value()
    assert "written_lapse_days = 28" in text
    document.fill(text.replace("written_lapse_days = 28", "written_lapse_days = 21"))
    press(helen, "Check the changes")
    arrive(helen, "Check the changes")
    expect(helen.locator("main")).to_contain_text("Changing the articles (the constitution)")
    press(helen, "Save as a draft written resolution")
    arrive(helen, title)
    banner(helen, "The draft has been saved")
    expect(helen.locator("main")).to_contain_text("This resolution changes the constitution")
