"""Standing for the board in the browser, JavaScript on and off (A16), by keyboard (A3), with axe and the
page checks on each new page (A1): a member reads the open call for nominations, meets the error for an
empty statement, stands, and the secretary sees the candidate; the secretary's call form is checked too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.checks import check_error_summary, fill_by_keyboard, follow_link
from tests.e2e.test_membership_journeys import HELEN, NewPage, States, arrive, banner, new_member, press

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_a_member_stands_for_the_board(javascript: bool, new_page: NewPage, signed_in_states: States) -> None:
    member, name, _ = new_member(new_page, signed_in_states, javascript, "Cara Candidate")
    member.goto("/o/riverside/board")
    follow_link(member, "Board elections")
    arrive(member, "Board elections")
    follow_link(member, "Election of directors at the next AGM")
    arrive(member, "Election of directors at the next AGM")
    press(member, "Stand for election")
    assert "Write a statement: who you are and what you would do on the board" in check_error_summary(
        member, javascript=javascript
    )
    fill_by_keyboard(member, member.locator("#statement"), f"I am {name}. I want a board that listens.")
    fill_by_keyboard(member, member.locator("#easy_read"), "I want to help run our company.")
    press(member, "Stand for election")
    banner(member, "You are standing in this election")
    expect(member.locator("main")).to_contain_text("I want a board that listens.")

    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    helen.goto("/o/riverside/board/elections")
    arrive(helen, "Board elections", check=False)
    follow_link(helen, "Call for nominations")
    arrive(helen, "Call for nominations")
    helen.goto("/o/riverside/board/elections")
    follow_link(helen, "Election of directors at the next AGM")
    expect(helen.locator("main")).to_contain_text(name)
