"""The demo has an open vote on commissioning a shared service and a closed STV board election with its
count sheet, and the closed election verifies."""

from __future__ import annotations

from click.testing import CliRunner

from tests.coop.helpers import page_text, sign_in
from tests.coop.votes.helpers import MEMBER, rows


def test_demo_has_an_open_commissioning_vote_and_a_closed_board_election(demo_with_votes, client):
    from coop.votes.verify_command import verify

    votes = {v["title"]: v for v in rows("vote")}
    election = votes["Election of two directors, 2026"]
    commission = votes["Commission a shared personal assistant (PA) service"]
    assert election["status"] == "closed" and election["kind"] == "stv" and election["seats"] == 2
    assert commission["status"] == "open" and commission["purpose"] == "commission"
    sign_in(client, MEMBER)
    listing = page_text(client.get("/o/riverside/votes").text)
    assert "Commission a shared personal assistant (PA) service" in listing and "Closed votes" in listing
    assert "Election of two directors, 2026" not in listing  # closed votes are listed on their own
    closed = page_text(client.get("/o/riverside/votes?state=closed").text)
    assert "Election of two directors, 2026" in closed and "Commission a shared" not in closed
    results = client.get(f"/o/riverside/votes/{election['id']}/results")
    assert results.status_code == 200
    text = page_text(results.text)
    assert "Elected:" in text and "Round 2" in text and "Paper or postal ballot: 2" in text
    assert client.get(f"/o/riverside/votes/{commission['id']}/ballot").status_code == 200
    outcome = CliRunner().invoke(verify, ["riverside", str(election["id"])])
    assert outcome.exit_code == 0, outcome.output
