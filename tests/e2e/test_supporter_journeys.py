"""Journeys for the people who help or hand over, with JavaScript on and off, by keyboard, with axe-core
and the page checks on every new page: a supporter helps a member cast the member's own vote (issue #14
item 10), and the only secretary is asked who takes over before resigning (item 9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_error_summary, check_page, fill_by_keyboard, tab_to
from tests.e2e.test_vote_journeys import (  # noqa: F401 (app_database is a fixture used by name)
    app_database,
    choose_radio,
    continue_,
    off_the_browser_loop,
)

pytestmark = pytest.mark.e2e

MARIA = "maria@riverside.example"  # Sofia Rossi's supporter in the demo
HELEN = "helen@riverside.example"  # Riverside's only secretary
CONFIRM = "Sofia Rossi is with me, and these are Sofia Rossi's own choices"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def sofia_and_a_new_vote(title: str) -> tuple[str, int, int]:
    """Sofia Rossi's public id, her register id, and a new open motion (on the e2e server's database)."""
    from tests.coop.votes.helpers import make_vote, member_by_name

    def work() -> tuple[str, int, int]:
        sofia = member_by_name("Sofia Rossi")
        vote_id = make_vote(closes_in=timedelta(hours=2), title=title)
        return str(sofia["public_id"]), int(sofia["id"]), vote_id

    return off_the_browser_loop(work)


def what_was_recorded(vote_id: int, member_id: int) -> tuple[list[Any], list[str]]:
    """Who helped, on the vote's participations; and the subjects of the emails to Sofia."""
    from coop.mail.tables import OutboxMessage
    from coop.votes.tables import VoteParticipation
    from tests.conftest import run

    def work() -> tuple[list[Any], list[str]]:
        helped = run(
            VoteParticipation.select(VoteParticipation.assisted_by.email.as_alias("helper")).where(
                (VoteParticipation.vote == vote_id) & (VoteParticipation.member == member_id)
            )
        )
        mail = run(
            OutboxMessage.select(OutboxMessage.subject).where(
                OutboxMessage.to_address == "sofia@riverside.example"
            )
        )
        return [r["helper"] for r in helped], [m["subject"] for m in mail]

    return off_the_browser_loop(work)


def test_a_supporter_helps_a_member_cast_the_members_own_vote(
    javascript: bool,
    app_database: None,  # noqa: F811
    new_page: Callable[..., Page],
    signed_in_states: Callable[[str], Any],
) -> None:
    title = f"Assisted vote ({'with' if javascript else 'without'} JavaScript)"
    sofia, sofia_id, vote_id = sofia_and_a_new_vote(title)
    page = new_page(javascript=javascript, storage_state=signed_in_states(MARIA))
    page.goto(f"/o/riverside/supporting/{sofia}/votes/{vote_id}")
    expect(page.locator("main .govuk-inset-text").first).to_contain_text(
        "You are helping Sofia Rossi to vote"
    )
    check_page(page)
    continue_(page, "Help Sofia Rossi to vote")

    expect(page.locator("h1")).to_contain_text("how do you vote?")
    expect(page.locator("main .govuk-inset-text")).to_contain_text("This is Sofia Rossi's vote, not yours")
    expect(page).to_have_title(f"{title}: helping Sofia Rossi to vote - Riverside Shared Support CIC")
    check_page(page)
    choose_radio(page, "For")
    continue_(page)

    expect(page.locator("h1")).to_have_text("Check Sofia Rossi's vote before you cast it")
    expect(page.locator(".govuk-summary-list__row").first).to_contain_text("Sofia Rossi's vote")
    check_page(page)
    continue_(page, "Cast Sofia Rossi's vote")  # without confirming Sofia is there and chose
    assert check_error_summary(page, javascript=javascript) == [
        "Confirm that Sofia Rossi is with you and that these are Sofia Rossi's own choices"
    ]
    check_page(page)
    box = page.get_by_label(CONFIRM, exact=True)
    tab_to(page, box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    continue_(page, "Cast Sofia Rossi's vote")

    expect(page.locator("h1")).to_have_text("Sofia Rossi's vote has been cast")
    expect(page.locator("main")).to_contain_text("We will tell Sofia Rossi that you helped them vote.")
    check_page(page)
    helpers, subjects = what_was_recorded(vote_id, sofia_id)
    assert helpers == [MARIA]
    assert "Riverside Shared Support CIC: Maria Rossi helped you vote" in subjects


def test_the_only_secretary_is_asked_who_takes_over_before_resigning(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    page = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    page.goto("/o/riverside/me/leave")
    expect(page.locator("h2").filter(has_text="Who will take over")).to_have_text(
        "Who will take over as secretary?"
    )
    check_page(page)
    fill_by_keyboard(page, page.get_by_label("Search for a member by name"), "gra")
    continue_(page, "Search")
    expect(page.get_by_label("Grace Lee", exact=True)).to_be_visible()
    check_page(page)
    # Confirming without choosing anyone: refused, the error by the list, nothing changed.
    box = page.get_by_label("I want to resign my membership", exact=True)
    tab_to(page, box)
    page.keyboard.press("Space")
    continue_(page, "Resign")
    [message] = check_error_summary(page, javascript=javascript)
    assert message.startswith("You are the only secretary, and the organisation must always have one.")
    check_page(page)
    expect(page.get_by_label("Grace Lee", exact=True)).not_to_be_checked()
