"""The meeting pack as one tagged PDF: the notice, the agenda and each paper with its easy-read version, in
large print for a member who asked; board packs only for the board; the largest agenda still renders."""

from __future__ import annotations

import time

from tests.conftest import run
from tests.coop.documents.pdfs import pdf_facts
from tests.coop.helpers import sign_in
from tests.coop.meetings.helpers import MEMBER, SECRETARY, add_item, call_meeting
from tests.coop.members.helpers import member_row


def _pack(client, meeting: str, **params: str):
    return client.get(f"/o/riverside/meetings/{meeting}/pack.pdf", params=params)


def test_the_pack_holds_the_notice_agenda_and_papers_in_one_tagged_pdf(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=30, title="Annual meeting 2027")
    add_item(
        client,
        meeting,
        "Change the objects",
        "special",
        "That the objects include short breaks.",
        paper="The board proposes adding short breaks for carers.",
        paper_easy_read="We want to add short breaks.\nCarers can rest.",
    )
    add_item(client, meeting, "Questions from members")
    page = client.get(f"/o/riverside/meetings/{meeting}")
    assert f"/o/riverside/meetings/{meeting}/pack.pdf" in page.text and "print=large" in page.text

    sign_in(client, MEMBER)
    response = _pack(client, meeting)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "meeting-pack" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    facts = pdf_facts(response.content)
    assert facts.tagged and facts.language == "en-GB"
    assert facts.title == "Meeting pack: Annual meeting 2027 - Riverside Shared Support CIC"
    text = facts.text
    for words in (
        "Notice of meeting: Annual meeting 2027",
        "pass as a SPECIAL RESOLUTION: That the objects include short breaks.",
        "right to appoint a proxy",
        "Agenda: Annual meeting 2027",
        "Questions from members",
        "Item 1: Change the objects",
        "The board proposes adding short breaks for carers.",
        "Carers can rest.",
    ):
        assert words in text, words
    # Only items with something to read get a paper of their own.
    assert "Item 2: Questions from members" not in text


def test_large_print_when_asked_for_or_when_the_member_needs_it(demo, client):
    from coop.members.tables import CommunicationNeed

    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=30, title="General meeting")
    add_item(client, meeting, "Accounts", paper="The accounts for the year, line by line.\n" * 150)
    standard = pdf_facts(_pack(client, meeting).content)
    large = _pack(client, meeting, print="large")
    assert "large-print" in large.headers["content-disposition"]
    large_facts = pdf_facts(large.content)
    assert large_facts.tagged and large_facts.title.startswith("Meeting pack: General meeting (large print)")
    assert large_facts.pages > standard.pages
    # Jamie asked for large print: his pack is large print unless he asks for the standard one.
    run(
        CommunicationNeed.insert(
            CommunicationNeed(member=member_row("Jamie Carter")["id"], need="large_print")
        )
    )
    sign_in(client, MEMBER)
    assert "(large print)" in pdf_facts(_pack(client, meeting).content).title
    assert "(large print)" not in pdf_facts(_pack(client, meeting, print="standard").content).title
    # Anything else is the member's own default, never an error.
    assert _pack(client, meeting, print="<script>").status_code == 200


def test_a_board_pack_is_for_the_board_and_a_long_pack_comes_in_bounded_parts(demo, client):
    from coop.meetings.forms import PAPER_LIMIT
    from coop.meetings.pack import PART_CHARS
    from coop.meetings.service import MAX_ITEMS

    sign_in(client, SECRETARY)
    meeting = call_meeting(client, days=30)
    words = ("The provider's report on the quarter, line by line. " * 400)[:PAPER_LIMIT]
    for n in range(MAX_ITEMS):
        assert add_item(client, meeting, f"Item number {n + 1}", paper=words).status_code == 303
    per_part = PART_CHARS // PAPER_LIMIT
    parts = -(-MAX_ITEMS // per_part)
    page = client.get(f"/o/riverside/meetings/{meeting}")
    assert f"in {parts} parts" in page.text and f"pack.pdf?part={parts}" in page.text
    slowest = 0.0
    for number in (1, parts):
        started = time.monotonic()
        response = _pack(client, meeting, part=str(number))
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 200
        facts = pdf_facts(response.content)
        assert facts.tagged and f", part {number} of {parts}" in facts.title
        first, last = (number - 1) * per_part + 1, min(number * per_part, MAX_ITEMS)
        assert f"Item {first}: Item number {first}" in facts.text
        assert f"Item {last}: Item number {last}" in facts.text
        assert f"Item {last + 1}: " not in facts.text
        assert ("Notice of meeting" in facts.text) is (number == 1)
    print(f"pack of {MAX_ITEMS} papers of {len(words)} characters: {parts} parts, slowest {slowest:.1f}s")
    assert _pack(client, meeting, part=str(parts + 1)).status_code == 404
    assert _pack(client, meeting, part="x").status_code == 404
    sign_in(client, MEMBER)
    assert _pack(client, meeting).status_code == 404
