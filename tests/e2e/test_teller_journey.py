"""Tellers, in the browser by keyboard with axe on every new page: a director sets a teller passphrase, the
secretary chooses two tellers to hold a vote's key and opens it, members vote, and once voting has ended two
tellers come to the count (one mistypes first), the worker counts the vote and the result is published."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import (
    check_error_summary,
    check_page,
    choose_radio,
    fill_by_keyboard,
    press_button,
    tab_to,
)
from tests.e2e.conftest import Contexts
from tests.e2e.test_vote_journeys import app_database, off_the_browser_loop  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

SECRETARY = "helen@riverside.example"
AMARA, PRIYA = "amara@riverside.example", "priya@riverside.example"
PASSPHRASES = {AMARA: "amara keeps the first share safe", PRIYA: "priya keeps the second share safe"}
TITLE = "Tellers count this vote"


def _set_up_vote() -> int:
    from tests.coop.votes.helpers import make_vote

    return make_vote(open_it=False, title=TITLE, closes_in=timedelta(days=3))


def _priya_sets_her_passphrase() -> None:
    from coop.audit.service import SYSTEM
    from coop.settings import Settings
    from coop.votes.tellers import set_teller_key
    from tests.conftest import run
    from tests.coop.votes.helpers import member_id, org_id

    settings = Settings(teller_argon2_memory_kib=8, teller_argon2_time_cost=1)
    words = PASSPHRASES[PRIYA]
    run(set_teller_key(org_id(), member_id(PRIYA), words, words, settings=settings, actor=SYSTEM))


def _members_vote_and_voting_ends(vote_id: int) -> None:
    """Three members vote; then the closing time is moved to a minute ago, as the clock would reach it."""
    from coop.votes.tables import Vote
    from tests.conftest import run
    from tests.coop.votes.helpers import cast, now

    for email, choice in [
        ("jamie@riverside.example", "for"),
        ("sofia@riverside.example", "for"),
        ("grace@riverside.example", "against"),
    ]:
        assert cast(vote_id, email, choice).counted
    run(Vote.update({Vote.closes_at: now() - timedelta(minutes=1)}).where(Vote.id == vote_id))


def tick(page: Page, label: str) -> None:
    tab_to(page, page.get_by_label(label))
    page.keyboard.press("Space")


def replace_by_keyboard(page: Page, label: str, text: str) -> None:
    tab_to(page, page.get_by_label(label))
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def _page_for(contexts: Contexts, signed_in_states: Callable[[str], Any], email: str) -> Page:
    return contexts.new(storage_state=signed_in_states(email))


def test_two_tellers_come_and_the_result_is_published(
    contexts: Contexts,
    signed_in_states: Callable[[str], Any],
    app_database: None,  # noqa: F811
) -> None:
    vote_id = off_the_browser_loop(_set_up_vote)
    off_the_browser_loop(_priya_sets_her_passphrase)
    vote_path = f"/o/riverside/votes/{vote_id}"

    # Amara sets her teller passphrase: a mismatch first, then the same words twice.
    amara = _page_for(contexts, signed_in_states, AMARA)
    amara.goto("/o/riverside/votes")
    amara.get_by_role("link", name="your teller passphrase").click()
    expect(amara.get_by_role("heading", level=1)).to_have_text("Your teller passphrase")
    check_page(amara)
    fill_by_keyboard(amara, amara.get_by_label("Passphrase", exact=True), PASSPHRASES[AMARA])
    fill_by_keyboard(amara, amara.get_by_label("Type the passphrase again"), "something else entirely")
    press_button(amara, "Save my passphrase")
    assert check_error_summary(amara, javascript=True) == [
        "The passphrases do not match: type the same passphrase twice"
    ]
    check_page(amara)
    fill_by_keyboard(amara, amara.get_by_label("Passphrase", exact=True), PASSPHRASES[AMARA])
    fill_by_keyboard(amara, amara.get_by_label("Type the passphrase again"), PASSPHRASES[AMARA])
    press_button(amara, "Save my passphrase")
    expect(amara.get_by_text("Your teller passphrase is saved.")).to_be_visible()

    # The secretary chooses Amara and Priya, both needed, and opens the vote.
    helen = _page_for(contexts, signed_in_states, SECRETARY)
    helen.goto(vote_path)
    helen.get_by_role("link", name="Choose tellers to hold the key instead").click()
    expect(helen.get_by_role("heading", level=1)).to_have_text("Who holds the key to the ballots?")
    check_page(helen)
    choose_radio(helen, "Tellers (choose them below)")
    tick(helen, "Amara Okafor")
    tick(helen, "Priya Shah")
    replace_by_keyboard(helen, "How many tellers must come to count the vote?", "3")
    press_button(helen, "Save")
    assert check_error_summary(helen, javascript=True) == [
        "Enter how many tellers must come to count the vote: at least 2, and no more than the 2 tellers "
        "chosen"
    ]
    replace_by_keyboard(helen, "How many tellers must come to count the vote?", "2")
    press_button(helen, "Save")
    expect(helen.get_by_text("is split among 2 tellers")).to_be_visible()
    press_button(helen, "Open the vote")
    expect(helen.get_by_text("The vote is open.")).to_be_visible()

    off_the_browser_loop(lambda: _members_vote_and_voting_ends(vote_id))

    # Amara comes to the count: a wrong passphrase is refused, then hers opens her share.
    amara.goto(vote_path)
    expect(amara.get_by_text("Waiting for tellers (0 of 2 have come)")).to_be_visible()
    amara.get_by_role("link", name="Come to the count as a teller").click()
    expect(amara.get_by_role("heading", level=1)).to_have_text("Come to the count as a teller")
    check_page(amara)
    fill_by_keyboard(amara, amara.get_by_label("Your teller passphrase"), "not my passphrase at all")
    press_button(amara, "Open my share of the key")
    assert check_error_summary(amara, javascript=True) == [
        "That is not your teller passphrase. Check it and try again. "
        "You can try 4 more times in the next 15 minutes"
    ]
    fill_by_keyboard(amara, amara.get_by_label("Your teller passphrase"), PASSPHRASES[AMARA])
    press_button(amara, "Open my share of the key")
    expect(amara.get_by_text("1 of the 2 tellers needed have come.")).to_be_visible()
    expect(amara.get_by_text("Waiting for tellers (1 of 2 have come)")).to_be_visible()
    check_page(amara)

    # Priya comes, with JavaScript off: the count starts, and the worker publishes the result.
    priya = contexts.new(javascript=False, storage_state=signed_in_states(PRIYA))
    priya.goto(f"{vote_path}/count")
    fill_by_keyboard(priya, priya.get_by_label("Your teller passphrase"), PASSPHRASES[PRIYA])
    press_button(priya, "Open my share of the key")
    expect(priya.get_by_text("Enough tellers have come")).to_be_visible()
    for _ in range(100):  # the worker in the server closes the vote within moments
        if priya.get_by_role("link", name="See the result").count():
            break
        priya.wait_for_timeout(100)
        priya.goto(vote_path)
    priya.get_by_role("link", name="See the result").click()
    expect(priya).to_have_url(re.compile(rf"{vote_path}/results$"))
    expect(priya.locator("main")).to_contain_text(TITLE)
    expect(priya.locator("main table").first).to_contain_text("For")
