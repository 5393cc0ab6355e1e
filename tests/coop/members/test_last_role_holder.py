"""Nobody can leave an organisation without an administrator or a secretary: the last holder hands the
role over in the same step as resigning, or is refused with the reason; the board's paths (recording a
resignation, ceasing, expelling) and settling resignations refuse too; two last holders resigning at once
cannot both go."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import make_client, run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.members.helpers import member_id, member_row

LENA = "lena@northfield.example"  # Northfield's only secretary and administrator; no notice period
HELEN = "helen@riverside.example"  # Riverside's only secretary (Amara Okafor is its only administrator)


def roles_held(name: str, slug: str) -> set[str]:
    from coop.members.tables import RoleGrant

    member = member_row(name, slug)
    rows = run(
        RoleGrant.select(RoleGrant.role).where(
            (RoleGrant.member == member["id"]) & RoleGrant.revoked_at.is_null()
        )
    )
    return {r["role"] for r in rows}


def audit_actions() -> list[str]:
    from coop.audit.tables import AuditEvent

    return [r["action"] for r in run(AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id))]


def test_the_only_secretary_and_administrator_cannot_just_resign(demo, client):
    sign_in(client, LENA)
    form = client.get("/o/northfield/me/leave")
    assert "Who will take over as administrator and secretary?" in form.text
    refused = post_form(client, "/o/northfield/me/leave", {"confirm": "yes"})
    assert refused.status_code == 422
    text = page_text(refused.text)
    assert "There is a problem" in text
    assert "You are the only administrator and secretary, and the organisation must always have one" in text
    assert 'href="#successor"' in refused.text and 'id="successor"' in refused.text
    assert member_row("Lena Novak", "northfield")["ceased_on"] is None
    assert roles_held("Lena Novak", "northfield") == {"director", "secretary", "admin"}


def test_the_last_holder_hands_the_roles_over_when_resigning(demo, client):
    sign_in(client, LENA)
    # A search, not a list of everyone: only matching members who can sign in, never Lena herself.
    found = client.get("/o/northfield/me/leave?search=oma")
    omar = member_id("Omar Farouk", "northfield")
    assert found.status_code == 200 and f'value="{omar}"' in found.text and "Omar Farouk" in found.text
    assert "Lena Novak</label>" not in client.get("/o/northfield/me/leave?search=lena").text
    assert "No member who can sign in" in client.get("/o/northfield/me/leave?search=zzz").text
    done = post_form(client, "/o/northfield/me/leave", {"confirm": "yes", "successor": omar, "search": "oma"})
    assert done.status_code == 303 and done.headers["location"] == "/?left=1"
    assert member_row("Lena Novak", "northfield")["ceased_reason"] == "resigned"
    assert roles_held("Lena Novak", "northfield") == set()
    assert roles_held("Omar Farouk", "northfield") == {"secretary", "admin"}
    actions = audit_actions()
    assert actions.index("member.roles_handed_over") < actions.index("member.ceased")
    with make_client(demo) as omar_client:
        sign_in(omar_client, "omar@northfield.example")
        assert omar_client.get("/o/northfield/register").status_code == 200  # he can run it now


def test_a_successor_must_be_another_staying_member_of_this_organisation(demo, client):
    sign_in(client, LENA)
    lena = member_id("Lena Novak", "northfield")
    amara = member_id("Amara Okafor")  # another organisation's member
    for successor, words in (
        (lena, "Choose someone other than you"),
        (amara, "Choose a member to take over"),
        ("not-a-uuid", "Choose a member to take over"),
    ):
        refused = post_form(client, "/o/northfield/me/leave", {"confirm": "yes", "successor": successor})
        assert refused.status_code == 422 and words in refused.text, successor
    assert member_row("Lena Novak", "northfield")["ceased_on"] is None
    assert roles_held("Amara Okafor", "riverside") == {"director", "admin"}


def test_giving_notice_hands_over_at_once_and_the_resignation_settles(demo, client):
    from coop.members.leaving import settle_due_resignations

    sign_in(client, HELEN)  # Riverside gives 7 days' notice
    assert post_form(client, "/o/riverside/me/leave", {"confirm": "yes"}).status_code == 422
    assert member_row("Helen Jones")["leaving_on"] is None
    # Ben Williams never signs in, so he cannot be found to take over.
    assert "Ben Williams" not in client.get("/o/riverside/me/leave?search=ben").text
    grace = member_id("Grace Lee")
    assert (
        post_form(client, "/o/riverside/me/leave", {"confirm": "yes", "successor": grace}).status_code == 303
    )
    assert roles_held("Grace Lee", "riverside") == {"secretary"}
    assert member_row("Helen Jones")["leaving_on"] == date.today() + timedelta(days=7)
    org = member_row("Helen Jones")["organisation"]
    assert run(settle_due_resignations(org, date.today() + timedelta(days=7))) == 1
    assert member_row("Helen Jones")["ceased_reason"] == "resigned"
    assert roles_held("Grace Lee", "riverside") == {"secretary"}


def test_the_board_cannot_cease_expel_or_record_the_resignation_of_the_last_holder(demo, client):
    sign_in(client, HELEN)
    amara = member_id("Amara Okafor")
    ceased = post_form(client, f"/o/riverside/register/{amara}/cease", {"reason": "ceased"})
    assert ceased.status_code == 422
    assert "Amara Okafor is the only administrator, and the organisation must always have one" in page_text(
        ceased.text
    )
    assert 'href="#reason"' in ceased.text
    resigned = post_form(client, f"/o/riverside/register/{amara}/resign", {"confirm": "yes"})
    assert resigned.status_code == 422 and "Appoint another administrator first" in resigned.text
    assert (
        member_row("Amara Okafor")["ceased_on"] is None and member_row("Amara Okafor")["leaving_on"] is None
    )


def test_expelling_the_last_holder_is_refused(demo):
    from coop.audit.service import SYSTEM
    from coop.members.errors import MembershipError
    from coop.members.leaving import decide_expulsion, propose_expulsion, record_hearing
    from coop.organisations.service import org_context

    amara = member_row("Amara Okafor")
    helen_person = member_row("Helen Jones")["person"]
    org = run(org_context("riverside", helen_person))
    assert org is not None
    long_ago = date.today() - timedelta(days=60)
    run(propose_expulsion(org, amara, "Reasons", long_ago, SYSTEM, demo))
    run(record_hearing(org, amara, long_ago, "declined", "", SYSTEM))
    try:
        run(decide_expulsion(org, amara, date.today(), "board", 10, 10, SYSTEM))
    except MembershipError as exc:
        assert "only administrator" in exc.errors["votes_for"]
    else:
        raise AssertionError("the last administrator was expelled")
    assert member_row("Amara Okafor")["ceased_on"] is None


def test_settling_never_ends_the_last_holder(demo):
    """A notice given before hand-over existed (or any other way) waits rather than leave nobody."""
    from coop.members.leaving import settle_due_resignations
    from coop.members.tables import Member

    amara = member_row("Amara Okafor")
    run(Member.update({Member.leaving_on: date.today()}).where(Member.id == amara["id"]))
    assert run(settle_due_resignations(amara["organisation"])) == 0
    assert member_row("Amara Okafor")["ceased_on"] is None
    assert roles_held("Amara Okafor", "riverside") == {"director", "admin"}


@pytest.mark.parametrize(
    ("slug", "first", "second"),
    [
        ("northfield", "Lena Novak", "Omar Farouk"),  # no notice: both would end at once
        ("riverside", "Amara Okafor", "Jamie Carter"),  # 7 days' notice: both would be leaving
    ],
)
def test_two_last_holders_resigning_at_once_cannot_both_go(demo, slug, first, second):
    from coop.audit.service import Actor
    from coop.members.errors import MembershipError
    from coop.members.leaving import give_resignation
    from coop.members.tables import RoleGrant
    from coop.organisations.service import org_context

    rows = [member_row(first, slug), member_row(second, slug)]
    both_roles = {"admin", "secretary"} if slug == "northfield" else {"admin"}
    run(RoleGrant.insert(*(RoleGrant(member=rows[1]["id"], role=r) for r in sorted(both_roles))))

    async def resign(row: dict[str, Any]) -> str:
        org = await org_context(slug, row["person"])
        assert org is not None
        try:
            await give_resignation(org, row, date.today(), Actor(row["person"]), themselves=True)
        except MembershipError:
            return "refused"
        return "resigned"

    async def both() -> list[str]:
        return list(await asyncio.gather(*(resign(row) for row in rows)))

    assert sorted(run(both())) == ["refused", "resigned"]
    staying = [r for r in (member_row(first, slug), member_row(second, slug)) if r["leaving_on"] is None]
    [stays] = [r for r in staying if r["ceased_on"] is None]
    assert roles_held(stays["name"], slug) >= both_roles
