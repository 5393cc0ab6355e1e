"""The organisation menu (coop/navigation.py): who sees which item, and which item is the current section."""

from __future__ import annotations

import re

from coop.navigation import organisation_menu
from coop.organisations.service import OrgContext
from tests.coop.helpers import sign_in


def _org(*roles: str, member_id: int = 7, slug: str = "riverside") -> OrgContext:
    return OrgContext(1, slug, "Riverside", "cic", member_id, "p", "Amara", frozenset({"member", *roles}))


def _labels(menu: str) -> list[str]:
    link = r'class="govuk-service-navigation__link" href="[^"]+"(?: aria-current="page")?>([^<]+)<'
    return re.findall(link, menu)


def _current(menu: str) -> list[str]:
    return re.findall(r'href="([^"]+)" aria-current="page"', menu)


def test_a_member_sees_the_shared_sections_and_their_membership():
    assert _labels(organisation_menu(_org(), "/o/riverside/")) == [
        "Overview", "Members", "Board", "Meetings", "Budgets", "Services", "Your membership",
        "Votes", "Resolutions", "Constitution",
    ]  # fmt: skip


def test_officers_see_the_items_for_their_roles():
    secretary = _labels(organisation_menu(_org("secretary"), "/o/riverside/"))
    assert {"Register", "Applications", "Audit log"} <= set(secretary)
    director = _labels(organisation_menu(_org("director"), "/o/riverside/"))
    assert "Register" in director and "Audit log" not in director
    treasurer = _labels(organisation_menu(_org("treasurer"), "/o/riverside/"))
    assert "Audit log" in treasurer and "Register" not in treasurer


def test_only_whole_path_segments_mark_the_current_section():
    org = _org("secretary")
    assert _current(organisation_menu(org, "/o/riverside/members")) == ["/o/riverside/members"]
    assert _current(organisation_menu(org, "/o/riverside/me")) == ["/o/riverside/me"]
    assert _current(organisation_menu(org, "/o/riverside/meetings/3/agenda")) == ["/o/riverside/meetings"]
    assert _current(organisation_menu(org, "/o/riverside/")) == ["/o/riverside/"]
    # The overview is its own address only; a look-alike path marks nothing.
    assert _current(organisation_menu(org, "/o/riverside/votes/abc")) == ["/o/riverside/votes"]
    assert _current(organisation_menu(org, "/o/riverside/registered")) == []


def test_a_supporters_pages_leave_out_your_membership_and_no_membership_means_no_item():
    assert "Your membership" not in _labels(organisation_menu(_org(), "/o/riverside/supporting"))
    assert "Your membership" not in _labels(organisation_menu(_org(member_id=0), "/o/riverside/"))


def test_the_cached_items_never_leak_between_organisations_or_role_sets():
    organisation_menu(_org("secretary"), "/o/riverside/")
    other = organisation_menu(_org(slug="hillside"), "/o/hillside/")
    assert all(href.startswith("/o/hillside/") for href in re.findall(r'href="([^"]+)"', other))
    assert "Register" not in _labels(organisation_menu(_org(), "/o/riverside/"))


def test_pages_and_error_pages_are_served_as_utf8_html(demo, client):
    sign_in(client, "helen@riverside.example")
    page = client.get("/o/riverside/members")
    missing = client.get("/o/riverside/no-such-page")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert missing.status_code == 404 and missing.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["cache-control"] == "no-store" and page.headers["x-request-id"]
