"""Forms submitted empty, by keyboard, with and without JavaScript: the GOV.UK error summary (A7),
checked by axe in that state too (A1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.checks import check_error_summary, check_page, tab_to

pytestmark = pytest.mark.e2e

# (who is signed in, form page, submit button, the messages expected in the summary)
FORMS = {
    "sign in": (None, "/sign-in", "Sign in", ["Enter your email address", "Enter your password"]),
    "reset request": (None, "/password-reset", "Send the link", ["Enter your email address"]),
    "change password": ("ruth@riverside.example", "/account/password", "Change password", None),
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("form", list(FORMS))
def test_empty_form_shows_an_error_summary_that_leads_to_each_field(
    form: str, javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    person, path, button, expected = FORMS[form]
    page = new_page(javascript=javascript, storage_state=signed_in_states(person) if person else None)
    page.goto(path)
    tab_to(page, page.get_by_role("button", name=button, exact=True))
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 422
    messages = check_error_summary(page, javascript=javascript)
    if expected is not None:
        assert messages == expected
    else:
        assert len(messages) >= 1
    check_page(page)
