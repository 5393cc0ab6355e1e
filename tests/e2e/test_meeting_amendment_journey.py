"""The secretary of a co-operative attaches a change of its rules to a special resolution on a general
meeting's agenda, by keyboard, and the show of hands that passes it adopts the change: JavaScript on and
off, axe and the page checks on each new page."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_error_summary, check_page, fill_by_keyboard, follow_link, tab_to
from tests.e2e.test_meeting_journey import fill_date, record_arrival
from tests.e2e.test_membership_journeys import NewPage, States, arrive, banner, choose, press

pytestmark = pytest.mark.e2e

LENA = "lena@northfield.example"
ITEM = "Change the rules on written resolutions"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _general_meeting(page: Page, title: str) -> None:
    page.goto("/o/northfield/meetings/new")
    choose(page, "kind", "general")
    fill_by_keyboard(page, page.locator("#title"), title)
    fill_date(page, "starts_on", datetime.now(UTC) + timedelta(days=1))
    fill_by_keyboard(page, page.locator("#time"), "18:30")
    fill_by_keyboard(page, page.locator("#place"), "The Carers' Centre")
    chair = page.locator("#chair")
    tab_to(page, chair)
    chair.select_option(label="Lena Novak")
    press(page, "Call the meeting")
    arrive(page, title, check=False)


def test_a_change_of_rules_attached_to_a_special_resolution_is_adopted_when_it_passes(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    title = f"Special general meeting {secrets.token_hex(2).upper()}"
    lena = new_page(javascript=javascript, storage_state=signed_in_states(LENA))
    _general_meeting(lena, title)
    meeting_url = lena.url
    fill_by_keyboard(lena, lena.locator("#title"), ITEM)
    choose(lena, "resolution_kind", "special")
    fill_by_keyboard(lena, lena.locator("#resolution_text"), "That the rules be changed as attached.")
    press(lena, "Add the item")
    banner(lena, "The item has been added to the agenda.")
    follow_link(lena, ITEM)
    arrive(lena, ITEM, check=False)
    follow_link(lena, "Change to the constitution this resolution makes")
    expect(lena.locator("h1")).to_have_text("Change to the constitution")
    check_page(lena)

    # Unchanged rules are refused by the field.
    press(lena, "Check the changes")
    assert check_error_summary(lena, javascript=javascript) == [
        "This is the same as the constitution in force: nothing would change"
    ]
    check_page(lena)
    rules = lena.locator("#document")
    days = 21 if javascript else 14
    changed = re.sub(r"written_lapse_days = \d+", f"written_lapse_days = {days}", rules.input_value())
    tab_to(lena, rules)
    lena.keyboard.press("ControlOrMeta+a")
    lena.keyboard.insert_text(changed)
    press(lena, "Check the changes")
    expect(lena.locator("h1")).to_have_text("Check the changes")
    expect(lena.locator("#changes")).to_contain_text(str(days))
    check_page(lena)
    press(lena, "Attach the changes to this resolution")
    expect(lena.locator("#amendment-state")).to_contain_text("Attached to this special resolution")
    check_page(lena)
    version = int(re.search(r"become version (\d+)", lena.locator("#amendment-state").inner_text()).group(1))

    # At the meeting: the members arrive and pass it on a show of hands.
    for name in ("Lena Novak", "Omar Farouk", "Priya Shah"):
        lena.goto(meeting_url + "/attendance")
        fill_by_keyboard(lena, lena.locator("#q"), name)
        press(lena, "Find")
        # The search is a plain GET form: wait for its page, or the next Tab lands on the page being left.
        expect(lena).to_have_url(re.compile(r"[?&]q=" + re.escape(quote_plus(name))))
        record_arrival(lena, name)
    lena.goto(meeting_url)
    follow_link(lena, ITEM)
    fill_by_keyboard(lena, lena.locator("#votes_for"), "3")
    fill_by_keyboard(lena, lena.locator("#votes_against"), "0")
    press(lena, "Record the vote")
    expect(lena.locator("main")).to_contain_text("The resolution passed")
    follow_link(lena, "Change to the constitution this resolution makes")
    expect(lena.locator("#amendment-state")).to_contain_text(f"these changes are version {version}")
    check_page(lena)
    lena.goto("/o/northfield/constitution")
    expect(lena.locator("main")).to_contain_text(f"{days} days")
