"""A visitor without an account signs up at /start, confirms their email from the link the site admin
finds in the outbox, and carries on at /start signed in: JavaScript on and off, by keyboard, with axe and
the page checks at every step."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import (
    check_error_summary,
    check_page,
    fill_by_keyboard,
    outbox_row,
    press_button,
    tab_to,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

VERIFY_LINK = re.compile(r"http://127\.0\.0\.1:\d+/sign-up/verify/[A-Za-z0-9_\-]+")


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_sign_up_confirm_the_email_and_carry_on_at_start(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any], server: Server
) -> None:
    email = f"nadia.{'js' if javascript else 'nojs'}@newcoop.example"
    page = new_page(javascript=javascript)
    page.goto("/start")
    expect(page.locator("h1")).to_have_text("Start an organisation")
    check_page(page)
    press_button(page, "Create an account")  # a start button: a link with the button role
    expect(page).to_have_url(server.url("/sign-up"))
    expect(page.locator("h1")).to_have_text("Create an account")
    check_page(page)

    tab_to(page, page.get_by_role("button", name="Create account", exact=True))
    page.keyboard.press("Enter")
    assert check_error_summary(page, javascript=javascript) == [
        "Enter your name",
        "Enter your email address",
        "Enter a password",
    ]
    check_page(page)
    fill_by_keyboard(page, page.locator("#name"), "Nadia Haddad")
    fill_by_keyboard(page, page.locator("#email"), email)
    fill_by_keyboard(page, page.locator("#password"), "marigold lantern harbour teapot")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Check your email")
    check_page(page)

    # Not an account until the email is confirmed.
    page.goto("/start/model")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/start/model$"))

    admin = new_page(javascript=javascript, storage_state=signed_in_states("admin@coop.example"))
    row = outbox_row(admin, email, "Confirm your email address for coop")
    tab_to(admin, row.get_by_role("link"))
    admin.keyboard.press("Enter")
    expect(admin).to_have_url(re.compile(r"/admin/outbox/\d+$"))
    found = VERIFY_LINK.search(admin.locator("pre.coop-email").inner_text())
    assert found, "no link in the email"

    page.goto(found.group(0))
    expect(page.locator("h1")).to_have_text("Confirm your email address")
    check_page(page)
    tab_to(page, page.get_by_role("button", name="Confirm and continue", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url("/start?welcome=1"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your email address is confirmed")
    check_page(page)
    press_button(page, "Start now")
    expect(page).to_have_url(server.url("/start/model"))
    check_page(page)

    # The link works once.
    page.goto(found.group(0))
    expect(page.locator("h1")).to_have_text("This sign-up link cannot be used")
    check_page(page)
