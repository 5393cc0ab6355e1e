"""The pooled-budget journey in the browser, with JavaScript on and off: the secretary creates a pool of
her own (so no other test's pages change), adds two budget holders and records their money in; she asks
for a payment big enough to need two approvers, two other directors approve it; the member then finds it
on her statement, her direct-payment monitoring return (page and CSV) and the pool's open page. By
keyboard where a person types or chooses, with axe and the page checks on every page (A1, A3, A16)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_page, fill_by_keyboard, follow_link, tab_to

pytestmark = pytest.mark.e2e

PAYEE = "Riverside Gardening CIC"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _press_button(page: Page, name: str) -> None:
    """Tab to a button (or a link styled as one) and press Enter."""
    tab_to(page, page.get_by_role("button", name=name, exact=True))
    page.keyboard.press("Enter")


def _choose(page: Page, label: str) -> None:
    """Choose a radio by keyboard: Tab into its group, then arrow keys until it is checked."""
    radio = page.get_by_label(label, exact=True)
    group = page.locator(f"input[type=radio][name='{radio.get_attribute('name')}']")
    tab_to(page, group.first)
    page.keyboard.press("Space")  # checks the first; each arrow press then checks the next
    for _ in range(group.count()):
        if radio.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(radio).to_be_checked()


def _banner_says(page: Page, text: str, *, javascript: bool) -> None:
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(text)
    if javascript:  # GOV.UK Frontend moves focus to a success banner; wait for it, then Tab on from there
        expect(banner).to_be_focused()


def _check_date_error(page: Page, prefix: str, message: str, *, javascript: bool) -> None:
    """A7 for a date: the summary links to the day field; the message sits on the date's fieldset."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    if javascript:
        expect(summary).to_be_focused()
    link = summary.locator(f"a[href='#{prefix}_day']")
    expect(link).to_have_text(message)
    expect(page.locator(f"#{prefix}-error")).to_have_text(
        re.compile(rf"^\s*Error:\s*{re.escape(message)}\s*$")
    )
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{prefix}_day")).to_be_focused()


def _fill_date(page: Page, prefix: str, day: str, month: str, year: str) -> None:
    for part, value in (("day", day), ("month", month), ("year", year)):
        field = page.locator(f"#{prefix}_{part}")
        field.fill("")
        fill_by_keyboard(page, field, value)


def _figures(page: Page) -> dict[str, str]:
    cells = page.locator("[data-figure]")
    return {
        cells.nth(i).get_attribute("data-figure") or "": cells.nth(i).inner_text().strip()
        for i in range(cells.count())
    }


def _record_money_in(page: Page, person: str, amount: str, source: str, funder: str) -> None:
    _press_button(page, "Record money in")
    expect(page.locator("h1")).to_have_text("Record money in")
    check_page(page)
    _choose(page, person)
    fill_by_keyboard(page, page.locator("#amount"), amount)
    _choose(page, source)
    fill_by_keyboard(page, page.locator("#funder"), funder)
    _fill_date(page, "period_start", "1", "10", "2026")
    _fill_date(page, "period_end", "31", "12", "2026")
    _press_button(page, "Continue")
    expect(page.locator("h1")).to_have_text("Check the money in before recording it")
    check_page(page)
    _press_button(page, "Record money in")
    expect(page.locator("h1")).to_have_text("Money in recorded")
    check_page(page)


def test_money_in_a_two_approver_payment_and_what_the_member_sees(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    pool_name = f"Gardening group ({'with' if javascript else 'without'} JavaScript)"

    # The secretary creates her own pool and adds two budget holders.
    helen = new_page(javascript=javascript, storage_state=signed_in_states("helen@riverside.example"))
    helen.goto("/o/riverside/budgets")
    _press_button(helen, "Create a pool")
    expect(helen.locator("h1")).to_have_text("Create a pool")
    fill_by_keyboard(helen, helen.locator("#name"), pool_name)
    fill_by_keyboard(helen, helen.locator("#purpose"), "A gardener two mornings a week")
    _choose(helen, "Equal shares")
    _choose(helen, "Carry it forward to the next period")
    _press_button(helen, "Create pool")
    expect(helen.locator("h1")).to_have_text(pool_name)
    _banner_says(helen, "Pool created", javascript=javascript)
    pool_url = helen.url.split("?")[0]
    for person in ("Grace Lee", "Kwame Mensah"):
        follow_link(helen, "Add a person")
        expect(helen.locator("h1")).to_have_text("Add a person taking part")
        # Found by a name search (a GET form), then chosen with the button on their result.
        fill_by_keyboard(helen, helen.locator("#q"), person)
        _press_button(helen, "Search")
        expect(helen.locator("#q")).to_have_value(person)  # the results page, with the search kept
        check_page(helen)
        _press_button(helen, f"Choose {person}")
        expect(helen.locator("#member")).to_have_text(person)
        _press_button(helen, "Add to the pool")
        _banner_says(helen, "Person added to the pool", javascript=javascript)

    # Money in, each through check-your-answers.
    _record_money_in(helen, "Grace Lee", "400", "Direct payment", "Riverside Borough Council")
    helen.goto(pool_url)
    _record_money_in(helen, "Kwame Mensah", "400", "Personal health budget", "NHS Riverside")
    helen.goto(pool_url)
    expect(helen.locator(".govuk-summary-list").first).to_contain_text("£800.00")
    check_page(helen)

    # A payment over £500 waits for two other people to approve it.
    _press_button(helen, "Record a payment")
    fill_by_keyboard(helen, helen.locator("#payee"), PAYEE)
    fill_by_keyboard(helen, helen.locator("#description"), "Gardener, October")
    fill_by_keyboard(helen, helen.locator("#amount"), "600")
    _press_button(helen, "Continue")
    expect(helen.locator("h1")).to_have_text("Check the payment before recording it")
    check_page(helen)
    _press_button(helen, "Ask for approval")
    expect(helen.locator("h1")).to_have_text("Payment waiting for approval")
    expect(helen.locator("main")).to_contain_text("0 of 2 approvals")
    payment_url = helen.url
    assert helen.get_by_role("button", name="Approve this payment").count() == 0  # not her own request

    for approver, after in (("daniel", "1 of 2 approvals"), ("amara", "Payment recorded")):
        page = new_page(
            javascript=javascript, storage_state=signed_in_states(f"{approver}@riverside.example")
        )
        page.goto(payment_url)
        check_page(page)
        _press_button(page, "Approve this payment")
        expect(page.locator("main")).to_contain_text(after)
        check_page(page)

    # The board's list of returns links each person's return.
    helen.goto(pool_url)
    follow_link(helen, "Monitoring returns for each person")
    expect(helen.locator("h1")).to_have_text("Monitoring returns")
    check_page(helen)

    # The member: her statement, her monitoring return (page and CSV), the pool's open page.
    grace = new_page(javascript=javascript, storage_state=signed_in_states("grace@riverside.example"))
    grace.goto("/o/riverside/budgets")
    follow_link(grace, pool_name)
    expect(grace.locator("main")).to_contain_text("You have £100.00 in this pool")
    check_page(grace)
    follow_link(grace, "See your full statement")
    expect(grace.locator("h1")).to_have_text("Statement for Grace Lee")
    expect(grace.locator("main")).to_contain_text(f"{PAYEE}: Gardener, October")
    expect(grace.locator("main")).to_contain_text("Closing balance £100.00")
    check_page(grace)

    follow_link(grace, "Direct payment monitoring return for Grace Lee")
    expect(grace.locator("h1")).to_have_text("Direct payment monitoring return for Grace Lee")
    assert _figures(grace) == {
        "opening": "£0.00",
        "in": "£400.00",
        "out": "£300.00",
        "closing": "£100.00",
        "unspent": "£100.00",
    }
    main = grace.locator("main")
    expect(main).to_contain_text("Money in: Direct payment from Riverside Borough Council")
    expect(main.locator("table").nth(1)).to_contain_text(PAYEE)
    check_page(grace)
    tab_to(grace, grace.get_by_role("link", name="Download this return as a spreadsheet (CSV)"))
    with grace.expect_download() as download:
        grace.keyboard.press("Enter")
    path = download.value.path()
    assert path is not None
    text = path.read_bytes().decode("utf-8")
    assert re.search(rf'Bought,,,,,"Gardener, October",{PAYEE},,300\.00\r\n', text), text
    assert "Closing balance (£),100.00" in text

    # Another period, typed by keyboard: a wrong date is explained next to the field, then put right.
    _fill_date(grace, "from", "31", "2", "2025")
    _press_button(grace, "Show this period")
    _check_date_error(
        grace, "from", "The start date must be a real date, like 1 4 2026", javascript=javascript
    )
    check_page(grace)
    _fill_date(grace, "from", "1", "1", "2025")
    _fill_date(grace, "to", "31", "3", "2025")
    _press_button(grace, "Show this period")
    expect(grace.locator("main")).to_contain_text("No money came in during this period")
    assert _figures(grace)["closing"] == "£0.00"

    grace.goto(pool_url)
    follow_link(grace, "Where the money went: what the pool bought")
    expect(grace.locator("h1")).to_have_text("Where the money went")
    expect(grace.locator("svg.coop-chart")).to_be_visible()
    expect(grace.locator("table")).to_contain_text(PAYEE)
    expect(grace.locator("table")).to_contain_text("£600.00")
    expect(grace.locator(".govuk-summary-list__row", has_text="You have now")).to_contain_text("£100.00")
    check_page(grace)
