"""Bulk member import through the API: a dry run reports every row's problems and writes nothing; a real
run adds everyone or nobody, audited, in bounded batches, and a retry with the same key adds nobody twice."""

from __future__ import annotations

from typing import Any

from tests.conftest import run
from tests.coop.api.tokens import bearer, make_token, problem

URL = "/api/v1/orgs/riverside/members/import"
KEY = "import-test-key-000000001"
SECRETARY = "helen@riverside.example"


def _row(name: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "member_class": "family_carer",
        "admitted_on": "2024-03-31",
        "email": f"{(name.split() or ['nobody'])[0].lower()}@import.example",
        "contact_by": "email",
        **changes,
    }


def _counts() -> tuple[int, int]:
    from coop.audit.tables import AuditEvent
    from coop.members.tables import Member

    return run(Member.count()), run(AuditEvent.count())


def test_a_dry_run_reports_every_problem_of_every_row_and_writes_nothing(demo, client):
    token = make_token(SECRETARY, "riverside", write=True)
    rows = [
        _row("Asha Patel"),
        _row("", member_class="astronaut", admitted_on="31/02/2024", email="not an email"),
        _row("Asha Again", email="asha@import.example", admitted_on="2999-01-01"),
        _row("Jamie Twice", email="jamie@riverside.example", contact_by="pigeon"),
        _row("Posted Person", contact_by="post", email="", shares_held=2),
    ]
    before = _counts()
    response = client.post(URL, json={"dry_run": True, "members": rows}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["dry_run"] is True and body["rows"] == 5 and body["imported"] == 0
    found = {(p["row"], p["field"]): p["message"] for p in body["problems"]}
    assert found == {
        (2, "name"): "Enter their full name",
        (2, "member_class"): "Choose a membership class",
        (2, "admitted_on"): "Enter the date they were admitted, like 2024-03-31 or 31/03/2024",
        (2, "email"): "Enter an email address in the correct format, like name@example.com",
        (3, "admitted_on"): "The date admitted must be today or in the past",
        (3, "email"): "This email address is also on row 1",
        (4, "contact_by"): "Choose how they want to be contacted",
        (4, "email"): "There is already a member with this email address",
        (5, "address"): "Enter their postal address, so notices can be posted to them",
    }
    assert _counts() == before


def test_a_real_import_adds_everyone_audited_and_a_retry_adds_nobody_twice(demo, client):
    from coop.audit.tables import AuditEvent
    from coop.members.tables import Member

    token = make_token(SECRETARY, "riverside", write=True)
    rows = [_row("Asha Patel"), _row("Carys Evans", admitted_on="01/04/2024", shares_held=1)]
    headers = {**bearer(token), "Idempotency-Key": KEY}
    first = client.post(URL, json={"members": rows}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["imported"] == 2 and first.json()["replayed"] is False and first.json()["id"]
    added = run(Member.select().where(Member.email.is_in(["asha@import.example", "carys@import.example"])))
    assert {r["name"] for r in added} == {"Asha Patel", "Carys Evans"}
    assert all(r["entry_number"] for r in added)
    carys = next(r for r in added if r["name"] == "Carys Evans")
    assert str(carys["admitted_on"]) == "2024-04-01" and carys["shares_held"] == 1
    actions = [r["action"] for r in run(AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id))][-3:]
    assert actions == ["member.admitted", "member.admitted", "member.imported"]
    after = _counts()
    again = client.post(URL, json={"members": rows}, headers=headers)
    assert again.status_code == 200 and again.json() == {**first.json(), "replayed": True}
    assert _counts() == after
    other = client.post(URL, json={"members": [_row("Dara Quinn")]}, headers=headers)
    assert problem(other)["status"] == 409 and "different import" in other.json()["detail"]
    assert _counts() == after


def test_a_real_import_with_any_problem_adds_nobody(demo, client):
    token = make_token(SECRETARY, "riverside", write=True)
    before = _counts()
    rows = [_row("Asha Patel"), _row("Bad Date", admitted_on="yesterday")]
    response = client.post(URL, json={"members": rows}, headers={**bearer(token), "Idempotency-Key": KEY})
    body = problem(response)
    assert body["status"] == 422 and "Nobody was added" in body["detail"]
    assert {"field": "members[1].admitted_on", "detail": _date_message()} in body["errors"]
    missing_key = client.post(URL, json={"members": [_row("Asha Patel")]}, headers=bearer(token))
    assert problem(missing_key)["errors"][0]["field"] == "Idempotency-Key"
    assert _counts() == before


def _date_message() -> str:
    return "Enter the date they were admitted, like 2024-03-31 or 31/03/2024"


def test_only_the_board_imports_and_unknown_fields_are_refused(demo, client):
    member = make_token("jamie@riverside.example", "riverside", write=True)
    rows = {"dry_run": True, "members": [_row("Asha Patel")]}
    assert problem(client.post(URL, json=rows, headers=bearer(member)))["status"] == 403
    secretary = make_token(SECRETARY, "riverside", write=True)
    unknown = {"dry_run": True, "members": [{**_row("Asha Patel"), "favourite_colour": "green"}]}
    assert problem(client.post(URL, json=unknown, headers=bearer(secretary)))["status"] in (400, 422)


def test_a_large_import_is_written_in_batches_with_consecutive_entry_numbers(demo, client):
    from coop.members.entries import ENTRY_BATCH
    from coop.members.tables import Member

    token = make_token(SECRETARY, "riverside", write=True)
    how_many = ENTRY_BATCH * 2 + 50
    rows = [_row(f"Imported {i:04d}", email=f"imported{i}@import.example") for i in range(how_many)]
    response = client.post(URL, json={"members": rows}, headers={**bearer(token), "Idempotency-Key": KEY})
    assert response.status_code == 200 and response.json()["imported"] == how_many
    numbers = [
        r["entry_number"]
        for r in run(
            Member.select(Member.entry_number).where(Member.name.like("Imported %")).order_by(Member.id)
        )
    ]
    assert len(numbers) == how_many and numbers == list(range(numbers[0], numbers[0] + how_many))
