"""Closing: the exact boundary, early close, the shuffled re-write, the bulletin board, results and
`coop verify` (a tampered board or an extra ballot is detected)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from click.testing import CliRunner

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs
from tests.coop.votes.helpers import (
    FINGERPRINT_RE,
    MEMBER,
    SECRETARY,
    TRACKER_RE,
    ballots,
    cast,
    close,
    make_vote,
    member_by_name,
    now,
    org_id,
    rows,
)

VOTERS = (
    "jamie@riverside.example",
    "sofia@riverside.example",
    "grace@riverside.example",
    "kwame@riverside.example",
    "ruth@riverside.example",
    "amara@riverside.example",
)


def _verify(vote_id: int) -> tuple[int, str]:
    from coop.votes.verify_command import verify

    result = CliRunner().invoke(verify, ["riverside", str(vote_id)])
    return result.exit_code, result.output


def test_a_ballot_one_second_before_close_counts_and_one_second_after_is_refused(demo):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    from coop.votes.tables import Vote

    closes_at = run(Vote.select(Vote.closes_at).where(Vote.id == vote_id).first())["closes_at"]
    assert cast(vote_id, VOTERS[0], "for", when=closes_at - timedelta(seconds=1)).counted
    late = cast(vote_id, VOTERS[1], "for", when=closes_at + timedelta(seconds=1))
    assert late.status == "closed"
    assert cast(vote_id, VOTERS[2], "for", when=closes_at).status == "closed"  # closing is exact
    assert len(ballots()) == 1 and len(rows("vote_participation")) == 1


def test_a_late_ballot_over_http_gets_a_clear_message(demo, client, monkeypatch):
    from coop import clock

    # Closing within the session's idle time, so moving the clock past it does not sign the member out.
    vote_id = make_vote(closes_in=timedelta(minutes=10))
    sign_in(client, MEMBER)
    with clock.frozen_at(now() + timedelta(minutes=10, seconds=1)):
        response = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "for"})
        assert response.status_code == 409
        assert "This vote has closed" in response.text and "Your vote was not counted" in response.text
        assert ballots() == []


def test_results_appear_only_after_the_worker_closes_the_vote_when_due(demo, client, monkeypatch):
    from coop import clock

    vote_id = make_vote(closes_in=timedelta(minutes=10))
    for email in VOTERS[:3]:
        cast(vote_id, email, "for")
    sign_in(client, MEMBER)
    early = client.get(f"/o/riverside/votes/{vote_id}/results")
    assert early.status_code == 409 and "There are no results yet" in early.text
    assert client.get(f"/o/riverside/votes/{vote_id}/results.csv").status_code == 404
    board = client.get(f"/o/riverside/votes/{vote_id}/board")
    assert board.status_code == 200 and '<td class="govuk-table__cell">For' not in board.text
    later = now() + timedelta(minutes=11)  # past the close, within the session's idle time
    with clock.frozen_at(later):
        # Past its closing time, a request no longer closes the vote (the worker does): it says so.
        assert "The votes are being counted" in client.get(f"/o/riverside/votes/{vote_id}").text
        assert client.get(f"/o/riverside/votes/{vote_id}/results").status_code == 409
        assert rows("vote")[0]["status"] == "open"
        run_jobs(demo, at=later)
        results = client.get(f"/o/riverside/votes/{vote_id}/results")
        assert results.status_code == 200
        text = page_text(results.text)
        electorate = len(rows("vote_roll"))
        assert (
            "The motion is carried" in text and f"3 of {electorate} voted" in text and "Online: 3" in text
        ), text
        assert "more than 50%" in text and "<svg" in results.text and "<table" in results.text
        csv_text = client.get(f"/o/riverside/votes/{vote_id}/results.csv").text
        assert "round,option,votes" in csv_text and "1,For,3" in csv_text
        data = client.get(f"/o/riverside/votes/{vote_id}/results.json").json()
        assert data["sheet"]["elected"] == ["For"] and data["turnout"]["voted"] == 3


def test_early_close_only_when_everyone_has_voted(demo, client):
    vote_id = make_vote(purpose="board_decision", secret=False)
    sign_in(client, SECRETARY)
    refused = post_form(client, f"/o/riverside/votes/{vote_id}/close")
    assert refused.status_code == 409 and "everyone who can vote has voted" in refused.text
    for email in (
        "amara@riverside.example",
        "daniel@riverside.example",
        "helen@riverside.example",
        "priya@riverside.example",
        "tom@riverside.example",
    ):
        assert cast(vote_id, email, "for").counted
    closed = post_form(client, f"/o/riverside/votes/{vote_id}/close")
    assert closed.status_code == 303 and closed.headers["location"].endswith("/results")
    results = client.get(closed.headers["location"])
    assert "How each person voted" in results.text and "Amara Okafor" in results.text


def test_close_rewrites_ballots_in_tracker_order_and_publishes_the_digest(demo):
    from coop.votes.bulletin import BoardEntry, board_digest

    vote_id = make_vote(closes_in=timedelta(hours=1))
    trackers = [
        cast(vote_id, email, choice).tracker
        for email, choice in zip(VOTERS, ["for", "against"] * 3, strict=True)
    ]
    vote = close(vote_id, when=now() + timedelta(hours=2), settings=demo)
    run_jobs(demo, at=now() + timedelta(hours=2))  # the worker sends the results
    stored = ballots()
    assert sorted(trackers) == [r["tracker"] for r in stored]  # physical order is tracker order
    entries = [BoardEntry(r["tracker"], r["choice"], r["weight"]) for r in stored]
    assert vote.board_digest == board_digest(vote_id, entries)
    closed = [e for e in rows("audit_event") if e["action"] == "vote.closed"]
    assert json.loads(closed[0]["detail"])["board_digest"] == vote.board_digest
    result_mails = [m for m in rows("outbox_message") if m["subject"].startswith("Result:")]
    assert result_mails and all(vote.board_digest in m["body"] for m in result_mails)
    assert all(t not in m["body"] for m in result_mails for t in trackers)


def test_member_looks_up_their_tracker_during_and_after_voting(demo, client):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sign_in(client, MEMBER)
    receipt = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "against"})
    tracker = TRACKER_RE.search(receipt.text).group(1)
    fingerprint = FINGERPRINT_RE.search(receipt.text).group(1)
    board = f"/o/riverside/votes/{vote_id}/board"
    page = client.get(board).text
    assert f'<form method="post" action="{board}"' in page  # no code in an address
    assert fingerprint in page and tracker not in page  # the quiet board: sealed ballots only
    during = post_form(client, board, {"tracker": fingerprint.lower()})
    assert "is recorded" in during.text and "Against" not in page_text(during.text)
    # While the vote is open the tracking code is sealed in the ballot: nothing on the server knows it.
    sealed = post_form(client, board, {"tracker": tracker})
    assert "could not find" in sealed.text and "look up your sealed ballot" in sealed.text
    partial = post_form(client, board, {"tracker": fingerprint}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and partial.text.lstrip().startswith('<div id="lookup-result"')
    assert "<html" not in partial.text and partial.headers["vary"] == "HX-Request"
    unknown = post_form(client, board, {"tracker": "AAAA"})
    assert unknown.status_code == 200 and "could not find" in unknown.text
    close(vote_id, when=now() + timedelta(hours=2))
    after = post_form(client, board, {"tracker": tracker})
    assert "was counted as: <strong>Against</strong>" in after.text
    board = client.get(f"/o/riverside/votes/{vote_id}/board.json").json()
    assert [b[1] for b in board["ballots"]] == ["against"] and board["board_digest"]


def test_verify_recounts_and_matches_for_generated_elections(demo):
    import random

    rng = random.Random(7)
    options = ("Ann", "Bo", "Cy", "Di")
    for kind, seats, purpose in (
        ("stv", 2, "board_election"),
        ("ranked", 1, "general"),
        ("approval", 2, "general"),
        ("single", 1, "general"),
        ("motion", 1, "general"),
    ):
        vote_id = make_vote(
            kind=kind,
            seats=seats,
            purpose=purpose,
            options=() if kind == "motion" else options,
            closes_in=timedelta(hours=1),
        )
        for email in VOTERS:
            if kind == "motion":
                choice = rng.choice(["for", "against", "abstain"])
            elif kind == "single":
                choice = str(rng.randrange(4))
            elif kind == "approval":
                choice = ",".join(str(i) for i in sorted(rng.sample(range(4), rng.randrange(1, 4))))
            else:
                choice = ">".join(str(i) for i in rng.sample(range(4), rng.randrange(1, 5)))
            assert cast(vote_id, email, choice).counted
        close(vote_id, when=now() + timedelta(hours=2))
        code, output = _verify(vote_id)
        assert code == 0, output
        assert "recount matches" in output


def test_verify_detects_a_changed_ballot(demo):
    from coop.votes.tables import Ballot

    vote_id = make_vote(closes_in=timedelta(hours=1))
    for email in VOTERS[:4]:
        cast(vote_id, email, "for")
    close(vote_id, when=now() + timedelta(hours=2))
    tracker = ballots()[0]["tracker"]
    run(Ballot.update({Ballot.choice: "against"}).where(Ballot.tracker == tracker))
    code, output = _verify(vote_id)
    assert code == 1 and "does NOT match the published digest" in output


def test_verify_detects_an_extra_ballot(demo):
    from coop.votes.tables import Ballot

    vote_id = make_vote(closes_in=timedelta(hours=1))
    for email in VOTERS[:4]:
        cast(vote_id, email, "against")
    close(vote_id, when=now() + timedelta(hours=2))
    run(Ballot.insert(Ballot(tracker="A" * 26, vote=vote_id, choice="for", weight=1)))
    code, output = _verify(vote_id)
    assert code == 1
    assert "5 ballots (weight 5) and 4 voters (weight 4) do NOT match" in output
    assert "does NOT match the published digest" in output


def test_verify_detects_a_changed_result(demo):
    from coop.votes.tables import Vote

    vote_id = make_vote(closes_in=timedelta(hours=1))
    for email in VOTERS[:4]:
        cast(vote_id, email, "against")
    vote = close(vote_id, when=now() + timedelta(hours=2))
    forged = dict(vote.result, outcome="The motion is carried.")
    run(Vote.update({Vote.result: json.dumps(forged)}).where(Vote.id == vote_id))
    code, output = _verify(vote_id)
    assert code == 1 and "The published result says: The motion is carried." in output


def test_electorate_is_frozen_at_opening_and_ceased_members_lose_their_vote_at_once(demo):
    from coop.audit.service import SYSTEM
    from coop.members.tables import Member
    from coop.organisations.service import add_member

    vote_id = make_vote(closes_in=timedelta(hours=1))
    from coop.members.tables import Member as M

    roll_size = len(rows("vote_roll"))
    assert roll_size == run(M.count().where(M.ceased_on.is_null() & (M.organisation == org_id())))
    joiner = run(
        add_member(
            organisation_id=org_id(),
            name="New Joiner",
            member_class="budget_holder",
            admitted_on=date.today(),
            person_id=None,
            roles=(),
            actor=SYSTEM,
        )
    )
    from coop.audit.service import SYSTEM as actor
    from coop.votes.casting import cast_ballot

    assert run(cast_ballot(org_id(), vote_id, joiner, "for", now=now(), actor=actor)).status == "not_eligible"
    assert len(rows("vote_roll")) == roll_size
    run(Member.update({Member.ceased_on: date.today()}).where(Member.name == "Sofia Rossi"))
    sofia = member_by_name("Sofia Rossi")
    assert (
        run(cast_ballot(org_id(), vote_id, sofia["id"], "for", now=now(), actor=actor)).status
        == "not_eligible"
    )
    assert ballots() == []


def test_reminders_go_to_those_who_have_not_voted(demo, client):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    cast(vote_id, MEMBER, "for")
    sign_in(client, SECRETARY)
    response = post_form(client, f"/o/riverside/votes/{vote_id}/remind")
    assert response.status_code == 303 and "reminded=" in response.headers["location"]
    assert not [m for m in rows("outbox_message") if m["subject"].startswith("Reminder")]  # queued only
    run_jobs(demo)
    reminders = [m for m in rows("outbox_message") if m["subject"].startswith("Reminder")]
    recipients = {m["to_address"] for m in reminders}
    assert MEMBER not in recipients and "sofia@riverside.example" in recipients
    # Everyone on the roll except the one who has voted: by email, or by letter if they asked for post.
    on_roll = len([r for r in rows("vote_roll") if r["vote"] == vote_id])
    letters = [r for r in rows("member_letter") if r["kind"] == "vote_reminder"]
    assert letters and len(reminders) + len(letters) == on_roll - 1
    voted = {r["member"] for r in rows("vote_participation") if r["vote"] == vote_id}
    assert len(voted) == 1 and not {r["member"] for r in letters} & voted
    page = client.get(response.headers["location"])
    assert f"Reminders are on their way to {on_roll - 1} members" in page.text


def test_paper_ballots_are_counted_with_online_ones_and_reported_by_channel(demo, client):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    cast(vote_id, MEMBER, "for")
    sign_in(client, SECRETARY)
    form = client.get(f"/o/riverside/votes/{vote_id}/paper")
    assert form.status_code == 200 and "Ben Williams" in form.text and "Jamie Carter" not in form.text
    ben = member_by_name("Ben Williams")
    missing = post_form(client, f"/o/riverside/votes/{vote_id}/paper", {"member": str(ben["public_id"])})
    assert missing.status_code == 422 and "Select for, against or abstain" in missing.text
    entered = post_form(
        client,
        f"/o/riverside/votes/{vote_id}/paper",
        {"member": str(ben["public_id"]), "channel": "paper", "choice": "for"},
    )
    assert entered.status_code == 200 and "Ballot entered" in entered.text
    margaret = member_by_name("Margaret Hughes")
    post_form(
        client,
        f"/o/riverside/votes/{vote_id}/paper",
        {"member": str(margaret["public_id"]), "channel": "in_room", "choice": "against"},
    )
    twice = post_form(
        client,
        f"/o/riverside/votes/{vote_id}/paper",
        {"member": str(ben["public_id"]), "channel": "paper", "choice": "against"},
    )
    assert twice.status_code == 422 and "already voted" in twice.text
    vote = close(vote_id, when=now() + timedelta(hours=2))
    assert vote.result["turnout"]["by_channel"] == {"in_room": 1, "online": 1, "paper": 1}
    results = page_text(client.get(f"/o/riverside/votes/{vote_id}/results").text)
    assert (
        "Online: 1" in results
        and "Paper or postal ballot: 1" in results
        and "In the room at a meeting: 1" in results
    )
