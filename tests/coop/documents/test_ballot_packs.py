"""Postal ballot packs (issue #16): members who asked for letters get a printable pack for each open vote
(the question, the options, how to return it, a return reference), the secretary prints all letters and
packs in bounded parts, and enters a returned paper by its reference on the vote's paper-ballot page."""

from __future__ import annotations

import html
import itertools
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import run
from tests.coop.documents.pdfs import pdf_facts
from tests.coop.helpers import page_text, post_form, sign_in

SECRETARY = "helen@riverside.example"
MEMBER = "jamie@riverside.example"
VOTE_TITLE = "Commission a shared personal assistant (PA) service"


def _vote_id() -> int:
    from coop.votes.tables import Vote

    return int(run(Vote.select(Vote.id).where(Vote.title == VOTE_TITLE).first())["id"])


def _reference(name: str) -> str:
    from coop.documents.ballot_packs import return_reference
    from coop.members.tables import Member

    row = run(Member.select(Member.entry_number).where(Member.name == name).first())
    return return_reference(_vote_id(), int(row["entry_number"]))


def test_references_round_trip_and_catch_every_single_digit_error_and_swap() -> None:
    from coop.documents.ballot_packs import ReturnReferenceError, parse_reference, return_reference

    for vote_id, entry in ((1, 1), (12, 34), (987, 123456), (2_000_000, 99)):
        reference = return_reference(vote_id, entry)
        assert parse_reference(reference) == (vote_id, entry)
        assert parse_reference(" " + reference.replace("-", " ") + " ") == (vote_id, entry)
        digits = [i for i, ch in enumerate(reference) if ch.isdigit()]
        for i in digits:  # every one-digit mistake
            for wrong in "0123456789":
                typo = reference[:i] + wrong + reference[i + 1 :]
                if typo != reference:
                    with pytest.raises(ReturnReferenceError):
                        parse_reference(typo)
        for a, b in itertools.pairwise(digits):  # every swap of neighbouring digits
            if b == a + 1 and reference[a] != reference[b]:
                swapped = reference[:a] + reference[b] + reference[a] + reference[b + 1 :]
                with pytest.raises(ReturnReferenceError):
                    parse_reference(swapped)
    for bad in ("", "12", "abc-def-gh", "12-34", "１２-34-56", "1" * 200):
        with pytest.raises(ReturnReferenceError):
            parse_reference(bad)


def test_the_letters_page_lists_letters_and_open_votes_with_postal_voters(demo, client) -> None:
    sign_in(client, SECRETARY)
    page = client.get("/o/riverside/documents/letters")
    assert page.status_code == 200
    text = html.unescape(page_text(page.text))
    assert "letters to send" in text and VOTE_TITLE in text
    assert f'href="/o/riverside/documents/letters/votes/{_vote_id()}"' in page.text
    letters = client.get("/o/riverside/documents/letters/pdf?after=0")
    facts = pdf_facts(letters.content)
    assert facts.tagged and facts.language == "en-GB"
    assert "Dear Margaret Hughes" in facts.text and "Easy read" in facts.text


def test_a_postal_voter_gets_a_ballot_pack_with_the_question_options_and_reference(demo, client) -> None:
    sign_in(client, SECRETARY)
    vote_id = _vote_id()
    page = client.get(f"/o/riverside/documents/letters/votes/{vote_id}")
    assert page.status_code == 200
    link = re.search(r'href="(/o/riverside/documents/letters/votes/\d+/pdf\?after=0)"', page.text)
    assert link is not None
    response = client.get(link.group(1))
    assert response.headers["content-type"] == "application/pdf"
    facts = pdf_facts(response.content)
    assert facts.tagged and facts.language == "en-GB"
    text = facts.text
    assert "Dear Margaret Hughes" in text and "Ballot paper" in text
    assert "For" in text and "Against" in text and "Abstain" in text
    assert f"Return reference: {_reference('Margaret Hughes')}" in text
    assert "How to return your ballot paper" in text and "Easy read" in text
    # Ben Williams asked for post too, but has voted: no pack for him.
    assert "Ben Williams" not in text


def test_the_secretary_enters_a_returned_paper_by_its_reference(demo, client) -> None:
    from coop.votes.tables import VoteParticipation

    sign_in(client, SECRETARY)
    vote_id = _vote_id()
    bad = client.get("/o/riverside/documents/letters/returns", params={"reference": "12-3456-00"})
    assert bad.status_code == 422
    assert "This return reference is not right" in html.unescape(bad.text)
    voted = client.get(
        "/o/riverside/documents/letters/returns", params={"reference": _reference("Ben Williams")}
    )
    assert voted.status_code == 422 and "already voted" in voted.text
    reference = _reference("Margaret Hughes")
    found = client.get(
        "/o/riverside/documents/letters/returns", params={"reference": reference}, follow_redirects=False
    )
    assert found.status_code == 303
    target = urlsplit(found.headers["location"])
    assert target.path == f"/o/riverside/votes/{vote_id}/paper"
    member = parse_qs(target.query)["member"][0]
    paper = client.get(found.headers["location"])
    assert f'<option value="{member}" selected>Margaret Hughes</option>' in paper.text
    before = run(VoteParticipation.count().where(VoteParticipation.vote == vote_id))
    entered = post_form(
        client,
        f"/o/riverside/votes/{vote_id}/paper",
        {"member": member, "channel": "paper", "choice": "against"},
    )
    assert entered.status_code == 200, entered.text[:500]
    assert run(VoteParticipation.count().where(VoteParticipation.vote == vote_id)) == before + 1
    again = client.get("/o/riverside/documents/letters/returns", params={"reference": reference})
    assert again.status_code == 422 and "already voted" in again.text


def test_only_the_board_and_secretary_reach_letters_and_packs(demo, client) -> None:
    sign_in(client, MEMBER)
    assert client.get("/o/riverside/documents/letters").status_code == 403
    assert client.get(f"/o/riverside/documents/letters/votes/{_vote_id()}/pdf").status_code == 403
    assert client.get("/o/riverside/documents/letters/returns?reference=1-0001-00").status_code == 403


def test_packs_for_250_postal_voters_come_in_parts_of_100(demo, client) -> None:
    from coop.votes.tables import VoteRoll
    from tests.coop.members.helpers import add_members, member_row

    organisation = int(member_row("Jamie Carter")["organisation"])
    add_members(organisation, 250, prefix="Postal")
    from coop.members.tables import Member

    vote_id = _vote_id()
    postal = run(Member.select(Member.id).where(Member.name.like("Postal %")))
    run(VoteRoll.insert(*(VoteRoll(vote=vote_id, member=r["id"]) for r in postal)))
    sign_in(client, SECRETARY)
    page = client.get(f"/o/riverside/documents/letters/votes/{vote_id}")
    parts = re.findall(r'href="/o/riverside/documents/letters/votes/\d+/pdf\?after=(\d+)"', page.text)
    # 250 new postal voters and Margaret Hughes: 100, 100 and 51.
    assert len(parts) == 3 and "packs 1 to 100" in page.text and "packs 201 to 251" in page.text
    last = client.get(f"/o/riverside/documents/letters/votes/{vote_id}/pdf?after={parts[2]}")
    text = pdf_facts(last.content).text
    assert text.count("Return reference:") == 51
    assert "Postal 00249" in text and "Postal 00198" not in text


@pytest.mark.parametrize("after", ["-5", "99999999999999999999", "2147483648"])
def test_a_hand_typed_part_position_past_every_id_finds_nothing_rather_than_failing(
    demo, client, after: str
) -> None:
    sign_in(client, SECRETARY)
    vote_id = _vote_id()
    for url in (f"/o/riverside/documents/letters/votes/{vote_id}/pdf", "/o/riverside/documents/letters/pdf"):
        response = client.get(url, params={"after": after})
        assert response.status_code in (200, 400, 404), (url, after, response.status_code)
    directors = client.get("/o/riverside/documents/register-of-directors", params={"after": "²"})
    assert directors.status_code == 200
