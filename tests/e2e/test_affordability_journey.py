"""A purchase the pool cannot fund never reaches a vote (issue 14, item 7), in the browser with JavaScript on
and off. The secretary proposes 20 hours (£1,200) from a pool with £1,000: the form comes back with an
error summary whose message gives the figures and leads to the quantity; she asks for 15 hours (£900),
the check page shows the cost a week and what the pool has uncommitted, and the vote opens. A member sees
the same figures on the vote's page and on the ballot itself. axe and the page checks run on every page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_error_summary, check_page, fill_by_keyboard, tab_to
from tests.e2e.test_commissioning_journey import fill_period_by_keyboard
from tests.e2e.test_vote_journeys import (
    app_database,  # noqa: F401  (a fixture this module uses)
    continue_,
    javascript,  # noqa: F401  (a fixture this module uses: with JavaScript on, then off)
    off_the_browser_loop,
    press,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def pool_and_offer(app_database: None, javascript: bool) -> Iterator[dict[str, Any]]:  # noqa: F811
    """A pool holding £1,000 (£500 from each of two people) and a provider selling hours at £60."""
    from tests.coop.budgets.helpers import make_pool
    from tests.coop.commissioning.helpers import make_offer

    variant = "with JavaScript" if javascript else "without JavaScript"

    def work() -> dict[str, Any]:
        setup = make_pool(contributors=2, deposit_pence=50_000, name=f"Allotment pool {variant}")
        offer = make_offer(setup.organisation_id, price_pence=6_000, name=f"Hedge and Hoe CIC {variant}")
        return {
            "setup": setup,
            "offer": offer,
            "pool": f"Allotment pool {variant}",
            "provider": f"Hedge and Hoe CIC {variant}",
        }

    yield off_the_browser_loop(work)


def _replace_by_keyboard(page: Page, field_id: str, text: str) -> None:
    tab_to(page, page.locator(f"#{field_id}"))
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_an_unaffordable_purchase_is_refused_with_the_figures_and_the_ballot_shows_them(
    javascript: bool,  # noqa: F811
    pool_and_offer: dict[str, Any],
    new_page: Callable[..., Page],
    signed_in_states: Callable[[str], Any],
) -> None:
    setup, offer, pool = pool_and_offer["setup"], pool_and_offer["offer"], pool_and_offer["pool"]

    helen = new_page(javascript=javascript, storage_state=signed_in_states("helen@riverside.example"))
    helen.goto(f"/o/riverside/commissioning/offers/{offer['public_id']}/propose?pool={setup.pool_public_id}")
    expect(helen.locator("h1")).to_have_text("Propose buying Support worker")
    check_page(helen)
    fill_by_keyboard(helen, helen.locator("#quantity"), "20")
    fill_period_by_keyboard(helen)
    fill_by_keyboard(helen, helen.locator("#vote_days"), "7")
    continue_(helen)

    # Refused where the proposal is made: the summary leads to the quantity, and says by how much.
    messages = check_error_summary(helen, javascript=javascript)
    assert messages == [
        f"{pool} cannot pay for this: it costs £1,200.00, but the pool has £1,000.00 not yet committed, so "
        "it can take on at most £1,000.00. Buy less, or add money to the pool first."
    ]
    check_page(helen)

    _replace_by_keyboard(helen, "quantity", "15")
    continue_(helen)
    expect(helen.locator("h1")).to_have_text("Check the proposal before sending it")
    main = helen.locator("main")
    expect(main).to_contain_text("About £68.48 a week, over 92 days")
    expect(main).to_contain_text("£1,000.00")
    expect(main).to_contain_text("Left after this purchase")
    check_page(helen)
    continue_(helen, "Open the members' vote")
    expect(helen.locator("h1")).to_have_text(f"Support worker from {pool_and_offer['provider']}")
    check_page(helen)
    vote_url = helen.get_by_role("link", name="Vote on this proposal").get_attribute("href") or ""

    # A member weighing it up sees what it costs and what the pool has, before and on the ballot.
    jamie = new_page(javascript=javascript, storage_state=signed_in_states("jamie@riverside.example"))
    jamie.goto(vote_url)
    expect(jamie.locator("main")).to_contain_text("Cost each week")
    expect(jamie.locator("main")).to_contain_text("Left after this purchase")
    check_page(jamie)
    press(jamie, jamie.get_by_role("button", name="Vote now"))
    expect(jamie.locator(".govuk-inset-text").first).to_have_text(
        "This costs £900.00 for 1 May 2026 to 31 July 2026: about £68.48 a week. "
        f"{pool} has £1,000.00 not yet committed, so £100.00 would be left after this purchase."
    )
    check_page(jamie)
