"""An item's resolution put to an online vote of those at the meeting, through the votes engine: who may
vote (present in person, represented by a checked proxy, never a conflicted director), the item's
threshold, and the result recorded as the item's decision when the worker closes the vote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coop import clock
from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs
from tests.coop.meetings.helpers import (
    MEMBER,
    SECRETARY,
    add_item,
    appoint_proxy,
    arrive,
    call_meeting,
    declare,
    hands,
    item_id,
    item_row,
)
from tests.coop.members.helpers import member_id

ITEM = "Appoint the accountant"
BOARD_ITEM = "Contract with Bright Care"


def _open_vote(client, meeting: str, title: str, minutes: str = "10"):
    return post_form(
        client,
        f"/o/riverside/meetings/{meeting}/items/{item_id(meeting, title)}/online-vote",
        {"minutes": minutes},
    )


def _roll(vote_id: int) -> dict[str, int | None]:
    from coop.votes.tables import VoteRoll

    rows = run(
        VoteRoll.select(VoteRoll.member.name.as_alias("name"), VoteRoll.proxy_appointment).where(
            VoteRoll.vote == vote_id
        )
    )
    return {r["name"]: r["proxy_appointment"] for r in rows}


def _cast(vote_id: int, name: str, choice: str) -> str:
    from coop.audit.service import SYSTEM
    from coop.members.tables import Member
    from coop.votes.casting import cast_ballot

    member = run(Member.select(Member.id, Member.organisation).where(Member.name == name).first())
    outcome = run(
        cast_ballot(member["organisation"], vote_id, member["id"], choice, now=clock.now(), actor=SYSTEM)
    )
    return outcome.status


def test_members_present_and_proxies_vote_online_and_the_result_is_the_items_decision(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=1, title="General meeting")
    assert add_item(client, meeting, ITEM, "ordinary", "That Smith & Co be appointed.").status_code == 303
    for name, mode in (("Jamie Carter", "room"), ("Sofia Rossi", "online"), ("Grace Lee", "room")):
        assert arrive(client, meeting, name, mode).status_code == 303
    appointment = appoint_proxy("Kwame Mensah", "Jamie Carter", meeting, proxy_member="Jamie Carter")
    assert arrive(client, meeting, "Kwame Mensah", "proxy", "Jamie Carter").status_code == 303

    taken = post_form(client, f"/o/riverside/meetings/{meeting}/current", {"item": item_id(meeting, ITEM)})
    assert taken.status_code == 303
    # Grace's standing proxy is Jamie, but Grace is here: she votes for herself.
    appoint_proxy("Grace Lee", "Jamie Carter", proxy_member="Jamie Carter")
    bad = _open_vote(client, meeting, ITEM, "7")
    assert bad.status_code == 422 and "Choose how long the vote stays open" in page_text(bad.text)
    assert item_row(meeting, ITEM)["vote"] is None
    opened = _open_vote(client, meeting, ITEM)
    assert opened.status_code == 303
    vote_id = int(item_row(meeting, ITEM)["vote"])
    assert _roll(vote_id) == {
        "Jamie Carter": None,
        "Sofia Rossi": None,
        "Grace Lee": None,
        "Kwame Mensah": appointment,
    }
    again = _open_vote(client, meeting, ITEM)
    assert again.status_code == 422 and "put to an online vote already" in page_text(again.text)
    show = hands(client, meeting, ITEM, 3, 0)
    assert show.status_code == 422 and "being decided by an online vote" in page_text(show.text)
    # Someone not at the meeting is not on the roll.
    assert _cast(vote_id, "Amara Okafor", "for") == "not_eligible"

    # Jamie votes on the vote's own page, for himself and as Kwame's proxy.
    sign_in(client, MEMBER)
    page = page_text(client.get(f"/o/riverside/meetings/{meeting}/items/{item_id(meeting, ITEM)}").text)
    assert "Vote on this resolution" in page and "0 of 4 have voted" in page
    vote_page = client.get(f"/o/riverside/votes/{vote_id}").text
    assert "Vote as proxy for Kwame Mensah" in vote_page and "Vote as proxy for Grace Lee" not in vote_page
    kwame = str(member_id("Kwame Mensah"))
    cast = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "for", "for_member": kwame})
    assert cast.status_code == 200 and "Your vote has been cast" in cast.text
    assert post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "for"}).status_code == 200
    assert _cast(vote_id, "Sofia Rossi", "against") == "cast"
    assert _cast(vote_id, "Grace Lee", "abstain") == "cast"
    live = page_text(client.get(f"/o/riverside/meetings/{meeting}/live").text)
    assert "4 of 4 have voted" in live and "You have voted." in live

    # The worker closes the vote at its time; the item is decided in the same transaction.
    later = datetime.now(UTC) + timedelta(minutes=11)
    with clock.frozen_at(later):
        run_jobs(demo, at=later)
        row = item_row(meeting, ITEM)
        assert (row["votes_for"], row["votes_against"], row["abstentions"]) == (2, 1, 1)
        assert row["result"] == "passed" and row["decided_at"] is not None
        assert "Decided by an online vote of those present" in row["result_reasons"]
        item_page = page_text(
            client.get(f"/o/riverside/meetings/{meeting}/items/{item_id(meeting, ITEM)}").text
        )
        assert "In an online vote of those present: 2 for, 1 against, 1 abstaining" in item_page
        register = page_text(client.get("/o/riverside/meetings/resolutions").text)
        assert ITEM in register and "2 for, 1 against, 1 abstaining" in register
        sign_in(client, SECRETARY)
        assert post_form(client, f"/o/riverside/meetings/{meeting}/close").status_code == 303
        assert post_form(client, f"/o/riverside/meetings/{meeting}/minutes/draft").status_code == 303
    from tests.coop.meetings.helpers import meeting_row

    minutes = meeting_row(meeting)["minutes"]
    assert "In an online vote of those present: 2 for, 1 against, 1 abstaining. The resolution PASSED." in (
        minutes
    )


def test_a_special_resolution_needs_75_percent_of_the_online_votes(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=1, title="General meeting")
    add_item(client, meeting, "Change the objects", "special", "That the objects be changed.")
    for name in ("Jamie Carter", "Sofia Rossi", "Grace Lee", "Kwame Mensah"):
        arrive(client, meeting, name)
    assert _open_vote(client, meeting, "Change the objects", "5").status_code == 303
    vote_id = int(item_row(meeting, "Change the objects")["vote"])
    for name, choice in (("Jamie Carter", "for"), ("Sofia Rossi", "for"), ("Grace Lee", "against")):
        assert _cast(vote_id, name, choice) == "cast"
    later = datetime.now(UTC) + timedelta(minutes=6)
    with clock.frozen_at(later):
        run_jobs(demo, at=later)
    row = item_row(meeting, "Change the objects")
    assert (row["votes_for"], row["votes_against"], row["result"]) == (2, 1, "failed")


def test_a_board_vote_leaves_out_the_conflicted_and_needs_the_item_quorate(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, days=1)
    add_item(client, meeting, BOARD_ITEM, "board", "That we sign the contract.")
    for name in ("Amara Okafor", "Helen Jones", "Priya Shah"):
        assert arrive(client, meeting, name).status_code == 303
    assert declare(client, meeting, BOARD_ITEM, "Priya Shah").status_code == 303
    not_quorate = _open_vote(client, meeting, BOARD_ITEM)
    assert not_quorate.status_code == 422
    assert "not quorate for this item" in page_text(not_quorate.text)
    assert item_row(meeting, BOARD_ITEM)["vote"] is None

    assert arrive(client, meeting, "Daniel Price", "online").status_code == 303
    assert _open_vote(client, meeting, BOARD_ITEM).status_code == 303
    vote_id = int(item_row(meeting, BOARD_ITEM)["vote"])
    assert sorted(_roll(vote_id)) == ["Amara Okafor", "Daniel Price", "Helen Jones"]
    assert _cast(vote_id, "Priya Shah", "against") == "not_eligible"
    for name in ("Amara Okafor", "Daniel Price", "Helen Jones"):
        assert _cast(vote_id, name, "for") == "cast"
    # Everyone who may vote has voted, so the vote may close early, through the votes engine.
    closed = post_form(client, f"/o/riverside/votes/{vote_id}/close")
    assert closed.status_code == 303
    row = item_row(meeting, BOARD_ITEM)
    assert (row["votes_for"], row["votes_against"], row["result"]) == (3, 0, "passed")


def test_only_the_secretary_opens_an_online_vote_and_only_while_the_meeting_is_under_way(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=1, title="General meeting")
    add_item(client, meeting, ITEM, "ordinary", "That Smith & Co be appointed.")
    add_item(client, meeting, "Any other business")
    not_yet = _open_vote(client, meeting, ITEM)
    assert not_yet.status_code == 422 and "while the meeting is under way" in page_text(not_yet.text)
    for name in ("Jamie Carter", "Sofia Rossi", "Grace Lee"):
        arrive(client, meeting, name)
    no_resolution = _open_vote(client, meeting, "Any other business")
    assert no_resolution.status_code == 422 and "no resolution waiting" in page_text(no_resolution.text)
    sign_in(client, MEMBER)
    assert _open_vote(client, meeting, ITEM).status_code == 403
    assert item_row(meeting, ITEM)["vote"] is None
