"""A board meeting from notice to signed minutes in the browser, JavaScript on and off (A16), keyboard
only (A3), with axe and the page checks on every new page (A1): the secretary calls the meeting (an
incomplete form is refused with the error summary), adds an item, sends the notice, records arrivals and
a declared conflict, records the vote, closes the meeting, drafts and edits the minutes, has them
approved at the next board meeting, and the chair signs them. Each run makes its own meetings."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_error_summary, check_page, fill_by_keyboard, follow_link, tab_to
from tests.e2e.conftest import Server
from tests.e2e.test_membership_journeys import HELEN, NewPage, States, arrive, banner, choose, press
from tests.e2e.test_vote_journeys import app_database, choose_radio, continue_, off_the_browser_loop

pytestmark = pytest.mark.e2e

__all__ = ["app_database"]  # a fixture this module uses, imported from the vote journeys

AMARA = "amara@riverside.example"  # a director, chair of the meeting
ITEM = "Contract with Bright Care"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def fill_date(page: Page, prefix: str, when: datetime) -> None:
    for part, value in (("day", when.day), ("month", when.month), ("year", when.year)):
        fill_by_keyboard(page, page.locator(f"#{prefix}_{part}"), str(value))


def call_meeting(page: Page, title: str, days: int, javascript: bool, *, first: bool) -> None:
    page.goto("/o/riverside/meetings")
    arrive(page, "Meetings", check=first)
    follow_link(page, "Call a meeting")
    arrive(page, "Call a meeting", check=first)
    choose(page, "kind", "board")
    fill_date(page, "starts_on", datetime.now(UTC) + timedelta(days=days))
    fill_by_keyboard(page, page.locator("#time"), "18:30")
    fill_by_keyboard(page, page.locator("#place"), "The Hub, 12 Mill Lane")
    chair = page.locator("#chair")
    tab_to(page, chair)
    chair.select_option(label="Amara Okafor")
    if first:  # the name is missing: refused, with the error summary
        press(page, "Call the meeting")
        assert check_error_summary(page, javascript=javascript) == [
            "Enter a name for the meeting, like Board meeting, March"
        ]
        check_page(page)
    fill_by_keyboard(page, page.locator("#title"), title)
    press(page, "Call the meeting")
    arrive(page, title, check=first)


def record_arrival(page: Page, name: str, mode: str = "In the room") -> None:
    # The button's visually hidden ": <name>" may be read with a space before the colon.
    button = page.get_by_role("button", name=re.compile(rf"^{mode}\s*:\s*{name}$"))
    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(page.locator("table").last).to_contain_text(name)


def the_notice_goes_out(page: Page, meeting_url: str, server: Server) -> None:
    """A notice goes out from 07:00 (UK time) on its day. From then the server's own worker sends it a
    moment after it is scheduled; before then the test runs the worker's due work itself, as the clock
    will stand at 07:00 (no sweeps: nothing else moves on), on the server's database."""
    seven = datetime.combine(datetime.now(LONDON).date(), time(7), tzinfo=LONDON)
    if datetime.now(UTC) < seven:
        off_the_browser_loop(lambda: run_the_worker_at(seven, server))
    for _ in range(50):
        page.goto(meeting_url)
        if page.locator("main", has_text="Notice went out on").count():
            return
        page.wait_for_timeout(200)


def run_the_worker_at(moment: datetime, server: Server) -> int:
    from coop.jobs.worker import Worker
    from coop.settings import Settings
    from tests.conftest import run

    settings = Settings.from_env(base_url=server.base_url, smtp_host="")
    return run(Worker(settings, clock=lambda: moment, worker_id="e2e-test", sweeps=[]).run_pending())


def test_a_board_meeting_from_notice_to_signed_minutes(
    javascript: bool, new_page: NewPage, signed_in_states: States, server: Server, app_database: None
) -> None:
    tag = secrets.token_hex(2).upper()
    title, next_title = f"Board meeting {tag}", f"Next board meeting {tag}"
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    call_meeting(helen, title, 20, javascript, first=True)
    meeting_url = helen.url

    # The agenda, then the notice, sent today: the worker sends it to each director.
    fill_by_keyboard(helen, helen.locator("#title"), ITEM)
    fill_by_keyboard(helen, helen.locator("#paper_easy_read"), "We want to buy help from Bright Care.")
    choose(helen, "resolution_kind", "board")
    fill_by_keyboard(helen, helen.locator("#resolution_text"), "That we sign the contract for one year.")
    press(helen, "Add the item")
    banner(helen, "The item has been added to the agenda.")
    fill_date(helen, "send_on", datetime.now(UTC))
    press(helen, "Schedule the notice")
    banner(helen, "The notice is scheduled.")
    the_notice_goes_out(helen, meeting_url, server)
    expect(helen.locator("main")).to_contain_text("clear days before the meeting")

    # The meeting: arrivals, a declared conflict, the vote.
    follow_link(helen, "Record who is here")
    arrive(helen, "Who is here")
    for name in ("Amara Okafor", "Daniel Price", "Helen Jones"):
        record_arrival(helen, name)
    record_arrival(helen, "Priya Shah", "Online")
    expect(helen.locator("main [role=status]")).to_contain_text("Quorate: 4 directors counted")
    follow_link(helen, "Back to the live meeting")
    arrive(helen, f"{title}: live")
    item = helen.locator("#item")
    tab_to(helen, item)
    item.select_option(label=f"1. {ITEM}")
    press(helen, "Show this item")
    expect(helen.locator("#live")).to_contain_text(f"Item 1: {ITEM}")
    follow_link(helen, "Declarations and the vote on the current item")
    arrive(helen, ITEM)
    director = helen.locator("#member")
    tab_to(helen, director)
    director.select_option(label="Priya Shah")
    fill_by_keyboard(helen, helen.locator("#nature"), "Her son works for Bright Care")
    press(helen, "Record the declaration")
    expect(helen.locator("main")).to_contain_text("Not counted in this item's quorum or vote")
    expect(helen.locator("main")).to_contain_text("Quorate: 3 directors counted")
    # A director follows the live page: with JavaScript it updates itself; without, they reload it.
    viewer = new_page(javascript=javascript, storage_state=signed_in_states(AMARA))
    viewer.goto(meeting_url + "/live")
    expect(viewer.locator("#live")).to_contain_text("No votes yet.")
    fill_by_keyboard(helen, helen.locator("#votes_for"), "4")
    press(helen, "Record the vote")
    expect(helen.locator(".govuk-error-summary")).to_contain_text("only 3 people may vote on this item")
    check_page(helen)
    votes_for = helen.locator("#votes_for")
    tab_to(helen, votes_for)
    votes_for.fill("")
    helen.keyboard.type("3")
    press(helen, "Record the vote")
    expect(helen.locator("main")).to_contain_text("The resolution passed")
    if not javascript:
        viewer.reload()
    expect(viewer.locator("#live")).to_contain_text("passed (3 for, 0 against", timeout=15_000)
    viewer.close()
    follow_link(helen, "Back to the live meeting")
    expect(helen.locator("#live")).to_contain_text("passed (3 for, 0 against")
    press(helen, "Close the meeting")
    banner(helen, "The meeting has closed.")

    # Minutes: drafted from the record, edited, approved at the next meeting, signed by the chair.
    follow_link(helen, "Minutes")
    arrive(helen, "Minutes")
    press(helen, "Draft the minutes")
    banner(helen, "drafted from the record")
    minutes = helen.locator("#minutes")
    expect(minutes).to_contain_text("Priya Shah declared an interest (Her son works for Bright Care)")
    tab_to(helen, minutes)
    helen.keyboard.press("End")
    helen.keyboard.press("Control+End")
    helen.keyboard.type("\nThe chair thanked everyone.")
    press(helen, "Save the draft")
    banner(helen, "The minutes have been saved.")
    minutes_url = helen.url.split("?")[0]

    call_meeting(helen, next_title, 27, javascript, first=False)
    follow_link(helen, "Record who is here")
    record_arrival(helen, "Helen Jones")
    helen.goto(minutes_url)
    approving = helen.locator("#approved_at")
    tab_to(helen, approving)
    options = approving.locator("option", has_text=next_title)
    approving.select_option(value=options.first.get_attribute("value"))
    press(helen, "Record the approval")
    banner(helen, "approved")

    amara = new_page(javascript=javascript, storage_state=signed_in_states(AMARA))
    amara.goto(minutes_url)
    arrive(amara, "Minutes")
    press(amara, "Sign the minutes")
    banner(amara, "The minutes are signed and locked.")
    expect(amara.locator("main")).to_contain_text("Signed by Amara Okafor")
    expect(amara.locator("main")).to_contain_text("The chair thanked everyone.")
    amara.goto("/o/riverside/meetings/resolutions")
    arrive(amara, "Register of resolutions")
    expect(amara.locator("main")).to_contain_text(title)
    amara.goto("/o/riverside/meetings/interests")
    arrive(amara, "Register of directors' interests")


DANIEL = "daniel@riverside.example"  # a director


def vote_for_online(page: Page, item_url: str, *, check: bool) -> None:
    """From the item's page to the vote's ballot, For, check your vote, cast: all by keyboard."""
    page.goto(item_url)
    follow_link(page, "Vote on this resolution")
    expect(page.locator("h1")).to_contain_text(ITEM)
    tab_to(page, page.get_by_role("button", name="Vote now", exact=True))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("how do you vote?")
    if check:
        check_page(page)
    choose_radio(page, "For")
    continue_(page)
    expect(page.locator("h1")).to_have_text("Check your vote before you cast it")
    continue_(page, "Cast my vote")
    expect(page.locator("h1")).to_have_text("Your vote has been cast")


def test_a_board_item_put_to_an_online_vote_of_the_directors_present(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    """The secretary puts the item to an online vote of the directors here (without the one who declared
    an interest); each votes on their own device; once all have, the vote closes early through the votes
    engine and the result is the item's, on the live page too (updating itself, or on reload)."""
    title = f"Board meeting online {secrets.token_hex(2).upper()}"
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    call_meeting(helen, title, 20, javascript, first=False)
    meeting_url = helen.url
    fill_by_keyboard(helen, helen.locator("#title"), ITEM)
    choose(helen, "resolution_kind", "board")
    fill_by_keyboard(helen, helen.locator("#resolution_text"), "That we sign the contract for one year.")
    press(helen, "Add the item")
    banner(helen, "The item has been added to the agenda.")
    follow_link(helen, "Record who is here")
    for name in ("Amara Okafor", "Daniel Price", "Helen Jones"):
        record_arrival(helen, name)
    record_arrival(helen, "Priya Shah", "Online")
    follow_link(helen, "Back to the live meeting")
    item = helen.locator("#item")
    tab_to(helen, item)
    item.select_option(label=f"1. {ITEM}")
    press(helen, "Show this item")
    follow_link(helen, "Declarations and the vote on the current item")
    arrive(helen, ITEM, check=False)
    item_url = helen.url
    director = helen.locator("#member")
    tab_to(helen, director)
    director.select_option(label="Priya Shah")
    fill_by_keyboard(helen, helen.locator("#nature"), "Her son works for Bright Care")
    press(helen, "Record the declaration")
    expect(helen.locator("main")).to_contain_text("Not counted in this item's quorum or vote")

    press(helen, "Open the online vote")
    expect(helen.locator("#online-vote")).to_contain_text("0 of 3 have voted")
    check_page(helen)
    viewer = new_page(javascript=javascript, storage_state=signed_in_states(AMARA))
    viewer.goto(meeting_url + "/live")
    expect(viewer.locator("#live")).to_contain_text("0 of 3 have voted")
    check_page(viewer)

    vote_for_online(helen, item_url, check=True)
    daniel = new_page(javascript=javascript, storage_state=signed_in_states(DANIEL))
    vote_for_online(daniel, item_url, check=False)
    daniel.close()
    if not javascript:
        viewer.reload()
    expect(viewer.locator("#live")).to_contain_text("2 of 3 have voted", timeout=15_000)
    vote_for_online(viewer, item_url, check=False)

    # Everyone who may vote has: the secretary closes it early from the vote's own page.
    helen.goto(item_url)
    expect(helen.locator("#online-vote")).to_contain_text("3 of 3 have voted")
    follow_link(helen, "The vote's own page")
    press(helen, "Close the vote and count")
    helen.wait_for_url("**/results")
    helen.goto(item_url)
    expect(helen.locator("main")).to_contain_text("In an online vote of those present: 3 for, 0 against")
    expect(helen.locator("main")).to_contain_text("The resolution passed")
    check_page(helen)
    viewer.goto(meeting_url + "/live")
    expect(viewer.locator("#live")).to_contain_text("passed (3 for, 0 against")
