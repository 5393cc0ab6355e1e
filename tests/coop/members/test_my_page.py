"""A member's own page: membership, classes, votes, proxies, supporters, their data (JSON and HTML)."""

from __future__ import annotations

import json
import re

from tests.coop.helpers import page_text, sign_in


def test_member_page_shows_their_membership(demo, client):
    sign_in(client, "sofia@riverside.example")
    page = client.get("/o/riverside/me")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Your membership" in text and "Sofia Rossi" in text and "Budget holder" in text
    assert "15 January 2024" in text and "Through their supporter" in text
    # The demo's open vote, which Sofia has already voted in; Jamie has not.
    assert "Votes open to you Commission a shared personal assistant (PA) service : you have voted." in text
    assert "Maria Rossi" in text  # her supporter
    sign_in(client, "jamie@riverside.example")
    jamie = page_text(client.get("/o/riverside/me").text)
    assert "Commission a shared personal assistant (PA) service : closes" in jamie


def test_a_supporter_sees_the_members_open_votes(demo, client):
    from tests.coop.members.helpers import member_id

    sign_in(client, "maria@riverside.example")
    base = f"/o/riverside/supporting/{member_id('Sofia Rossi')}"
    # Maria is a member nowhere: her home page is her way in (it once listed nothing at all).
    home = client.get("/")
    assert "People you support" in home.text and f'href="{base}">Help Sofia Rossi</a>' in home.text
    page = client.get(base)
    assert page.status_code == 200 and "Votes open to Sofia Rossi" in page_text(page.text)
    links = re.findall(r'href="(' + re.escape(base) + r'/votes/\d+)"', page.text)
    assert len(links) == 1 and f'href="{base}/votes"' in page.text
    vote = client.get(links[0])
    assert vote.status_code == 200 and "Commission a shared personal assistant" in vote.text
    assert client.get("/o/riverside/votes").status_code == 404  # not a member herself


def test_download_all_personal_data_as_json_and_html(demo, client):
    sign_in(client, "sofia@riverside.example")
    response = client.get("/o/riverside/me/data.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.text)
    assert data["membership"]["name"] == "Sofia Rossi"
    assert {n["need"] for n in data["communication_needs"]} == {"supporter", "easy_read"}
    assert data["supporters"][0]["name"] == "Maria Rossi"
    assert data["account"]["email"] == "sofia@riverside.example"
    assert data["register_history"][0]["what"] == "Admitted" or data["register_history"]
    assert "password_hash" not in response.text and "Jamie" not in response.text
    html = client.get("/o/riverside/me/data")
    assert (
        html.status_code == 200 and "The data we hold about you" in html.text and "Maria Rossi" in html.text
    )


def test_standing_proxy_shows_on_both_pages(demo, settings):
    from tests.conftest import make_client

    with make_client(settings) as helen:
        sign_in(helen, "helen@riverside.example")
        assert "You are proxy for: Margaret Hughes" in page_text(helen.get("/o/riverside/me").text)


def test_supporter_finds_the_people_they_support(demo, client):
    sign_in(client, "maria@riverside.example")
    assert client.get("/").status_code == 200
    from tests.coop.members.helpers import member_id

    page = client.get(f"/o/riverside/supporting/{member_id('Sofia Rossi')}")
    assert page.status_code == 200 and "Sofia Rossi's membership" in page.text


def test_leaving_at_once_when_no_notice(demo, client):
    # Northfield's co-operative rules have no notice period: the resignation is immediate.
    from tests.coop.helpers import post_form
    from tests.coop.members.helpers import member_row

    sign_in(client, "omar@northfield.example")
    assert post_form(client, "/o/northfield/me/leave", {"confirm": "yes"}).headers["location"] == "/?left=1"
    assert member_row("Omar Farouk", "northfield")["ceased_reason"] == "resigned"
    assert client.get("/o/northfield/me").status_code == 404


def test_notices_and_ballots_can_read_every_members_needs(demo):
    from coop.members.needs import communication_needs_by_member
    from tests.conftest import run
    from tests.coop.members.helpers import member_row

    ben = member_row("Ben Williams")
    needs = run(communication_needs_by_member(ben["organisation"]))
    assert needs[ben["id"]] == ["large_print", "post"]
    assert needs[member_row("Margaret Hughes")["id"]] == ["easy_read", "post"]
    assert member_row("Amara Okafor")["id"] not in needs
