"""Changing the constitution by written resolution: the changed rules are read and checked, the changes
and the resolution they need are shown in words, and the new version is adopted only when the resolution
passes, in the same step as the agreement that passes it (and not if the constitution changed meanwhile)."""

from __future__ import annotations

import html
from typing import Any

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.resolutions.test_written import electors, events_about, paper, resolution

SECRETARY = "helen@riverside.example"
AMEND = "/o/riverside/resolutions/amend"


def in_force() -> tuple[int, str]:
    from coop.organisations.tables import ConstitutionVersion

    row = run(
        ConstitutionVersion.select(ConstitutionVersion.version, ConstitutionVersion.document)
        .where(ConstitutionVersion.organisation.slug == "riverside")
        .order_by(ConstitutionVersion.version, ascending=False)
        .first()
    )
    return int(row["version"]), str(row["document"])


def changed(days: int) -> str:
    _, document = in_force()
    assert "written_lapse_days = 28" in document
    return document.replace("written_lapse_days = 28", f"written_lapse_days = {days}")


def text_of(response: Any) -> str:
    return html.unescape(page_text(response.text))


def propose(client: Any, title: str, document: str) -> Any:
    return post_form(client, AMEND, {"title": title, "document": document})


def pass_it(client: Any, title: str) -> dict[str, Any]:
    row = resolution(title)
    assert post_form(client, f"/o/riverside/resolutions/{row['public_id']}/circulate").status_code == 303
    row = resolution(title)
    for voter in electors(title):
        if resolution(title)["status"] == "passed":
            break
        assert paper(client, row, voter["entry_number"]).status_code == 303
    return resolution(title)


def test_the_changes_and_the_resolution_they_need_are_shown_before_anything_changes(
    demo: Any, client: Any
) -> None:
    sign_in(client, SECRETARY)
    version, document = in_force()
    form = client.get(AMEND)
    assert form.status_code == 200 and "written_lapse_days = 28" in html.unescape(form.text)
    check = post_form(client, f"{AMEND}/check", {"title": "Shorter lapse", "document": changed(21)})
    assert check.status_code == 200
    shown = text_of(check)
    assert "28" in shown and "21" in shown
    assert "Changing the articles (the constitution)" in shown and "at least 75%" in shown
    assert "The budget holders can block this change as a class." in shown
    assert in_force() == (version, document), "checking changes nothing"


def test_bad_or_empty_changes_are_refused_by_the_field(demo: Any, client: Any) -> None:
    sign_in(client, SECRETARY)
    _, document = in_force()
    cases = [
        ("", "Enter the constitution as it would read after the change"),
        ("this is = = not toml", "The changed constitution has problems"),
        (document, "nothing would change"),
        (document.replace('legal_form = "cic_guarantee"', 'legal_form = "cic_shares"'), "is a conversion"),
    ]
    for text, message in cases:
        response = post_form(client, f"{AMEND}/check", {"title": "x", "document": text})
        assert response.status_code == 422, message
        assert message in text_of(response), message


def test_the_new_version_is_adopted_when_the_resolution_passes(demo: Any, client: Any) -> None:
    sign_in(client, SECRETARY)
    version, _ = in_force()
    made = propose(client, "Shorter lapse", changed(21))
    assert made.status_code == 303
    row = resolution("Shorter lapse")
    assert row["status"] == "draft" and row["decision"] == "constitution_amendment"
    assert "That the constitution be changed as follows:" in row["text"]
    assert in_force()[0] == version, "a draft changes nothing"
    passed = pass_it(client, "Shorter lapse")
    assert passed["status"] == "passed"
    new_version, document = in_force()
    assert new_version == version + 1 and "written_lapse_days = 21" in document
    assert events_about(row, "resolution.passed") == 1
    page = text_of(client.get(f"/o/riverside/resolutions/{row['public_id']}"))
    assert f"version {version + 1} is now in force" in page
    assert "lapses after 21 days" in text_of(client.get("/o/riverside/constitution"))


def test_an_amendment_drafted_against_an_older_version_is_not_sent_round(demo: Any, client: Any) -> None:
    sign_in(client, SECRETARY)
    assert propose(client, "First change", changed(21)).status_code == 303
    assert propose(client, "Second change", changed(14)).status_code == 303
    assert pass_it(client, "First change")["status"] == "passed"
    second = resolution("Second change")
    refused = post_form(client, f"/o/riverside/resolutions/{second['public_id']}/circulate")
    assert refused.status_code == 422 and "has changed since this amendment was drafted" in text_of(refused)
    assert resolution("Second change")["status"] == "draft"


def test_only_the_board_may_propose_changes(demo: Any, client: Any) -> None:
    sign_in(client, "jamie@riverside.example")
    assert client.get(AMEND).status_code == 403
    assert propose(client, "Mine", changed(21)).status_code == 403
