"""Written resolutions over HTTP: drafting (and the removals the law forbids), sending round to every
eligible member by their channel, agreeing online and on paper, passing against ALL eligible votes at the
exact edge, lapsing on time with no request, and who may see and do what."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import run
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.jobs.helpers import run_jobs
from tests.coop.members.helpers import member_row

SECRETARY = "helen@riverside.example"
MEMBER = "jamie@riverside.example"
BASE = "/o/riverside/resolutions"


def resolution(title: str) -> dict[str, Any]:
    from coop.resolutions.tables import WrittenResolution

    row = run(WrittenResolution.select().where(WrittenResolution.title == title).first())
    assert row is not None, title
    return row


def draft(client: Any, title: str, kind: str = "ordinary", removes: str = "no") -> Any:
    return post_form(
        client,
        f"{BASE}/new",
        {"title": title, "text": f"That {title.lower()}.", "easy_read": "", "kind": kind, "removes": removes},
    )


def electors(title: str) -> list[dict[str, Any]]:
    from coop.resolutions.tables import WrittenResolutionElector

    return run(
        WrittenResolutionElector.select(
            WrittenResolutionElector.member,
            WrittenResolutionElector.weight,
            WrittenResolutionElector.member.entry_number.as_alias("entry_number"),
            WrittenResolutionElector.member.name.as_alias("name"),
        )
        .where(WrittenResolutionElector.resolution == resolution(title)["id"])
        .order_by(WrittenResolutionElector.member)
    )


def sent_round(client: Any, title: str, kind: str = "ordinary") -> dict[str, Any]:
    assert draft(client, title, kind).status_code == 303
    row = resolution(title)
    response = post_form(client, f"{BASE}/{row['public_id']}/circulate")
    assert response.status_code == 303, response.text[:3000]
    return resolution(title)


def paper(client: Any, row: dict[str, Any], entry_number: int, on: Any = None) -> Any:
    on = on or datetime.now(UTC).date()
    return post_form(
        client,
        f"{BASE}/{row['public_id']}/paper",
        {
            "entry_number": str(entry_number),
            "received_day": str(on.day),
            "received_month": str(on.month),
            "received_year": str(on.year),
        },
    )


def audit_actions() -> list[str]:
    from coop.audit.tables import AuditEvent

    return [r["action"] for r in run(AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id))]


def test_a_draft_is_the_boards_until_it_is_sent_round(demo: Any, client: Any, settings: Any) -> None:
    from tests.conftest import make_client

    sign_in(client, SECRETARY)
    assert draft(client, "Change the name").status_code == 303
    row = resolution("Change the name")
    assert row["status"] == "draft" and row["eligible_votes"] == 0
    with make_client(settings) as member:
        sign_in(member, MEMBER)
        assert member.get(f"{BASE}/{row['public_id']}").status_code == 404
        assert "Change the name" not in member.get(f"{BASE}/").text
        assert post_form(member, f"{BASE}/new", {"title": "x"}).status_code == 403
    assert "resolution.drafted" in audit_actions()


def test_removing_a_director_or_an_auditor_by_written_resolution_is_refused(demo: Any, client: Any) -> None:
    from coop.resolutions.tables import WrittenResolution

    sign_in(client, SECRETARY)
    before = run(WrittenResolution.count())
    for removes, who in (("director", "director"), ("auditor", "auditor")):
        response = draft(client, f"Remove the {who}", removes=removes)
        assert response.status_code == 422
        text = page_text(response.text)
        assert "There is a problem" in text and "section 288" in text and who in text
    assert run(WrittenResolution.count()) == before


def test_bad_drafts_get_errors_by_their_fields_and_change_nothing(demo: Any, client: Any) -> None:
    from coop.resolutions.tables import WrittenResolution

    sign_in(client, SECRETARY)
    before = run(WrittenResolution.count())
    response = post_form(client, f"{BASE}/new", {"title": "", "text": "x" * 20_000, "kind": "weird"})
    assert response.status_code == 422
    text = page_text(response.text)
    for message in (
        "Enter a short title",
        "must be 10,000 characters or fewer",
        "Choose whether it is an ordinary or a special resolution",
        "Say whether the resolution removes",
    ):
        assert message in text
    assert run(WrittenResolution.count()) == before


def test_sending_round_freezes_the_electorate_and_reaches_each_member_their_way(
    demo: Any, client: Any, settings: Any
) -> None:
    from coop.mail.tables import OutboxMessage
    from coop.members.tables import Member, MemberLetter

    sign_in(client, SECRETARY)
    row = sent_round(client, "Adopt the new rules", "special")
    voters = electors("Adopt the new rules")
    assert row["status"] == "circulating"
    assert row["eligible_votes"] == sum(e["weight"] for e in voters) > 0
    assert row["lapses_on"] == row["circulated_on"] + timedelta(days=28)
    # Sending it round again is refused, and nothing changes.
    again = post_form(client, f"{BASE}/{row['public_id']}/circulate")
    assert again.status_code == 422 and "already been sent round" in page_text(again.text)
    assert len(electors("Adopt the new rules")) == len(voters)

    run_jobs(settings)
    subject = "Written resolution for you to consider: Adopt the new rules"
    emails = run(OutboxMessage.select().where(OutboxMessage.subject == subject))
    letters = run(MemberLetter.select().where(MemberLetter.subject == subject))
    assert len(emails) + len(letters) == len(voters)
    body = (emails or letters)[0]["body"]
    assert "Statement of agreement" in body and "It lapses if not enough members agree by the end of" in body
    post_members = {
        r["id"]
        for r in run(Member.select(Member.id).where(Member.id.is_in([e["member"] for e in voters])))
        if r["id"] in {x["member"] for x in letters}
    }
    assert len(post_members) == len(letters)


def test_it_passes_only_when_the_share_of_all_eligible_votes_is_reached(
    demo: Any, client: Any, settings: Any
) -> None:
    from tests.conftest import make_client

    sign_in(client, SECRETARY)
    row = sent_round(client, "Buy the minibus")
    voters = electors("Buy the minibus")
    total = row["eligible_votes"]
    assert all(v["weight"] == 1 for v in voters), "the demo's voting classes have one vote each"
    needed = total // 2 + 1  # more than half of ALL eligible votes, not of those who reply
    with make_client(settings) as member:
        sign_in(member, MEMBER)
        assert "I agree to this resolution" in member.get(f"{BASE}/{row['public_id']}").text
        assert post_form(member, f"{BASE}/{row['public_id']}/agree").status_code == 303
        assert "You agreed to this resolution on" in member.get(f"{BASE}/{row['public_id']}").text
        # Agreeing twice records nothing more.
        assert post_form(member, f"{BASE}/{row['public_id']}/agree").status_code == 303
    others = [v for v in voters if v["member"] not in set(_agreements(row))]
    for voter in others[: needed - 2]:
        assert paper(client, row, voter["entry_number"]).status_code == 303
    assert len(_agreements(row)) == needed - 1
    # One short of more than half (exactly half when the electorate is even): not passed.
    assert resolution("Buy the minibus")["status"] == "circulating"
    last = paper(client, row, others[needed - 2]["entry_number"])
    assert last.status_code == 303 and last.headers["location"].endswith("done=passed")
    passed = resolution("Buy the minibus")
    assert passed["status"] == "passed" and passed["decided_on"] == datetime.now(UTC).date()
    assert events_about(row, "resolution.agreed") == needed
    assert events_about(row, "resolution.passed") == 1
    # Once passed, no more agreements are taken.
    refused = paper(client, row, others[needed - 1]["entry_number"])
    assert refused.status_code == 422 and "already passed" in page_text(refused.text)
    assert len(_agreements(row)) == needed


def events_about(row: dict[str, Any], action: str) -> int:
    from coop.audit.tables import AuditEvent

    return int(
        run(
            AuditEvent.count().where(
                (AuditEvent.action == action)
                & (AuditEvent.target_type == "written_resolution")
                & (AuditEvent.target_id == str(row["id"]))
            )
        )
    )


def _agreements(row: dict[str, Any]) -> list[int]:
    from coop.resolutions.tables import WrittenResolutionAgreement

    return [
        int(r["member"])
        for r in run(
            WrittenResolutionAgreement.select(WrittenResolutionAgreement.member).where(
                WrittenResolutionAgreement.resolution == row["id"]
            )
        )
    ]


def test_it_lapses_at_the_end_of_its_last_day_with_no_request(demo: Any, client: Any, settings: Any) -> None:
    sign_in(client, SECRETARY)
    row = sent_round(client, "Open a second office")
    last_day = row["lapses_on"]
    run_jobs(settings, at=datetime.combine(last_day, datetime.min.time(), UTC) + timedelta(hours=23))
    assert resolution("Open a second office")["status"] == "circulating"  # the last day still counts
    run_jobs(settings, at=datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UTC))
    lapsed = resolution("Open a second office")
    assert lapsed["status"] == "lapsed" and lapsed["decided_on"] == last_day + timedelta(days=1)
    assert events_about(row, "resolution.lapsed") == 1
    # Running the sweep again changes nothing, and a late agreement is refused.
    run_jobs(settings, at=datetime.combine(last_day + timedelta(days=2), datetime.min.time(), UTC))
    assert events_about(row, "resolution.lapsed") == 1
    voter = electors("Open a second office")[0]
    late = paper(client, lapsed, voter["entry_number"])
    assert late.status_code == 422 and "not open for agreement" in page_text(late.text)
    assert "Lapsed" in page_text(client.get(f"{BASE}/").text)


def test_paper_agreements_are_checked_and_change_nothing_when_wrong(demo: Any, client: Any) -> None:
    from coop.members.tables import Member

    sign_in(client, SECRETARY)
    row = sent_round(client, "Join the local federation")
    voter = electors("Join the local federation")[0]
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    cases = [
        ({"entry_number": "", "received_day": ""}, "Enter the member's number"),
        ({"entry_number": "4x", "received_day": ""}, "must be a whole number"),
        ({"entry_number": "99999"}, "No member has this number"),
        ({"entry_number": str(voter["entry_number"]), "on": tomorrow}, "must be today or in the past"),
        (
            {"entry_number": str(voter["entry_number"]), "on": row["circulated_on"] - timedelta(days=1)},
            "cannot be before it was sent round",
        ),
    ]
    for data, message in cases:
        on = data.pop("on", datetime.now(UTC).date())
        form = {"received_day": str(on.day), "received_month": str(on.month), "received_year": str(on.year)}
        response = post_form(client, f"{BASE}/{row['public_id']}/paper", {**form, **data})  # type: ignore[dict-item]
        assert response.status_code == 422, (data, response.status_code)
        assert message in html.unescape(page_text(response.text)), message
    assert _agreements(row) == []
    # A member who joined after it was sent round was not eligible.
    joined = run(Member.select(Member.entry_number).order_by(Member.entry_number, ascending=False).first())
    response = post_form(
        client,
        "/o/riverside/register/new",
        {
            "name": "Newly Joined",
            "member_class": "family_carer",
            "admitted_day": str(row["circulated_on"].day),
            "admitted_month": str(row["circulated_on"].month),
            "admitted_year": str(row["circulated_on"].year),
            "contact_by": "post",
            "address": "1 New Street",
        },
    )
    assert response.status_code == 303
    newcomer = member_row("Newly Joined")
    assert newcomer["entry_number"] > joined["entry_number"]
    refused = paper(client, row, newcomer["entry_number"])
    assert refused.status_code == 422 and "not entitled to vote on it" in page_text(refused.text)
    # The same member twice: named, and refused.
    assert paper(client, row, voter["entry_number"]).status_code == 303
    twice = paper(client, row, voter["entry_number"])
    assert twice.status_code == 422 and f"{voter['name']}'s agreement is already recorded" in html.unescape(
        twice.text
    )
    assert len(_agreements(row)) == 1


def test_another_organisations_resolution_is_not_found(demo: Any, client: Any, settings: Any) -> None:
    from tests.conftest import make_client

    sign_in(client, SECRETARY)
    row = sent_round(client, "Riverside only")
    with make_client(settings) as outsider:
        sign_in(outsider, "omar@northfield.example")
        for path in ("", "/paper"):
            assert outsider.get(f"/o/northfield/resolutions/{row['public_id']}{path}").status_code in (
                403,
                404,
            )
        assert post_form(outsider, f"/o/northfield/resolutions/{row['public_id']}/agree").status_code == 404
        assert outsider.get(f"/o/riverside/resolutions/{row['public_id']}").status_code == 404
    assert _agreements(row) == []


def test_pages_answer_from_aggregates_at_any_size(demo: Any, client: Any, monkeypatch: Any) -> None:
    """The same number of queries for the list and a resolution's page with 10 electors and with 1,000."""
    from coop.db import current_engine
    from tests.coop.members.helpers import add_members

    sign_in(client, SECRETARY)
    small_row = sent_round(client, "Small electorate")
    organisation = int(member_row("Jamie Carter")["organisation"])
    add_members(organisation, 1000)
    big_row = sent_round(client, "Large electorate")
    assert big_row["eligible_votes"] >= small_row["eligible_votes"] + 1000
    for voter in electors("Large electorate")[:3]:
        paper(client, big_row, voter["entry_number"])
    queries: list[str] = []
    engine_class = type(current_engine())
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        queries.append(str(querystring))
        return await original(self, querystring, in_pool)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    counts = []
    for row in (small_row, big_row):
        url = f"{BASE}/{row['public_id']}"
        client.get(url)
        queries.clear()
        response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert "3 of" in page_text(response.text)
