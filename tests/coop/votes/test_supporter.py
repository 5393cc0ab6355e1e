"""A member's named supporter (membership's MemberSupporter) helps them cast *their own* choice: the pages
say whose vote it is, the supporter confirms the member is there and chose, the participation records who
helped (never the ballot), and the member is told afterwards the way they asked. The supporter has no vote
or board power of their own."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from tests.conftest import run
from tests.coop.helpers import page_text as markup_free
from tests.coop.helpers import post_form, sign_in
from tests.coop.votes.helpers import TRACKER_RE, ballots, make_vote, member_by_name, rows

SUPPORTER = "maria@riverside.example"  # Maria Rossi supports Sofia Rossi in the demo
CONFIRM = "Confirm that Sofia Rossi is with you and that these are Sofia Rossi's own choices"


def page_text(html: str) -> str:
    return unescape(markup_free(html))


def outbox() -> list[dict[str, object]]:
    return rows("outbox_message")


def test_a_supporter_helps_the_member_cast_their_own_ballot(demo, client):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sofia = member_by_name("Sofia Rossi")
    [maria] = [p for p in rows("person") if p["email"] == SUPPORTER]
    base = f"/o/riverside/supporting/{sofia['public_id']}/votes"
    sign_in(client, SUPPORTER)
    assert client.get(f"/o/riverside/votes/{vote_id}").status_code == 404  # not a member herself
    page = client.get(f"{base}/{vote_id}")
    assert page.status_code == 200 and f'href="{base}/{vote_id}/ballot"' in page.text
    assert "Help Sofia Rossi to vote" in page_text(page.text)
    ballot = page_text(client.get(f"{base}/{vote_id}/ballot").text)
    assert "You are helping Sofia Rossi to vote" in ballot
    assert "Shared PA service: helping Sofia Rossi to vote - " in ballot  # the title, not "your vote"
    check = post_form(client, f"{base}/{vote_id}/check", {"choice": "for"})
    text = page_text(check.text)
    assert check.status_code == 200 and f'action="{base}/{vote_id}/cast"' in check.text
    assert "Check Sofia Rossi's vote before you cast it" in text and "Sofia Rossi's vote For" in text
    assert "You are helping Sofia Rossi to vote" in text and "Cast Sofia Rossi's vote" in text
    assert "Sofia Rossi is with me, and these are Sofia Rossi's own choices" in text
    assert "your vote" not in text.lower() and "Cast my vote" not in text

    # Without the confirmation nothing is cast: the check page again, the error by the box.
    before = len(outbox())
    refused = post_form(client, f"{base}/{vote_id}/cast", {"encoded": "for"})
    assert refused.status_code == 422
    assert (
        CONFIRM in unescape(refused.text)
        and 'href="#confirmed"' in refused.text
        and 'id="confirmed"' in refused.text
    )
    assert rows("vote_participation") == [] and ballots() == [] and len(outbox()) == before

    receipt = post_form(client, f"{base}/{vote_id}/cast", {"encoded": "for", "confirmed": "yes"})
    assert receipt.status_code == 200 and TRACKER_RE.search(receipt.text)
    assert "Sofia Rossi's vote has been cast" in page_text(receipt.text)
    [participation] = rows("vote_participation")
    assert participation["member"] == sofia["id"] and participation["channel"] == "online"
    assert participation["assisted_by"] == maria["id"]
    # Secrecy: the ballot row knows nothing of who cast it or with whose help.
    [ballot_row] = ballots()
    assert set(dict(ballot_row)) == {"tracker", "vote", "choice", "weight"}
    # The participation row says who helped; a secret vote logs no event per voter (it would say when).
    assert [e for e in rows("audit_event") if e["action"] == "vote.participated"] == []
    assert (
        post_form(client, f"{base}/{vote_id}/cast", {"encoded": "against", "confirmed": "yes"}).status_code
        == 409
    )
    assert post_form(client, f"{base}/{vote_id}/close").status_code == 403
    other = member_by_name("Jamie Carter")
    assert client.get(f"/o/riverside/supporting/{other['public_id']}/votes/{vote_id}").status_code == 404


def test_the_member_is_told_who_helped_them_vote_and_what_to_do_if_it_was_not_them(demo, client):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sofia = member_by_name("Sofia Rossi")
    base = f"/o/riverside/supporting/{sofia['public_id']}/votes"
    sign_in(client, SUPPORTER)
    before = len(outbox())
    assert (
        post_form(client, f"{base}/{vote_id}/cast", {"encoded": "against", "confirmed": "yes"}).status_code
        == 200
    )
    sent = outbox()[before:]
    # Sofia asked for easy read, and for notices to go through her supporter too: her own copy first.
    [to_sofia] = [m for m in sent if m["to_address"] == "sofia@riverside.example"]
    assert to_sofia["subject"] == "Riverside Shared Support CIC: Maria Rossi helped you vote"
    body = str(to_sofia["body"])
    assert body.startswith("Dear Sofia Rossi,\n\nEasy read\n\nMaria Rossi helped you to vote.")
    assert "Shared PA service" in body and "tell the secretary of Riverside Shared Support CIC" in body
    assert "https://testserver.local/o/riverside/me" in body
    for word in ("against", "Against", "for ", "tracking code"):
        assert word not in body  # never what was chosen, nor the tracker
    assert {m["to_address"] for m in sent} == {"sofia@riverside.example", SUPPORTER}


def test_a_member_who_asked_for_post_gets_a_letter(demo, client):
    from coop.members.tables import Member

    sofia = member_by_name("Sofia Rossi")
    run(
        Member.update({Member.contact_by: "post", Member.address: "3 Mill Lane"}).where(
            Member.id == sofia["id"]
        )
    )
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sign_in(client, SUPPORTER)
    base = f"/o/riverside/supporting/{sofia['public_id']}/votes"
    assert (
        post_form(client, f"{base}/{vote_id}/cast", {"encoded": "for", "confirmed": "yes"}).status_code == 200
    )
    [letter] = [r for r in rows("member_letter") if r["kind"] == "assisted_vote"]
    assert letter["member"] == sofia["id"] and letter["address"] == "3 Mill Lane"
    assert "Maria Rossi, your supporter, helped you vote online in: Shared PA service" in letter["body"]


def test_a_member_voting_alone_is_not_recorded_as_helped_and_gets_no_notice(demo, client):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sign_in(client, "sofia@riverside.example")
    before = len(outbox())
    cast = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "for"})
    assert cast.status_code == 200 and "Your vote has been cast" in cast.text
    [participation] = rows("vote_participation")
    assert participation["assisted_by"] is None and len(outbox()) == before


def test_a_supporter_helping_a_proxy_records_the_proxy_vote_and_tells_the_member_they_help(demo, client):
    from coop.members.tables import ProxyAppointment
    from tests.coop.votes.helpers import org_id

    sofia, grace = member_by_name("Sofia Rossi"), member_by_name("Grace Lee")
    run(
        ProxyAppointment.insert(
            ProxyAppointment(
                organisation=org_id(),
                member=grace["id"],
                proxy_member=sofia["id"],
                proxy_name="Sofia Rossi",
                standing=True,
            )
        )
    )
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sign_in(client, SUPPORTER)
    base = f"/o/riverside/supporting/{sofia['public_id']}/votes"
    before = len(outbox())
    cast = post_form(
        client,
        f"{base}/{vote_id}/cast",
        {"encoded": "for", "for_member": str(grace["public_id"]), "confirmed": "yes"},
    )
    assert cast.status_code == 200
    [participation] = rows("vote_participation")
    assert participation["member"] == grace["id"] and participation["channel"] == "proxy"
    assert participation["assisted_by"] is not None
    sent = outbox()[before:]
    assert "grace@riverside.example" not in {m["to_address"] for m in sent}
    [to_sofia] = [m for m in sent if m["to_address"] == "sofia@riverside.example"]
    assert "helped you vote online as proxy for Grace Lee in: Shared PA service" in str(to_sofia["body"])
