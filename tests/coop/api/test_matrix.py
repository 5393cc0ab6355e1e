"""The tenancy and role matrix, generated from the API's route table: every operation, every refusal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.conftest import run
from tests.coop.api.tokens import bearer, make_token, problem


def _operations(client) -> list[tuple[str, str]]:
    """(method, path template) for every API operation, from the app's own routes."""
    operations = []
    for route in client.app.routes:
        if not route.path.startswith("/api/v1/orgs/"):
            continue
        for method in sorted(getattr(route, "methods", ())):
            if method not in {"OPTIONS", "HEAD"}:
                operations.append((method, route.path))
    assert len(operations) >= 18
    return operations


def _ids(slug: str) -> dict[str, str]:
    """Real ids of one organisation's records, to put into the path templates."""
    from coop.budgets.tables import BudgetPool
    from coop.meetings.tables import Meeting
    from coop.resolutions.tables import WrittenResolution
    from coop.votes.tables import Vote

    vote = run(Vote.select(Vote.id).where(Vote.organisation.slug == slug).first())
    pool = run(BudgetPool.select(BudgetPool.public_id).where(BudgetPool.organisation.slug == slug).first())
    meeting = run(Meeting.select(Meeting.public_id).where(Meeting.organisation.slug == slug).first())
    resolution = run(
        WrittenResolution.select(WrittenResolution.public_id)
        .where(WrittenResolution.organisation.slug == slug)
        .first()
    )
    return {
        "org_slug": slug,
        "vote_id": str(vote["id"]),
        "pool_id": str(pool["public_id"]),
        "meeting_id": str(meeting["public_id"]),
        "resolution_id": str(resolution["public_id"]),
    }


def _give_northfield_records() -> None:
    """The demo's second organisation has no vote, pool, meeting or written resolution; the matrix needs
    B's records to aim at."""
    from coop.audit.service import SYSTEM
    from coop.budgets.pools import create_pool
    from coop.meetings.tables import Meeting
    from coop.organisations.tables import Organisation
    from coop.resolutions.service import Draft, draft_resolution
    from coop.votes.lifecycle import NewVote, create_vote
    from governance.budget import CostRule

    org = run(Organisation.select(Organisation.id).where(Organisation.slug == "northfield").first())["id"]
    # A general meeting (every member of B may see it) and a draft resolution (B's board may see it).
    run(
        Meeting.insert(
            Meeting(organisation=org, kind="general", title="B's meeting", starts_at=datetime.now(UTC))
        )
    )
    run(
        draft_resolution(
            org, Draft("B's resolution", "That B resolves.", "", "ordinary", False, False), SYSTEM
        )
    )
    closes = datetime.now(UTC) + timedelta(days=7)
    new = NewVote(title="B's vote", question="?", kind="motion", purpose="general", closes_at=closes)
    run(create_vote(org, new, actor=SYSTEM))
    run(
        create_pool(
            organisation_id=org,
            name="B's pool",
            purpose="",
            cost_rule=CostRule.EQUAL,
            contingency_weeks=0,
            floor_pence=0,
            surplus_handling="carry_forward",
            exit_terms="",
            actor=SYSTEM,
        )
    )


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: ids[m.group(1)], path)


def test_a_token_for_one_organisation_gets_404_for_every_resource_of_another(demo, client):
    # Priya is a director in both; her Riverside token must see nothing of Northfield's, however asked.
    _give_northfield_records()
    token = make_token("priya@riverside.example", "riverside", write=True)
    riverside, northfield = _ids("riverside"), _ids("northfield")
    for method, path in _operations(client):
        for ids in (northfield, {**northfield, "org_slug": "riverside"}):
            if ids["org_slug"] == "riverside" and not re.search(r"\{(vote|pool|meeting|resolution)_id", path):
                continue  # nothing of Northfield's in this address
            url = _fill(path, ids)
            response = client.request(
                method, url, headers={**bearer(token), "Idempotency-Key": "k" * 20}, json={}
            )
            if ids["org_slug"] == "northfield":
                assert problem(response)["status"] == 404, (method, url)
            else:
                assert response.status_code in (400, 403, 404), (method, url, response.text)
                assert response.status_code != 200
    assert riverside["org_slug"] == "riverside"


def test_a_read_token_gets_403_on_every_write(demo, client):
    from coop.audit.tables import AuditEvent

    token = make_token("daniel@riverside.example", "riverside")
    writes = [(m, p) for m, p in _operations(client) if m != "GET"]
    assert len(writes) >= 3
    before = run(AuditEvent.count())
    for method, path in writes:
        url = _fill(path, _ids("riverside"))
        response = client.request(
            method, url, headers={**bearer(token), "Idempotency-Key": "k" * 20}, json={}
        )
        assert problem(response)["status"] == 403, (method, url)
    assert run(AuditEvent.count()) == before


def test_revoked_and_expired_tokens_get_401_on_every_operation(demo, client):
    from coop.api.tables import ApiToken

    revoked = make_token("daniel@riverside.example", "riverside", write=True)
    run(ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}, force=True))
    expired = make_token("daniel@riverside.example", "riverside", write=True)
    run(
        ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
            ApiToken.revoked_at.is_null()
        )
    )
    for method, path in _operations(client):
        url = _fill(path, _ids("riverside"))
        for token in (revoked, expired):
            response = client.request(method, url, headers=bearer(token), json={})
            assert problem(response)["status"] == 401, (method, url)
