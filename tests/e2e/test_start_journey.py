"""Starting an organisation in the browser, from signing in to a running CIC whose first directors are two
disabled people, two family carers and one professional: JavaScript on and off, keyboard only, axe-core and
the page checks on every page, an error summary on a refused answer, and save-and-come-back (issue #18)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.checks import (
    check_error_summary,
    check_page,
    choose_radio,
    fill_by_keyboard,
    follow_link,
    press_button,
    tab_to,
)
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

# (name, email, member class label, counts as user-led); the first is the person starting it.
DIRECTORS = [
    ("Ade Bello", "ade@brookside.example", "Budget holder", True),
    ("Cerys Morgan", "cerys@brookside.example", "Family carer", True),
    ("Dev Patel", "dev@brookside.example", "Family carer", True),
    ("Erin Walsh", "erin@brookside.example", "Professional", False),
]
STARTERS = {
    True: ("grace@riverside.example", "Grace Lee"),
    False: ("kwame@riverside.example", "Kwame Mensah"),
}


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _tick(page: Page, box: Locator) -> None:
    tab_to(page, box)
    if not box.is_checked():
        page.keyboard.press("Space")


def _type(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def _question(page: Page, heading: str) -> None:
    expect(page.locator("h1")).to_contain_text(heading)
    check_page(page)


def _add_founder(page: Page, name: str, email: str, member_class: str, user_led: bool) -> None:
    follow_link(page, re.compile(r"^Add (a|another) founder$"))
    _question(page, "Add a founder")
    _type(page, page.locator("#name"), name)
    _type(page, page.locator("#email"), email)
    _type(page, page.locator("#address"), "1 Brook Lane, Brookside")
    choose_radio(page, member_class)
    choose_radio(page, "Yes")
    if user_led:
        _tick(page, page.locator("#counts_as_user_led"))
    press_button(page, "Continue")
    _question(page, f"Director's particulars for {name}")
    fill_by_keyboard(page, page.locator("#country_of_residence"), "England")
    fill_by_keyboard(page, page.locator("#nationality"), "British")
    fill_by_keyboard(page, page.locator("#occupation"), "None")
    fill_by_keyboard(page, page.locator("#date_of_birth_day"), "17")
    fill_by_keyboard(page, page.locator("#date_of_birth_month"), "5")
    fill_by_keyboard(page, page.locator("#date_of_birth_year"), "1980")
    press_button(page, "Continue")
    _question(page, "The founders")


def test_a_founder_starts_a_cic_with_a_user_led_board(
    javascript: bool, new_page: Callable[..., Page]
) -> None:
    email, own_name = STARTERS[javascript]
    slug = "brookside-js" if javascript else "brookside-no-js"
    page = new_page(javascript=javascript)
    # A visitor sees what founding asks for, and signs in (or creates an account), then comes back.
    page.goto("/start")
    check_page(page)
    page.locator("main").get_by_role("link", name="Sign in", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/start$"))
    check_page(page)
    fill_by_keyboard(page, page.locator("#email"), email)
    fill_by_keyboard(page, page.locator("#password"), DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/start$"))
    _question(page, "Start an organisation")

    press_button(page, "Start now")  # a start button: a link with the button role
    _question(page, "Which model constitution will you start from?")
    choose_radio(page, "User-led CIC (limited by guarantee)")
    press_button(page, "Continue")

    _question(page, "What is the organisation's name?")
    fill_by_keyboard(page, page.locator("#name"), "Brookside Shared Support Ltd")
    page.keyboard.press("Enter")
    assert (
        'must end with "Community Interest Company" or "CIC"'
        in check_error_summary(page, javascript=javascript)[0]
    )
    check_page(page)
    _type(page, page.locator("#name"), "Brookside Shared Support CIC")
    # Save and come back later: the answer is kept, and /start offers to carry on.
    press_button(page, "Save and come back later")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your answers are saved")
    check_page(page)
    press_button(page, "Continue where you left off")  # to the first question not answered yet

    _question(page, "What web address do you want in coop?")
    _type(page, page.locator("#slug"), slug)
    page.keyboard.press("Enter")
    for heading, field, text in (
        (
            "What is the organisation for?",
            "#objects",
            "To let disabled people choose and buy support together.",
        ),
        ("Which community will it serve?", "#community", "Disabled people and family carers in Brookside."),
    ):
        _question(page, heading)
        fill_by_keyboard(page, page.locator(field), text)
        press_button(page, "Continue")

    _question(page, "Which member classes will it have?")
    for box in page.locator("input[name=member_classes]").all():
        _tick(page, box)
    press_button(page, "Continue")

    _question(page, "The founders")
    _add_founder(page, own_name, email, "Budget holder", True)
    expect(page.locator("#board-status")).to_contain_text(
        "The board has 1 budget holder; the constitution requires at least 2."
    )
    if javascript:  # the board is redrawn as the next founder's class and role are chosen
        follow_link(page, "Add another founder")
        choose_radio(page, "Budget holder")
        choose_radio(page, "Yes")
        expect(page.locator("#board-status")).not_to_contain_text("budget holder")
        expect(page.locator("#board-status")).to_contain_text("The board has 0 family carers")
        check_page(page)
        follow_link(page, "Back")
    for founder in DIRECTORS:
        _add_founder(page, *founder)
    expect(page.locator("#board-status")).to_contain_text(
        "The 5 first directors meet the constitution's rules"
    )
    follow_link(page, "Continue")

    _question(page, "Who will be the secretary?")
    expect(page.get_by_role("radio", name=own_name)).to_be_checked()  # suggested: the person starting it
    press_button(page, "Continue")
    _question(page, "Who will receive the assets if it closes?")
    fill_by_keyboard(page, page.locator("#asset_locked_body"), "Brookside Disabled People's Forum")
    page.keyboard.press("Enter")
    _question(page, "When does its financial year end?")
    fill_by_keyboard(page, page.locator("#year_end_day"), "31")
    fill_by_keyboard(page, page.locator("#year_end_month"), "3")
    page.keyboard.press("Enter")
    _question(page, "What is the registered office address?")
    fill_by_keyboard(page, page.locator("#registered_office"), "Brook Hall, 2 Brook Lane, Brookside")
    press_button(page, "Continue")

    _question(page, "Check your answers")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Brookside Shared Support CIC")
    press_button(page, "Create the organisation")
    _question(page, "Organisation created")
    expect(page.locator("main")).to_contain_text(f"/o/{slug}/")

    # The founder is signed in as its secretary: the board has all five, and the audit log is theirs to read.
    follow_link(page, "the register of directors")
    expect(page).to_have_url(re.compile(rf"/o/{slug}/board$"))
    check_page(page)
    for name in [own_name, *(d[0] for d in DIRECTORS)]:
        expect(page.locator("main")).to_contain_text(name)
    follow_link(page, "Audit log")
    expect(page).to_have_url(re.compile(rf"/o/{slug}/audit$"))
    check_page(page)
