"""A member checks a result themselves: the "check this result yourself" page recounts the published files
in the browser (coop/static/js/recount.mjs), by keyboard, shows its own count sheet and says it matches;
given a board file someone changed, it says what differs. Without JavaScript the page says how to check
the files with the Python checker instead. axe-core finds nothing on the page either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_page
from tests.e2e.test_vote_journeys import (
    MEMBER,
    app_database,  # noqa: F401 (a fixture)
    close_after_its_time,
    off_the_browser_loop,
)

pytestmark = pytest.mark.e2e
VOTERS = ["jamie@riverside.example", "helen@riverside.example", "sofia@riverside.example"]


def _closed_ranked_vote() -> int:
    from tests.coop.votes.helpers import cast
    from tests.coop.votes.helpers import make_vote as create_and_open

    def work() -> int:
        vote_id = create_and_open(
            kind="ranked", purpose="general", options=("Ash", "Birch", "Cedar"), title="Recount journey"
        )
        for email, choice in zip(VOTERS, ["0>1", "1>0", "2>1"], strict=True):
            assert cast(vote_id, email, choice).counted
        return vote_id

    vote_id = off_the_browser_loop(work)
    close_after_its_time(vote_id)
    return vote_id


@pytest.fixture(scope="module")
def vote_id(app_database: None) -> int:  # noqa: F811
    return _closed_ranked_vote()


def _recount_by_keyboard(page: Page, button: str) -> None:
    # The button is shown by the page's script once it is ready: focusing it earlier focuses nothing.
    expect(page.locator(button)).to_be_visible()
    page.locator(button).focus()
    expect(page.locator(button)).to_be_focused()
    page.keyboard.press("Enter")


def test_the_browser_recount_matches_and_shows_its_count_sheet(
    new_page: Callable[..., Page], signed_in_states: Callable[[str], Any], vote_id: int
) -> None:
    page = new_page(storage_state=signed_in_states(MEMBER))
    page.goto(f"/o/riverside/votes/{vote_id}/results")
    page.get_by_role("link", name="Check this result yourself").click()
    expect(page.locator("h1")).to_have_text("Check this result yourself")
    _recount_by_keyboard(page, "#recount-start")
    expect(page.locator(".govuk-panel__title")).to_have_text("Your recount matches the published result")
    expect(page.locator("#recount-no-js")).to_be_hidden()
    table = page.locator("#recount-sheet table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("thead th")).to_have_count(3)  # the option column and two stages
    check_page(page)


def test_a_changed_board_file_fails_in_the_browser_with_the_reason(
    new_page: Callable[..., Page], signed_in_states: Callable[[str], Any], vote_id: int
) -> None:
    page = new_page(storage_state=signed_in_states(MEMBER))
    page.goto(f"/o/riverside/votes/{vote_id}/recount")
    board = page.request.get(f"/o/riverside/votes/{vote_id}/board.json").json()
    results = page.request.get(f"/o/riverside/votes/{vote_id}/results.json").json()
    # Someone changed a ballot's first choice after the result was published (ballots are in tracker order,
    # which is random: the new choice must differ from whichever ballot comes first).
    first = board["ballots"][0]
    first[1] = "1" if first[1].startswith("0") else "0"
    page.locator("summary").click()
    files = {"board-file": board, "results-file": results}
    for field, body in files.items():
        page.locator(f"#{field}").set_input_files(
            {"name": f"{field}.json", "mimeType": "application/json", "buffer": json.dumps(body).encode()}
        )
    _recount_by_keyboard(page, "#recount-files")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Your recount does not match the published result")
    expect(summary).to_contain_text("The board's fingerprint is")
    expect(summary).to_contain_text("Stage 1: the sheet gives")
    check_page(page)


def test_without_javascript_the_page_explains_how_to_check_the_files(
    new_page: Callable[..., Page], signed_in_states: Callable[[str], Any], vote_id: int
) -> None:
    page = new_page(javascript=False, storage_state=signed_in_states(MEMBER))
    page.goto(f"/o/riverside/votes/{vote_id}/recount")
    expect(page.locator("#recount")).to_be_hidden()
    expect(page.locator("#recount-no-js")).to_be_visible()
    expect(page.locator("#recount-no-js")).to_contain_text("verify_board.py")
    expect(page.get_by_role("link", name="the bulletin board")).to_be_visible()
    check_page(page)
