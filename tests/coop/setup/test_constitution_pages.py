"""The constitution, readable by every member: the rules in force in plain English from the data, an
easy-read summary, every earlier version, and what changed between two versions."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import date

from tests.conftest import run
from tests.coop.helpers import page_text as markup_text
from tests.coop.helpers import sign_in

MEMBER = "jamie@riverside.example"  # a member with no role


def page_text(markup: str) -> str:
    return html.unescape(markup_text(markup))


def _amend_quorum_to_20_percent() -> None:
    """Adopt a version 2 whose general-meeting quorum share is 20% (as a passed amendment would)."""
    from coop.organisations.tables import ConstitutionVersion, Organisation
    from governance.constitution import Share, constitution_to_toml
    from governance.constitutions import load_model_constitution

    org = run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())
    old = load_model_constitution("cic_guarantee")
    quorum = replace(old.quorum.general_meeting, share_of_members=Share.parse("at least 20%"))
    new = replace(old, quorum=replace(old.quorum, general_meeting=quorum))
    run(
        ConstitutionVersion.insert(
            ConstitutionVersion(
                organisation=org["id"],
                version=2,
                model_name="cic_guarantee",
                document=constitution_to_toml(new),
                adopted_on=date(2026, 5, 1),
                adopted_by="Special resolution at the AGM",
            )
        )
    )


def test_a_member_reads_the_rules_in_force_in_plain_english(demo, client) -> None:
    sign_in(client, MEMBER)
    overview = client.get("/o/riverside/")
    assert 'href="/o/riverside/constitution"' in overview.text
    page = client.get("/o/riverside/constitution")
    assert page.status_code == 200
    text = page_text(page.text)
    # Generated from the cic_guarantee model's data, section by section.
    assert "Each has one vote at general meetings." in text
    assert (
        "Closing the company down: needs at least 75% of the votes cast, with at least 50% of members" in text
    )
    assert "A general meeting can decide only with at least 3 members or at least 10% of them" in text
    assert "Spending over £1,000 needs a members' vote." in text
    assert "Payments of £500 or more need two people to approve them." in text
    assert "Payments to the same payee within 30 days are added together." in text
    assert "At least 2 directors from the family carers." in text
    assert "At least 75% of directors must be disabled people or people who use support." in text
    # The easy-read summary.
    assert "In short (easy read)" in text
    assert "Our board has 4 to 5 people." in text
    assert "Version 1 (in force)" in text
    assert page.headers["vary"] == "HX-Request"


def test_earlier_versions_are_listed_and_each_can_be_read(demo, client) -> None:
    _amend_quorum_to_20_percent()
    sign_in(client, MEMBER)
    text = page_text(client.get("/o/riverside/constitution").text)
    assert "or at least 20% of them" in text
    assert "Version 2 (in force)" in text and "Version 1" in text
    old = client.get("/o/riverside/constitution/versions/1")
    assert old.status_code == 200
    old_text = page_text(old.text)
    assert "no longer in force" in old_text
    assert "<title>Constitution version 1 - " in old.text
    assert (
        "<title>Constitution version 2 (in force) - "
        in client.get("/o/riverside/constitution/versions/2").text
    )
    assert "or at least 10% of them" in old_text
    assert client.get("/o/riverside/constitution/versions/3").status_code == 404


def test_the_difference_between_versions_is_shown_rule_by_rule(demo, client) -> None:
    _amend_quorum_to_20_percent()
    sign_in(client, MEMBER)
    page = client.get("/o/riverside/constitution/compare?earlier=1&later=2")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "1 rule changed" in text
    assert "Quorum, general meeting quorum, share of members at least 10% at least 20%" in text
    same = page_text(client.get("/o/riverside/constitution/compare?earlier=2&later=2").text)
    assert "Choose two different versions to compare" in same


def test_comparing_with_a_version_that_does_not_exist_is_an_error_by_the_field(demo, client) -> None:
    _amend_quorum_to_20_percent()
    sign_in(client, MEMBER)
    for query in ("earlier=9&later=2", "earlier=x&later=2", "earlier=-1&later=2"):
        page = client.get(f"/o/riverside/constitution/compare?{query}")
        assert page.status_code == 422
        assert "There is a problem" in page.text
        assert 'href="#earlier"' in page.text


def test_the_constitution_is_for_members_only(demo, client) -> None:
    assert client.get("/o/riverside/constitution", follow_redirects=False).status_code in (302, 303)
    sign_in(client, "lena@northfield.example")
    assert client.get("/o/riverside/constitution").status_code == 404
