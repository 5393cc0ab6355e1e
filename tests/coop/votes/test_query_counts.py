"""Queries per request on the vote's busiest routes: casting a ballot and the vote's page. Pinned so they
never grow, and equal with 10 and 1,000 voters on the roll."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import run
from tests.coop.helpers import post_form, sign_in
from tests.coop.votes.helpers import MEMBER, make_vote, member_id, org_id


@contextmanager
def recorded_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement the app sends to the database while the block runs: through the engine, and the
    statements of a write given as steps (`coop.db.write_steps`), which on SQLite skip the engine's
    `run_querystring` (they run together on the writer's thread)."""
    from coop import db
    from coop.db import current_engine

    queries: list[str] = []
    engine_class = type(current_engine())
    original = engine_class.run_querystring
    original_step = db.observed_step

    steps: list[Any] = []

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        if not any(querystring is step for step in steps):  # a step is counted once, below
            queries.append(str(querystring))
        return await original(self, querystring, in_pool)

    def counting_step(sql: str, args: tuple[Any, ...]) -> Any:
        querystring = original_step(sql, args)
        queries.append(str(querystring))
        steps.append(querystring)
        return querystring

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    monkeypatch.setattr(db, "observed_step", counting_step)
    yield queries
    monkeypatch.setattr(engine_class, "run_querystring", original)
    monkeypatch.setattr(db, "observed_step", original_step)


@pytest.mark.parametrize("secret", [True, False], ids=["secret", "recorded"])
def test_casting_a_ballot_over_http_reads_and_writes_each_thing_once(demo, client, monkeypatch, secret):
    """The session with the membership (one query); then in the write transaction one read of the vote
    (all the receipt page shows of it) with the voter's place on its roll, the participation and the
    sealed ballot; a recorded vote adds its audit event (3 statements: its strand's next number, the
    event, the strand's new last link). 10 before this was pinned, 9 before the cast's own read of the
    vote served the page too, 8 before the session and the membership became one query. On PostgreSQL
    the participation and the sealed ballot are one statement (a data-modifying CTE): one fewer."""
    from coop.db import is_sqlite

    vote_id = make_vote(secret=secret)
    sign_in(client, MEMBER)
    url = f"/o/riverside/votes/{vote_id}"
    client.get(url)
    with recorded_queries(monkeypatch) as queries:
        response = post_form(client, f"{url}/cast", {"encoded": "for"})
    assert response.status_code == 200
    assert "vote has been cast" in response.text
    assert len(queries) == (4 if secret else 7) - (0 if is_sqlite() else 1), queries
    # The box is stored only with its participation, however many statements carry them.
    assert sum("INSERT INTO vote_sealed_ballot" in q for q in queries) == 1
    assert sum(q.lstrip().upper().startswith("SELECT") and " vote " in q.lower() for q in queries) == 1
    assert sum("INTO vote_sealed_ballot" in q for q in queries) == 1
    assert sum("INTO audit_event" in q for q in queries) == (0 if secret else 1)


def _vote_with_turnout(voters: int) -> int:
    """An open vote with about `voters` on its roll, and half of them voted (written directly)."""
    from coop.members.tables import Member
    from coop.votes.tables import Ballot, VoteParticipation, VoteRoll
    from tests.coop.members.helpers import add_members

    add_members(org_id(), voters, prefix=f"Voter{voters}")
    vote_id = make_vote(title=f"With {voters} voters")
    roll = [int(r["member"]) for r in run(VoteRoll.select(VoteRoll.member).where(VoteRoll.vote == vote_id))]
    me = member_id(MEMBER)
    others = [m for m in roll if m != me][: len(roll) // 2]
    for start in range(0, len(others), 400):
        batch = others[start : start + 400]
        run(
            VoteParticipation.insert(
                *(VoteParticipation(vote=vote_id, member=m, channel="paper") for m in batch)
            )
        )
        run(
            Ballot.insert(
                *(
                    Ballot(vote=vote_id, tracker=f"T{vote_id:05d}{m:020d}", choice="for", weight=1)
                    for m in batch
                )
            )
        )
    assert len(roll) >= voters and run(Member.count().where(Member.organisation == org_id())) >= voters
    return vote_id


def test_the_vote_page_answers_from_aggregates_in_at_most_5_queries_at_any_size(demo, client, monkeypatch):
    """The member's own status by key, turnout and channels by SQL aggregates: the same queries with 10 and
    with 1,000 voters, and the roll never loaded (no statement returns more than a handful of rows)."""
    sign_in(client, MEMBER)

    def measure(vote_id: int) -> list[str]:
        url = f"/o/riverside/votes/{vote_id}"
        client.get(url)  # warm: the session and CSRF cookies settle first
        with recorded_queries(monkeypatch) as queries:
            page = client.get(url)
        assert page.status_code == 200 and "Voted so far" in page.text
        return list(queries)

    small = measure(_vote_with_turnout(10))
    large = measure(_vote_with_turnout(1000))
    assert len(small) == len(large) <= 5, large
    assert [q.split(" FROM ")[0] for q in small] == [q.split(" FROM ")[0] for q in large]


def test_the_vote_page_shows_the_electorate_stored_at_opening_and_never_counts_the_roll(
    demo, client, monkeypatch
):
    """The roll's size is written on the vote when it opens; the page shows it (and the turnout) right,
    and none of its statements counts the whole roll (only the member's own place on it, by key)."""
    import re

    from coop.votes.tables import Vote, VoteParticipation, VoteRoll

    vote_id = _vote_with_turnout(1000)
    on_roll = run(VoteRoll.count().where(VoteRoll.vote == vote_id))
    voted = run(VoteParticipation.count().where(VoteParticipation.vote == vote_id))
    stored = run(Vote.select(Vote.electorate).where(Vote.id == vote_id).first())
    assert stored == {"electorate": on_roll} and on_roll > 1000 and 0 < voted < on_roll
    sign_in(client, MEMBER)
    url = f"/o/riverside/votes/{vote_id}"
    client.get(url)
    with recorded_queries(monkeypatch) as queries:
        page = client.get(url)
    shown = re.search(r"Voted so far</dt><dd[^>]*>(\d+) of (\d+)</dd>", page.text)
    assert shown is not None and (int(shown[1]), int(shown[2])) == (voted, on_roll)
    roll_reads = [q for q in queries for part in q.split("UNION ALL") if "FROM vote_roll" in part]
    assert roll_reads and all(
        "AND member =" in part for q in roll_reads for part in q.split("UNION ALL") if "vote_roll" in part
    ), roll_reads


def test_votes_are_listed_by_state_a_page_at_a_time(demo, client, monkeypatch):
    """Drafts, open and closed votes each on their own list, newest first, 25 to a page with keyset links;
    the list's queries do not grow with the number of votes."""
    import re

    from coop.votes.records import PER_PAGE

    drafts = [make_vote(open_it=False, title=f"Draft {i:02d}") for i in range(PER_PAGE + 5)]
    opened = make_vote(title="Open one")
    sign_in(client, MEMBER)

    def titles(html: str) -> list[str]:
        return re.findall(r'govuk-!-font-weight-bold" href="[^"]+">([^<]+)</a>', html)

    open_page = client.get("/o/riverside/votes")
    assert titles(open_page.text) == ["Open one"]
    with recorded_queries(monkeypatch) as queries:
        first = client.get("/o/riverside/votes?state=draft")
    assert titles(first.text) == [f"Draft {i:02d}" for i in range(PER_PAGE + 4, 4, -1)]
    assert len(queries) <= 4, queries
    next_link = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = client.get(next_link)
    assert titles(second.text) == [f"Draft {i:02d}" for i in range(4, -1, -1)]
    assert 'rel="next"' not in second.text and 'rel="prev"' in second.text
    assert "There are no closed votes" in client.get("/o/riverside/votes?state=closed").text
    assert client.get("/o/riverside/votes?state=nonsense&after=%00").status_code == 200
    assert drafts and opened
