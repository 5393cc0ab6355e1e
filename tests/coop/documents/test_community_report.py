"""The community interest report (form CIC34) for the latest financial year: drafted from what coop
recorded (members, general meetings and their resolutions, votes with turnout, services bought together)
with the parts the secretary writes, saved by year; CIC34's parts in order, as a page and a tagged PDF;
long answers refused by the field; the same number of queries with 10 meetings as with 1,000."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from tests.conftest import make_client, run
from tests.coop.documents.pdfs import pdf_facts
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.meetings.helpers import MEMBER, SECRETARY, add_item, arrive, call_meeting, hands

WORDS = "/o/riverside/community-interest-report"
REPORT = "/o/riverside/documents/community-interest-report"
ANSWERS = {
    "benefit": "Members chose a shared personal assistant service and used it every week.",
    "consultation": "We asked members in easy read what they thought of the service.",
    "remuneration": "No director was paid for being a director.",
    "transfers": "There were no transfers of assets other than for full consideration.",
}
PARTS = (
    "Company details",
    "Part 1: General description of the company's activities and impact",
    "Part 2: Consultation with stakeholders",
    "Part 3: Directors' remuneration",
    "Part 4: Transfers of assets other than for full consideration",
)


def _text(response: Any) -> str:
    return html.unescape(page_text(response.text))


def _after_this_year_end() -> datetime:
    """Ten days after the next 31 March (Riverside's year end), so the year reported holds today."""
    today = datetime.now(UTC).date()
    end = date(today.year if today <= date(today.year, 3, 31) else today.year + 1, 3, 31)
    return datetime.combine(end + timedelta(days=10), time(12), UTC)


def _audits() -> int:
    from coop.audit.tables import AuditEvent

    return int(
        run(AuditEvent.count().where(AuditEvent.action == "documents.community_interest_report_saved"))
    )


def test_the_report_is_drafted_from_the_year_and_the_secretarys_words(demo, settings, client) -> None:
    from coop import clock

    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=1, title="Annual members meeting")
    add_item(client, meeting, "Change the objects", "special", "That the objects be changed.")
    for name in ("Jamie Carter", "Sofia Rossi", "Grace Lee", "Kwame Mensah"):
        assert arrive(client, meeting, name).status_code == 303
    assert hands(client, meeting, "Change the objects", 3, 1).status_code == 303

    with clock.frozen_at(_after_this_year_end()), make_client(settings) as browser:
        sign_in(browser, SECRETARY)
        index = _text(browser.get("/o/riverside/documents"))
        assert "Community interest report (form CIC34)" in index
        form = browser.get(WORDS)
        assert form.status_code == 200
        recorded = _text(form)
        assert "General meetings held: 1; resolutions passed at them: 1; not passed: 0" in recorded

        blank = _text(browser.get(REPORT))
        assert blank.count("[To fill in:") == 4

        too_long = post_form(browser, WORDS, {**ANSWERS, "benefit": "x" * 10_001})
        assert too_long.status_code == 422
        assert "must be 10,000 characters or fewer" in _text(too_long)
        assert ANSWERS["remuneration"] in html.unescape(too_long.text)  # nothing typed is lost
        assert _audits() == 0

        assert post_form(browser, WORDS, ANSWERS).status_code == 303
        assert _audits() == 1
        assert ANSWERS["benefit"] in html.unescape(browser.get(WORDS).text)

        page = _text(browser.get(REPORT))
        assert "[To fill in:" not in page
        positions = [page.index(part) for part in PARTS]
        assert positions == sorted(positions)
        assert "year to 31 March" in page
        assert "The members held 1 general meeting in the year: Annual members meeting on" in page
        assert "At them, 1 resolution passed and 0 did not." in page
        for answer in ANSWERS.values():
            assert answer in page

        pdf = pdf_facts(browser.get(f"{REPORT}/pdf").content)
        assert pdf.tagged and pdf.language == "en-GB"
        assert pdf.title.startswith("Community interest report (form CIC34), year to 31 March")
        text = pdf.text
        positions = [text.index(part) for part in PARTS]
        assert positions == sorted(positions)
        assert all(answer in text for answer in ANSWERS.values())
        assert "Annual members meeting" in text and "Signed by a director or the secretary" in text
        assert "Write or change the parts you fill in" not in text

        # Saving again replaces the words for the same year.
        assert (
            post_form(browser, WORDS, {**ANSWERS, "remuneration": "The chair was paid £500."}).status_code
            == 303
        )
        assert "The chair was paid £500." in _text(browser.get(REPORT))
        from coop.documents.tables import CommunityInterestReport

        assert run(CommunityInterestReport.count()) == 1


def test_only_the_board_writes_it_and_only_a_cic_has_one(demo, client) -> None:
    sign_in(client, MEMBER)
    assert client.get(WORDS).status_code in (403, 404)
    assert post_form(client, WORDS, ANSWERS).status_code in (403, 404)
    assert client.get(REPORT).status_code in (403, 404)
    sign_in(client, "lena@northfield.example")
    assert client.get("/o/northfield/community-interest-report").status_code == 404
    assert client.get("/o/northfield/documents/community-interest-report").status_code == 404


def test_saving_words_with_no_year_end_is_refused_not_a_server_error(demo) -> None:
    from coop.audit.service import SYSTEM
    from coop.documents.community_report import save_words
    from coop.errors import Refused
    from coop.organisations.tables import Organisation

    org = run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())
    run(Organisation.update({Organisation.year_end_month: 0}).where(Organisation.id == org["id"]))
    before = _audits()
    with pytest.raises(Refused) as refused:
        run(save_words(int(org["id"]), dict(ANSWERS), date(2026, 4, 10), SYSTEM))
    assert refused.value.status_code == 422
    assert refused.value.message == "The organisation's year end is not set, so there is no report year"
    assert _audits() == before


def test_the_report_makes_the_same_queries_with_10_meetings_as_with_1000(demo, client, monkeypatch) -> None:
    from coop.db import current_engine
    from coop.documents.community_report import report_year
    from coop.meetings.tables import Meeting
    from coop.organisations.tables import Organisation

    organisation = run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())[
        "id"
    ]
    start, _ = run(report_year(organisation, datetime.now(UTC).date()))

    def add(count: int) -> None:
        rows = [
            Meeting(
                organisation=organisation,
                kind="general",
                title=f"Meeting {i}",
                starts_at=datetime.combine(start, time(18), UTC) + timedelta(hours=i),
                status="closed",
            )
            for i in range(count)
        ]
        for offset in range(0, len(rows), 200):
            run(Meeting.insert(*rows[offset : offset + 200]))

    queries: list[str] = []
    engine_class = type(current_engine())
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        queries.append(str(querystring))
        return await original(self, querystring, in_pool)

    sign_in(client, SECRETARY)

    def measure() -> list[int]:
        counts = []
        for url in (WORDS, REPORT):
            client.get(url)
            queries.clear()
            response = client.get(url)
            assert response.status_code == 200, url
            counts.append(len(queries))
        return counts

    add(10)
    monkeypatch.setattr(engine_class, "run_querystring", counting)
    small = measure()
    add(990)
    assert measure() == small
    page = _text(client.get(REPORT))
    assert "The members held 1000 general meetings in the year:" in page and "(and 950 more)" in page
