"""Journeys through the real app, each with JavaScript on and off (A16), by keyboard where a person
types or chooses (A3: Tab, type, Enter; no mouse), with axe and the page checks at every step (A1)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import (
    check_error_summary,
    check_page,
    fill_by_keyboard,
    follow_link,
    outbox_row,
    sign_in_by_keyboard,
    tab_to,
)
from tests.e2e.conftest import DEMO_PASSWORD, Server

pytestmark = pytest.mark.e2e

RESET_LINK = re.compile(r"http://127\.0\.0\.1:\d+/password-reset/[A-Za-z0-9_\-]+")


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_sign_in_look_around_and_sign_out(
    javascript: bool, new_page: Callable[..., Page], server: Server
) -> None:
    page = new_page(javascript=javascript)
    page.goto("/")
    check_page(page)
    follow_link(page, "Sign in")
    expect(page).to_have_url(server.url("/sign-in"))
    sign_in_by_keyboard(page, "helen@riverside.example", DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("Your organisations")
    check_page(page)
    # Chromium keeps the device cookie that takes this browser past a stranger's lockout, for a year.
    [device] = _device_cookies(page)
    assert device["secure"] and device["httpOnly"] and device["sameSite"] == "Lax" and device["path"] == "/"
    assert device["expires"] > time.time() + 364 * 24 * 3600

    follow_link(page, "Riverside Shared Support CIC")
    expect(page).to_have_url(server.url("/o/riverside/"))
    expect(page.locator("h1")).to_have_text("Overview")
    check_page(page)

    follow_link(page, "Members")
    expect(page).to_have_url(server.url("/o/riverside/members"))
    expect(page.locator("h1")).to_have_text("Members")
    check_page(page)

    follow_link(page, "Jamie Carter")
    expect(page.locator("h1")).to_have_text("Jamie Carter")
    check_page(page)

    follow_link(page, "Your account")
    expect(page).to_have_url(server.url("/account"))
    expect(page.locator("main")).to_contain_text("helen@riverside.example")
    check_page(page)

    tab_to(page, page.get_by_role("button", name="Sign out", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url("/sign-in?signed_out=1"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")
    check_page(page)
    # The session has really ended; the browser stays trusted for its next sign-in.
    page.goto("/account")
    expect(page).to_have_url(server.url("/sign-in?next=/account"))
    assert [cookie["value"] for cookie in _device_cookies(page)] == [device["value"]]


def _device_cookies(page: Page) -> list[Any]:
    return [cookie for cookie in page.context.cookies() if cookie["name"] == "__Host-device"]


def test_wrong_password_is_refused_with_an_error(javascript: bool, new_page: Callable[..., Page]) -> None:
    page = new_page(javascript=javascript)
    sign_in_by_keyboard(page, "sofia@riverside.example", "not the right password")
    messages = check_error_summary(page, javascript=javascript)
    # One message for a wrong email or password: nobody learns who has an account.
    assert messages == ["Enter a correct email address and password"]
    expect(page.locator("#email")).to_have_value("sofia@riverside.example")
    expect(page.locator("#password")).to_have_value("")
    check_page(page)
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/account$"))


def test_password_reset_through_the_outbox(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any], server: Server
) -> None:
    # Omar signs in nowhere else in these tests: a reset ends his sessions, which would sign out a cached
    # browser another journey relies on.
    new_password = f"plum kettle harbour {'lantern' if javascript else 'meadow'}"
    page = new_page(javascript=javascript)
    page.goto("/sign-in")
    follow_link(page, "I have forgotten my password")
    expect(page).to_have_url(server.url("/password-reset"))
    fill_by_keyboard(page, page.locator("#email"), "omar@northfield.example")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Check your email")
    check_page(page)

    # The site admin reads the email in the outbox (no SMTP server in the demo).
    admin = new_page(javascript=javascript, storage_state=signed_in_states("admin@coop.example"))
    newest_to_omar = outbox_row(admin, "omar@northfield.example", "Reset your coop password")
    check_page(admin)
    tab_to(admin, newest_to_omar.get_by_role("link"))
    admin.keyboard.press("Enter")
    expect(admin).to_have_url(re.compile(r"/admin/outbox/\d+$"))
    check_page(admin)
    found = RESET_LINK.search(admin.locator("pre.coop-email").inner_text())
    assert found, "no reset link in the email"
    link = found.group(0)
    assert link.startswith(server.base_url + "/")

    # Omar opens the link in another browser, first sends the form empty, then chooses a password.
    reset = new_page(javascript=javascript)
    reset.goto(link)
    expect(reset.locator("h1")).to_have_text("Choose a new password")
    check_page(reset)
    tab_to(reset, reset.get_by_role("button", name="Save new password"))
    reset.keyboard.press("Enter")
    assert check_error_summary(reset, javascript=javascript) == ["Password must be 8 characters or more"]
    check_page(reset)
    fill_by_keyboard(reset, reset.locator("#password"), new_password)
    reset.keyboard.press("Enter")
    expect(reset).to_have_url(server.url("/sign-in?password_reset=1"))
    expect(reset.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")
    check_page(reset)
    sign_in_by_keyboard(reset, "omar@northfield.example", new_password)
    expect(reset.locator("h1")).to_have_text("Your organisations")

    # The link works once.
    reset.goto(link)
    expect(reset.locator("h1")).to_have_text("This link has expired")
    check_page(reset)


def test_a_member_sees_only_their_own_organisations(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    jamie = new_page(javascript=javascript, storage_state=signed_in_states("jamie@riverside.example"))
    for path in ("/o/northfield/", "/o/northfield/members"):
        response = jamie.goto(path)
        assert response is not None and response.status == 404
        expect(jamie.locator("h1")).to_have_text("Page not found")
        for secret in ("Northfield", "Lena", "Omar", "northfield.example"):
            assert secret not in jamie.content(), f"{path} shows {secret!r} to a non-member"
    check_page(jamie)

    priya = new_page(javascript=javascript, storage_state=signed_in_states("priya@riverside.example"))
    priya.goto("/")
    expect(priya.locator("main")).to_contain_text("Riverside Shared Support CIC")
    follow_link(priya, "Northfield Carers Co-operative")
    expect(priya.locator("h1")).to_have_text("Overview")
    expect(priya.locator(".govuk-caption-l")).to_have_text("Northfield Carers Co-operative")
    follow_link(priya, "Members")
    expect(priya.locator("main")).to_contain_text("Lena Novak")
    check_page(priya)


def test_sign_out_everywhere_ends_other_sessions(
    javascript: bool, new_page: Callable[..., Page], server: Server
) -> None:
    other = new_page(javascript=javascript)
    sign_in_by_keyboard(other, "tom@riverside.example", DEMO_PASSWORD)
    expect(other.locator("h1")).to_have_text("Your organisations")

    page = new_page(javascript=javascript)
    sign_in_by_keyboard(page, "tom@riverside.example", DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("Your organisations")
    follow_link(page, "Your account")
    expect(page.locator("main")).to_contain_text("You are signed in on 2 devices or browsers")
    check_page(page)
    tab_to(page, page.get_by_role("button", name="Sign out everywhere"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url("/sign-in?signed_out=1"))

    other.goto("/account")
    expect(other).to_have_url(server.url("/sign-in?next=/account"))
    expect(other.locator("h1")).to_have_text("Sign in")
    assert _device_cookies(page) == []  # this browser is no longer trusted either
