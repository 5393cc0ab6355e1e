"""Notices honour each member's recorded communication needs: easy read first in the email, a copy to the
supporter they asked us to go through, and a letter to print and post (large print if asked) for members
who asked for post or have no email, which the secretary marks as sent (audited)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import make_client, run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs
from tests.coop.members.helpers import member_row, outbox_to

SECRETARY = "helen@riverside.example"
JAMIE = "jamie@riverside.example"
LETTERS = "/o/riverside/register/letters"


def _open_vote_id() -> int:
    from coop.votes.tables import Vote

    row = run(
        Vote.select(Vote.id).where((Vote.status == "open") & (Vote.organisation.slug == "riverside")).first()
    )
    assert row is not None
    return int(row["id"])


def _letters(**where: Any) -> list[dict[str, Any]]:
    from coop.members.tables import MemberLetter

    rows = run(MemberLetter.select().order_by(MemberLetter.id))
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def _send_to_everyone(settings: Any) -> Any:
    from coop.members.notices import Notice, send_notice
    from coop.members.tables import Member

    ids = [r["id"] for r in run(Member.select(Member.id).where(Member.organisation.slug == "riverside"))]
    notice = Notice(
        kind="meeting",
        subject="Meeting of members",
        body="The annual general meeting is on 3 March at the Mill Hall, 7pm.\n\nAll members may come.\n",
        easy_read=("We are having a big meeting.", "It is on 3 March.", "You can come."),
    )
    return run(send_notice(settings, member_row("Ben Williams")["organisation"], ids, notice))


def test_vote_reminders_honour_easy_read_and_post(demo, client):
    vote_id = _open_vote_id()
    sign_in(client, SECRETARY)
    response = post_form(client, f"/o/riverside/votes/{vote_id}/remind")
    assert response.status_code == 303
    run_jobs(demo)  # the worker sends them

    # Jamie asked for easy read: the short sentences come first, then the full notice.
    (jamie,) = [m for m in outbox_to(JAMIE) if m["subject"].startswith("Reminder")]
    body = jamie["body"]
    assert body.startswith("Dear Jamie Carter,\n\nEasy read\n\nThere is a vote about: Commission")
    assert body.index("You have not voted yet.") < body.index("The full notice") < body.index("Vote here:")
    # Grace asked for BSL, not easy read: the standard notice only.
    (grace,) = [m for m in outbox_to("grace@riverside.example") if m["subject"].startswith("Reminder")]
    assert "Easy read" not in grace["body"] and "Vote here:" in grace["body"]

    # Margaret asked for post and easy read: a letter, not an email; Ben voted on paper, so nothing.
    (margaret,) = _letters(kind="vote_reminder")
    assert margaret["member"] == member_row("Margaret Hughes")["id"]
    assert margaret["easy_read"].startswith("There is a vote about:") and not margaret["large_print"]
    assert "3 Station Road" in margaret["address"]
    letters = page_text(client.get(LETTERS).text)
    assert "Margaret Hughes" in letters and "Reminder: please vote" in letters
    # The demo's own notice waits for both members who asked for post.
    assert letters.count("Annual general meeting (letter to") == 2
    page = client.get(f"{LETTERS}/{margaret['public_id']}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Easy read" in text and "You have not voted yet." in text and "3 Station Road" in text
    assert 'class="coop-letter"' in page.text and "govuk-body-l" not in page.text


def test_letters_print_large_and_supporters_get_a_copy(demo, client):
    sent = _send_to_everyone(demo)
    assert sent.letters == 2 and sent.emails >= 8  # Ben and Margaret by post, the rest by email
    assert not [m for m in outbox_to("ben@riverside.example") if m["subject"] == "Meeting of members"]

    # Sofia asked to be contacted through her supporter: Maria gets a copy, easy read first.
    (copy,) = [m for m in outbox_to("maria@riverside.example") if "Meeting of members" in m["subject"]]
    assert copy["subject"] == "For Sofia Rossi: Meeting of members"
    assert "Sofia Rossi's supporter" in copy["body"] and "We are having a big meeting." in copy["body"]

    # Ben asked for large print: his letter prints in GOV.UK's large type (18 point on paper).
    (ben,) = _letters(member=member_row("Ben Williams")["id"], kind="meeting")
    assert ben["large_print"] and ben["easy_read"] == ""
    sign_in(client, SECRETARY)
    page = client.get(f"{LETTERS}/{ben['public_id']}")
    assert page.status_code == 200
    assert "coop-letter coop-letter--large" in page.text and 'class="govuk-body-l' in page.text
    assert "12 Mill Lane" in page_text(page.text) and "The annual general meeting is on 3 March" in page.text
    # Ben's own data (the download a member gets) lists the letters written to him.
    from coop.members.personal_data import personal_data
    from coop.organisations.service import org_context

    org = run(org_context("riverside", member_row("Helen Jones")["person"]))
    data = run(personal_data(org, member_row("Ben Williams")["id"]))
    assert [x["subject"] for x in data["letters"]] == [
        "Annual general meeting",
        "Notice of meeting: Annual general meeting 2027",  # the demo AGM's notice (coop/meetings/demo.py)
        "Meeting of members",
    ]


def test_marking_a_letter_sent_is_audited_once(demo, client):
    _send_to_everyone(demo)
    (ben,) = _letters(member=member_row("Ben Williams")["id"], kind="meeting")
    sign_in(client, SECRETARY)
    response = post_form(client, f"{LETTERS}/{ben['public_id']}/sent")
    assert response.status_code == 303 and response.headers["location"] == f"{LETTERS}?sent=1"
    assert post_form(client, f"{LETTERS}/{ben['public_id']}/sent").status_code == 303  # a double click
    (after,) = _letters(member=member_row("Ben Williams")["id"], kind="meeting")
    assert after["sent_at"] is not None
    from coop.audit.tables import AuditEvent

    events = [e for e in run(AuditEvent.select()) if e["action"] == "notice.letter_sent"]
    assert len(events) == 1 and json.loads(events[0]["detail"]) == {"letter": str(ben["public_id"])}
    page = client.get(f"{LETTERS}?sent=1").text
    assert "The letter has been marked as sent." in page
    to_send, recently_sent = page.split("Recently sent")
    assert str(ben["public_id"]) not in to_send and str(ben["public_id"]) in recently_sent
    assert post_form(client, f"{LETTERS}/00000000-0000-0000-0000-000000000000/sent").status_code == 404


def test_only_the_board_of_the_same_organisation_sees_letters(demo, settings):
    _send_to_everyone(demo)
    (ben,) = _letters(member=member_row("Ben Williams")["id"], kind="meeting")
    with make_client(settings) as jamie, make_client(settings) as lena:
        sign_in(jamie, JAMIE)
        # A member who is not on the board is refused (403, as for the register itself).
        assert jamie.get(LETTERS).status_code == 403
        assert jamie.get(f"{LETTERS}/{ben['public_id']}").status_code == 403
        assert post_form(jamie, f"{LETTERS}/{ben['public_id']}/sent").status_code == 403
        # Northfield's secretary cannot reach Riverside's letter through her own organisation.
        sign_in(lena, "lena@northfield.example")
        assert lena.get("/o/northfield/register/letters").status_code == 200
        other = lena.get(f"/o/northfield/register/letters/{ben['public_id']}")
        assert other.status_code == 404 and "Mill Lane" not in other.text
        assert post_form(lena, f"/o/northfield/register/letters/{ben['public_id']}/sent").status_code == 404
    (still,) = _letters(member=member_row("Ben Williams")["id"], kind="meeting")
    assert still["sent_at"] is None


def test_a_member_who_applied_for_post_is_welcomed_by_letter(demo, client):
    from coop.members.tables import MembershipApplication

    app = run(MembershipApplication.select().where(MembershipApplication.status == "submitted").first())
    assert app is not None
    run(
        MembershipApplication.update({MembershipApplication.contact_by: "post"}).where(
            MembershipApplication.id == app["id"]
        )
    )
    sign_in(client, SECRETARY)
    response = post_form(
        client, f"/o/riverside/applications/{app['public_id']}", {"decision": "admit", "confirmed": "yes"}
    )
    assert response.status_code == 303
    (welcome,) = _letters(kind="welcome")
    assert welcome["subject"] == "Welcome to Riverside Shared Support CIC"
    assert "open this link and choose a password" in welcome["body"]
    assert not [m for m in outbox_to(app["email"]) if m["subject"].startswith("Welcome")]
