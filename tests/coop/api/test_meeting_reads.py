"""API reads about meetings, resolutions and the board: the pages' records under the pages' role rules."""

from __future__ import annotations

from typing import Any

from tests.conftest import run
from tests.coop.api.tokens import bearer, make_token, problem

ORG = "/api/v1/orgs/riverside"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _all(client: Any, url: str, token: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a list, following `next` one item at a time."""
    seen, cursor = [], None
    while True:
        query = {"limit": "1", **params, **({"cursor": cursor} if cursor else {})}
        response = client.get(url, params=query, headers=bearer(token))
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 1
        seen += page["items"]
        cursor = page["next"]
        if cursor is None:
            return seen


def _riverside_id() -> int:
    from coop.organisations.tables import Organisation

    return int(
        run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())["id"]
    )


def test_meetings_are_paged_in_order_and_board_meetings_only_reach_the_board(demo, client):
    from coop.meetings.tables import Meeting

    rows = run(
        Meeting.select(Meeting.public_id, Meeting.kind).where(Meeting.organisation.slug == "riverside")
    )
    rows = sorted(rows, key=lambda r: str(r["public_id"]))  # compared as sets below; order checked by id
    helen = _all(client, f"{ORG}/meetings", make_token("helen@riverside.example", "riverside"))
    jamie = _all(client, f"{ORG}/meetings", make_token("jamie@riverside.example", "riverside"))
    in_id_order = run(
        Meeting.select(Meeting.public_id).where(Meeting.organisation.slug == "riverside").order_by(Meeting.id)
    )
    assert [m["id"] for m in helen] == [str(r["public_id"]) for r in in_id_order]
    assert {r["kind"] for r in rows} >= {"board", "annual_general"}
    assert any(m["kind"] == "board" for m in helen)
    assert jamie and all(m["kind"] != "board" for m in jamie)
    assert [m["id"] for m in jamie] == [m["id"] for m in helen if m["kind"] != "board"]


def test_meetings_filter_by_state_and_by_the_day_they_start(demo, client):
    token = make_token("helen@riverside.example", "riverside")
    every = _all(client, f"{ORG}/meetings", token)
    closed = _all(client, f"{ORG}/meetings", token, state="closed")
    assert closed and all(m["status"] == "closed" for m in closed)
    assert len(closed) == sum(m["status"] == "closed" for m in every)
    first = min(every, key=lambda m: m["starts_at"])
    day = first["starts_at"][:10]
    on_the_day = _all(client, f"{ORG}/meetings", token, starts_since=day, starts_until=day)
    assert first["id"] in [m["id"] for m in on_the_day]
    assert all(m["starts_at"][:10] == day for m in on_the_day), (day, on_the_day)
    assert _all(client, f"{ORG}/meetings", token, starts_since="2999-01-01") == []
    body = problem(client.get(f"{ORG}/meetings", params={"state": "cancelled"}, headers=bearer(token)))
    assert body["status"] == 400


def test_one_meeting_has_its_notice_agenda_resolutions_and_readable_minutes(demo, client):
    from coop.meetings.tables import Meeting

    board = run(
        Meeting.select(Meeting.public_id, Meeting.minutes)
        .where((Meeting.organisation.slug == "riverside") & (Meeting.kind == "board"))
        .order_by(Meeting.id)
        .first()
    )
    helen = make_token("helen@riverside.example", "riverside")
    body = client.get(f"{ORG}/meetings/{board['public_id']}", headers=bearer(helen)).json()
    assert body["meeting"]["kind"] == "board" and body["notice"][0].startswith("Notice went out")
    decided = [i for i in body["agenda"] if i["result"]]
    assert decided and decided[0]["resolution_kind"] == "board" and decided[0]["votes_for"] is not None
    assert body["minutes"] == board["minutes"] and body["minutes"]
    jamie = make_token("jamie@riverside.example", "riverside")
    assert problem(client.get(f"{ORG}/meetings/{board['public_id']}", headers=bearer(jamie)))["status"] == 404
    agm = run(
        Meeting.select(Meeting.public_id)
        .where((Meeting.organisation.slug == "riverside") & (Meeting.kind == "annual_general"))
        .first()
    )
    seen = client.get(f"{ORG}/meetings/{agm['public_id']}", headers=bearer(jamie)).json()
    assert seen["meeting"]["kind"] == "annual_general" and seen["agenda"]
    assert seen["minutes"] is None  # no approved minutes yet: a member may not read a draft
    for bad in (UNKNOWN, "not-an-id", "9" * 40):
        assert problem(client.get(f"{ORG}/meetings/{bad}", headers=bearer(helen)))["status"] == 404


def _draft_written_resolution() -> str:
    from coop.audit.service import SYSTEM
    from coop.resolutions import service

    draft = service.Draft("A draft", "That we draft.", "", "special", False, False)
    return run(service.draft_resolution(_riverside_id(), draft, SYSTEM))


def test_the_register_of_resolutions_pages_across_meetings_and_written_ones(demo, client):
    draft = _draft_written_resolution()
    helen = make_token("helen@riverside.example", "riverside")
    jamie = make_token("jamie@riverside.example", "riverside")
    everything = client.get(f"{ORG}/resolutions", params={"limit": "100"}, headers=bearer(helen)).json()
    assert everything["next"] is None
    paged = _all(client, f"{ORG}/resolutions", helen)
    assert paged == everything["items"]
    methods = [r["method"] for r in paged]
    assert methods == sorted(methods) and set(methods) == {"meeting", "written"}  # meetings first
    assert draft in [r["id"] for r in paged]
    member_view = _all(client, f"{ORG}/resolutions", jamie)
    assert draft not in [r["id"] for r in member_view]
    assert all(r["kind"] != "board" for r in member_view)
    assert [r["id"] for r in member_view] == [
        r["id"] for r in paged if r["kind"] != "board" and r["state"] != "draft"
    ]
    written = _all(client, f"{ORG}/resolutions", helen, method="written")
    assert written == [r for r in paged if r["method"] == "written"]
    assert _all(client, f"{ORG}/resolutions", helen, method="meeting", state="draft") == []
    assert [r["id"] for r in _all(client, f"{ORG}/resolutions", helen, state="draft")] == [draft]
    passed = _all(client, f"{ORG}/resolutions", helen, state="passed")
    day = passed[0]["decided_on"]
    assert passed[0] in _all(client, f"{ORG}/resolutions", helen, state="passed", since=day, until=day)
    for cursor in ("nonsense", "azE", "azF4"):  # "k1" and "k1x" are ours in form but not in content
        assert (
            problem(client.get(f"{ORG}/resolutions", params={"cursor": cursor}, headers=bearer(helen)))[
                "status"
            ]
            == 400
        )


def test_a_written_resolution_gives_counts_of_agreements_never_who_agreed(demo, client):
    from coop.resolutions.tables import WrittenResolution

    row = run(WrittenResolution.select().where(WrittenResolution.status == "circulating").first())
    token = make_token("jamie@riverside.example", "riverside")
    response = client.get(f"{ORG}/resolutions/{row['public_id']}", headers=bearer(token))
    body = response.json()
    assert body["resolution"]["method"] == "written" and body["resolution"]["state"] == "circulating"
    assert body["agreements"] == 2 and body["agreed_votes"] == 2 and body["outcome"] == "open"
    assert body["resolution"]["eligible_votes"] == row["eligible_votes"] and body["reasons"]
    for name in ("Amara", "Daniel"):  # the demo's two agreeing members
        assert name not in response.text
    draft = _draft_written_resolution()
    assert problem(client.get(f"{ORG}/resolutions/{draft}", headers=bearer(token)))["status"] == 404
    helen = make_token("helen@riverside.example", "riverside")
    seen = client.get(f"{ORG}/resolutions/{draft}", headers=bearer(helen)).json()
    assert seen["resolution"]["state"] == "draft" and seen["agreements"] is None and seen["outcome"] is None


def test_a_resolution_decided_at_a_meeting_and_board_decisions_only_for_the_board(demo, client):
    from coop.meetings.tables import AgendaItem

    item = run(AgendaItem.select().where(AgendaItem.result != "").first())
    assert item["resolution_kind"] == "board"
    helen = make_token("helen@riverside.example", "riverside")
    body = client.get(f"{ORG}/resolutions/{item['public_id']}", headers=bearer(helen)).json()
    got = body["resolution"]
    assert got["method"] == "meeting" and got["state"] == item["result"]
    assert (got["votes_for"], got["votes_against"]) == (item["votes_for"], item["votes_against"])
    jamie = make_token("jamie@riverside.example", "riverside")
    assert (
        problem(client.get(f"{ORG}/resolutions/{item['public_id']}", headers=bearer(jamie)))["status"] == 404
    )
    for bad in (UNKNOWN, "x", "-1"):
        assert problem(client.get(f"{ORG}/resolutions/{bad}", headers=bearer(helen)))["status"] == 404


def test_the_board_register_has_public_particulars_only_even_for_the_secretary(demo, client):
    from coop.boards.tables import DirectorPrivateParticulars, Directorship

    private = run(DirectorPrivateParticulars.select())
    assert private, "the demo has private particulars to keep back"
    for email in ("helen@riverside.example", "jamie@riverside.example"):
        response = client.get(f"{ORG}/board", headers=bearer(make_token(email, "riverside")))
        body = response.json()
        assert body["composition"] and all({"text", "met"} <= set(c) for c in body["composition"])
        assert len(body["directors"]) == run(
            Directorship.count().where(Directorship.organisation.slug == "riverside")
        )
        assert all("date_of_birth" not in d and "residential_address" not in d for d in body["directors"])
        for p in private:
            if p["residential_address"]:
                assert p["residential_address"] not in response.text
            if p["date_of_birth"]:
                assert p["date_of_birth"].isoformat() not in response.text
    named = {d["name"] for d in body["directors"] if d["ceased_on"] is None}
    assert len(named) == 5


def test_the_board_register_pages_by_cursor(demo, client):
    from coop.boards.service import PAGE_SIZE
    from coop.boards.tables import Directorship

    first = run(Directorship.select().where(Directorship.organisation.slug == "riverside").first())
    copies = [
        Directorship(
            organisation=first["organisation"],
            member=first["member"],
            route="elected",
            appointed_on=first["appointed_on"],
            ceased_on=first["appointed_on"],
            ceased_reason="resigned",
        )
        for _ in range(PAGE_SIZE)
    ]
    run(Directorship.insert(*copies))
    token = make_token("jamie@riverside.example", "riverside")
    page = client.get(f"{ORG}/board", headers=bearer(token)).json()
    assert len(page["directors"]) == PAGE_SIZE and page["next"]
    rest = client.get(f"{ORG}/board", params={"cursor": page["next"]}, headers=bearer(token)).json()
    assert rest["next"] is None and rest["directors"]
    ids = [d["id"] for d in page["directors"] + rest["directors"]]
    assert (
        len(ids)
        == len(set(ids))
        == run(Directorship.count().where(Directorship.organisation.slug == "riverside"))
    )
