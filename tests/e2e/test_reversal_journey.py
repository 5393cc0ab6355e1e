"""Reversing a payment in the browser, with JavaScript (htmx swaps the form and its check step in place)
and without: the treasurer sets up a pool of his own (so no other test's pages change), pays from it for
support given in April (the service dates checked by the field), then reverses the payment: a missing
reason is explained next to the field, the check page comes before the binding step, and the statement
shows the payment and its reversal side by side. By keyboard, with axe and the page checks on every page
(A1, A3, A7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_error_summary, check_page, fill_by_keyboard, follow_link
from tests.e2e.test_budget_journeys import (
    _check_date_error,
    _choose,
    _fill_date,
    _press_button,
    _record_money_in,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_the_treasurer_reverses_a_payment_and_the_statement_shows_the_pair(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    pool_name = f"Reversal pool ({'with' if javascript else 'without'} JavaScript)"
    daniel = new_page(javascript=javascript, storage_state=signed_in_states("daniel@riverside.example"))
    daniel.goto("/o/riverside/budgets")
    _press_button(daniel, "Create a pool")
    fill_by_keyboard(daniel, daniel.locator("#name"), pool_name)
    fill_by_keyboard(daniel, daniel.locator("#purpose"), "Trying out reversals")
    _choose(daniel, "Equal shares")
    _choose(daniel, "Carry it forward to the next period")
    _press_button(daniel, "Create pool")
    expect(daniel.locator("h1")).to_have_text(pool_name)
    pool_url = daniel.url.split("?")[0]
    follow_link(daniel, "Add a person")
    # Found by a name search, then chosen with the button on her result.
    fill_by_keyboard(daniel, daniel.locator("#q"), "Grace Lee")
    _press_button(daniel, "Search")
    expect(daniel.locator("#q")).to_have_value("Grace Lee")  # the results page has arrived
    _press_button(daniel, "Choose Grace Lee")
    _press_button(daniel, "Add to the pool")
    _record_money_in(daniel, "Grace Lee", "100", "Direct payment", "Riverside Borough Council")
    daniel.goto(pool_url)

    # A small payment, paid at once.
    _press_button(daniel, "Record a payment")
    fill_by_keyboard(daniel, daniel.locator("#payee"), "Ace Support Ltd")
    fill_by_keyboard(daniel, daniel.locator("#description"), "Paid twice by mistake")
    fill_by_keyboard(daniel, daniel.locator("#amount"), "30")
    # Support given in April, recorded now: a wrong period is explained by the field, then put right.
    _fill_date(daniel, "service_start", "20", "4", "2026")
    _fill_date(daniel, "service_end", "6", "4", "2026")
    _press_button(daniel, "Continue")
    message = "The last day of the service must be the same as or after the first day"
    _check_date_error(daniel, "service_end", message, javascript=javascript)
    check_page(daniel)
    _fill_date(daniel, "service_end", "26", "4", "2026")
    _press_button(daniel, "Continue")
    expect(daniel.locator("main")).to_contain_text("20 April 2026 to 26 April 2026")
    check_page(daniel)
    _press_button(daniel, "Record payment")
    expect(daniel.locator("h1")).to_contain_text("Payment recorded")

    # Reverse it: first without a reason, then with one, through the check page.
    follow_link(daniel, "Reverse this payment")
    expect(daniel.locator("h1")).to_contain_text("Reverse payment")
    check_page(daniel)
    _press_button(daniel, "Continue")
    assert check_error_summary(daniel, javascript=javascript) == ["Say why this is being reversed"]
    check_page(daniel)
    fill_by_keyboard(daniel, daniel.locator("#reason"), "The bank paid this twice")
    _press_button(daniel, "Continue")
    expect(daniel.locator("h1")).to_have_text("Check the reversal before recording it")
    expect(daniel.locator("main")).to_contain_text("£30.00 will come back into the pool")
    if javascript:
        expect(daniel.locator("h1")).to_be_focused()  # htmx swapped the step in; focus follows it
    check_page(daniel)
    button = daniel.get_by_role("button", name="Reverse ", exact=False)
    _press_button(daniel, button.inner_text().strip())
    expect(daniel.locator(".govuk-panel__title")).to_have_text("Reversal recorded")
    check_page(daniel)
    reversal_reference = daniel.locator(".govuk-panel__body strong").inner_text().strip()

    # The statement shows both, linked, and Grace has her £50 back.
    daniel.goto(pool_url)
    follow_link(daniel, "Grace Lee")
    expect(daniel.locator("h1")).to_have_text("Statement for Grace Lee")
    main = daniel.locator("main")
    expect(main).to_contain_text(f"Reversed by {reversal_reference}")
    expect(main).to_contain_text("Reverses ")
    expect(main).to_contain_text("Closing balance £100.00")
    expect(main).to_contain_text("20 Apr 2026 to 26 Apr 2026")  # the period it was for, by the recorded day
    check_page(daniel)
