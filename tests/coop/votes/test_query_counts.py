"""Queries per request on the vote's busiest routes: casting a ballot and the vote's page. Pinned so they
never grow, and equal with 10 and 1,000 voters on the roll."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.coop.helpers import post_form, sign_in
from tests.coop.votes.helpers import MEMBER, make_vote


@contextmanager
def recorded_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement the app sends to the database while the block runs."""
    from coop.db import current_engine

    queries: list[str] = []
    engine_class = type(current_engine())
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        queries.append(str(querystring))
        return await original(self, querystring, in_pool)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    yield queries
    monkeypatch.setattr(engine_class, "run_querystring", original)


def test_casting_a_ballot_over_http_reads_and_writes_each_thing_once(demo, client, monkeypatch):
    """The session, the membership, the vote for the page; then in the write transaction one read of the
    vote with the voter's place on its roll, the participation, the ballot and the audit event (3
    statements: its chain's next number, the event, the chain's new last link). 10 before this was pinned."""
    vote_id = make_vote()
    sign_in(client, MEMBER)
    url = f"/o/riverside/votes/{vote_id}"
    client.get(url)
    with recorded_queries(monkeypatch) as queries:
        response = post_form(client, f"{url}/cast", {"encoded": "for"})
    assert response.status_code == 200
    assert len(queries) <= 9, queries
    assert sum(q.lstrip().upper().startswith("SELECT") and " vote " in q.lower() for q in queries) <= 2
