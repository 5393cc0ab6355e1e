"""An organisation created with `coop create-org`, then read in the browser by a founder, JavaScript on
and off: the constitution in force, an earlier version, and what changed between them, by keyboard, with
axe and the page checks on every page (issue #18)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import check_error_summary, check_page, follow_link, tab_to
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

SLUG = "eastfield-care"
# Founders who already have demo accounts, so they are linked and can sign in at once.
ANSWERS = """
name = "Eastfield Care Co-operative Limited"
slug = "eastfield-care"
legal_form = "cooperative_society"
objects = "To let members who use support run it together."
community = "People who use support in Eastfield."
year_end = "30 September"
registered_office = "2 Market Street, Eastfield"
member_classes = ["member"]
adopted_on = 2026-04-01
""" + "".join(
    f"""
[[founders]]
name = "{name}"
member_class = "member"
email = "{email}"
address = "1 Market Street, Eastfield"
director = true
counts_as_user_led = true
secretary = {"true" if email.startswith("lena") else "false"}
nationality = "British"
country_of_residence = "England"
occupation = "None"
date_of_birth = 1980-05-17
"""
    for name, email in (
        ("Lena Novak", "lena@northfield.example"),
        ("Omar Farouk", "omar@northfield.example"),
        ("Priya Shah", "priya@riverside.example"),
    )
)


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture(scope="module")
def founded(server: Server) -> str:
    """Create the co-op with the command, then adopt a version 2 with a larger quorum share."""
    from governance.constitution import Share, constitution_to_toml
    from governance.constitutions import load_model_constitution

    database = server.log.parent / "e2e.sqlite3"
    answers = server.log.parent / "eastfield.toml"
    answers.write_text(ANSWERS, encoding="utf-8")
    env = {**os.environ, "COOP_DATABASE_URL": f"sqlite:///{database}", "PICCOLO_CONF": "coop.piccolo_conf"}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "coop"), "create-org", "cooperative_society", str(answers)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    old = load_model_constitution("cooperative_society")
    quorum = replace(old.quorum.general_meeting, share_of_members=Share.parse("at least 20%"))
    new = replace(old, quorum=replace(old.quorum, general_meeting=quorum))
    with closing(sqlite3.connect(database, timeout=30)) as db, db:
        db.execute(
            "INSERT INTO constitution_version (organisation, version, model_name, document, adopted_on, "
            "adopted_by, created_at) SELECT id, 2, 'cooperative_society', ?, '2026-06-01', "
            "'Special resolution at a general meeting', '2026-06-01 12:00:00+00:00' FROM organisation "
            "WHERE slug = ?",
            (constitution_to_toml(new), SLUG),
        )
    return SLUG


def test_a_founder_reads_the_constitution_its_versions_and_what_changed(
    founded: str, javascript: bool, new_page: Callable[..., Page], signed_in_states: Callable[[str], Any]
) -> None:
    lena = new_page(javascript=javascript, storage_state=signed_in_states("lena@northfield.example"))
    lena.goto("/")
    follow_link(lena, "Eastfield Care Co-operative Limited")
    expect(lena.locator("h1")).to_have_text("Overview")
    follow_link(lena, "Constitution")
    expect(lena.locator("h1")).to_have_text("Our constitution")
    expect(lena.locator("main")).to_contain_text("In short (easy read)")
    expect(lena.locator("main")).to_contain_text("or at least 20% of them")
    check_page(lena)

    follow_link(lena, "Version 1")
    expect(lena.locator("h1")).to_have_text("Constitution version 1")
    expect(lena.locator("main")).to_contain_text("no longer in force")
    expect(lena.locator("main")).to_contain_text("or at least 10% of them")
    check_page(lena)

    # Compare: the form's defaults are the version before and the version in force.
    tab_to(lena, lena.get_by_role("button", name="Show what changed"))
    lena.keyboard.press("Enter")
    expect(lena.locator("h1")).to_have_text("What changed in the constitution")
    row = lena.locator("tbody tr").first
    expect(row).to_contain_text("share of members")
    expect(row.locator("td").nth(0)).to_have_text("at least 10%")
    expect(row.locator("td").nth(1)).to_have_text("at least 20%")
    check_page(lena)

    # The same version twice is an error by the field.
    lena.locator("#earlier").select_option("2")
    tab_to(lena, lena.get_by_role("button", name="Show what changed"))
    lena.keyboard.press("Enter")
    assert check_error_summary(lena, javascript=javascript) == ["Choose two different versions to compare"]
    check_page(lena)
