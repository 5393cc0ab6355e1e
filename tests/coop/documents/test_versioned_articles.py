"""After the constitution is changed, the articles (a society's rules) are written from the version in
force, naming its number and the day it was adopted; every earlier version stays readable, as a page and
as a tagged PDF."""

from __future__ import annotations

import html
from typing import Any

from tests.coop.documents.pdfs import pdf_facts
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.resolutions.test_meeting_amendments import (
    COOP,
    ITEM,
    _found_coop,
    _general_meeting,
    _hands,
    _present,
    _url,
    coop_changed,
)

ARTICLES = f"/o/{COOP}/documents/articles"


def _text(response: Any) -> str:
    return html.unescape(page_text(response.text))


def test_the_rules_follow_the_version_in_force_and_earlier_versions_stay_readable(settings, client) -> None:
    from coop.clock import today_in_london
    from coop.template_filters import long_date

    _found_coop(settings)
    sign_in(client, "lena@founders.example")
    first = _text(client.get(ARTICLES))
    assert "These rules are version 1 of the constitution, adopted on 1 April 2026" in first
    assert "28 days" in first and "(the version in force)" in first

    meeting = _general_meeting(client, COOP)
    assert post_form(client, _url(meeting), {"document": coop_changed(14)}).status_code == 303
    _present(client, meeting)
    assert _hands(client, meeting, ITEM, 3, 0).status_code == 303

    page = client.get(ARTICLES)
    text = _text(page)
    today = long_date(today_in_london())
    assert f"These rules are version 2 of the constitution, adopted on {today}" in text
    how = "by special resolution at the general meeting Extraordinary general meeting: Change the rules."
    assert how in text
    assert "14 days" in text and "28 days" not in text
    assert "Rules of Northfield Carers Co-op Limited (version 2)" in text
    assert f'href="{ARTICLES}?version=1"' in page.text

    older = client.get(f"{ARTICLES}?version=1")
    assert older.status_code == 200
    old_text = _text(older)
    assert "These rules are version 1 of the constitution" in old_text and "28 days" in old_text
    assert "an earlier version" in old_text and f'href="{ARTICLES}/pdf?version=1"' in older.text

    pdf = pdf_facts(client.get(f"{ARTICLES}/pdf").content)
    assert pdf.tagged and pdf.language == "en-GB"
    assert "version 2 of the constitution" in pdf.text and "14 days" in pdf.text
    old_pdf = pdf_facts(client.get(f"{ARTICLES}/pdf?version=1").content)
    assert "version 1 of the constitution" in old_pdf.text and "28 days" in old_pdf.text

    # The founding papers stay as they were at founding.
    minutes = _text(client.get(f"/o/{COOP}/documents/first-board-minutes"))
    assert "1 April 2026" in minutes
    for bad in ("3", "0", "-1", "abc", "1" * 30, "1.5"):
        assert client.get(f"{ARTICLES}?version={bad}").status_code == 404, bad
