"""The audit chain does not make governance transactions queue: on PostgreSQL each transaction takes a
strand of its organisation's chain that no other holds, and every strand is still a complete hash chain,
so a changed or removed event is found. (On SQLite writers are serial already: one strand.)"""

from __future__ import annotations

import asyncio

from tests.conftest import run

ORG_ACTION = "vote.participated"


def _org_id() -> int:
    from coop.organisations.tables import Organisation

    row = run(Organisation.select(Organisation.id).where(Organisation.slug == "riverside").first())
    return int(row["id"])


async def _hold_and_record(organisation_id: int, recorded: asyncio.Event, release: asyncio.Event) -> None:
    from coop.audit.service import SYSTEM, AuditEntry, record
    from coop.db import write_transaction

    async with write_transaction():
        await record(AuditEntry(ORG_ACTION, organisation_id=organisation_id, detail={"n": 0}), SYSTEM)
        recorded.set()
        await release.wait()  # keep the strand's head locked until the others are done


async def _record_beside_open_transactions(organisation_id: int, holders: int) -> None:
    """`holders` transactions each record an event and stay open; then one more records and commits.
    Were they one chain head, the last would wait on the first's lock for ever (the wait_for fails)."""
    from coop.audit.service import SYSTEM, AuditEntry, record
    from coop.db import write_transaction

    release = asyncio.Event()
    tasks, recorded = [], []
    for _ in range(holders):
        event = asyncio.Event()
        tasks.append(asyncio.create_task(_hold_and_record(organisation_id, event, release)))
        await asyncio.wait_for(event.wait(), timeout=30)
        recorded.append(event)

    async def one_more() -> None:
        async with write_transaction():
            await record(AuditEntry(ORG_ACTION, organisation_id=organisation_id, detail={"n": 1}), SYSTEM)

    try:
        await asyncio.wait_for(one_more(), timeout=30)
    finally:
        release.set()
        await asyncio.gather(*tasks)


def _strand_events(organisation_id: int) -> dict[str, int]:
    from coop.audit.tables import AuditEvent

    rows = run(AuditEvent.select(AuditEvent.chain).where(AuditEvent.organisation == organisation_id))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["chain"]] = counts.get(r["chain"], 0) + 1
    return counts


def test_transactions_holding_the_chain_do_not_make_another_wait(demo, engine_name):
    from coop.audit.service import check_chain

    if engine_name != "postgres":
        return  # SQLite has one writer at a time: nothing to wait beside
    organisation_id = _org_id()
    before = run(check_chain(organisation_id))
    assert before.ok
    run(_record_beside_open_transactions(organisation_id, holders=4))
    after = run(check_chain(organisation_id))
    assert after.ok, after.problems
    assert after.events == before.events + 5 and after.last_seq == before.last_seq + 5
    strands = _strand_events(organisation_id)
    assert len(strands) == 5, strands  # four held strands, and a fifth for the one that did not wait


def test_a_changed_or_removed_event_on_any_strand_is_found(demo, engine_name):
    from coop.audit.service import check_chain
    from coop.db import current_engine

    if engine_name != "postgres":
        return
    organisation_id = _org_id()
    run(_record_beside_open_transactions(organisation_id, holders=3))
    strands = sorted(c for c in _strand_events(organisation_id) if "/" in c)
    assert len(strands) == 3
    # Only someone with direct database access can do this, and only by disabling the trigger first.
    engine = current_engine()
    run(engine.run_ddl("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    try:
        run(engine.run_ddl(f"UPDATE audit_event SET detail = '{{\"n\":9}}' WHERE chain = '{strands[0]}'"))
        run(engine.run_ddl(f"DELETE FROM audit_event WHERE chain = '{strands[1]}'"))
    finally:
        run(engine.run_ddl("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
    check = run(check_chain(organisation_id))
    messages = [p.message for p in check.problems]
    assert len(messages) == 2, messages
    assert "has been changed since it was written" in messages[0] and "of strand" in messages[0]
    assert "removed from the end of the log" in messages[1] and "of strand" in messages[1]
