"""The audit log in the browser (issue #14 item 12), with JavaScript on and off: the secretary opens the
log from the menu, reads events in plain English, and checks the chain from a link on the log; the
treasurer sees only the events about money and no check link. By keyboard, with axe and the page checks
on every page (A1, A3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_page, follow_link

pytestmark = pytest.mark.e2e

DEVELOPER_CODE = re.compile(r"\b(member|budget|commissioning|vote|organisation|auth)\.[a-z_]+\b")


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def _what_column(page: Page) -> list[str]:
    return [cell.strip() for cell in page.locator("#audit-table tbody tr td:nth-child(4)").all_inner_texts()]


def test_the_secretary_reads_the_log_and_checks_it_is_unbroken(
    javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    helen = new_page(javascript=javascript, storage_state=signed_in_states("helen@riverside.example"))
    helen.goto("/o/riverside/")
    follow_link(helen, "Audit log")
    expect(helen.locator("h1")).to_have_text("Audit log")
    check_page(helen)
    described = _what_column(helen)
    assert described and all(text and not DEVELOPER_CODE.search(text) for text in described), described
    assert not DEVELOPER_CODE.search(helen.locator("main").inner_text())

    follow_link(helen, "Check that the audit log has not been changed")
    expect(helen.locator("h1")).to_have_text("The audit log is unbroken")
    expect(helen.locator("main")).to_contain_text(re.compile(r"All \d+ events were checked just now"))
    check_page(helen)
    follow_link(helen, "Back to the audit log")
    expect(helen.locator("h1")).to_have_text("Audit log")


def test_the_treasurer_sees_only_money_events(
    new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    daniel = new_page(storage_state=signed_in_states("daniel@riverside.example"))
    daniel.goto("/o/riverside/")
    follow_link(daniel, "Audit log")
    expect(daniel.locator("h1")).to_have_text("Audit log")
    expect(daniel.locator("main")).to_contain_text("you see the events about money")
    check_page(daniel)
    described = _what_column(daniel)
    assert described and "Money in was recorded" in described
    assert "A member was admitted" not in described and "Someone signed in" not in described
    expect(daniel.get_by_role("link", name="Check that the audit log has not been changed")).to_have_count(0)
