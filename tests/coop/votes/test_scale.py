"""Votes at a size the drivers' parameter limits used to break (one INSERT for the whole roll failed above
about 10,900 voters on PostgreSQL and 8,000 on SQLite; one for every ballot at close likewise), a close
that fails undone whole and done again by the worker, and the board a page at a time with the whole of it
as a streamed JSON file."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from tests.conftest import run
from tests.coop.helpers import sign_in
from tests.coop.jobs.helpers import jobs, run_jobs
from tests.coop.votes.helpers import MEMBER, make_vote, now, org_id, rows

VOTERS = 11_000


def _vote_everyone(vote_id: int, choices: tuple[str, ...] = ("for", "against")) -> int:
    """A participation and a ballot, sealed to the vote's key as casting seals it, for everyone on the
    roll, written directly in batches (casting them one by one over HTTP would be the slow part of the
    test, and is tested elsewhere)."""
    from coop.votes import vote_keys
    from coop.votes.bulletin import BoardEntry, new_tracker
    from coop.votes.sealing import seal
    from coop.votes.tables import SealedBallotRow, VoteParticipation, VoteRoll

    public = vote_keys.decode_public(_vote_row(vote_id)["seal_public_key"])
    roll = [int(r["member"]) for r in run(VoteRoll.select(VoteRoll.member).where(VoteRoll.vote == vote_id))]
    for start in range(0, len(roll), 500):
        batch = roll[start : start + 500]
        run(
            VoteParticipation.insert(
                *(VoteParticipation(vote=vote_id, member=m, channel="paper") for m in batch)
            )
        )
        boxes = [
            seal(public, BoardEntry(new_tracker(), choices[i % len(choices)], 1))
            for i, _ in enumerate(batch, start=start)
        ]
        run(
            SealedBallotRow.insert(
                *(SealedBallotRow(vote=vote_id, fingerprint=b.fingerprint, sealed=b.sealed) for b in boxes)
            )
        )
    return len(roll)


def _vote_row(vote_id: int) -> dict:
    return next(v for v in rows("vote") if v["id"] == vote_id)


def test_a_vote_of_11000_opens_and_closes(demo):
    from tests.coop.members.helpers import add_members
    from tests.coop.votes.helpers import close

    add_members(org_id(), VOTERS, prefix="Elector")
    vote_id = make_vote(title="A big vote")
    voted = _vote_everyone(vote_id)
    assert voted > VOTERS
    closed = close(vote_id, when=now() + timedelta(days=8))
    assert closed.status == "closed" and closed.result is not None
    assert closed.result["turnout"]["voted"] == voted
    assert len(rows("vote_ballot")) == voted


def test_a_close_that_fails_is_undone_whole_and_the_worker_closes_it_later(demo, monkeypatch):
    import coop.votes.closing
    from coop.votes.tables import Ballot, SealedBallotRow

    def stored() -> list[tuple[str, str]]:
        readable = [(r["tracker"], r["choice"]) for r in run(Ballot.select(Ballot.tracker, Ballot.choice))]
        boxes = run(SealedBallotRow.select(SealedBallotRow.fingerprint, SealedBallotRow.sealed))
        return sorted(readable + [(r["fingerprint"], r["sealed"]) for r in boxes])

    vote_id = make_vote(closes_in=timedelta(minutes=5))
    _vote_everyone(vote_id)
    ballots_before = stored()
    assert ballots_before
    closes_at = _vote_row(vote_id)["closes_at"]

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away mid-close")

    # Fails after the ballots were re-written and the result computed: all of it must be undone.
    monkeypatch.setattr(coop.votes.closing, "seat_election_winners", broken)
    run_jobs(demo, at=closes_at + timedelta(seconds=1))
    (close_job,) = [j for j in jobs() if j["kind"] == "vote.close"]
    assert close_job["attempts"] == 1 and "went away" in close_job["last_error"], close_job
    assert close_job["state"] != "done"
    vote = _vote_row(vote_id)
    assert vote["status"] == "open" and vote["result"] is None and vote["board_digest"] is None
    assert stored() == ballots_before  # the sealed ballots, and the key to open them, are kept for the retry
    monkeypatch.undo()
    run_jobs(demo, at=closes_at + timedelta(hours=1))  # the retry, after the back-off
    vote = _vote_row(vote_id)
    assert vote["status"] == "closed" and vote["result"] is not None and vote["board_digest"]
    assert [j["state"] for j in jobs() if j["kind"] == "vote.close"] == ["done"]


@pytest.mark.parametrize("ballots", [60])
def test_the_board_is_paged_and_its_json_download_has_every_ballot(demo, client, ballots):
    from tests.coop.members.helpers import add_members
    from tests.coop.votes.helpers import close

    add_members(org_id(), ballots, prefix="Elector")
    vote_id = make_vote(title="Board vote")
    voted = _vote_everyone(vote_id)
    sign_in(client, MEMBER)
    url = f"/o/riverside/votes/{vote_id}/board"
    open_board = client.get(url)
    assert open_board.status_code == 200
    shown = re.findall(r"coop-tracker govuk-!-text-break-word\">([A-Z2-7-]+)<", open_board.text)
    assert len(shown) == 50 and ">For<" not in open_board.text  # sealed ballots' fingerprints only
    close(vote_id, when=now() + timedelta(days=8))
    seen: list[str] = []
    page_url: str | None = url
    while page_url:
        page = client.get(page_url)
        assert page.status_code == 200
        seen += re.findall(r"coop-tracker govuk-!-text-break-word\">([A-Z2-7-]+)<", page.text)
        found = re.search(r'href="([^"]+)" rel="next"', page.text)
        page_url = found.group(1).replace("&amp;", "&") if found else None
    assert len(seen) == voted and seen == sorted(seen)
    download = client.get(f"{url}.json")
    assert download.status_code == 200 and download.headers["content-type"].startswith("application/json")
    body = json.loads(download.text)
    assert len(body["ballots"]) == voted and body["vote"] == vote_id and body["board_digest"]
    assert [b[0] for b in body["ballots"]] == sorted(t.replace("-", "") for t in seen)
    from coop.votes.bulletin import BoardEntry, board_digest

    assert board_digest(vote_id, [BoardEntry(*b) for b in body["ballots"]]) == body["board_digest"]
