"""One outcome for a closed vote (issue #14 item 11): the result page's words and its table, the CSV and
the JSON all say the same thing, quorate or not."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from tests.conftest import run
from tests.coop.helpers import page_text, sign_in
from tests.coop.votes.helpers import MEMBER, cast, close, make_vote, now

OPTIONS = ("Alice Green", "Bob White")
BUDGET_HOLDERS = ("jamie@riverside.example", "sofia@riverside.example", "grace@riverside.example")


def _closed_vote(kind: str, voters: tuple[str, ...]) -> int:
    vote_id = make_vote(kind=kind, purpose="general", options=OPTIONS, title="Pick a trainer")
    choice = {"single": "0", "ranked": "0>1"}[kind]
    for email in voters:
        cast(vote_id, email, choice)
    close(vote_id, when=now() + timedelta(days=8))
    return vote_id


def _views(client, vote_id: int) -> tuple[str, str, list[list[str]], dict]:
    page = client.get(f"/o/riverside/votes/{vote_id}/results")
    assert page.status_code == 200
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/o/riverside/votes/{vote_id}/results.csv").text)))
    data = client.get(f"/o/riverside/votes/{vote_id}/results.json").json()
    return page.text, page_text(page.text), csv_rows, data


@pytest.mark.parametrize("kind", ["single", "ranked"])
def test_an_inquorate_result_chooses_nobody_in_every_view(demo, client, kind):
    vote_id = _closed_vote(kind, BUDGET_HOLDERS[:1])  # 1 voter: the quorum is 3
    sign_in(client, MEMBER)
    html, text, csv_rows, data = _views(client, vote_id)
    assert "nobody is chosen" in text
    assert ">Chosen<" not in html and ">Elected<" not in html  # no option tagged as the winner
    assert "because the vote was not quorate, nobody is chosen" in text
    assert ["chosen"] in csv_rows  # the row is there, and names nobody
    assert data["chosen"] == [] and data["carried"] is False and data["quorum"]["met"] is False


@pytest.mark.parametrize("kind", ["single", "ranked"])
def test_a_quorate_result_chooses_the_winner_in_every_view(demo, client, kind):
    vote_id = _closed_vote(kind, BUDGET_HOLDERS)
    sign_in(client, MEMBER)
    html, text, csv_rows, data = _views(client, vote_id)
    assert "Chosen: Alice Green." in text
    assert html.count(">Chosen</strong>") == 1
    assert "Alice Green <strong" in html.replace("\n", "")
    assert ["chosen", "Alice Green"] in csv_rows
    assert data["chosen"] == ["Alice Green"] and data["carried"] is True and data["quorum"]["met"] is True


def test_results_stored_before_chosen_was_kept_are_read_by_the_quorum(demo, client):
    """A vote closed by an older coop has no `chosen`: its views still follow the quorum."""
    from coop.votes.tables import Vote

    vote_id = _closed_vote("single", BUDGET_HOLDERS[:1])
    row = run(Vote.select(Vote.result).where(Vote.id == vote_id).first())
    result = json.loads(row["result"]) if isinstance(row["result"], str) else dict(row["result"])
    assert result["sheet"]["elected"] == ["Alice Green"]  # the count alone has a winner...
    del result["chosen"]
    run(Vote.update({Vote.result: json.dumps(result)}).where(Vote.id == vote_id))
    sign_in(client, MEMBER)
    html, _, csv_rows, data = _views(client, vote_id)
    assert ">Chosen<" not in html and ["chosen"] in csv_rows and data["chosen"] == []  # ...but nobody is
