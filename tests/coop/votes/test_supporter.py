"""A member's named supporter (membership's MemberSupporter) helps them vote: the ballot is the member's,
the audit log says it was assisted and by whom, never the choice; the supporter has no vote or board power."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.coop.helpers import post_form, sign_in
from tests.coop.votes.helpers import TRACKER_RE, make_vote, member_by_name, rows

SUPPORTER = "maria@riverside.example"  # Maria Rossi supports Sofia Rossi in the demo


def test_a_supporter_helps_the_member_cast_their_own_ballot(demo, client):
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sofia = member_by_name("Sofia Rossi")
    base = f"/o/riverside/supporting/{sofia['public_id']}/votes"
    sign_in(client, SUPPORTER)
    assert client.get(f"/o/riverside/votes/{vote_id}").status_code == 404  # not a member herself
    page = client.get(f"{base}/{vote_id}")
    assert page.status_code == 200 and f'href="{base}/{vote_id}/ballot"' in page.text
    check = post_form(client, f"{base}/{vote_id}/check", {"choice": "for"})
    assert check.status_code == 200 and f'action="{base}/{vote_id}/cast"' in check.text
    receipt = post_form(client, f"{base}/{vote_id}/cast", {"encoded": "for"})
    assert receipt.status_code == 200 and TRACKER_RE.search(receipt.text)
    [participation] = rows("vote_participation")
    assert participation["member"] == sofia["id"] and participation["channel"] == "online"
    [event] = [e for e in rows("audit_event") if e["action"] == "vote.participated"]
    assert json.loads(event["detail"]) == {"assisted": True, "channel": "online"}
    assert event["actor"] is not None
    assert post_form(client, f"{base}/{vote_id}/cast", {"encoded": "against"}).status_code == 409
    assert post_form(client, f"{base}/{vote_id}/close").status_code == 403
    other = member_by_name("Jamie Carter")
    assert client.get(f"/o/riverside/supporting/{other['public_id']}/votes/{vote_id}").status_code == 404
