"""Commissioning in the browser, with JavaScript on and off: propose -> members' vote -> contract -> invoice
-> payment -> statement. The secretary proposes buying a provider's service from a pool (her own pool and
provider, made through the service layer so no other test's pages change); the constitution says the
members decide, so a vote opens; a member votes by keyboard and others on paper; after the vote closes the
secretary agrees the contract and pays an invoice from it; a member who uses the service finds their share
on their statement. axe and the page checks run on every new page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_page, fill_by_keyboard, follow_link
from tests.e2e.test_vote_journeys import (
    Checks,
    app_database,  # noqa: F401  (a fixture this module uses)
    cast_and_keep_the_tracker,
    close_after_its_time,
    continue_,
    off_the_browser_loop,
    press,
    vote_in,
)

pytestmark = pytest.mark.e2e

PAPER_VOTERS = ("sofia@riverside.example", "grace@riverside.example", "ruth@riverside.example")


def choose(page: Page, label: str) -> None:
    """Choose a radio by keyboard: Tab into its group, then arrow keys until it is checked."""
    radio = page.get_by_label(label, exact=True)
    group = page.locator(f"input[type=radio][name='{radio.get_attribute('name')}']")
    checked = page.locator(f"input[type=radio][name='{radio.get_attribute('name')}']:checked")
    press(page, checked if checked.count() else group.first, "Space")
    for _ in range(group.count()):
        if radio.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(radio).to_be_checked()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def fill_period_by_keyboard(page: Page) -> None:
    """The proposal's period, 1 May to 31 July 2026, typed into its date fields."""
    for prefix, (day, month, year) in (
        ("period_start", ("1", "5", "2026")),
        ("period_end", ("31", "7", "2026")),
    ):
        for part, value in (("day", day), ("month", month), ("year", year)):
            fill_by_keyboard(page, page.locator(f"#{prefix}_{part}"), value)


@pytest.fixture
def pool_and_offer(app_database: None, javascript: bool) -> Iterator[dict[str, Any]]:  # noqa: F811
    """A pool with two people who will use the service (£500 each) and a provider with an hourly offer."""
    from coop.budgets.ledger import accounts_of
    from coop.demo import DEMO_PEOPLE
    from tests.conftest import run
    from tests.coop.budgets.helpers import make_pool
    from tests.coop.commissioning.helpers import make_offer

    variant = "with JavaScript" if javascript else "without JavaScript"

    def work() -> dict[str, Any]:
        setup = make_pool(contributors=2, deposit_pence=50_000, name=f"Gardening pool {variant}")
        offer = make_offer(setup.organisation_id, price_pence=3_000, name=f"Green Fingers CIC {variant}")
        names = [a["name"] for a in run(accounts_of(setup.pool_id))]
        emails = {p.name: p.email for p in DEMO_PEOPLE}
        return {"setup": setup, "offer": offer, "people": names, "emails": emails, "variant": variant}

    yield off_the_browser_loop(work)


def test_propose_vote_contract_invoice_payment_statement(
    javascript: bool,
    pool_and_offer: dict[str, Any],
    new_page: Callable[..., Page],
    signed_in_states: Callable[[str], Any],
) -> None:
    variant = pool_and_offer["variant"]
    provider = f"Green Fingers CIC {variant}"
    pool_name = f"Gardening pool {variant}"
    first, second = pool_and_offer["people"]

    # The secretary finds the provider in the directory and proposes 10 hours for the pool's two people.
    helen = new_page(javascript=javascript, storage_state=signed_in_states("helen@riverside.example"))
    helen.goto("/o/riverside/commissioning")
    check_page(helen)
    follow_link(helen, provider)
    expect(helen.locator("h1")).to_have_text(provider)
    check_page(helen)
    follow_link(helen, re.compile(r"^Propose buying"))
    expect(helen.locator("h1")).to_have_text("Propose buying Support worker")
    choose(helen, pool_name)
    continue_(helen)
    expect(helen.locator("main")).to_contain_text(f"Paid from {pool_name}")
    check_page(helen)
    fill_by_keyboard(helen, helen.locator("#quantity"), "10")
    fill_period_by_keyboard(helen)
    for person in (first, second):  # everyone in the pool is ticked to start with
        expect(helen.get_by_label(person, exact=True)).to_be_checked()
    fill_by_keyboard(helen, helen.locator("#vote_days"), "7")
    continue_(helen)
    expect(helen.locator("h1")).to_have_text("Check the proposal before sending it")
    expect(helen.locator("main")).to_contain_text("£300.00")
    check_page(helen)
    continue_(helen, "Open the members' vote")
    expect(helen.locator("h1")).to_have_text(f"Support worker from {provider}")
    proposal_url = helen.url.split("?")[0]
    vote_link = helen.get_by_role("link", name="Vote on this proposal")
    vote_url = vote_link.get_attribute("href") or ""
    vote_id = int(vote_url.rstrip("/").rsplit("/", 1)[1])
    check_page(helen)

    # A member votes for it by keyboard; three more vote on paper; the vote closes at its time.
    jamie = new_page(javascript=javascript, storage_state=signed_in_states("jamie@riverside.example"))
    jamie.goto(vote_url)
    press(jamie, jamie.get_by_role("button", name="Vote now"))
    vote_in(jamie, "motion", javascript=javascript, checks=Checks(frozenset()))
    cast_and_keep_the_tracker(jamie, Checks(frozenset()))

    def paper_votes_and_close() -> None:
        from tests.coop.votes.helpers import cast

        for email in PAPER_VOTERS:
            assert cast(vote_id, email, "for", channel="paper").counted
        close_after_its_time(vote_id)

    off_the_browser_loop(paper_votes_and_close)

    # Carried: the secretary agrees the contract, which sets the £300 aside, £150 from each person.
    helen.goto(proposal_url)
    check_page(helen)
    press(helen, helen.get_by_role("button", name="Agree the contract"))
    expect(helen.locator("h1")).to_have_text("Check the contract before agreeing it")
    expect(helen.locator("main")).to_contain_text("£150.00")
    check_page(helen)
    continue_(helen, "Agree the contract")
    expect(helen.locator("h1")).to_have_text(f"Support worker from {provider}")
    contract_url = helen.url.split("?")[0]
    check_page(helen)

    # An invoice for 4 hours (£120) is paid from the money set aside.
    press(helen, helen.get_by_role("button", name="Record an invoice"))
    expect(helen.locator("h1")).to_have_text("Record an invoice")
    check_page(helen)
    invoice = f"GF-{'J' if javascript else 'N'}-0042"
    fill_by_keyboard(helen, helen.locator("#invoice_number"), invoice)
    fill_by_keyboard(helen, helen.locator("#amount"), "120")
    continue_(helen)
    expect(helen.locator("h1")).to_have_text("Check the invoice before paying it")
    check_page(helen)
    continue_(helen, "Pay the invoice")
    helen.wait_for_url(re.compile(re.escape(contract_url) + r"(\?.*)?$"))
    check_page(helen)
    expect(helen.locator("main")).to_contain_text(invoice)
    expect(helen.locator("main")).to_contain_text("£180.00")  # left on the contract

    # A person who uses the service sees their share on their statement: £500 in, £60 paid, £150 set aside.
    email = pool_and_offer["emails"].get(first) or pool_and_offer["emails"][second]
    person = first if pool_and_offer["emails"].get(first) else second
    member = new_page(javascript=javascript, storage_state=signed_in_states(email))
    member.goto("/o/riverside/budgets")
    follow_link(member, pool_name)
    follow_link(member, "See your full statement")
    expect(member.locator("h1")).to_have_text(f"Statement for {person}")
    expect(member.locator("main")).to_contain_text(invoice)
    expect(member.locator("main")).to_contain_text("Closing balance £440.00")
    check_page(member)
