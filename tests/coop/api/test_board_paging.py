"""The API's bulletin board is paged by key (the tracker): every ballot once, in the published order, and
the same number of queries for a board of 10 ballots or 1,000."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import run
from tests.coop.api.test_query_counts import _queries
from tests.coop.api.tokens import bearer, make_token, problem
from tests.coop.votes.helpers import make_vote

ORG = "/api/v1/orgs/riverside"


def _closed_vote_with_ballots(ballots: int, *, rare_weight: bool = False) -> int:
    """A vote marked closed with `ballots` ballots (written directly, in bounded batches)."""
    from coop.votes.tables import Ballot, Vote

    vote_id = make_vote(title=f"Board of {ballots}")
    _add_ballots(vote_id, 0, ballots, rare_weight=rare_weight)
    run(
        Vote.update(
            {
                Vote.status: "closed",
                Vote.result: json.dumps({"outcome": "carried"}),
                Vote.board_digest: "d" * 64,
            }
        ).where(Vote.id == vote_id)
    )
    assert run(Ballot.count().where(Ballot.vote == vote_id)) == ballots
    return vote_id


def _add_ballots(vote_id: int, start: int, stop: int, *, rare_weight: bool = False) -> None:
    from coop.votes.tables import Ballot

    for first in range(start, stop, 400):
        run(
            Ballot.insert(
                *(
                    Ballot(
                        vote=vote_id,
                        tracker=f"T{vote_id:05d}{i:020d}",
                        choice="for" if i % 3 else "against",
                        weight=3 if rare_weight and i == 0 else 1,
                    )
                    for i in range(first, min(first + 400, stop))
                )
            )
        )


def _whole_board(client: Any, token: str, vote_id: int, limit: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{ORG}/votes/{vote_id}/board", params=params, headers=bearer(token)).json()
        assert len(page["ballots"]) <= limit and page["board_digest"] == "d" * 64
        seen += page["ballots"]
        cursor = page["next"]
        if cursor is None:
            return seen


def test_the_board_comes_a_page_at_a_time_in_tracker_order_each_ballot_once(demo, client):
    vote_id = _closed_vote_with_ballots(23, rare_weight=True)
    token = make_token("daniel@riverside.example", "riverside")
    seen = _whole_board(client, token, vote_id, limit=5)
    trackers = [b["tracker"] for b in seen]
    assert trackers == sorted(trackers) and len(set(trackers)) == 23
    # one ballot of weight 3 among weights of 1 cannot be shown: the weights merge into a named group
    # (totals are weights: 8 ballots against, one of them weighing 3)
    assert all(b["weight"] is None and b["weight_group"] == "group 1" for b in seen)
    first = client.get(f"{ORG}/votes/{vote_id}/board", headers=bearer(token)).json()
    assert first["next"] is None and [b["tracker"] for b in first["ballots"]] == trackers
    assert first["weight_groups"] == [
        {"name": "group 1", "weights": [1, 3], "ballots": 23, "totals": {"against": 10, "for": 15}}
    ]


def test_a_cursor_the_board_did_not_give_is_a_problem_on_the_cursor(demo, client):
    from coop.api.paging import encode_cursor

    vote_id = _closed_vote_with_ballots(3)
    token = make_token("daniel@riverside.example", "riverside")
    for cursor in ("nonsense", encode_cursor(5), "azEuJyBPUiAxPTE"):  # the last: "k1.' OR 1=1"
        body = problem(
            client.get(f"{ORG}/votes/{vote_id}/board", params={"cursor": cursor}, headers=bearer(token))
        )
        assert body["status"] == 400 and body["errors"][0]["field"] == "cursor", cursor


def test_board_queries_do_not_grow_from_10_to_1000_ballots(demo, client, monkeypatch):
    vote_id = _closed_vote_with_ballots(10)
    token = make_token("daniel@riverside.example", "riverside")
    url = f"{ORG}/votes/{vote_id}/board?limit=100"
    few = _queries(client, monkeypatch, url, token)
    _add_ballots(vote_id, 10, 1000)
    many = _queries(client, monkeypatch, url, token)
    assert few == many <= 7, (few, many)
    body = client.get(url, headers=bearer(token)).json()
    assert len(body["ballots"]) == 100 and body["next"]
