"""The register of directors in the browser, JavaScript on and off (A16), by keyboard (A3), with axe and
the page checks on each new page (A1): a member reads the public register; the secretary is refused an
appointment that would break the constitution, records a resignation, and then makes the appointment.

Each run invites its own new member to appoint, and frees a seat by ending the newest directorship, so
the board keeps its five directors for the other browser tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_page, fill_by_keyboard, follow_link, tab_to
from tests.e2e.test_membership_journeys import (
    HELEN,
    NewPage,
    States,
    arrive,
    banner,
    choose,
    new_member,
    press,
    tick,
)

pytestmark = pytest.mark.e2e

JAMIE = "jamie@riverside.example"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_a_member_reads_the_public_register(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    page = new_page(javascript=javascript, storage_state=signed_in_states(JAMIE))
    page.goto("/o/riverside/")
    follow_link(page, "Board")
    arrive(page, "Register of directors")
    main = page.locator("main")
    expect(main).to_contain_text("of at least 2 budget holders")
    expect(main).to_contain_text("Peer support worker")
    expect(main).not_to_contain_text("4 Elm Road")
    expect(main).not_to_contain_text("Appoint or co-opt a director")
    follow_link(page, "Printable register")
    arrive(page, "Register of directors of Riverside Shared Support CIC")


def fill_date(page: Page, prefix: str, when: datetime) -> None:
    for part, value in (("day", when.day), ("month", when.month), ("year", when.year)):
        fill_by_keyboard(page, page.locator(f"#{prefix}_{part}"), str(value))


def fill_appointment(page: Page, name: str) -> None:
    member = page.locator("#member")
    tab_to(page, member)
    member.select_option(label=f"{name} (family carers)")
    choose(page, "route", "elected")
    fill_date(page, "appointed_on", datetime.now(UTC))
    tick(page, "They agree to be counted toward the user-led share of the board")
    fill_by_keyboard(page, page.locator("#service_address"), "12 Mill Lane, Riverside")
    fill_by_keyboard(page, page.locator("#country_of_residence"), "England")
    fill_by_keyboard(page, page.locator("#nationality"), "British")
    fill_by_keyboard(page, page.locator("#occupation"), "Carer")
    fill_by_keyboard(page, page.locator("#residential_address"), "1 Private Road")


def test_an_appointment_refused_by_the_constitution_then_made(
    javascript: bool, new_page: NewPage, signed_in_states: States
) -> None:
    newcomer, name, _ = new_member(new_page, signed_in_states, javascript, "Nadia Carer")
    newcomer.close()
    helen = new_page(javascript=javascript, storage_state=signed_in_states(HELEN))
    helen.goto("/o/riverside/board")
    arrive(helen, "Register of directors")
    follow_link(helen, "Appoint or co-opt a director")
    arrive(helen, "Appoint or co-opt a director")
    fill_appointment(helen, name)
    press(helen, "Appoint director")

    # The board already has five directors, the most its constitution allows: refused, with the rule.
    summary = helen.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The board would have 6 directors; the constitution allows at most 5.")
    check_page(helen)

    # The newest director resigns (accepted: the board still keeps its rules), freeing a seat.
    helen.goto("/o/riverside/board")
    ends = helen.locator("#directors a", has_text="End")
    tab_to(helen, ends.last)
    helen.keyboard.press("Enter")
    expect(helen.locator("h1")).to_contain_text("directorship")
    helen.wait_for_load_state("load")  # the stylesheet too: unstyled links are smaller targets
    check_page(helen)
    choose(helen, "reason", "resigned")
    fill_date(helen, "on", datetime.now(UTC))
    press(helen, "End directorship")
    banner(helen, "The directorship has ended")

    follow_link(helen, "Appoint or co-opt a director")
    fill_appointment(helen, name)
    press(helen, "Appoint director")
    banner(helen, "The director has been appointed")
    check_page(helen)
    expect(helen.locator("#directors")).to_contain_text(name)
    expect(helen.locator("main")).not_to_contain_text("The board does not meet its constitution")
