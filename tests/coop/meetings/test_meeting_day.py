"""Holding a meeting over HTTP: attendance and the quorum as people come and go, conflicts of interest
per item, resolutions with the right threshold and the casting vote, minutes to signature, and tenancy."""

from __future__ import annotations

from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.meetings.helpers import (
    CHAIR,
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
    meeting_row,
)

BOARD_ITEM = "Contract with Bright Care"


def _board_meeting_under_way(client) -> str:
    meeting = call_meeting(client, days=1)
    assert add_item(client, meeting, BOARD_ITEM, "board", "That we sign the contract.").status_code == 303
    for name in ("Amara Okafor", "Daniel Price", "Helen Jones", "Priya Shah"):
        assert arrive(client, meeting, name).status_code == 303
    return meeting


def _leave(client, meeting: str, name: str):
    from coop.meetings.tables import Attendance
    from tests.conftest import run

    row = run(
        Attendance.select(Attendance.id)
        .where(
            (Attendance.meeting.public_id == meeting)
            & (Attendance.member.name == name)
            & Attendance.left_at.is_null()
        )
        .first()
    )
    return post_form(client, f"/o/riverside/meetings/{meeting}/attendance/{row['id']}/leave")


def test_quorum_per_item_leaves_out_the_conflicted_and_the_casting_vote_decides_a_tie(demo, client):
    sign_in(client, SECRETARY)
    meeting = _board_meeting_under_way(client)
    assert meeting_row(meeting)["status"] == "open"
    assert "is already here" in page_text(arrive(client, meeting, "Priya Shah").text)
    assert "is not a director" in page_text(arrive(client, meeting, "Jamie Carter").text)
    assert declare(client, meeting, BOARD_ITEM, "Priya Shah").status_code == 303

    too_many = hands(client, meeting, BOARD_ITEM, 4, 0)
    assert too_many.status_code == 422
    assert "only 3 people may vote on this item (1 director has a conflict of interest" in page_text(
        too_many.text
    )

    # Daniel leaves: 3 directors here, but only 2 can be counted for this item.
    assert _leave(client, meeting, "Daniel Price").status_code == 303
    live = page_text(client.get(f"/o/riverside/meetings/{meeting}/live").text)
    assert "Quorate: 3 directors counted; 3 needed." in live
    not_quorate = hands(client, meeting, BOARD_ITEM, 2, 0)
    assert not_quorate.status_code == 422
    text = page_text(not_quorate.text)
    assert "not quorate for this item" in text and "with a conflict of interest is not counted" in text
    assert item_row(meeting, BOARD_ITEM)["result"] == ""

    assert arrive(client, meeting, "Daniel Price", "online").status_code == 303
    off_tie = hands(client, meeting, BOARD_ITEM, 2, 1, casting="for")
    assert off_tie.status_code == 422 and "only when the votes are tied" in page_text(off_tie.text)
    tied = hands(client, meeting, BOARD_ITEM, 1, 1, 1, casting="for")
    assert tied.status_code == 303
    row = item_row(meeting, BOARD_ITEM)
    assert row["result"] == "passed" and row["casting_vote"] == "for"
    assert "the chair used the casting vote for" in row["result_reasons"]
    # The htmx poll gets only the live block, which keeps polling.
    fragment = client.get(f"/o/riverside/meetings/{meeting}/live", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'hx-trigger="every 5s"' in fragment.text
    assert "passed" in fragment.text and fragment.headers["vary"] == "HX-Request"


def test_general_meeting_refuses_a_casting_vote_and_75_percent_exactly_passes_a_special_resolution(
    demo, client
):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=1, title="General meeting")
    add_item(client, meeting, "Change the objects", "special", "That the objects be changed.")
    add_item(client, meeting, "Appoint the accountant", "ordinary", "That Smith & Co be appointed.")
    assert add_item(client, meeting, "Bad", "board", "x").status_code == 422
    for name in ("Jamie Carter", "Sofia Rossi", "Grace Lee"):
        assert arrive(client, meeting, name).status_code == 303
    appoint_proxy("Kwame Mensah", "His sister Ama", meeting)
    assert arrive(client, meeting, "Kwame Mensah", "proxy", "His sister Ama").status_code == 303
    casting = hands(client, meeting, "Appoint the accountant", 2, 2, casting="for")
    assert casting.status_code == 422
    assert "The chair has no casting vote at a general meeting" in page_text(casting.text)
    assert hands(client, meeting, "Change the objects", 3, 1).status_code == 303
    assert item_row(meeting, "Change the objects")["result"] == "passed"
    assert hands(client, meeting, "Appoint the accountant", 2, 2).status_code == 303
    assert item_row(meeting, "Appoint the accountant")["result"] == "failed"
    page = client.get("/o/riverside/meetings/resolutions").text
    register = page_text(page)
    assert "Change the objects" in register and "3 for, 1 against" in register
    # Written resolutions are kept in their own register, which this one points to (Companies Act s.355).
    assert 'href="/o/riverside/resolutions">register of written resolutions</a>' in page


def test_minutes_are_drafted_edited_approved_at_the_next_meeting_and_signed_by_the_chair(demo, client):
    sign_in(client, SECRETARY)
    meeting = _board_meeting_under_way(client)
    declare(client, meeting, BOARD_ITEM, "Priya Shah", "Her son works for Bright Care")
    assert hands(client, meeting, BOARD_ITEM, 3, 0).status_code == 303
    assert (
        post_form(client, f"/o/riverside/meetings/{meeting}/minutes/draft").status_code == 422
    )  # still open
    assert post_form(client, f"/o/riverside/meetings/{meeting}/close").status_code == 303
    assert post_form(client, f"/o/riverside/meetings/{meeting}/minutes/draft").status_code == 303
    minutes = meeting_row(meeting)["minutes"]
    assert "Priya Shah declared an interest (Her son works for Bright Care)" in minutes
    assert "3 for, 0 against, 0 abstaining" in minutes and "Amara Okafor (in the room)" in minutes
    edited = minutes + "\nThe chair thanked everyone."
    assert (
        post_form(client, f"/o/riverside/meetings/{meeting}/minutes", {"minutes": edited}).status_code == 303
    )

    # Not yet approved: nobody can sign; no later meeting is held yet.
    sign_in(client, CHAIR)
    assert post_form(client, f"/o/riverside/meetings/{meeting}/minutes/sign").status_code == 422
    sign_in(client, SECRETARY)
    later = call_meeting(client, days=3, title="Next board meeting")
    early = post_form(client, f"/o/riverside/meetings/{meeting}/minutes/approve", {"approved_at": later})
    assert early.status_code == 422
    arrive(client, later, "Helen Jones")
    assert (
        post_form(
            client, f"/o/riverside/meetings/{meeting}/minutes/approve", {"approved_at": later}
        ).status_code
        == 303
    )
    # The secretary is not the chair.
    refused = post_form(client, f"/o/riverside/meetings/{meeting}/minutes/sign")
    assert refused.status_code == 422 and "Only the chair" in page_text(refused.text)
    sign_in(client, CHAIR)
    assert post_form(client, f"/o/riverside/meetings/{meeting}/minutes/sign").status_code == 303
    row = meeting_row(meeting)
    assert row["minutes_state"] == "signed" and row["minutes"] == edited
    sign_in(client, SECRETARY)
    locked = post_form(client, f"/o/riverside/meetings/{meeting}/minutes", {"minutes": "rewritten"})
    assert locked.status_code == 422 and meeting_row(meeting)["minutes"] == edited

    from coop.audit.tables import AuditEvent
    from tests.conftest import run

    actions = {
        r["action"] for r in run(AuditEvent.select(AuditEvent.action).where(AuditEvent.target_id == meeting))
    }
    for step in ("drafted", "edited", "approved", "signed"):
        assert f"meeting.minutes_{step}" in actions


def test_board_meetings_are_hidden_from_members_and_other_organisations_get_404(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, days=10)
    general = call_meeting(client, kind="general", days=30, title="Spring general meeting")
    item = item_id(meeting, BOARD_ITEM) if add_item(client, meeting, BOARD_ITEM).status_code == 303 else ""
    sign_in(client, MEMBER)
    assert client.get(f"/o/riverside/meetings/{meeting}").status_code == 404
    assert client.get(f"/o/riverside/meetings/{meeting}/items/{item}").status_code == 404
    assert client.get(f"/o/riverside/meetings/{general}").status_code == 200
    assert client.get("/o/riverside/meetings/new").status_code == 403
    assert client.get("/o/riverside/meetings/interests").status_code == 403
    listed = page_text(client.get("/o/riverside/meetings").text)
    assert "Spring general meeting" in listed and "Board meeting" not in listed
    sign_in(client, "lena@northfield.example")  # the secretary of another organisation
    for url in (f"/o/northfield/meetings/{meeting}", f"/o/northfield/meetings/{general}/live"):
        assert client.get(url).status_code == 404
    assert post_form(client, f"/o/northfield/meetings/{general}/close").status_code == 404
    assert client.get(f"/o/riverside/meetings/{general}").status_code == 404


def test_register_of_interests_and_bad_input(demo, client):
    sign_in(client, SECRETARY)
    from tests.coop.members.helpers import member_id

    empty = post_form(client, "/o/riverside/meetings/interests", {"member": member_id("Tom Evans")})
    assert empty.status_code == 422
    text = page_text(empty.text)
    assert "Describe the interest" in text and "Enter the date the interest was declared" in text
    added = post_form(
        client,
        "/o/riverside/meetings/interests",
        {
            "member": member_id("Tom Evans"),
            "description": "Director of Bright Care Ltd",
            "on_day": "1",
            "on_month": "2",
            "on_year": "2026",
        },
    )
    assert added.status_code == 303
    assert "Director of Bright Care Ltd" in page_text(client.get("/o/riverside/meetings/interests").text)
    not_director = post_form(
        client,
        "/o/riverside/meetings/interests",
        {
            "member": member_id("Jamie Carter"),
            "description": "x",
            "on_day": "1",
            "on_month": "2",
            "on_year": "2026",
        },
    )
    assert not_director.status_code == 422
    bad = post_form(
        client,
        "/o/riverside/meetings/new",
        {
            "kind": "coup",
            "time": "25:99",
            "starts_on_day": "31",
            "starts_on_month": "2",
            "starts_on_year": "2027",
        },
    )
    assert bad.status_code == 422
    text = page_text(bad.text)
    assert "Choose what kind of meeting" in text and "like 18:30" in text and "must be a real date" in text
    past = post_form(
        client,
        "/o/riverside/meetings/new",
        {
            "kind": "board",
            "title": "Old",
            "time": "10:00",
            "starts_on_day": "1",
            "starts_on_month": "1",
            "starts_on_year": "2020",
            "place": "Hall",
        },
    )
    assert past.status_code == 422 and "must start in the future" in page_text(past.text)
    meeting = call_meeting(client, days=2)
    add_item(client, meeting, "Budget", "board", "That the budget be approved.")
    arrive(client, meeting, "Helen Jones")
    weird = post_form(
        client,
        f"/o/riverside/meetings/{meeting}/items/{item_id(meeting, 'Budget')}/resolution",
        {"votes_for": "٣", "votes_against": "-1", "abstentions": "9" * 40},
    )
    assert weird.status_code == 422 and "whole number" in page_text(weird.text)


def test_a_class_meeting_invites_only_its_class(demo, client, settings):
    from coop.meetings.service import invitee_ids, meeting_by_id
    from coop.members.tables import Member
    from tests.conftest import run

    sign_in(client, SECRETARY)
    meeting = call_meeting(
        client, kind="class", days=30, title="Family carers' meeting", member_class="family_carer"
    )
    row = meeting_row(meeting)
    assert row["member_class"] == "family_carer"
    info = run(meeting_by_id(row["organisation"], row["id"]))
    invited = set(run(invitee_ids(info)))
    carers = run(
        Member.select(Member.id).where(
            (Member.organisation == row["organisation"])
            & (Member.member_class == "family_carer")
            & Member.ceased_on.is_null()
        )
    )
    assert invited == {r["id"] for r in carers} and invited
    refused = arrive(client, meeting, "Jamie Carter")  # a budget holder
    assert refused.status_code == 422
    assert "not in the class this meeting is for" in page_text(refused.text)
    assert arrive(client, meeting, "Kwame Mensah").status_code == 303
    no_class = post_form(
        client,
        "/o/riverside/meetings/new",
        {
            "kind": "class",
            "title": "x",
            "time": "10:00",
            "place": "Hall",
            "starts_on_day": "1",
            "starts_on_month": "1",
            "starts_on_year": "2099",
            "member_class": "pirates",
        },
    )
    assert no_class.status_code == 422 and "Choose the class of members" in page_text(no_class.text)


def test_one_person_holds_no_more_proxies_than_the_constitution_allows(demo, client):
    sign_in(client, SECRETARY)
    meeting = call_meeting(client, kind="general", days=3, title="General meeting")
    # The model CIC constitution: at most 5 proxies each.
    for name in ("Jamie Carter", "Sofia Rossi", "Grace Lee", "Kwame Mensah", "Ruth Adeyemi", "Ben Williams"):
        appoint_proxy(name, "Ama Mensah")
    for name in ("Jamie Carter", "Sofia Rossi", "Grace Lee", "Kwame Mensah", "Ruth Adeyemi"):
        assert arrive(client, meeting, name, "proxy", "Ama Mensah").status_code == 303
    sixth = arrive(client, meeting, "Ben Williams", "proxy", "Ama Mensah")
    assert sixth.status_code == 422
    assert "Ama Mensah already holds 5 proxies here; the constitution allows at most 5" in page_text(
        sixth.text
    )
    no_name = arrive(client, meeting, "Ben Williams", "proxy", "")
    assert no_name.status_code == 422 and "Enter the name of the proxy" in page_text(no_name.text)
