"""A standing proxy (membership's ProxyAppointment) casts the appointer's ballot online; a proxy for one
meeting, a revoked proxy or anyone else cannot; the result reports proxy votes as their own channel."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.votes.helpers import (
    MEMBER,
    ballots,
    close,
    make_vote,
    member_by_name,
    member_id,
    now,
    org_id,
    rows,
)


def _appoint(appointer: str, proxy_email: str, *, standing: bool = True) -> str:
    from coop.members.tables import ProxyAppointment

    member = member_by_name(appointer)
    run(
        ProxyAppointment.insert(
            ProxyAppointment(
                organisation=org_id(),
                member=member["id"],
                proxy_member=member_id(proxy_email),
                proxy_name="Jamie Carter",
                standing=standing,
                meeting_name="" if standing else "AGM 2026",
            )
        )
    )
    return str(member["public_id"])


def test_a_standing_proxy_votes_for_the_member_who_appointed_them(demo, client):
    grace = _appoint("Grace Lee", MEMBER)
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sign_in(client, MEMBER)
    page = client.get(f"/o/riverside/votes/{vote_id}")
    assert "Vote as proxy for Grace Lee" in page.text
    ballot = client.get(f"/o/riverside/votes/{vote_id}/ballot", params={"for_member": grace})
    assert ballot.status_code == 200 and "voting as proxy for" in ballot.text
    check = post_form(
        client, f"/o/riverside/votes/{vote_id}/check", {"choice": "against", "for_member": grace}
    )
    assert check.status_code == 200 and f'name="for_member" value="{grace}"' in check.text
    cast = post_form(
        client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "against", "for_member": grace}
    )
    assert cast.status_code == 200 and "Your vote has been cast" in cast.text
    # Jamie's own vote is still theirs to cast.
    assert post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "for"}).status_code == 200
    again = post_form(client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "for", "for_member": grace})
    assert again.status_code == 409
    channels = sorted(r["channel"] for r in rows("vote_participation"))
    assert channels == ["online", "proxy"]
    vote = close(vote_id, when=now() + timedelta(hours=2))
    assert vote.result["turnout"]["by_channel"] == {"online": 1, "proxy": 1}
    assert "Online by a proxy: 1" in page_text(client.get(f"/o/riverside/votes/{vote_id}/results").text)


def test_a_meeting_proxy_or_a_stranger_cannot_vote_for_someone_else(demo, client):
    grace = _appoint("Grace Lee", MEMBER, standing=False)
    sofia = str(member_by_name("Sofia Rossi")["public_id"])
    vote_id = make_vote(closes_in=timedelta(hours=1))
    sign_in(client, MEMBER)
    for other in (grace, sofia, "not-a-member"):
        assert (
            client.get(f"/o/riverside/votes/{vote_id}/ballot", params={"for_member": other}).status_code
            == 403
        )
        response = post_form(
            client, f"/o/riverside/votes/{vote_id}/cast", {"encoded": "for", "for_member": other}
        )
        assert response.status_code == 403
    assert ballots() == []
