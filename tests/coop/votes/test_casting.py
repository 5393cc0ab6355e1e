"""Casting a secret ballot over HTTP: the ballot, check your answers, receipt; one member, one vote."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.conftest import run
from tests.coop.helpers import csrf_token, page_text, post_form, sign_in
from tests.coop.votes.helpers import (
    MEMBER,
    SECRETARY,
    TRACKER_RE,
    ballots,
    cast,
    close,
    make_vote,
    member_id,
    now,
    rows,
)


def test_secretary_creates_and_opens_a_vote_then_a_member_votes_without_javascript(demo, client):
    sign_in(client, SECRETARY)
    form = client.get("/o/riverside/votes/new")
    assert form.status_code == 200 and "Create a vote" in form.text
    created = post_form(
        client,
        "/o/riverside/votes/new",
        {
            "title": "Shared PA service",
            "question": "Should we commission a shared PA service?",
            "easy_read": "We could share personal assistants.",
            "kind": "motion",
            "purpose": "commission",
            "secrecy": "secret",
            "closes_at": "01/12/2099 17:00",
            "open_now": "yes",
            "seats": "1",
        },
    )
    assert created.status_code == 303, created.text[:3000]
    url = created.headers["location"]
    page = client.get(url)
    assert "Shared PA service" in page.text and "In easy read" in page.text and "Voted so far" in page.text

    client.cookies.clear()
    sign_in(client, MEMBER)
    ballot = client.get(f"{url}/ballot")
    assert ballot.status_code == 200 and 'name="choice"' in ballot.text
    empty = post_form(client, f"{url}/check", {})
    assert empty.status_code == 422 and "Select for, against or abstain" in empty.text
    assert 'href="#choice"' in empty.text
    check = post_form(client, f"{url}/check", {"choice": "for"})
    assert check.status_code == 200 and "Check your vote" in check.text
    assert "For" in page_text(check.text)
    change = post_form(client, f"{url}/ballot", {"encoded": "for"})
    assert (
        change.status_code == 200 and 'value="for" aria-describedby="choice-for-hint" checked' in change.text
    )
    receipt = post_form(client, f"{url}/cast", {"encoded": "for"})
    assert receipt.status_code == 200, receipt.text[:2000]
    tracker = TRACKER_RE.search(receipt.text).group(1)
    assert len(tracker.replace("-", "")) == 26
    # The receipt never shows the choice.
    assert ">For<" not in receipt.text and "Against" not in receipt.text
    again = post_form(client, f"{url}/cast", {"encoded": "against"})
    assert again.status_code == 409 and "You have already voted" in again.text
    assert client.get(f"{url}/ballot").status_code == 409
    assert len(rows("vote_participation")) == 1 and len(ballots()) == 1
    assert ballots()[0]["choice"] == "for"


def test_a_member_can_decline_a_tracking_code(demo, client):
    vote_id = make_vote()
    sign_in(client, MEMBER)
    receipt = post_form(
        client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "against", "no_receipt": "yes"}
    )
    assert receipt.status_code == 200 and "Your vote has been cast" in receipt.text
    assert TRACKER_RE.search(receipt.text) is None
    assert len(ballots()) == 1


def test_a_secret_vote_logs_how_many_voted_never_who_when_or_the_choice(demo, client):
    vote_id = make_vote()
    sign_in(client, MEMBER)
    receipt = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "abstain"})
    tracker = TRACKER_RE.search(receipt.text).group(1).replace("-", "")
    # No event per voter: its time and its place in the log would say when each person voted.
    assert [e for e in rows("audit_event") if e["action"] == "vote.participated"] == []
    close(vote_id, when=now() + timedelta(days=30))
    (closed,) = [e for e in rows("audit_event") if e["action"] == "vote.closed"]
    assert json.loads(closed["detail"])["by_channel"] == {"online": 1}
    for event in rows("audit_event"):
        assert tracker not in json.dumps(event, default=str)
        assert "abstain" not in event["detail"]
    outbox = rows("outbox_message")
    assert all(tracker not in m["body"] for m in outbox)


def test_ballot_forms_for_each_kind_and_their_errors(demo, client):
    sign_in(client, MEMBER)
    single = make_vote(kind="single", purpose="general", options=("Monday", "Tuesday", "Wednesday"))
    approval = make_vote(kind="approval", purpose="general", options=("Gardening", "Cooking", "Art"))
    ranked = make_vote(kind="ranked", purpose="general", options=("A", "B", "C"))
    stv = make_vote(kind="stv", purpose="board_election", options=("Ann", "Bo", "Cy", "Di"), seats=2)
    for vote_id in (single, approval, ranked, stv):
        assert client.get(f"/o/riverside/votes/{vote_id}/ballot").status_code == 200
    base = "/o/riverside/votes"
    assert post_form(client, f"{base}/{single}/check", {"choice": "7"}).status_code == 422
    assert "Tuesday" in post_form(client, f"{base}/{single}/check", {"choice": "1"}).text
    blank = post_form(client, f"{base}/{approval}/check", {})
    assert blank.status_code == 422 and "blank ballot" in blank.text
    ok = client.post(
        f"{base}/{approval}/check", data={"choice": ["0", "2"], "_csrf_token": csrf_token(client)}
    )
    assert ok.status_code == 200 and "Gardening, Art" in ok.text
    duplicate = post_form(client, f"{base}/{ranked}/check", {"rank_0": "1", "rank_1": "1"})
    assert duplicate.status_code == 422 and "more than one option" in duplicate.text
    gap = post_form(client, f"{base}/{ranked}/check", {"rank_0": "1", "rank_1": "3"})
    assert gap.status_code == 422 and "not used the number 2" in gap.text
    order = post_form(client, f"{base}/{stv}/check", {"rank_0": "2", "rank_2": "1"})
    assert order.status_code == 200
    text = page_text(order.text)
    assert text.index("Cy") < text.index("Ann")
    assert post_form(client, f"{base}/{stv}/cast", {"encoded": "2>0"}).status_code == 200
    stored = {r["choice"] for r in ballots()}
    assert stored == {"2>0"}


def test_ranked_ballot_asks_one_preference_per_page_with_radios_not_drag_and_drop(demo, client):
    vote_id = make_vote(kind="stv", purpose="board_election", options=("Ann", "Bo", "Cy"), seats=2)
    sign_in(client, MEMBER)
    page = client.get(f"/o/riverside/votes/{vote_id}/ballot").text
    assert "Who is your 1st choice?</h1>" in page
    for i, name in enumerate(("Ann", "Bo", "Cy")):
        field = "choice" if i == 0 else f"choice-{i}"
        assert f'id="{field}" name="choice" type="radio" value="{i}"' in page
        assert f'<label class="govuk-label govuk-radios__label" for="{field}">{name}</label>' in page
    # The 1st choice cannot be skipped: a ranked ballot needs at least one preference.
    assert "I do not want to rank any more" not in page
    assert (
        'draggable="true"' not in page
        and "<select" not in page
        and "<script" not in page.split("</header>")[1]
    )


def test_member_not_on_the_roll_and_other_organisations_are_refused(demo, client):
    vote_id = make_vote(purpose="board_decision", secret=False)
    sign_in(client, MEMBER)  # not a director
    assert client.get(f"/o/riverside/votes/{vote_id}/ballot").status_code == 403
    refused = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "for"})
    assert refused.status_code == 403 and "You cannot vote in this vote" in refused.text
    assert ballots() == []
    assert client.get("/o/northfield/votes/1").status_code == 404
    assert client.get(f"/o/riverside/votes/{vote_id + 99}").status_code == 404


def test_only_the_secretary_or_admin_can_create_open_or_close(demo, client):
    vote_id = make_vote(open_it=False)
    sign_in(client, MEMBER)
    assert client.get("/o/riverside/votes/new").status_code == 403
    assert post_form(client, f"/o/riverside/votes/{vote_id}/open").status_code == 403
    assert post_form(client, f"/o/riverside/votes/{vote_id}/close").status_code == 403
    assert post_form(client, f"/o/riverside/votes/{vote_id}/paper", {}).status_code == 403


def test_create_vote_errors_are_shown_by_each_field(demo, client):
    sign_in(client, SECRETARY)
    response = post_form(client, "/o/riverside/votes/new", {"kind": "stv", "options": "Only one"})
    assert response.status_code == 422
    for field in ("title", "question", "purpose", "options", "closes_at"):
        assert f'href="#{field}"' in response.text, field


def test_the_database_refuses_a_second_participation_row(demo):
    import pytest

    from coop.votes.tables import VoteParticipation

    vote_id = make_vote()
    assert cast(vote_id, MEMBER, "for").counted
    with pytest.raises(Exception):  # noqa: B017 - sqlite3.IntegrityError or asyncpg UniqueViolationError
        run(VoteParticipation.insert(VoteParticipation(vote=vote_id, member=member_id(MEMBER))))
    assert cast(vote_id, MEMBER, "against").status == "already_voted"
    assert len(ballots()) == 1


def test_recorded_vote_stores_the_choice_with_the_name_by_design(demo):
    vote_id = make_vote(secret=False, closes_in=timedelta(days=1))
    cast(vote_id, MEMBER, "against")
    assert rows("vote_participation")[0]["recorded_choice"] == "against"


def test_the_hand_written_vote_query_reads_every_vote_column() -> None:
    from coop.votes.records import _GET_VOTE, VOTE_COLUMNS

    selected = _GET_VOTE.split("SELECT ", 1)[1].split(" FROM ", 1)[0].split(", ")
    assert selected == [c._meta.db_column_name for c in VOTE_COLUMNS]
