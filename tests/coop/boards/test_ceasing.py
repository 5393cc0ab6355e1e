"""A director must be a member: a membership's ending ends the directorship in the same transaction, with
its audit entry, however the membership ends (the register's cease route, a resignation written down by
the sweep); reading the board never writes, and the worker's sweep settles rows left over from before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from tests.conftest import run
from tests.coop.api.tokens import bearer, make_token
from tests.coop.boards.test_board import SECRETARY, directorship, holds_director_role
from tests.coop.helpers import page_text, post_form, sign_in
from tests.coop.members.helpers import member_id, member_row

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def written() -> Iterator[list[str]]:
    """The writing statements sent while inside: through the engine, and any `write_steps` step (those
    run on the SQLite writer's thread)."""
    from coop import db as coop_db

    statements: list[str] = []
    engine_class = type(coop_db.current_engine())  # patched on the class: PostgresEngine has slots
    original, original_step = engine_class.run_querystring, coop_db.observed_step

    async def counting(self: Any, querystring: Any, in_pool: bool = False) -> Any:
        statements.append(str(querystring))
        return await original(self, querystring, in_pool)

    def counting_step(sql: str, args: tuple[Any, ...]) -> Any:
        statements.append(sql)
        return original_step(sql, args)

    engine_class.run_querystring = counting  # type: ignore[method-assign]
    coop_db.observed_step = counting_step  # type: ignore[assignment]
    writes: list[str] = []
    try:
        yield writes
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]
        coop_db.observed_step = original_step  # type: ignore[assignment]
        writes.extend(s for s in statements if s.lstrip().upper().startswith(WRITES))


def ceased_audit(directorship_id: int) -> list[dict[str, Any]]:
    from coop.audit.tables import AuditEvent

    return run(
        AuditEvent.select(AuditEvent.actor, AuditEvent.detail).where(
            (AuditEvent.action == "board.director_ceased")
            & (AuditEvent.target_type == "directorship")
            & (AuditEvent.target_id == str(directorship_id))
        )
    )


def test_a_director_whose_membership_ends_is_off_the_board_at_once_with_the_audit_entry(demo, client):
    from coop.accounts.tables import Person

    sign_in(client, SECRETARY)
    seat = directorship("Tom Evans")
    assert seat["ceased_on"] is None and holds_director_role("Tom Evans")
    with written() as writes:
        response = post_form(
            client, f"/o/riverside/register/{member_id('Tom Evans')}/cease", {"reason": "ceased"}
        )
    assert response.status_code == 303
    assert any("directorship" in w for w in writes)  # written by the ceasing itself, no page read needed
    row = directorship("Tom Evans")
    assert (
        row["ceased_reason"] == "ceased_member" and row["ceased_on"] == member_row("Tom Evans")["ceased_on"]
    )
    assert not holds_director_role("Tom Evans")
    helen = run(Person.select(Person.id).where(Person.email == SECRETARY).first())
    entries = ceased_audit(seat["id"])
    assert len(entries) == 1 and entries[0]["actor"] == helen["id"]  # the secretary who recorded it


def test_a_resignation_written_down_by_the_sweep_ends_the_directorship_with_it(demo):
    from coop.members.register import settle_all_due_resignations
    from coop.members.tables import Member

    today = datetime.now(UTC).date()
    priya = member_row("Priya Shah")
    run(Member.update({Member.leaving_on: today}).where(Member.id == priya["id"]))  # notice ran out
    seat = directorship("Priya Shah")
    assert seat["ceased_on"] is None
    assert run(settle_all_due_resignations(today)) == 1
    row = directorship("Priya Shah")
    assert row["ceased_on"] == today and row["ceased_reason"] == "ceased_member"
    assert not holds_director_role("Priya Shah")
    entries = ceased_audit(seat["id"])
    assert len(entries) == 1 and entries[0]["actor"] is None  # the system's own step


def _left_over(name: str, on: date) -> dict[str, Any]:
    """A member ceased before a ceasing ended the directorship with it: the row is still open."""
    from coop.members.tables import Member

    run(
        Member.update({Member.ceased_on: on, Member.ceased_reason: "died"}).where(
            Member.id == member_row(name)["id"]
        )
    )
    seat = directorship(name)
    assert seat["ceased_on"] is None
    return seat


def test_reading_the_board_never_writes_and_the_sweep_settles_what_is_left_over(demo, client, settings):
    from coop.boards.schedule import settle_ceased_directors

    today = datetime.now(UTC).date()
    seat = _left_over("Daniel Price", today)
    sign_in(client, SECRETARY)
    token = make_token(SECRETARY, "riverside")
    pages = ["/o/riverside/board", "/o/riverside/board/appoint", "/o/riverside", "/o/riverside/register"]
    for url in pages:
        with written() as writes:
            response = client.get(url)
        assert response.status_code == 200, url
        assert writes == [], url
    with written() as writes:
        api = client.get("/api/v1/orgs/riverside/board", headers=bearer(token))
    # The only write is the token's rate-limit window (every API request counts against it).
    assert api.status_code == 200 and [w for w in writes if not w.startswith("UPDATE api_token")] == []
    assert len(writes) == 1
    # Not counted on the board though the row is still open: the alert is never behind the register.
    assert "The board has 1 budget holder" in page_text(client.get("/o/riverside/board").text)
    assert directorship("Daniel Price")["ceased_on"] is None and ceased_audit(seat["id"]) == []

    run(settle_ceased_directors(settings, datetime.now(UTC)))
    row = directorship("Daniel Price")
    assert row["ceased_on"] == today and row["ceased_reason"] == "died"
    assert len(ceased_audit(seat["id"])) == 1
    run(settle_ceased_directors(settings, datetime.now(UTC)))  # once only, however often it runs
    assert len(ceased_audit(seat["id"])) == 1


def test_the_sweep_settles_left_overs_in_bounded_batches(demo, monkeypatch):
    from coop.boards import service

    monkeypatch.setattr(service, "SETTLE_BATCH", 2)
    today = datetime.now(UTC).date()
    seats = [_left_over(name, today) for name in ("Daniel Price", "Tom Evans", "Priya Shah")]
    assert run(service.settle_ceased_members()) == 3
    assert all(directorship(n)["ceased_on"] == today for n in ("Daniel Price", "Tom Evans", "Priya Shah"))
    assert all(len(ceased_audit(s["id"])) == 1 for s in seats)
    assert run(service.settle_ceased_members()) == 0
